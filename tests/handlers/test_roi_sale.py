"""`/roi sale`: record or correct one order by hand (source `manual`), to the asker only, within ROI_ADMINS.
On SQLite only: what depends on the database is tested on both in tests/bot/test_sales.py and
tests/bot/registry/test_sale_rules.py (money stored, generated ids, corrections, windows, cuts, other workspaces)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.models import Enrolment, Influencer, Order
from conftest import SQLITE_ONLY
from registry_support import answered, answered_ephemeral, count, refused, seeded, unchanged

pytestmark = SQLITE_ONLY

SETUP = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana campaign=spring fee=1000 commission=10",
    "/code add ANA10 ana campaign=spring",
]


@pytest.fixture
def spring(roi):
    seeded(roi, SETUP)


def orders(sessions) -> list[tuple]:
    with sessions() as session:
        return [tuple(r) for r in session.execute(
            select(Order.source, Order.order_id, Order.order_date, Order.subtotal, Order.refunded, Order.revenue,
                   Order.counted, Order.attribution, Influencer.handle)
            .outerjoin(Enrolment, Enrolment.id == Order.enrolment_id)
            .outerjoin(Influencer, Influencer.id == Enrolment.influencer_id).order_by(Order.id))]


def sale_id(text: str) -> str:
    return re.search(r"sale `([^`]+)`", text).group(1)


def test_a_new_sale_is_stored_credited_and_its_id_shown(roi, spring, sessions):
    answer = roi.command("/roi sale ana10 amount=1,250.50 date=2026-03-10")

    text = answered_ephemeral(answer)
    assert answer.posts == []
    oid = sale_id(text)
    assert orders(sessions) == [("manual", oid, date(2026, 3, 10), Decimal("1250.50"), Decimal("0.00"),
                                 Decimal("1250.50"), True, "code", "ana")]
    assert "USD 1,250.50 with code `ANA10`" in text and "Credited to *ana* in *spring*" in text
    assert f"/roi sale ANA10 id={oid} amount=AMOUNT" in text


def test_a_sale_without_a_date_is_dated_today(roi, spring, sessions):
    answered(roi.command("/roi sale ANA10 amount=10"))

    assert orders(sessions)[0][2] == date(2026, 3, 16)


def test_generated_ids_are_readable_and_unique(roi, spring, sessions):
    for _ in range(3):
        answered(roi.command("/roi sale ANA10 amount=10 date=2026-03-10"))
    answered(roi.command("/roi sale ANA10 amount=10 date=2026-03-10 id=sale-20260310-5"))
    answered(roi.command("/roi sale ANA10 amount=10 date=2026-03-11"))
    answered(roi.command("/roi sale ANA10 amount=10 date=2026-03-10"))

    assert [row[1] for row in orders(sessions)] == [
        "sale-20260310-1", "sale-20260310-2", "sale-20260310-3", "sale-20260310-5", "sale-20260311-1", "sale-20260310-6"]


def test_a_sale_is_corrected_by_its_id(roi, spring, sessions):
    oid = sale_id(answered(roi.command("/roi sale ANA10 amount=200 date=2026-03-10")))

    text = answered_ephemeral(roi.command(f"/roi sale ANA10 id={oid} amount=150 date=2026-03-11"))

    assert f"Updated sale `{oid}`: date 2026-03-10 → 2026-03-11, amount USD 200.00 → USD 150.00." in text
    assert orders(sessions) == [("manual", oid, date(2026, 3, 11), Decimal("150.00"), Decimal("0.00"),
                                 Decimal("150.00"), True, "code", "ana")]


def test_a_refund_larger_than_the_amount_leaves_no_revenue_and_no_order(roi, spring, sessions):
    oid = sale_id(answered(roi.command("/roi sale ANA10 amount=200 date=2026-03-10")))

    text = answered_ephemeral(roi.command(f"/roi sale ANA10 id={oid} amount=200 refunded=250 date=2026-03-10"))

    assert "refunded USD 0.00 → USD 250.00" in text and "Counts as USD 0.00 revenue" in text
    [row] = orders(sessions)
    assert (row[5], row[6]) == (Decimal("0.00"), False)


def test_a_given_new_id_is_kept(roi, spring, sessions):
    text = answered_ephemeral(roi.command("/roi sale ANA10 amount=99 id=#1001 date=2026-03-10"))

    assert "Recorded sale `#1001`" in text
    assert orders(sessions)[0][1] == "#1001"


def test_the_sale_shows_in_the_campaign_report(roi, spring):
    answered(roi.command("/roi sale ANA10 amount=2000 date=2026-03-10"))

    [post] = roi.command("/roi campaign spring").posts
    # cost 1,000 + 10% of 2,000 = 1,200
    assert post["text"] == "spring: ROI 66.7% on USD 2,000.00 revenue"


def test_an_unknown_code_is_refused_and_nothing_is_stored(roi, spring, sessions):
    with unchanged(sessions):
        text = answered_ephemeral(roi.command("/roi sale NOPE amount=10"))

    assert "There is no code `NOPE`" in text and "/code add NOPE" in text


def test_a_date_outside_every_window_of_the_code_names_them(roi, spring, sessions):
    answered(roi.command("/campaign create summer budget=100 start=2026-06-01 end=2026-06-30 window_days=3"))
    answered(roi.command("/influencer add ana campaign=summer"))
    answered(roi.command("/code add ANA10 ana campaign=summer"))

    with unchanged(sessions):
        text = refused(roi.command("/roi sale ANA10 amount=10 date=2026-04-08"), "date")

    assert "spring 2026-03-01 → 2026-04-07" in text and "summer 2026-06-01 → 2026-07-03" in text


def test_the_code_of_the_campaign_whose_window_holds_the_date_is_used(roi, spring, sessions):
    answered(roi.command("/campaign create summer budget=100 start=2026-06-01 end=2026-06-30"))
    answered(roi.command("/influencer add ben campaign=summer"))
    answered(roi.command("/code add ANA10 ben campaign=summer"))

    text = answered_ephemeral(roi.command("/roi sale ANA10 amount=10 date=2026-06-05"))

    assert "Credited to *ben* in *summer*" in text
    assert orders(sessions)[0][8] == "ben"


def test_a_sale_after_the_influencer_was_cut_is_stored_but_not_credited(roi, spring, sessions):
    answered(roi.command("/influencer set ana campaign=spring status=cut"))

    text = answered_ephemeral(roi.command("/roi sale ANA10 amount=10 date=2026-03-20"))

    assert "Not credited to anyone: *ana* was cut from *spring* on 2026-03-16" in text
    assert orders(sessions)[0][7] != "code"


@pytest.mark.parametrize(("options", "field"), [
    ("", "amount"),
    ("amount=abc", "amount"),
    ("amount=-5", "amount"),
    ("amount=10.555", "amount"),
    ("amount=10 refunded=-1", "refunded"),
    ("amount=10 date=2026-02-30", "date"),
    ('amount=10 id="two words"', "id"),
    ("amount=10 price=3", "price"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(roi, spring, sessions, options, field):
    with unchanged(sessions):
        refused(roi.command(f"/roi sale ANA10 {options}"), field)


def test_a_missing_code_is_refused(roi, spring):
    refused(roi.command("/roi sale amount=10"), "CODE")


def test_roi_admins_may_record_sales_and_others_may_not(make_app, settings, slack, sessions):
    from bot.fakeslack.driver import SlackDriver
    from conftest import SECRET

    roi = SlackDriver(make_app(replace(settings, admins=frozenset({"U0BOSS0001"}))), slack, SECRET, user_id="U0BOSS0001")
    for line in SETUP:
        answered(roi.command(line))

    with unchanged(sessions):
        text = answered_ephemeral(roi.command("/roi sale ANA10 amount=10", user="U0001"))
    assert "Only the ROI bot admins" in text

    answered(roi.command("/roi sale ANA10 amount=10"))
    assert count(sessions, Order) == 1


def test_another_workspace_cannot_use_this_workspaces_code(roi, spring, sessions):
    with unchanged(sessions):
        text = answered_ephemeral(roi.command("/roi sale ANA10 amount=10", team="T0002"))

    assert "There is no code `ANA10`" in text
