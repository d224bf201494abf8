"""`/influencer add` end to end: handles, followers, platforms and managers, and enrolling in a campaign with
its terms, read back from the database. Every refusal names its field and writes nothing.
On SQLite only: what depends on the database is tested on both in tests/bot/registry/test_influencer_rules.py
(handles case-insensitive per workspace, enrolment terms and start defaults, refused enrolments writing nothing)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.models import Campaign, Enrolment, Influencer
from conftest import SQLITE_ONLY
from registry_support import (
    BEN, answered, autumn_campaign, count, enrolment, person, refused, spring_campaign, unchanged,
)

pytestmark = SQLITE_ONLY

spring = pytest.fixture(spring_campaign)
autumn = pytest.fixture(autumn_campaign)


def test_add_registers_an_influencer_with_defaults(roi, sessions):
    text = answered(roi.command("/influencer add ana.makes"))

    assert "ana.makes" in text
    row = person(sessions, "ana.makes")
    assert (row.handle, row.platform, row.followers, row.manager_id) == ("ana.makes", "other", None, None)
    assert count(sessions, Enrolment) == 0


def test_add_stores_platform_followers_and_manager(roi, sessions):
    answered(roi.command("/influencer add ana.makes Platform=TikTok followers=25k manager=<@U0ANA0001|ana>"))

    row = person(sessions, "ana.makes")
    assert (row.platform, row.followers, row.manager_id) == ("tiktok", 25_000, "U0ANA0001")


@pytest.mark.parametrize(("typed", "handle"), [
    pytest.param("@ana.makes", "ana.makes", id="leading-at-dropped"),
    ("ana", "ana"),
    ("Ana.Makes_2-go", "Ana.Makes_2-go"),
    ("a" * 64, "a" * 64),
    ("42", "42"),
])
def test_add_accepts_handles_within_the_rules(roi, sessions, typed, handle):
    answered(roi.command(f"/influencer add {typed}"))

    assert person(sessions, handle).handle == handle


@pytest.mark.parametrize("handle", ["ana!", "ana/makes", '"ana makes"', "a" * 65, "@", "anä", "<@U0ANA0001>", "<!here>"])
def test_add_refuses_handles_outside_the_rules(roi, sessions, handle):
    with unchanged(sessions):
        refused(roi.command(f"/influencer add {handle}"), "handle")


def test_add_refuses_a_missing_handle(roi, sessions):
    refused(roi.command("/influencer add platform=tiktok"), "HANDLE")

    assert count(sessions, Influencer) == 0


def test_add_refuses_a_handle_taken_case_insensitively(roi, sessions):
    answered(roi.command("/influencer add ana.makes followers=100"))

    with unchanged(sessions):
        text = answered(roi.command("/influencer add @ANA.MAKES followers=200"))

    assert "already" in text


@pytest.mark.parametrize(("typed", "followers"), [
    ("25k", 25_000), ("25K", 25_000), ("1.2m", 1_200_000), ("12,000", 12_000), ("980", 980), ("0", 0),
])
def test_add_reads_followers_in_every_form(roi, sessions, typed, followers):
    answered(roi.command(f"/influencer add ana followers={typed}"))

    assert person(sessions, "ana").followers == followers


@pytest.mark.parametrize("platform", ["instagram", "tiktok", "youtube", "x", "twitch", "blog", "other"])
def test_add_accepts_every_platform(roi, sessions, platform):
    answered(roi.command(f"/influencer add ana platform={platform.upper()}"))

    assert person(sessions, "ana").platform == platform


@pytest.mark.parametrize(("options", "field"), [
    ("followers=-5", "followers"),
    ("followers=lots", "followers"),
    ("followers=1.5", "followers"),
    ("platform=myspace", "platform"),
    ("manager=<!channel>", "manager"),
    ("manager=<!here>", "manager"),
    ("manager=<!subteam^S0001|@team>", "manager"),
    ("manager=@nobody", "manager"),
    ("folowers=5", "folowers"),
    ("fee=100", "campaign"),
    ("commission=10 start=2026-03-01", "campaign"),
])
def test_add_refuses_bad_values_naming_the_field_and_writes_nothing(roi, sessions, options, field):
    with unchanged(sessions):
        refused(roi.command(f"/influencer add ana {options}"), field)


# -- managers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "manager_id"), [
    ("<@U0BEN00001|ben>", "U0BEN00001"),
    ("<@U0BEN00001>", "U0BEN00001"),
    ("@ben", "U0BEN00001"),
    ("@Benji", "U0BEN00001"),
])
def test_add_stores_the_manager_id_whichever_form_slack_sends(roi, sessions, slack, typed, manager_id):
    slack.users.append(dict(BEN))

    answered(roi.command(f"/influencer add ana manager={typed}"))

    assert person(sessions, "ana").manager_id == manager_id


def test_plain_manager_name_is_resolved_through_the_web_api(roi, slack):
    slack.users.append(dict(BEN))

    answer = roi.command("/influencer add ana manager=@ben")

    answered(answer)
    assert "users.list" in [c.method for c in answer.calls]


def test_unknown_plain_manager_is_refused_with_a_hint(roi, sessions, slack):
    slack.users.append(dict(BEN))

    text = refused(roi.command("/influencer add ana manager=@bob"), "manager")

    assert "@bob" in text and "autocomplete" in text
    assert count(sessions, Influencer) == 0


def test_deleted_member_is_not_taken_as_manager(roi, sessions, slack):
    slack.users.append({**BEN, "deleted": True})

    refused(roi.command("/influencer add ana manager=@ben"), "manager")

    assert count(sessions, Influencer) == 0


# -- add with a campaign ---------------------------------------------------------------------------


def test_add_with_campaign_creates_and_enrols_with_the_terms(roi, sessions, spring):
    text = answered(roi.command(
        "/influencer add ana campaign=SPRING fee=1,200 commission=12.5% product_cost=80.50 goal_revenue=5000 "
        "start=2026-03-05"
    ))

    assert "ana" in text and "spring" in text
    row = enrolment(sessions, "ana", "spring")
    assert (row.fee, row.commission_pct, row.product_cost, row.goal_revenue, row.start, row.status, row.cut_on) == (
        Decimal("1200.00"), Decimal("12.50"), Decimal("80.50"), Decimal("5000.00"), date(2026, 3, 5), "active", None)


def test_enrolment_terms_default_to_zero_and_no_goal(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))

    row = enrolment(sessions, "ana", "spring")
    assert (row.fee, row.commission_pct, row.product_cost, row.goal_revenue) == (0, 0, 0, None)


def test_enrolment_start_defaults_to_the_campaign_start(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))

    with sessions() as session:
        campaign_start = session.scalar(select(Campaign.start).where(Campaign.name == "spring"))
    assert enrolment(sessions, "ana", "spring").start == campaign_start


def test_enrolment_start_defaults_to_today_when_the_campaign_has_none(roi, sessions, clock, autumn):
    clock.now += timedelta(days=2)

    answered(roi.command("/influencer add ana campaign=autumn"))

    assert enrolment(sessions, "ana", "autumn").start == clock.now.date()


def test_add_enrols_an_existing_influencer_in_a_second_campaign(roi, sessions, spring, autumn):
    answered(roi.command("/influencer add ana followers=10k campaign=spring fee=100"))
    influencer_id = person(sessions, "ana").id

    text = answered(roi.command("/influencer add @Ana campaign=autumn fee=250"))

    assert "autumn" in text
    assert count(sessions, Influencer) == 1
    assert enrolment(sessions, "ana", "spring").fee == Decimal("100.00")
    second = enrolment(sessions, "ana", "autumn")
    assert (second.influencer_id, second.fee) == (influencer_id, Decimal("250.00"))
    assert person(sessions, "ana").followers == 10_000


def test_enrolling_an_existing_influencer_also_updates_the_keys_given(roi, sessions, spring):
    answered(roi.command("/influencer add ana followers=10k"))

    answered(roi.command("/influencer add ana followers=12k platform=youtube campaign=spring"))

    row = person(sessions, "ana")
    assert (row.followers, row.platform) == (12_000, "youtube")


def test_add_refuses_enrolling_someone_already_in_the_campaign(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring fee=100"))

    with unchanged(sessions):
        text = answered(roi.command("/influencer add ana campaign=spring fee=999 followers=5k"))

    assert "already" in text and "spring" in text


@pytest.mark.parametrize(("options", "field"), [
    ("campaign=spring fee=abc", "fee"),
    ("campaign=spring commission=101", "commission"),
    ("campaign=spring product_cost=-1", "product_cost"),
    ("campaign=spring goal_revenue=1,0", "goal_revenue"),
    ("campaign=spring start=2026-04-01", "start"),
    ("campaign=spring start=2026-02-29", "start"),
    ("campaign=spr!ng", "campaign"),
])
def test_add_with_campaign_refuses_bad_terms_and_writes_nothing(roi, sessions, spring, options, field):
    with unchanged(sessions):
        refused(roi.command(f"/influencer add ana {options}"), field)


def test_add_with_an_unknown_campaign_writes_nothing(roi, sessions, spring):
    with unchanged(sessions):
        text = answered(roi.command("/influencer add ana campaign=sprin fee=100"))

    assert "`spring`" in text  # the did-you-mean
