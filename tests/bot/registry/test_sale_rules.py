"""The rules behind `/roi sale` beyond tests/bot/test_sales.py, at the domain level on both databases: `bot.sales.record`
seeded directly through the registry, no Slack. The same data as tests/handlers/test_roi_sale.py, which runs on
SQLite only: the money columns stored, generated ids, corrections, which campaign's code a date picks, cuts, and
other workspaces.

spring (March 2026, window 7 days): ana enrolled with fee 1,000 and 10% commission, code ANA10; today 2026-03-16."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot import sales
from bot.errors import InputError, NotFound
from bot.models import Enrolment, Influencer, Order
from bot.registry import campaigns, codes, influencers, lookup
from bot.reports import campaign_report
from registry_support import seed_march, unchanged

TODAY = date(2026, 3, 16)


@pytest.fixture
def spring(sessions):
    seed_march(sessions, "T0001", budget=Decimal(5000), today=TODAY,
               people={"ana": ({"fee": Decimal(1000), "commission": Decimal(10)}, "ANA10")})
    return sessions


def season(sessions, name: str, handle: str, end: date, window_days: int = 7) -> None:
    """Campaign `name` in June with `handle` enrolled and holding ANA10 there."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T0001")
        camp = campaigns.create(session, ws, {"name": name, "budget": Decimal(100), "start": date(2026, 6, 1),
                                              "end": end, "window_days": window_days})
        person = influencers.find(session, ws, handle) or influencers.create(session, ws, handle, {})
        codes.add(session, influencers.enrol(session, person, camp, {}, today=TODAY), "ANA10", url=None, user_id=None)


def sale(sessions, team: str = "T0001", **changes):
    values = {"code": "ANA10", "day": TODAY, "amount": Decimal(10), "refunded": Decimal(0), "order_id": None}
    with sessions.begin() as session:
        return sales.record(session, lookup.workspace(session, team), **{**values, **changes})


def orders(sessions) -> list[tuple]:
    with sessions() as session:
        return [tuple(r) for r in session.execute(
            select(Order.source, Order.order_id, Order.order_date, Order.subtotal, Order.refunded, Order.revenue,
                   Order.counted, Order.attribution, Influencer.handle)
            .outerjoin(Enrolment, Enrolment.id == Order.enrolment_id)
            .outerjoin(Influencer, Influencer.id == Enrolment.influencer_id).order_by(Order.id))]


def test_a_new_sale_is_stored_with_its_money_and_credited(spring):
    done = sale(spring, code="ana10", amount=Decimal("1250.50"), day=date(2026, 3, 10))

    assert orders(spring) == [("manual", done.order_id, date(2026, 3, 10), Decimal("1250.50"), Decimal("0.00"),
                               Decimal("1250.50"), True, "code", "ana")]


def test_generated_ids_are_readable_and_unique_after_a_given_one(spring):
    for _ in range(3):
        sale(spring, day=date(2026, 3, 10))
    sale(spring, day=date(2026, 3, 10), order_id="sale-20260310-5")
    sale(spring, day=date(2026, 3, 11))
    sale(spring, day=date(2026, 3, 10))

    assert [row[1] for row in orders(spring)] == [
        "sale-20260310-1", "sale-20260310-2", "sale-20260310-3", "sale-20260310-5", "sale-20260311-1", "sale-20260310-6"]


def test_a_sale_is_corrected_by_its_id(spring):
    oid = sale(spring, amount=Decimal(200), day=date(2026, 3, 10)).order_id

    done = sale(spring, order_id=oid, amount=Decimal(150), day=date(2026, 3, 11))

    assert done.before == (date(2026, 3, 10), Decimal("200.00"), Decimal("0.00"))
    assert orders(spring) == [("manual", oid, date(2026, 3, 11), Decimal("150.00"), Decimal("0.00"),
                               Decimal("150.00"), True, "code", "ana")]


def test_a_refund_larger_than_the_amount_leaves_no_revenue_and_no_order_counted(spring):
    oid = sale(spring, amount=Decimal(200), day=date(2026, 3, 10)).order_id

    done = sale(spring, order_id=oid, amount=Decimal(200), refunded=Decimal(250), day=date(2026, 3, 10))

    assert done.revenue == Decimal("0.00")
    [row] = orders(spring)
    assert (row[5], row[6]) == (Decimal("0.00"), False)


def test_a_given_new_id_is_kept(spring):
    assert sale(spring, order_id="#1001", amount=Decimal(99), day=date(2026, 3, 10)).order_id == "#1001"

    assert orders(spring)[0][1] == "#1001"


def test_the_sale_counts_in_the_campaign_report(spring):
    sale(spring, amount=Decimal(2000), day=date(2026, 3, 10))

    with spring() as session:
        report = campaign_report(session, lookup.campaign(session, lookup.workspace(session, "T0001"), "spring"),
                                 today=TODAY)
    # cost 1,000 + 10% of 2,000 = 1,200
    assert (report.totals.revenue, report.totals.cost) == (Decimal("2000.00"), Decimal("1200.00"))
    assert round(report.totals.roi_pct, 1) == Decimal("66.7")


def test_a_date_outside_every_window_of_the_code_names_them_and_stores_nothing(spring):
    season(spring, "summer", "ana", date(2026, 6, 30), window_days=3)

    with unchanged(spring), pytest.raises(InputError) as refused:
        sale(spring, day=date(2026, 4, 8))

    assert refused.value.field == "date"
    assert "spring 2026-03-01 → 2026-04-07" in refused.value.message
    assert "summer 2026-06-01 → 2026-07-03" in refused.value.message


def test_the_code_of_the_campaign_whose_window_holds_the_date_is_used(spring):
    season(spring, "summer", "ben", date(2026, 6, 30))

    done = sale(spring, day=date(2026, 6, 5))

    assert (done.credited, done.campaign.name) == ("ben", "summer")
    assert orders(spring)[0][8] == "ben"


def test_a_sale_after_the_influencer_was_cut_is_stored_but_not_credited(spring):
    with spring.begin() as session:
        ws = lookup.workspace(session, "T0001")
        row = lookup.enrolment(session, lookup.influencer(session, ws, "ana"), lookup.campaign(session, ws, "spring"))
        influencers.update_enrolment(session, row, {"status": "cut"}, today=TODAY)

    done = sale(spring, day=date(2026, 3, 20))

    assert (done.credited, done.cut) == (None, ("ana", TODAY))
    [row] = orders(spring)
    assert row[7] != "code" and row[8] is None


@pytest.mark.parametrize("team", ["T0001", "T0002"])
def test_an_unknown_code_or_another_workspaces_is_not_found_and_nothing_is_stored(spring, team):
    with unchanged(spring), pytest.raises(NotFound) as missing:
        sale(spring, team=team, code="NOPE" if team == "T0001" else "ANA10")

    assert "There is no code" in missing.value.message
