"""Attribution follows the current registrations: codes added or removed later, cuts, date and name changes."""

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from bot.models import Order
from import_support import register, run

HEADER = "order_id,date,amount,code,currency,refunded,utm_campaign,utm_content\n"
ORDERS = HEADER + (
    "1,2026-03-05,200.00,CY20,USD,,,\n"
    "2,2026-03-20,100.00,CY20,USD,,,\n"
    "3,2026-04-09,50.00,BEN5,USD,,,\n"
    "4,2026-03-10,40.00,,USD,,spring,ana\n"
)


@pytest.fixture
def spring(roi, sessions):
    register(roi)
    run(sessions, ORDERS)


def outcome(sessions) -> dict[str, tuple]:
    with sessions() as session:
        return {o.order_id: (o.attribution, o.enrolment_id is not None) for o in session.scalars(select(Order))}


def test_a_code_registered_later_credits_orders_already_imported(spring, roi, sessions):
    assert outcome(sessions)["1"] == (None, False)
    register(roi, ["/influencer add cy campaign=spring fee=10", "/code add CY20 cy campaign=spring"])
    assert outcome(sessions)["1"] == ("code", True) and outcome(sessions)["2"] == ("code", True)


def test_removing_a_code_takes_its_orders_out(spring, roi, sessions):
    register(roi, ["/influencer add cy campaign=spring fee=10", "/code add CY20 cy campaign=spring", "/code remove CY20"])
    assert outcome(sessions)["1"] == (None, False)


def test_cutting_an_enrolment_stops_crediting_orders_dated_after_the_cut(spring, roi, sessions):
    register(roi, ["/influencer add cy campaign=spring fee=10", "/code add CY20 cy campaign=spring",
                   "/influencer set cy campaign=spring status=cut"])  # cut today, 2026-03-16
    assert outcome(sessions)["1"] == ("code", True)
    assert outcome(sessions)["2"] == (None, False)
    register(roi, ["/influencer set cy campaign=spring status=active"])
    assert outcome(sessions)["2"] == ("code", True)


def test_moving_a_campaigns_end_moves_its_window(spring, roi, sessions):
    assert outcome(sessions)["3"][0] == "outside"
    register(roi, ["/campaign set spring end=2026-04-05"])
    assert outcome(sessions)["3"] == ("code", True)
    register(roi, ["/campaign set spring window_days=0"])
    assert outcome(sessions)["3"][0] == "outside"


def test_renaming_a_campaign_or_a_handle_follows_the_tracking_links(spring, roi, sessions):
    assert outcome(sessions)["4"] == ("utm", True)
    register(roi, ["/campaign set spring name=spring26"])
    assert outcome(sessions)["4"] == (None, False)  # the link says utm_campaign=spring
    register(roi, ["/campaign set spring26 name=spring"])
    assert outcome(sessions)["4"] == ("utm", True)
    register(roi, ["/influencer set ana handle=ana.b"])
    assert outcome(sessions)["4"] == (None, False)


def test_removing_an_influencer_uncredits_their_orders(spring, roi, sessions):
    register(roi, ["/influencer remove ana"])
    assert outcome(sessions)["4"] == (None, False)


def test_a_refused_change_leaves_attribution_as_it_was(spring, roi, sessions):
    before = outcome(sessions)
    answer = roi.command("/campaign set spring end=2026-02-01")  # before the start: refused
    assert ":warning:" in answer.text
    assert outcome(sessions) == before
