"""`/campaign list`, `show`, `set` and `end` end to end, and the command's usage: replies checked against
Slack's schemas, what is stored read back from the database. Every refusal names its field and writes nothing.
On SQLite only, except the list and show tests (their queries live in handlers/campaign.py): what depends on
the database is tested on both in tests/bot/registry/test_campaign_rules.py (set, rename, conflicts, end)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from conftest import SQLITE_ONLY
from registry_support import answered, campaign_row, growth_channel, refused, stored, table_rows, unchanged

growth = pytest.fixture(growth_channel)


# -- list and show -------------------------------------------------------------------------------


def test_list_shows_every_campaign_with_its_budget(roi):
    answered(roi.command("/campaign create spring budget=5000"))
    answered(roi.command("/campaign create autumn budget=1,250.5 currency=EUR"))

    answer = roi.command("/campaign list")

    answered(answer)
    rows = {row[0]: row for row in table_rows(answer.reply)[1:]}
    assert set(rows) == {"spring", "autumn"}
    assert any("5,000.00" in cell for cell in rows["spring"])
    assert any("EUR" in cell and "1,250.50" in cell for cell in rows["autumn"])


def test_list_counts_each_campaigns_influencers(roi):
    answered(roi.command("/campaign create spring budget=5000"))
    answered(roi.command("/campaign create autumn budget=5000"))
    for handle in ("ana", "ben", "cy"):
        answered(roi.command(f"/influencer add {handle} campaign=spring"))
    answered(roi.command("/influencer add ana campaign=autumn"))

    answer = roi.command("/campaign list")

    answered(answer)
    head, *body = table_rows(answer.reply)
    column = head.index("Influencers")
    assert {row[0]: row[column] for row in body} == {"spring": "3", "autumn": "1"}


def test_list_with_no_campaigns_says_how_to_start(roi):
    text = answered(roi.command("/campaign list"))

    assert "/campaign create" in text


def test_show_gives_settings_influencers_and_codes(roi, growth):
    answered(roi.command(
        f"/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31 channel=<#{growth['id']}|growth> "
        'note="launch week"'
    ))
    answered(roi.command("/influencer add ana.makes platform=tiktok campaign=spring fee=300"))
    answered(roi.command("/code add ANA10 ana.makes campaign=spring"))

    text = answered(roi.command("/campaign show SPRING"))

    for expected in ("spring", "5,000.00", "2026-03-01", "2026-03-31", f"<#{growth['id']}>", "launch week",
                     "ana.makes", "tiktok", "300.00", "ANA10"):
        assert expected in text


@SQLITE_ONLY
def test_show_suggests_the_closest_name_for_a_typo(roi):
    answered(roi.command("/campaign create spring budget=5000"))

    text = answered(roi.command("/campaign show sprng"))

    assert "`spring`" in text


@SQLITE_ONLY
@pytest.mark.parametrize("sub", ["show", "set", "end"])
def test_sub_commands_naming_a_campaign_refuse_a_missing_name(roi, sub):
    refused(roi.command(f"/campaign {sub}"), "NAME")


# -- set -----------------------------------------------------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize(("option", "attr", "value"), [
    ("budget=7,500", "budget", Decimal("7500.00")),
    ("currency=gbp", "currency", "GBP"),
    ("start=2026-03-02", "start", date(2026, 3, 2)),
    ("end=2026-04-30", "end", date(2026, 4, 30)),
    ("channel=<#C0GROWTH01|>", "channel_id", "C0GROWTH01"),
    ('digest="tue 08:00"', "digest", "tue 08:00"),
    ("min_roi=-10%", "min_roi", Decimal(-10)),
    ("grace_days=0", "grace_days", 0),
    ("window_days=30", "window_days", 30),
    ('note="moved to April"', "note", "moved to April"),
])
def test_set_changes_one_key_and_reports_it(roi, sessions, option, attr, value):
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))

    text = answered(roi.command(f"/campaign set spring {option}"))

    assert option.split("=")[0] in text
    assert getattr(campaign_row(sessions, "spring"), attr) == value


@SQLITE_ONLY
def test_set_changes_several_keys_at_once_and_leaves_the_rest(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000 currency=EUR grace_days=3"))

    answered(roi.command("/campaign set spring budget=6000 window_days=10"))

    camp = campaign_row(sessions, "spring")
    assert (camp.budget, camp.window_days, camp.currency, camp.grace_days) == (Decimal("6000.00"), 10, "EUR", 3)


@SQLITE_ONLY
def test_set_renames_and_the_old_name_no_longer_resolves(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))

    text = answered(roi.command("/campaign set spring name=summer"))

    assert "summer" in text
    assert campaign_row(sessions, "spring") is None
    assert campaign_row(sessions, "summer").budget == Decimal("5000.00")
    assert "summer" in answered(roi.command("/campaign show Summer"))
    assert "`spring`" in answered(roi.command("/campaign show spring"))  # NotFound quoting what was typed


@SQLITE_ONLY
def test_set_may_change_only_the_case_of_the_name(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))

    answered(roi.command("/campaign set spring name=Spring"))

    assert campaign_row(sessions, "spring").name == "Spring"


@SQLITE_ONLY
def test_set_with_the_values_already_stored_says_nothing_changed(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000 currency=EUR"))

    with unchanged(sessions):
        text = answered(roi.command("/campaign set spring budget=5,000.00 currency=eur"))

    assert "nothing changed" in text.lower()


@SQLITE_ONLY
@pytest.mark.parametrize(("options", "field"), [
    ("budget=abc", "budget"),
    ("end=2026-02-01", "end"),
    ("start=2026-04-01", "end"),
    ("name=sp!ng", "campaign"),
    ("digest=hourly", "digest"),
    ("bugdet=2", "bugdet"),
    ("", "key=value"),
    ("budget=6000 currency=dollars", "currency"),
])
def test_set_refuses_bad_values_naming_the_field_and_writes_nothing(roi, sessions, options, field):
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))

    with unchanged(sessions):
        refused(roi.command(f"/campaign set spring {options}"), field)


@SQLITE_ONLY
@pytest.mark.parametrize(("setup", "line", "named"), [
    pytest.param(["/campaign create spring budget=5000"], "/campaign set autumn budget=1", "`autumn`",
                 id="set-of-an-unknown-campaign"),
    pytest.param([], "/campaign end spring", "`spring`", id="end-of-an-unknown-campaign"),
    pytest.param(["/campaign create spring budget=5000", "/campaign create autumn budget=5000"],
                 "/campaign set spring name=AUTUMN", "AUTUMN", id="set-renaming-onto-another-campaign"),
])
def test_set_or_end_that_cannot_apply_names_the_campaign_and_writes_nothing(roi, sessions, setup, line, named):
    for command in setup:
        answered(roi.command(command))

    with unchanged(sessions):
        text = answered(roi.command(line))

    assert named in text


# -- end -----------------------------------------------------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize(("dates", "expected_end"), [
    ("start=2026-03-01 end=2026-03-31", lambda today: today),
    ("start=2026-03-01", lambda today: today),
    ("", lambda today: today),
    ("start=2026-03-01 end=2026-03-10", lambda today: date(2026, 3, 10)),
    ("start=2026-03-01 end=2026-03-16", lambda today: today),
])
def test_end_stops_the_campaign_today_unless_it_ended_earlier(roi, sessions, clock, dates, expected_end):
    answered(roi.command(f"/campaign create spring budget=5000 {dates}"))

    answered(roi.command("/campaign end spring"))

    camp = campaign_row(sessions, "spring")
    assert camp.status == "ended"
    assert camp.end == expected_end(clock.now.date())  # the app's today: ROI_TIMEZONE is UTC in the test settings


@SQLITE_ONLY
def test_end_uses_the_clock_for_today(roi, sessions, clock):
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))
    clock.now += timedelta(days=4)

    answered(roi.command("/campaign end spring"))

    assert campaign_row(sessions, "spring").end == date(2026, 3, 20)


@SQLITE_ONLY
def test_end_keeps_budget_settings_and_enrolments(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))
    answered(roi.command("/influencer add ana campaign=spring fee=100"))
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    before = stored(sessions)

    answered(roi.command("/campaign end spring"))

    after = stored(sessions)
    for table in ("influencers", "enrolments", "codes", "engagement_stats", "orders"):
        assert after[table] == before[table]
    assert campaign_row(sessions, "spring").budget == Decimal("5000.00")


@SQLITE_ONLY
def test_ending_twice_says_it_had_already_ended_and_keeps_the_date(roi, sessions, clock):
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))
    answered(roi.command("/campaign end spring"))
    clock.now += timedelta(days=3)

    text = answered(roi.command("/campaign end spring"))

    assert "already" in text
    assert campaign_row(sessions, "spring").end == date(2026, 3, 16)


@SQLITE_ONLY
def test_end_refuses_options(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))

    with unchanged(sessions):
        refused(roi.command("/campaign end spring date=2026-03-01"), "date")


# -- usage and unknown sub-commands ----------------------------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize("line", ["/campaign", "/campaign help", "/campaign HELP", "/campaign   "])
def test_help_and_no_arguments_show_usage_of_every_sub_command(roi, line):
    text = answered(roi.command(line))

    for form in ("create NAME budget=AMOUNT", "list", "show NAME", "set NAME", "end NAME"):
        assert f"/campaign {form}" in text


@SQLITE_ONLY
def test_unknown_sub_command_is_refused_listing_the_known_ones(roi, sessions):
    with unchanged(sessions):
        text = refused(roi.command("/campaign launch spring budget=1"), "sub-command")

    assert "launch" in text
    for sub in ("create", "list", "show", "set", "end"):
        assert f"`{sub}`" in text


@SQLITE_ONLY
@pytest.mark.parametrize(("line", "stray"), [
    ("/campaign create autumn sale budget=100", "sale"),
    ("/campaign create autumn 1200 budget=100", "1200"),
    ("/campaign set spring budget 6000", "budget"),
    ("/campaign end spring now", "now"),
    ("/campaign list spring", "spring"),
])
def test_a_stray_word_is_refused_rather_than_ignored(roi, sessions, line, stray):
    answered(roi.command("/campaign create spring budget=5000"))

    with unchanged(sessions):
        text = refused(roi.command(line), "arguments")

    assert f"`{stray}`" in text


@SQLITE_ONLY
def test_sub_commands_are_case_insensitive(roi, sessions):
    answered(roi.command("/campaign CREATE spring budget=1"))

    assert campaign_row(sessions, "spring") is not None
