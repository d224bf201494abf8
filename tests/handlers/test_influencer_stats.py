"""`/influencer stats` end to end: engagement counters per day or per post for one enrolment, replaced when
sent again, read back from the database. Every refusal names its field and writes nothing.
On SQLite only: what depends on the database is tested on both in tests/bot/registry/test_influencer_rules.py
(rows replaced by post or day, the enrolment they belong to, future dates refused)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import SQLITE_ONLY
from registry_support import answered, autumn_campaign, enrolment, refused, spring_campaign, stats_of, unchanged

pytestmark = SQLITE_ONLY

spring = pytest.fixture(spring_campaign)
autumn = pytest.fixture(autumn_campaign)

POST = "https://www.tiktok.com/@ana/video/1"


def test_stats_are_recorded_for_today_by_default(roi, sessions, clock, spring):
    answered(roi.command("/influencer add ana campaign=spring"))
    clock.now += timedelta(days=1)

    answered(roi.command("/influencer stats ana campaign=spring impressions=12k reach=9,000 likes=800 comments=40 "
                         "shares=12 saves=30 clicks=210 views=15000"))

    [stat] = stats_of(sessions, "ana")
    assert (stat.stat_date, stat.post) == (clock.now.date(), None)
    assert (stat.impressions, stat.reach, stat.likes, stat.comments, stat.shares, stat.saves, stat.clicks, stat.views) == (
        12_000, 9_000, 800, 40, 12, 30, 210, 15_000)


@pytest.mark.parametrize(("sent", "fields", "expected"), [
    pytest.param(["LIKES=5 date=2026-03-10"], "stat_date likes views impressions", (date(2026, 3, 10), 5, None, None),
                 id="any-subset-of-counters-leaving-the-rest-empty"),
    pytest.param([f"post=<{POST}|my post> views=100 date=2026-03-12"], "post stat_date views",
                 (POST, date(2026, 3, 12), 100), id="by-post-stores-the-link-given-with-a-label"),
    pytest.param([f"post=<{POST}> views=100 date=2026-03-12"], "post stat_date views",
                 (POST, date(2026, 3, 12), 100), id="by-post-stores-the-link-given-as-markup"),
    pytest.param([f"post={POST} views=100 date=2026-03-12"], "post stat_date views",
                 (POST, date(2026, 3, 12), 100), id="by-post-stores-the-plain-link"),
    pytest.param(["date=2026-03-10 likes=5 views=100", "date=2026-03-10 likes=8"], "likes views", (8, None),
                 id="resending-the-same-day-replaces-the-row"),
    pytest.param(["post=<https://youtu.be/abc> date=2026-03-10 views=100",
                  "post=<https://youtu.be/abc> date=2026-03-11 views=250"], "views stat_date", (250, date(2026, 3, 11)),
                 id="resending-the-same-post-replaces-the-row-even-on-another-day"),
])
def test_stats_sent_are_stored_in_one_row(roi, sessions, spring, sent, fields, expected):
    answered(roi.command("/influencer add ana campaign=spring"))

    for options in sent:
        answered(roi.command(f"/influencer stats ana campaign=spring {options}"))

    [stat] = stats_of(sessions, "ana")
    assert tuple(getattr(stat, field) for field in fields.split()) == expected


def test_different_days_and_posts_are_separate_rows(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))

    for extra in ("date=2026-03-10", "date=2026-03-11", "post=<https://youtu.be/a> date=2026-03-11",
                  "post=<https://youtu.be/b> date=2026-03-11"):
        answered(roi.command(f"/influencer stats ana campaign=spring {extra} views=1"))

    assert len(stats_of(sessions, "ana")) == 4


def test_stats_belong_to_the_enrolment_of_the_campaign_named(roi, sessions, spring, autumn):
    answered(roi.command("/influencer add ana campaign=spring"))
    answered(roi.command("/influencer add ana campaign=autumn"))

    answered(roi.command("/influencer stats ana campaign=autumn likes=3"))

    [stat] = stats_of(sessions, "ana")
    assert stat.enrolment_id == enrolment(sessions, "ana", "autumn").id


@pytest.mark.parametrize(("options", "field"), [
    ("campaign=spring", "counters"),
    ("campaign=spring date=2026-03-10", "counters"),
    ("likes=5", "campaign"),
    ("campaign=spring likes=-1", "likes"),
    ("campaign=spring views=lots", "views"),
    ("campaign=spring likes=5 date=2026-02-30", "date"),
    ("campaign=spring likes=5 post=<#C0001|general>", "post"),
    ("campaign=spring likes=5 post=ftp://x.example/1", "post"),
    ("campaign=spring likes=5 followers=10", "followers"),
])
def test_stats_refuse_bad_input_naming_the_field_and_write_nothing(roi, sessions, spring, options, field):
    answered(roi.command("/influencer add ana campaign=spring"))

    with unchanged(sessions):
        refused(roi.command(f"/influencer stats ana {options}"), field)


def test_stats_dated_after_tomorrow_are_refused_naming_the_date_and_today(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))

    with unchanged(sessions):
        text = refused(roi.command("/influencer stats ana campaign=spring date=2026-03-18 likes=5"), "date")

    assert "2026-03-18 is in the future (today is 2026-03-16)" in text


def test_stats_dated_tomorrow_are_taken_as_a_time_zone_ahead(roi, sessions, spring):
    # It is already 17 March in Sydney while ROI_TIMEZONE (UTC) still says 16 March.
    answered(roi.command("/influencer add ana campaign=spring"))

    answered(roi.command("/influencer stats ana campaign=spring date=2026-03-17 likes=5"))

    assert [s.stat_date for s in stats_of(sessions, "ana")] == [date(2026, 3, 17)]


@pytest.mark.parametrize("line", [
    pytest.param("/influencer set ana campaign=autumn fee=100", id="set"),
    pytest.param("/influencer stats ana campaign=autumn likes=5", id="stats"),
])
def test_set_or_stats_for_a_campaign_they_are_not_in_are_refused(roi, sessions, spring, autumn, line):
    answered(roi.command("/influencer add ana campaign=spring"))

    with unchanged(sessions):
        text = answered(roi.command(line))

    assert "autumn" in text and "/influencer add" in text
