"""The rules behind `/influencer remove` and its Remove button, at the domain level on both databases:
`bot.registry.influencers` seeded directly, no Slack. The same data as tests/handlers/test_influencer_manage.py and
test_influencer_remove.py, which run on SQLite only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot import sales
from bot.models import Campaign, Code, EngagementStat, Enrolment, Order, Workspace
from bot.registry import campaigns, codes, influencers, lookup
from influencer_support import TODAY, add, set_keys, spring_and_autumn, stats
from registry_support import count, person, stored, unchanged

world = pytest.fixture(spring_and_autumn)


# -- remove --------------------------------------------------------------------------------------


def ana_with_results(sessions) -> None:
    """As tests/handlers/test_influencer_remove.py: ana in spring with ANA10, a sale through it and a day of stats;
    ben (no results) beside her."""
    add(sessions, "ana", "spring", terms={"fee": Decimal(300)})
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        row = lookup.enrolment(session, lookup.influencer(session, ws, "ana"), lookup.campaign(session, ws, "spring"))
        codes.add(session, row, "ANA10", url=None, user_id=None)
    stats(sessions, day=date(2026, 3, 10), likes=40)
    sale(sessions, "phone-1", "120")
    add(sessions, "ben", "spring")


def sale(sessions, order_id: str, amount: str, day: date = date(2026, 3, 5)) -> None:
    with sessions.begin() as session:
        sales.record(session, lookup.workspace(session, "T1"), code="ANA10", day=day, amount=Decimal(amount),
                     refunded=Decimal(0), order_id=order_id)


def seen(sessions, handle: str = "ana", team: str = "T1"):
    """What a confirmation showed: the influencer's id, handle key and holdings."""
    with sessions() as session:
        found = lookup.influencer(session, lookup.workspace(session, team), handle)
        return found.id, found.handle_key, influencers.holdings(session, found)


def confirm(sessions, shown, team: str = "T1") -> influencers.Removal:
    influencer_id, handle_key, held = shown
    with sessions.begin() as session:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team))
        return influencers.remove_confirmed(session, ws, influencer_id, handle_key=handle_key, seen=held)


def ana_gone_as_before(sessions) -> None:
    assert person(sessions, "ana") is None and person(sessions, "ben") is not None
    with sessions() as session:
        assert session.scalars(select(Code.code)).all() == []
        assert session.scalars(select(EngagementStat)).all() == []
        assert len(session.scalars(select(Enrolment)).all()) == 1
        [order] = session.scalars(select(Order)).all()
        assert (order.order_id, order.enrolment_id, order.attribution) == ("phone-1", None, None)


def test_holdings_count_what_removing_would_lose(world):
    ana_with_results(world)

    assert seen(world)[2] == influencers.Holdings(enrolments=1, codes=1, orders=1, stats=1)
    assert seen(world)[2].has_results
    assert not seen(world, "ben")[2].has_results


def test_remove_deletes_enrolments_codes_and_stats_but_keeps_orders_and_the_others(world):
    add(world, "ana", "spring")
    add(world, "ana", "autumn")
    add(world, "ben", "spring")
    with world.begin() as session:
        ws = lookup.workspace(session, "T1")
        for handle in ("ana", "ben"):
            row = lookup.enrolment(session, lookup.influencer(session, ws, handle), lookup.campaign(session, ws, "spring"))
            codes.add(session, row, f"{handle.upper()}10", url=None, user_id=None)
        session.add(Order(workspace_id=ws.id, source="shopify", order_id="#1001", order_date=date(2026, 3, 5),
                          subtotal=Decimal("120.00"), codes="ANA10"))
    stats(world, "ana", likes=5)
    stats(world, "ben", likes=7)
    orders_before = [row[:3] for row in stored(world)["orders"]]

    with world.begin() as session:
        counts = influencers.remove(session, lookup.influencer(session, lookup.workspace(session, "T1"), "ANA"))

    assert counts == {"campaigns": 2, "codes": 1, "stats": 1}
    assert person(world, "ana") is None
    with world() as session:
        assert session.scalars(select(Code.code)).all() == ["BEN10"]
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 1
        assert [s.likes for s in session.scalars(select(EngagementStat))] == [7]
        assert session.scalar(select(Order.enrolment_id)) is None
    assert [row[:3] for row in stored(world)["orders"]] == orders_before
    assert count(world, Campaign) == 2


def test_a_removed_handle_can_be_added_again_afresh(world):
    add(world, "ana", followers=5_000)
    with world.begin() as session:
        influencers.remove(session, lookup.influencer(session, lookup.workspace(session, "T1"), "ana"))

    add(world, "ana")

    assert person(world, "ana").followers is None


def test_a_confirmed_removal_deletes_as_before(world):
    ana_with_results(world)

    done = confirm(world, seen(world))

    assert (done.outcome, done.handle, done.counts) == (influencers.REMOVED, "ana", {"campaigns": 1, "codes": 1, "stats": 1})
    ana_gone_as_before(world)


def test_a_second_confirmation_finds_them_gone_and_removes_nothing_more(world):
    ana_with_results(world)
    shown = seen(world)
    confirm(world, shown)

    with unchanged(world):
        assert confirm(world, shown).outcome == influencers.GONE
    ana_gone_as_before(world)


@pytest.mark.parametrize("team", ["T0OTHER", "T0NEVER"])
def test_a_confirmation_from_another_workspace_changes_nothing_there_or_here(world, team):
    ana_with_results(world)
    shown = seen(world)
    if team == "T0OTHER":  # it uses the bot too, with an ana of its own
        with world.begin() as session:
            ws = lookup.workspace(session, team)
            camp = campaigns.create(session, ws, {"name": "spring", "budget": Decimal(100)})
            influencers.enrol(session, influencers.create(session, ws, "ana", {}), camp, {}, today=TODAY)

    with unchanged(world):
        if team == "T0NEVER":
            with world() as session:
                assert session.scalar(select(Workspace).where(Workspace.team_id == team)) is None
        else:
            assert confirm(world, shown, team=team).outcome == influencers.GONE


@pytest.mark.parametrize(("change", "now"), [
    ("stats", influencers.Holdings(enrolments=1, codes=1, orders=1, stats=2)),
    ("sale", influencers.Holdings(enrolments=1, codes=1, orders=2, stats=1)),
    ("rename", None),
])
def test_an_influencer_changed_since_the_question_is_not_removed(world, change, now):
    ana_with_results(world)
    shown = seen(world)
    if change == "stats":
        stats(world, day=date(2026, 3, 11), likes=9)
    elif change == "sale":
        sale(world, "phone-2", "80", date(2026, 3, 6))
    else:
        set_keys(world, "ana", handle="ana.k")

    with unchanged(world):
        done = confirm(world, shown)

    assert done.outcome == influencers.CHANGED
    assert done.handle == ("ana.k" if change == "rename" else "ana")
    if now is not None:
        assert done.now == now
