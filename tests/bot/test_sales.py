"""`bot.sales.record`, the use case behind `/roi sale`, seeded directly through the registry: no Slack, no app."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot import sales
from bot.errors import Conflict, InputError, NotFound
from bot.models import Order
from bot.registry import lookup
from registry_support import seed_march

DAY = date(2026, 3, 10)


@pytest.fixture
def world(sessions):
    """Workspace T1: campaign spring (March, window 7 days) with ana enrolled, code ANA10."""
    seed_march(sessions, "T1", budget=Decimal(1000), today=DAY, people={"ana": ({"fee": Decimal(100)}, "ANA10")})
    return sessions


def record(session, **changes):
    values = {"code": "ana10", "day": DAY, "amount": Decimal("120.00"), "refunded": Decimal(0), "order_id": None}
    return sales.record(session, lookup.workspace(session, "T1"), **{**values, **changes})


def test_a_sale_gets_a_readable_id_and_is_credited_through_its_code(world):
    with world.begin() as session:
        first, second = record(session), record(session)

    assert (first.order_id, second.order_id) == ("sale-20260310-1", "sale-20260310-2")
    assert (first.code, first.credited, first.campaign.name, first.revenue) == ("ANA10", "ana", "spring", Decimal("120.00"))
    assert first.before is None


def test_a_sale_with_the_id_of_an_earlier_one_corrects_it_and_says_what_it_was(world):
    with world.begin() as session:
        record(session, order_id="A-1")
        corrected = record(session, order_id="A-1", amount=Decimal("80.00"), refunded=Decimal("20.00"))

    assert corrected.before == (DAY, Decimal("120.00"), Decimal("0.00"))
    assert corrected.revenue == Decimal("60.00")
    with world() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1


def test_a_sale_outside_every_window_of_its_code_is_refused_naming_the_date(world):
    with world.begin() as session, pytest.raises(InputError) as refused:
        record(session, day=date(2026, 4, 8))  # March 31 + 7 days is the last day

    assert refused.value.field == "date" and "spring" in refused.value.message


def test_an_unknown_code_is_not_found(world):
    with world.begin() as session, pytest.raises(NotFound):
        record(session, code="NOPE")


def test_a_generated_id_taken_by_a_sale_at_the_same_moment_saves_nothing(world, monkeypatch):
    with world.begin() as session:
        record(session, order_id="sale-20260310-1")
    # The other sale committed between our count and our write: the id we generate is already stored.
    monkeypatch.setattr(sales, "_new_order_id", lambda *args: "sale-20260310-1")

    with pytest.raises(Conflict), world.begin() as session:
        record(session, amount=Decimal("999.00"))

    with world() as session:
        assert session.scalars(select(Order.subtotal)).all() == [Decimal("120.00")]


@pytest.mark.parametrize("typed", ["", "a b", "x" * 65, "<@U1>"])
def test_an_order_id_that_is_not_one_is_refused(typed):
    with pytest.raises(InputError) as refused:
        sales.parse_order_id(typed)
    assert refused.value.field == "id"
