"""`/campaign create` end to end: signed slash commands through the real app, replies checked against Slack's
schemas, and what is stored read back from the database. Every refusal names its field and writes nothing.
On SQLite only: what depends on the database is tested on both in tests/bot/registry/test_campaign_rules.py
(defaults and values stored, names per workspace and case-insensitive, crossing dates refused writing nothing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.models import Campaign, Workspace
from conftest import SQLITE_ONLY
from registry_support import GROWTH, answered, campaign_row, growth_channel, refused, unchanged

pytestmark = SQLITE_ONLY

growth = pytest.fixture(growth_channel)


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
    with unchanged(sessions):
        refused(roi.command(f"/campaign create spring {options}"), field)

    assert campaign_row(sessions, "spring") is None


@pytest.mark.parametrize(("line", "field"), [
    ("/campaign create spr!ng budget=100", "campaign"),
    ("/campaign create spring.sale budget=100", "campaign"),
    ("/campaign create späti budget=100", "campaign"),
    (f"/campaign create {'a' * 41} budget=100", "campaign"),
    ("/campaign create <#C0001|general> budget=100", "campaign"),
    ("/campaign create budget=100", "NAME"),
])
def test_create_refuses_a_name_outside_the_rules_or_none_at_all(roi, sessions, line, field):
    with unchanged(sessions):
        refused(roi.command(line), field)


def test_create_accepts_a_name_of_exactly_forty_characters(roi, sessions):
    answered(roi.command(f"/campaign create {'a' * 40} budget=100"))

    assert campaign_row(sessions, "a" * 40) is not None


def test_create_refuses_duplicate_name_case_insensitively(roi, sessions):
    answered(roi.command("/campaign create spring budget=5000"))

    with unchanged(sessions):
        text = answered(roi.command("/campaign create SPRING budget=9000 currency=EUR"))

    assert "SPRING" in text and "already" in text


def test_create_refuses_an_unknown_key_suggesting_the_closest(roi, sessions):
    with unchanged(sessions):
        text = refused(roi.command("/campaign create spring budget=1 bugdet=2"), "bugdet")

    assert "did you mean `budget`" in text.lower()


# -- channels ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["<#C0GROWTH01|growth>", "<#C0GROWTH01|>", "#growth", "growth"])
def test_create_stores_the_channel_id_whichever_form_slack_sends(roi, sessions, growth, typed):
    answered(roi.command(f"/campaign create spring budget=1 channel={typed}"))

    assert campaign_row(sessions, "spring").channel_id == growth["id"]


@pytest.mark.parametrize(("typed", "looked_up"), [
    pytest.param("#growth", True, id="plain-name-resolved-through-the-web-api"),
    pytest.param(f"<#{GROWTH['id']}|growth>", False, id="link-needs-no-web-api-call"),
])
def test_only_a_plain_channel_name_is_looked_up_through_the_web_api(roi, growth, typed, looked_up):
    answer = roi.command(f"/campaign create spring budget=1 channel={typed}")

    answered(answer)
    assert ("conversations.list" in [c.method for c in answer.calls]) is looked_up


def test_plain_channel_name_is_found_past_the_first_page(roi, sessions, slack):
    slack.channels.extend({"id": f"C{n:09d}", "name": f"team-{n}"} for n in range(450))
    slack.channels.append({"id": "C0LAST0001", "name": "last"})

    answered(roi.command("/campaign create spring budget=1 channel=#last"))

    assert campaign_row(sessions, "spring").channel_id == "C0LAST0001"


def test_unknown_plain_channel_is_refused_with_a_hint(roi, sessions, growth):
    with unchanged(sessions):
        text = refused(roi.command("/campaign create spring budget=1 channel=#nope"), "channel")

    assert "#nope" in text
    assert "autocomplete" in text


def test_plain_channel_is_refused_when_slack_cannot_list_channels(roi, sessions, slack, growth):
    slack.fail("conversations.list", "missing_scope")

    with unchanged(sessions):
        refused(roi.command("/campaign create spring budget=1 channel=#growth"), "channel")
