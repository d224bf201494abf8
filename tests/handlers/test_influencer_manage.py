"""`/influencer list`, `show`, `remove` and `set` (influencer and enrolment keys) end to end, and the command's
usage, read back from the database. Every refusal names its field and writes nothing.
On SQLite only, except the list and show tests (their queries live in handlers/influencer.py): what depends on
the database is tested on both in tests/bot/registry/test_influencer_rules.py (set, rename, cut, remove)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.fakeslack.driver import message_text
from bot.models import Campaign, Code, EngagementStat, Enrolment, Order, Workspace
from handlers.blocks.influencers import REMOVE
from conftest import SQLITE_ONLY
from registry_support import (
    BEN, answered, autumn_campaign, count, enrolment, person, refused, spring_campaign, stored, table_rows, unchanged,
)

spring = pytest.fixture(spring_campaign)
autumn = pytest.fixture(autumn_campaign)


# -- list and show -------------------------------------------------------------------------------


def test_list_shows_everyone_with_their_campaigns(roi, spring, autumn):
    answered(roi.command("/influencer add ana platform=tiktok followers=25k campaign=spring"))
    answered(roi.command("/influencer add ana campaign=autumn"))
    answered(roi.command("/influencer add ben platform=youtube"))

    answer = roi.command("/influencer list")

    answered(answer)
    head, *body = table_rows(answer.reply)
    rows = {row[0]: dict(zip(head, row)) for row in body}
    assert set(rows) == {"ana", "ben"}
    assert rows["ana"]["Platform"] == "tiktok"
    assert set(rows["ana"]["Campaigns"].split(", ")) == {"spring", "autumn"}
    assert rows["ben"]["Platform"] == "youtube"


def test_list_with_campaign_shows_only_its_line_up_with_terms(roi, spring, autumn):
    answered(roi.command("/influencer add ana campaign=spring fee=300"))
    answered(roi.command("/influencer add ben campaign=autumn fee=999"))

    answer = roi.command("/influencer list campaign=spring")

    text = answered(answer)
    assert [row[0] for row in table_rows(answer.reply)[1:]] == ["ana"]
    assert "300.00" in text and "999" not in text


def test_list_with_no_influencers_says_how_to_add_one(roi):
    text = answered(roi.command("/influencer list"))

    assert "/influencer add" in text


@SQLITE_ONLY
def test_list_of_an_unknown_campaign_says_so(roi, spring):
    text = answered(roi.command("/influencer list campaign=winter"))

    assert "`winter`" in text


def test_show_gives_profile_terms_and_codes_in_each_campaign(roi, spring, autumn):
    answered(roi.command("/influencer add ana platform=instagram followers=25k manager=<@U0ANA0001> campaign=spring fee=300"))
    answered(roi.command("/influencer add ana campaign=autumn commission=15"))
    answered(roi.command("/code add ANA10 ana campaign=spring"))

    text = answered(roi.command("/influencer show @ANA"))

    for expected in ("ana", "instagram", "25,000", "<@U0ANA0001>", "spring", "300.00", "ANA10", "autumn", "15.0%"):
        assert expected in text


@SQLITE_ONLY
def test_show_of_an_unknown_handle_suggests_the_closest(roi):
    answered(roi.command("/influencer add ana.makes"))

    text = answered(roi.command("/influencer show ana.make"))

    assert "`ana.makes`" in text


# -- remove --------------------------------------------------------------------------------------


def add_order(sessions, *, codes: str) -> None:
    """Store one imported order that used `codes`."""
    with sessions.begin() as session:
        ws = session.scalar(select(Workspace))
        session.add(Order(workspace_id=ws.id, source="shopify", order_id="#1001", order_date=date(2026, 3, 5),
                          subtotal=Decimal("120.00"), codes=codes))


@SQLITE_ONLY
def test_remove_deletes_enrolments_codes_and_stats_but_keeps_orders(roi, sessions, spring, autumn):
    answered(roi.command("/influencer add ana campaign=spring"))
    answered(roi.command("/influencer add ana campaign=autumn"))
    answered(roi.command("/influencer add ben campaign=spring"))
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add BEN10 ben campaign=spring"))
    answered(roi.command("/influencer stats ana campaign=spring likes=5"))
    answered(roi.command("/influencer stats ben campaign=spring likes=7"))
    add_order(sessions, codes="ANA10")
    orders_before = stored(sessions)["orders"]

    question = roi.command("/influencer remove ANA")  # ana has results: asked first (test_influencer_remove.py)
    answered(question)
    [value] = [e["value"] for b in question.reply["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == REMOVE]
    text = message_text(roi.click(REMOVE, value).reply)

    assert "Removed *ana*" in text
    assert person(sessions, "ana") is None
    with sessions() as session:
        assert session.scalars(select(Code.code)).all() == ["BEN10"]
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 1
        assert [s.likes for s in session.scalars(select(EngagementStat))] == [7]
    assert stored(sessions)["orders"] == orders_before
    assert count(sessions, Campaign) == 2


@SQLITE_ONLY
def test_removed_handle_can_be_added_again(roi, sessions):
    answered(roi.command("/influencer add ana followers=5k"))
    answered(roi.command("/influencer remove ana"))

    answered(roi.command("/influencer add ana"))

    assert person(sessions, "ana").followers is None


@SQLITE_ONLY
def test_remove_of_an_unknown_handle_writes_nothing(roi, sessions):
    answered(roi.command("/influencer add ana"))

    with unchanged(sessions):
        text = answered(roi.command("/influencer remove bob"))

    assert "`bob`" in text


# -- set -----------------------------------------------------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize(("option", "attr", "value"), [
    ("platform=youtube", "platform", "youtube"),
    ("followers=1.2m", "followers", 1_200_000),
    ("manager=<@U0BEN00001>", "manager_id", "U0BEN00001"),
    ("manager=@ben", "manager_id", "U0BEN00001"),
])
def test_set_changes_an_influencer_key(roi, sessions, slack, option, attr, value):
    slack.users.append(dict(BEN))
    answered(roi.command("/influencer add ana platform=tiktok followers=25k"))

    text = answered(roi.command(f"/influencer set ana {option}"))

    assert option.split("=")[0] in text
    assert getattr(person(sessions, "ana"), attr) == value


@SQLITE_ONLY
def test_set_handle_renames_and_keeps_the_enrolments(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring fee=100"))

    answered(roi.command("/influencer set ana handle=@Ana.Makes"))

    assert person(sessions, "ana") is None
    assert person(sessions, "ana.makes").handle == "Ana.Makes"
    assert enrolment(sessions, "ana.makes", "spring").fee == Decimal("100.00")


@SQLITE_ONLY
def test_set_refuses_a_handle_another_influencer_has(roi, sessions):
    answered(roi.command("/influencer add ana"))
    answered(roi.command("/influencer add ben"))

    with unchanged(sessions):
        text = answered(roi.command("/influencer set ana handle=BEN"))

    assert "BEN" in text


@SQLITE_ONLY
@pytest.mark.parametrize(("option", "attr", "value"), [
    ("fee=450", "fee", Decimal("450.00")),
    ("commission=7.5%", "commission_pct", Decimal("7.50")),
    ("product_cost=1,000", "product_cost", Decimal("1000.00")),
    ("goal_revenue=9000", "goal_revenue", Decimal("9000.00")),
    ("start=2026-03-10", "start", date(2026, 3, 10)),
])
def test_set_with_campaign_changes_the_enrolment(roi, sessions, spring, autumn, option, attr, value):
    answered(roi.command("/influencer add ana campaign=spring fee=100"))
    answered(roi.command("/influencer add ana campaign=autumn fee=100"))
    other_before = enrolment(sessions, "ana", "autumn")

    answered(roi.command(f"/influencer set ana campaign=spring {option}"))

    assert getattr(enrolment(sessions, "ana", "spring"), attr) == value
    other_after = enrolment(sessions, "ana", "autumn")
    assert getattr(other_after, attr) == getattr(other_before, attr)


@SQLITE_ONLY
def test_status_cut_records_the_day_and_active_clears_it(roi, sessions, clock, spring):
    answered(roi.command("/influencer add ana campaign=spring"))
    clock.now += timedelta(days=3)

    answered(roi.command("/influencer set ana campaign=spring status=CUT"))

    row = enrolment(sessions, "ana", "spring")
    assert (row.status, row.cut_on) == ("cut", clock.now.date())

    answered(roi.command("/influencer set ana campaign=spring status=active"))

    row = enrolment(sessions, "ana", "spring")
    assert (row.status, row.cut_on) == ("active", None)


@SQLITE_ONLY
def test_set_with_the_values_already_stored_says_nothing_changed(roi, sessions, spring):
    answered(roi.command("/influencer add ana platform=tiktok campaign=spring fee=100"))

    with unchanged(sessions):
        assert "nothing changed" in answered(roi.command("/influencer set ana platform=TikTok")).lower()
        assert "nothing changed" in answered(roi.command("/influencer set ana campaign=spring fee=100.00")).lower()


@SQLITE_ONLY
@pytest.mark.parametrize(("options", "field"), [
    ("campaign=spring status=paused", "status"),
    ("campaign=spring fee=abc", "fee"),
    ("campaign=spring start=2026-04-01", "start"),
    ("campaign=spring followers=10", "followers"),
    ("campaign=spring", "key=value"),
    ("status=cut", "campaign"),
    ("fee=100", "campaign"),
    ("followers=many", "followers"),
    ("platform=myspace", "platform"),
    ("manager=<!channel>", "manager"),
    ("handle=ana!", "handle"),
    ("", "key=value"),
])
def test_set_refuses_bad_values_naming_the_field_and_writes_nothing(roi, sessions, spring, options, field):
    answered(roi.command("/influencer add ana campaign=spring fee=100"))

    with unchanged(sessions):
        refused(roi.command(f"/influencer set ana {options}"), field)


# -- usage -----------------------------------------------------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize("line", ["/influencer", "/influencer help"])
def test_help_and_no_arguments_show_usage_of_every_sub_command(roi, line):
    text = answered(roi.command(line))

    for form in ("add HANDLE", "list", "show HANDLE", "remove HANDLE", "set HANDLE", "stats HANDLE campaign=NAME"):
        assert f"/influencer {form}" in text


@SQLITE_ONLY
@pytest.mark.parametrize("line", [
    "/influencer add ana makes",
    "/influencer add ana 25k",
    "/influencer set ana followers 25k",
    "/influencer remove ana ben",
])
def test_a_stray_word_is_refused_rather_than_ignored(roi, sessions, line):
    answered(roi.command("/influencer add ben"))

    with unchanged(sessions):
        refused(roi.command(line), "arguments")


@SQLITE_ONLY
def test_unknown_sub_command_is_refused(roi, sessions):
    text = refused(roi.command("/influencer delete ana"), "sub-command")

    assert "`remove`" in text
    assert count(sessions, Workspace) == 0


@SQLITE_ONLY
def test_an_influencer_key_given_with_campaign_is_said_to_belong_to_the_influencer(roi, sessions):
    answered(roi.command("/campaign create spring budget=1000"))
    answered(roi.command("/influencer add ana campaign=spring fee=10"))

    with unchanged(sessions):
        text = refused(roi.command("/influencer set ana campaign=spring manager=<@U0002>"), "manager")

    assert "belongs to the influencer" in text and "not a key" not in text


@SQLITE_ONLY
def test_an_enrolment_key_without_campaign_is_said_to_belong_to_an_enrolment_in_the_singular(roi, sessions):
    answered(roi.command("/influencer add ana"))

    text = refused(roi.command("/influencer set ana fee=10"), "campaign")

    assert "`fee` belongs to an enrolment" in text
