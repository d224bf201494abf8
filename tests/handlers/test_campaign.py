"""`/campaign` end to end: signed slash commands through the real app, replies checked against Slack's
schemas, and what is stored read back from the database. Every refusal names its field and writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.fakeslack.driver import Answer
from bot.models import Base, Campaign, Workspace
from slackschema import assert_valid_message

GROWTH = {"id": "C0GROWTH01", "name": "growth"}


def answered(answer: Answer) -> str:
    """The reply's text, after checking Slack got a 200 and one valid Block Kit message."""
    assert answer.status == 200
    assert_valid_message(answer.reply)
    return answer.text


def refused(answer: Answer, field: str) -> str:
    """The reply's text, after checking it is a valid message that names `field`."""
    text = answered(answer)
    assert f"`{field}`" in text, text
    return text


def stored(sessions) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: a snapshot to prove nothing was written."""
    with sessions() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def campaign_row(sessions, name: str) -> Campaign | None:
    """The stored campaign called `name` (case-insensitive), or None."""
    with sessions() as session:
        return session.scalar(select(Campaign).where(Campaign.name_key == name.lower()))


def today(clock) -> date:
    """The app's today (ROI_TIMEZONE is UTC in the test settings)."""
    return clock.now.date()


@pytest.fixture
def growth(slack):
    """A #growth channel the bot can see."""
    slack.channels.append(dict(GROWTH))
    return GROWTH


# -- create ------------------------------------------------------------------------------------


def test_create_stores_the_defaults_for_every_key_left_out(roi, sessions):
    text = answered(roi.command("/campaign create spring budget=5000", user="U0ANA0001"))

    assert "spring" in text
    camp = campaign_row(sessions, "spring")
    assert (camp.budget, camp.currency, camp.digest, camp.min_roi, camp.grace_days, camp.window_days) == (
        Decimal("5000.00"), "USD", "mon 09:00", Decimal(0), 7, 7)
    assert (camp.start, camp.end, camp.channel_id, camp.note, camp.status) == (None, None, None, None, "active")
    assert camp.created_by == "U0ANA0001"


def test_create_stores_every_key_given(roi, sessions, growth):
    answered(roi.command(
        '/campaign create spring Budget=1,200.50 currency=eur start=2026-03-01 end=2026-03-31 '
        f'channel=<#{growth["id"]}|growth> digest="daily 18:30" MIN_ROI=15% grace_days=3 window_days=14 '
        'note=“launch week”'
    ))

    camp = campaign_row(sessions, "spring")
    assert camp.budget == Decimal("1200.50")
    assert camp.currency == "EUR"
    assert (camp.start, camp.end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert camp.channel_id == growth["id"]
    assert camp.digest == "daily 18:30"
    assert camp.min_roi == Decimal(15)
    assert (camp.grace_days, camp.window_days) == (3, 14)
    assert camp.note == "launch week"


def test_create_keeps_the_name_as_typed_and_scopes_it_to_the_workspace(roi, sessions):
    answered(roi.command("/campaign create Spring_Sale-26 budget=100", team="T0009"))

    with sessions() as session:
        camp = session.scalar(select(Campaign))
        team = session.scalar(select(Workspace.team_id).where(Workspace.id == camp.workspace_id))
    assert (camp.name, camp.name_key, team) == ("Spring_Sale-26", "spring_sale-26", "T0009")


@pytest.mark.parametrize(("typed", "amount"), [
    ("1200", Decimal("1200")),
    ("1200.50", Decimal("1200.50")),
    ("1,200.50", Decimal("1200.50")),
    ("1,000,000", Decimal("1000000")),
    ("0", Decimal("0")),
])
def test_create_accepts_every_money_form(roi, sessions, typed, amount):
    answered(roi.command(f"/campaign create spring budget={typed}"))

    assert campaign_row(sessions, "spring").budget == amount


@pytest.mark.parametrize("digest", ["off", "daily 07:15", "fri 17:00", "cron:0 9 * * 1-5"])
def test_create_accepts_every_schedule_form(roi, sessions, digest):
    answered(roi.command(f'/campaign create spring budget=1 digest="{digest}"'))

    assert campaign_row(sessions, "spring").digest == digest


@pytest.mark.parametrize(("options", "field"), [
    ("budget=12,00", "budget"),
    ("budget=abc", "budget"),
    ("budget=-5", "budget"),
    ("budget=$5", "budget"),
    ("budget=1.005", "budget"),
    ("", "budget"),
    ("budget=1 currency=EURO", "currency"),
    ("budget=1 currency=€", "currency"),
    ("budget=1 start=2026-02-30", "start"),
    ("budget=1 start=16/03/2026", "start"),
    ("budget=1 end=2026-13-01", "end"),
    ("budget=1 start=2026-03-10 end=2026-03-01", "end"),
    ("budget=1 digest=weekly", "digest"),
    ('budget=1 digest="mon 25:00"', "digest"),
    ("budget=1 digest=cron:1", "digest"),
    ("budget=1 min_roi=lots", "min_roi"),
    ("budget=1 grace_days=-1", "grace_days"),
    ("budget=1 window_days=week", "window_days"),
    ("budget=1 channel=<@U0001>", "channel"),
])
def test_create_refuses_bad_values_naming_the_field_and_writes_nothing(roi, sessions, options, field):
    before = stored(sessions)

    refused(roi.command(f"/campaign create spring {options}"), field)

    assert stored(sessions) == before
    assert campaign_row(sessions, "spring") is None


@pytest.mark.parametrize("name", ["spr!ng", "spring.sale", "späti", "a" * 41, "<#C0001|general>"])
def test_create_refuses_a_name_outside_the_rules(roi, sessions, name):
    before = stored(sessions)

    refused(roi.command(f"/campaign create {name} budget=100"), "campaign")

    assert stored(sessions) == before


def test_create_accepts_a_name_of_exactly_forty_characters(roi, sessions):
    answered(roi.command(f"/campaign create {'a' * 40} budget=100"))

    assert campaign_row(sessions, "a" * 40) is not None


def test_create_refuses_duplicate_name_case_insensitively(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))
    before = stored(sessions)

    text = answered(roi.command("/campaign create SPRING budget=9000 currency=EUR"))

    assert "SPRING" in text and "already" in text
    assert stored(sessions) == before


def test_create_refuses_an_unknown_key_suggesting_the_closest(roi, sessions):
    before = stored(sessions)

    text = refused(roi.command("/campaign create spring budget=1 bugdet=2"), "bugdet")

    assert "did you mean `budget`" in text.lower()
    assert stored(sessions) == before


def test_create_refuses_a_missing_name(roi, sessions):
    before = stored(sessions)

    refused(roi.command("/campaign create budget=100"), "NAME")

    assert stored(sessions) == before


# -- channels ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["<#C0GROWTH01|growth>", "<#C0GROWTH01|>", "#growth", "growth"])
def test_create_stores_the_channel_id_whichever_form_slack_sends(roi, sessions, growth, typed):
    answered(roi.command(f"/campaign create spring budget=1 channel={typed}"))

    assert campaign_row(sessions, "spring").channel_id == growth["id"]


def test_plain_channel_name_is_resolved_through_the_web_api(roi, slack, growth):
    answer = roi.command("/campaign create spring budget=1 channel=#growth")

    answered(answer)
    assert "conversations.list" in [c.method for c in answer.calls]


def test_channel_given_as_a_link_needs_no_web_api_call(roi, growth):
    answer = roi.command(f"/campaign create spring budget=1 channel=<#{growth['id']}|growth>")

    answered(answer)
    assert "conversations.list" not in [c.method for c in answer.calls]


def test_plain_channel_name_is_found_past_the_first_page(roi, sessions, slack):
    slack.channels.extend({"id": f"C{n:09d}", "name": f"team-{n}"} for n in range(450))
    slack.channels.append({"id": "C0LAST0001", "name": "last"})

    answered(roi.command("/campaign create spring budget=1 channel=#last"))

    assert campaign_row(sessions, "spring").channel_id == "C0LAST0001"


def test_unknown_plain_channel_is_refused_with_a_hint(roi, sessions, growth):
    before = stored(sessions)

    text = refused(roi.command("/campaign create spring budget=1 channel=#nope"), "channel")

    assert "#nope" in text
    assert "autocomplete" in text
    assert stored(sessions) == before


def test_plain_channel_is_refused_when_slack_cannot_list_channels(roi, sessions, slack, growth):
    slack.fail("conversations.list", "missing_scope")
    before = stored(sessions)

    refused(roi.command("/campaign create spring budget=1 channel=#growth"), "channel")

    assert stored(sessions) == before


# -- list and show -------------------------------------------------------------------------------


def table_rows(reply: dict) -> list[list[str]]:
    """The cells of the reply's table block, header row first."""
    tables = [b for b in reply["blocks"] if b["type"] == "table"]
    assert len(tables) == 1
    return [[cell["text"] for cell in row] for row in tables[0]["rows"]]


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


def test_show_suggests_the_closest_name_for_a_typo(roi):
    answered(roi.command("/campaign create spring budget=5000"))

    text = answered(roi.command("/campaign show sprng"))

    assert "`spring`" in text


@pytest.mark.parametrize("sub", ["show", "set", "end"])
def test_sub_commands_naming_a_campaign_refuse_a_missing_name(roi, sub):
    refused(roi.command(f"/campaign {sub}"), "NAME")


# -- set -----------------------------------------------------------------------------------------


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


def test_set_changes_several_keys_at_once_and_leaves_the_rest(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000 currency=EUR grace_days=3"))

    answered(roi.command("/campaign set spring budget=6000 window_days=10"))

    camp = campaign_row(sessions, "spring")
    assert (camp.budget, camp.window_days, camp.currency, camp.grace_days) == (Decimal("6000.00"), 10, "EUR", 3)


def test_set_renames_and_the_old_name_no_longer_resolves(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))

    text = answered(roi.command("/campaign set spring name=summer"))

    assert "summer" in text
    assert campaign_row(sessions, "spring") is None
    assert campaign_row(sessions, "summer").budget == Decimal("5000.00")
    assert "summer" in answered(roi.command("/campaign show Summer"))
    assert "`spring`" in answered(roi.command("/campaign show spring"))  # NotFound quoting what was typed


def test_set_may_change_only_the_case_of_the_name(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))

    answered(roi.command("/campaign set spring name=Spring"))

    assert campaign_row(sessions, "spring").name == "Spring"


def test_set_refuses_renaming_onto_another_campaign(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))
    answered(roi.command("/campaign create autumn budget=5000"))
    before = stored(sessions)

    text = answered(roi.command("/campaign set spring name=AUTUMN"))

    assert "AUTUMN" in text
    assert stored(sessions) == before


def test_set_with_the_values_already_stored_says_nothing_changed(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000 currency=EUR"))
    before = stored(sessions)

    text = answered(roi.command("/campaign set spring budget=5,000.00 currency=eur"))

    assert "nothing changed" in text.lower()
    assert stored(sessions) == before


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
    before = stored(sessions)

    refused(roi.command(f"/campaign set spring {options}"), field)

    assert stored(sessions) == before


def test_set_of_an_unknown_campaign_writes_nothing(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))
    before = stored(sessions)

    text = answered(roi.command("/campaign set autumn budget=1"))

    assert "`autumn`" in text
    assert stored(sessions) == before


# -- end -----------------------------------------------------------------------------------------


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
    assert camp.end == expected_end(today(clock))


def test_end_uses_the_clock_for_today(roi, sessions, clock):
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))
    clock.now += timedelta(days=4)

    answered(roi.command("/campaign end spring"))

    assert campaign_row(sessions, "spring").end == date(2026, 3, 20)


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


def test_ending_twice_says_it_had_already_ended_and_keeps_the_date(roi, sessions, clock):
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))
    answered(roi.command("/campaign end spring"))
    clock.now += timedelta(days=3)

    text = answered(roi.command("/campaign end spring"))

    assert "already" in text
    assert campaign_row(sessions, "spring").end == date(2026, 3, 16)


def test_end_of_an_unknown_campaign_writes_nothing(roi, sessions):
    before = stored(sessions)

    text = answered(roi.command("/campaign end spring"))

    assert "`spring`" in text
    assert stored(sessions) == before


def test_end_refuses_options(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))
    before = stored(sessions)

    refused(roi.command("/campaign end spring date=2026-03-01"), "date")

    assert stored(sessions) == before


# -- usage and unknown sub-commands ----------------------------------------------------------------


@pytest.mark.parametrize("line", ["/campaign", "/campaign help", "/campaign HELP", "/campaign   "])
def test_help_and_no_arguments_show_usage_of_every_sub_command(roi, line):
    text = answered(roi.command(line))

    for form in ("create NAME budget=AMOUNT", "list", "show NAME", "set NAME", "end NAME"):
        assert f"/campaign {form}" in text


def test_unknown_sub_command_is_refused_listing_the_known_ones(roi, sessions):
    before = stored(sessions)

    text = refused(roi.command("/campaign launch spring budget=1"), "sub-command")

    assert "launch" in text
    for sub in ("create", "list", "show", "set", "end"):
        assert f"`{sub}`" in text
    assert stored(sessions) == before


@pytest.mark.parametrize(("line", "stray"), [
    ("/campaign create autumn sale budget=100", "sale"),
    ("/campaign create autumn 1200 budget=100", "1200"),
    ("/campaign set spring budget 6000", "budget"),
    ("/campaign end spring now", "now"),
    ("/campaign list spring", "spring"),
])
def test_a_stray_word_is_refused_rather_than_ignored(roi, sessions, line, stray):
    answered(roi.command("/campaign create spring budget=5000"))
    before = stored(sessions)

    text = refused(roi.command(line), "arguments")

    assert f"`{stray}`" in text
    assert stored(sessions) == before


def test_sub_commands_are_case_insensitive(roi, sessions):
    answered(roi.command("/campaign CREATE spring budget=1"))

    assert campaign_row(sessions, "spring") is not None
