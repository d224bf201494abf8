"""The rules behind `/campaign create`, `set` and `end` (and the next digest their replies name), at the domain level
on both databases: `bot.registry.campaigns` seeded directly, no Slack. The same data as
tests/handlers/test_campaign_create.py, test_campaign_manage.py and test_campaign_next_digest.py, which run on
SQLite only."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.errors import Conflict, InputError, NotFound
from bot.jobs import digests
from bot.models import Campaign, Workspace
from bot.registry import campaigns, codes, influencers, lookup
from registry_support import campaign_row, stored, unchanged

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=timezone.utc)  # the clock of the Slack-level tests, a Monday
TODAY = NOW.date()
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def create(sessions, name: str = "spring", team: str = "T1", **values):
    with sessions.begin() as session:
        ws = lookup.workspace(session, team)
        campaigns.create(session, ws, {"name": name, "budget": Decimal(5000), **values}, user_id="U0ANA0001", now=NOW)


def update(sessions, name: str, /, **values):
    with sessions.begin() as session:
        camp = lookup.campaign(session, lookup.workspace(session, "T1"), name)
        return campaigns.update(session, camp, values, now=NOW)


def end(sessions, name: str, today: date = TODAY):
    with sessions.begin() as session:
        campaigns.end(session, lookup.campaign(session, lookup.workspace(session, "T1"), name), today)


# -- create ----------------------------------------------------------------------------------------


def test_create_stores_the_defaults_for_every_key_left_out(sessions):
    create(sessions)

    camp = campaign_row(sessions, "spring")
    assert (camp.budget, camp.currency, camp.digest, camp.min_roi, camp.grace_days, camp.window_days) == (
        Decimal("5000.00"), "USD", "mon 09:00", Decimal(0), 7, 7)
    assert (camp.start, camp.end, camp.channel_id, camp.note, camp.status) == (None, None, None, None, "active")
    assert camp.created_by == "U0ANA0001"


def test_create_stores_every_key_given(sessions):
    create(sessions, budget=Decimal("1200.50"), currency="EUR", channel="C0GROWTH01", digest="daily 18:30",
           min_roi=Decimal(15), grace_days=3, window_days=14, note="launch week", **MARCH)

    camp = campaign_row(sessions, "spring")
    assert camp.budget == Decimal("1200.50")
    assert camp.currency == "EUR"
    assert (camp.start, camp.end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert camp.channel_id == "C0GROWTH01"
    assert camp.digest == "daily 18:30"
    assert camp.min_roi == Decimal(15)
    assert (camp.grace_days, camp.window_days) == (3, 14)
    assert camp.note == "launch week"


def test_create_keeps_the_name_as_typed_and_scopes_it_to_the_workspace(sessions):
    create(sessions, "Spring_Sale-26", team="T0009")

    with sessions() as session:
        camp = session.scalar(select(Campaign))
        team = session.scalar(select(Workspace.team_id).where(Workspace.id == camp.workspace_id))
    assert (camp.name, camp.name_key, team) == ("Spring_Sale-26", "spring_sale-26", "T0009")


def test_a_note_with_slack_markup_is_stored_as_typed(sessions):
    # What tests/handlers/test_security_escaping.py types: note="ping @channel & @here, cc @ana <3"
    create(sessions, note="ping <!channel> & <!here>, cc <@U0001> <3")

    assert campaign_row(sessions, "spring").note == "ping <!channel> & <!here>, cc <@U0001> <3"

@pytest.mark.parametrize("amount", [Decimal("1200"), Decimal("1200.50"), Decimal("1000000"), Decimal("0")])
def test_create_stores_every_amount_exactly(sessions, amount):
    create(sessions, budget=amount)

    assert campaign_row(sessions, "spring").budget == amount


@pytest.mark.parametrize("digest", ["off", "daily 07:15", "fri 17:00", "cron:0 9 * * 1-5"])
def test_create_stores_every_schedule_form(sessions, digest):
    create(sessions, digest=digest)

    assert campaign_row(sessions, "spring").digest == digest


def test_create_stores_a_name_of_exactly_forty_characters(sessions):
    create(sessions, "a" * 40)

    assert campaign_row(sessions, "a" * 40) is not None


def test_create_refuses_duplicate_name_case_insensitively_and_writes_nothing(sessions):
    create(sessions)

    with unchanged(sessions), pytest.raises(Conflict) as refused:
        create(sessions, "SPRING", budget=Decimal(9000), currency="EUR")

    assert "SPRING" in refused.value.message and "already" in refused.value.message


def test_the_same_name_may_be_used_in_another_workspace(sessions):
    create(sessions, team="T1")
    create(sessions, "SPRING", team="T2")

    with sessions() as session:
        assert sorted(session.scalars(select(Campaign.name_key))) == ["spring", "spring"]


def test_create_refuses_an_end_before_the_start_and_writes_nothing(sessions):
    with unchanged(sessions), pytest.raises(InputError) as refused:
        create(sessions, start=date(2026, 3, 10), end=date(2026, 3, 1))

    assert refused.value.field == "end"
    assert campaign_row(sessions, "spring") is None


# -- set -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "attr", "value"), [
    ("budget", "budget", Decimal("7500.00")),
    ("currency", "currency", "GBP"),
    ("start", "start", date(2026, 3, 2)),
    ("end", "end", date(2026, 4, 30)),
    ("channel", "channel_id", "C0GROWTH01"),
    ("digest", "digest", "tue 08:00"),
    ("min_roi", "min_roi", Decimal(-10)),
    ("grace_days", "grace_days", 0),
    ("window_days", "window_days", 30),
    ("note", "note", "moved to April"),
])
def test_set_changes_one_key_and_reports_it(sessions, key, attr, value):
    create(sessions, **MARCH)

    done = update(sessions, "spring", **{key: value})

    assert [k for k, _, _ in done] == [key]
    assert getattr(campaign_row(sessions, "spring"), attr) == value


def test_set_changes_several_keys_at_once_and_leaves_the_rest(sessions):
    create(sessions, currency="EUR", grace_days=3)

    update(sessions, "spring", budget=Decimal(6000), window_days=10)

    camp = campaign_row(sessions, "spring")
    assert (camp.budget, camp.window_days, camp.currency, camp.grace_days) == (Decimal("6000.00"), 10, "EUR", 3)


def test_a_new_schedule_or_channel_starts_the_digest_from_now(sessions):
    create(sessions)
    later = NOW + timedelta(days=2)
    with sessions.begin() as session:
        camp = lookup.campaign(session, lookup.workspace(session, "T1"), "spring")
        campaigns.update(session, camp, {"digest": "daily 18:00"}, now=later)

    assert campaign_row(sessions, "spring").digest_since.replace(tzinfo=timezone.utc) == later


def test_set_renames_and_the_old_name_no_longer_resolves(sessions):
    create(sessions)

    update(sessions, "spring", name="summer")

    assert campaign_row(sessions, "spring") is None
    assert campaign_row(sessions, "summer").budget == Decimal("5000.00")
    with sessions() as session:
        ws = lookup.workspace(session, "T1")
        assert lookup.campaign(session, ws, "Summer").name == "summer"
        with pytest.raises(NotFound) as missing:
            lookup.campaign(session, ws, "spring")
    assert "`spring`" in missing.value.message


def test_set_may_change_only_the_case_of_the_name(sessions):
    create(sessions)

    update(sessions, "spring", name="Spring")

    assert campaign_row(sessions, "spring").name == "Spring"


def test_set_with_the_values_already_stored_changes_nothing(sessions):
    create(sessions, currency="EUR")

    with unchanged(sessions):
        assert update(sessions, "spring", budget=Decimal("5000.00"), currency="EUR") == []


def test_set_renaming_onto_another_campaign_case_insensitively_is_refused_and_writes_nothing(sessions):
    create(sessions)
    create(sessions, "autumn")

    with unchanged(sessions), pytest.raises(Conflict) as refused:
        update(sessions, "spring", name="AUTUMN")

    assert "AUTUMN" in refused.value.message


@pytest.mark.parametrize("values", [{"end": date(2026, 2, 1)}, {"start": date(2026, 4, 1)}])
def test_set_refuses_dates_that_cross_and_writes_nothing(sessions, values):
    create(sessions, **MARCH)

    with unchanged(sessions), pytest.raises(InputError) as refused:
        update(sessions, "spring", **values)

    assert refused.value.field == "end"


def test_set_or_end_of_an_unknown_campaign_is_not_found_naming_it(sessions):
    create(sessions)

    with sessions() as session, pytest.raises(NotFound) as missing:
        lookup.campaign(session, lookup.workspace(session, "T1"), "autumn")

    assert "`autumn`" in missing.value.message


# -- end -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dates", "expected_end"), [
    (MARCH, TODAY),
    ({"start": date(2026, 3, 1)}, TODAY),
    ({}, TODAY),
    ({"start": date(2026, 3, 1), "end": date(2026, 3, 10)}, date(2026, 3, 10)),
    ({"start": date(2026, 3, 1), "end": date(2026, 3, 16)}, TODAY),
])
def test_end_stops_the_campaign_today_unless_it_ended_earlier(sessions, dates, expected_end):
    create(sessions, **dates)

    end(sessions, "spring")

    camp = campaign_row(sessions, "spring")
    assert (camp.status, camp.end) == ("ended", expected_end)


def test_end_of_a_campaign_not_started_yet_starts_and_ends_it_today(sessions):
    create(sessions, start=date(2026, 6, 1), end=date(2026, 6, 30))

    end(sessions, "spring")

    camp = campaign_row(sessions, "spring")
    assert (camp.start, camp.end) == (TODAY, TODAY)


def test_end_keeps_budget_settings_and_enrolments(sessions):
    create(sessions, **MARCH)
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        ana = influencers.create(session, ws, "ana", {})
        row = influencers.enrol(session, ana, lookup.campaign(session, ws, "spring"), {"fee": Decimal(100)}, today=TODAY)
        codes.add(session, row, "ANA10", url=None, user_id=None)
    before = stored(sessions)

    end(sessions, "spring", TODAY + timedelta(days=4))

    after = stored(sessions)
    for table in ("influencers", "enrolments", "codes", "engagement_stats", "orders"):
        assert after[table] == before[table]
    camp = campaign_row(sessions, "spring")
    assert (camp.budget, camp.end) == (Decimal("5000.00"), date(2026, 3, 20))


def test_ending_twice_keeps_the_first_date(sessions):
    create(sessions, **MARCH)
    end(sessions, "spring")

    end(sessions, "spring", TODAY + timedelta(days=3))

    camp = campaign_row(sessions, "spring")
    assert (camp.status, camp.end) == ("ended", date(2026, 3, 16))


# -- the next digest, as the replies name it -----------------------------------------------------


def next_digest(sessions, name: str) -> datetime | None:
    with sessions() as session:
        camp = lookup.campaign(session, lookup.workspace(session, "T1"), name)
        return digests.next_time(camp, digests.schedule(camp), ZoneInfo("UTC"), NOW)


@pytest.mark.parametrize(("name", "values", "expected"), [
    ("spring", {"digest": "daily 18:00"}, datetime(2026, 3, 16, 18, 0)),
    ("summer", {"start": date(2026, 6, 1)}, datetime(2026, 6, 1, 9, 0)),
    ("old", {"start": date(2026, 1, 1), "end": date(2026, 1, 31)}, None),
])
def test_the_next_digest_of_a_stored_campaign(sessions, name, values, expected):
    create(sessions, name, channel="C0GROWTH", **values)

    found = next_digest(sessions, name)

    assert (found.replace(tzinfo=None) if found else None) == expected


def test_a_changed_schedule_gives_the_next_digest_from_the_stored_one(sessions):
    create(sessions, channel="C0GROWTH")

    update(sessions, "spring", digest="cron:30 7 * * 0")

    assert next_digest(sessions, "spring").replace(tzinfo=None) == datetime(2026, 3, 22, 7, 30)
