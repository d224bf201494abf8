"""The two real Shopify exports in ../shared: every order stored once, revenue to the cent, dates in
ROI_TIMEZONE, idempotent re-imports, and codes and refunds edited into the real file attributed and netted."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from bot.models import Order
from import_support import register, run, shopify_file

FOREZIA = "shopify_devstore_forezia_orders_export.csv"
RAMKUMAR = "shopify_devstore_ramkumar_orders_export_1.csv"
# Subtotals of the 19 orders (#1001–#1019) of the forezia export, read off the file's first row of each order.
FOREZIA_SUBTOTALS = ["1659.95", "1615.90", "729.95", "34.95", "1635.55", "2535.85", "49.95", "189.80", "189.80",
                     "729.95", "1659.95", "949.95", "127.59", "100.00", "100.00", "9.95", "10.00", "100.00", "1659.95"]


@pytest.fixture
def workspace(roi):
    register(roi, ["/campaign create may budget=2000 currency=EUR start=2025-05-01 end=2025-05-31"])


def stored(sessions) -> dict[str, Order]:
    with sessions() as session:
        return {o.order_id: o for o in session.scalars(select(Order))}


def test_forezia_export_stores_each_order_once_with_its_subtotal(workspace, sessions):
    summary = run(sessions, shopify_file(FOREZIA).read_bytes(), kind="orders", name=FOREZIA)
    assert (summary.format, summary.rows_read, summary.orders, summary.new, summary.rejected_total) == ("shopify", 40, 19, 19, 0)
    assert summary.unattributed == 19  # the dev store's orders carry no discount codes
    orders = stored(sessions)
    assert sorted(orders) == [f"#{n}" for n in range(1001, 1020)]
    assert sum((o.revenue for o in orders.values()), D(0)) == sum(map(D, FOREZIA_SUBTOTALS)) == D("14089.04")
    assert {o.currency for o in orders.values()} == {"EUR"}
    assert orders["#1013"].financial_status == "pending"


def test_ramkumar_export_in_rupees(workspace, sessions):
    summary = run(sessions, shopify_file(RAMKUMAR).read_bytes(), kind="orders", name=RAMKUMAR)
    assert (summary.rows_read, summary.orders, summary.new) == (121, 51, 51)
    orders = stored(sessions)
    assert orders["#1050"].subtotal == D("11594.00") and orders["#1011"].subtotal == D("28889.00")
    with sessions() as session:
        assert session.scalar(select(func.sum(Order.revenue))) == D("585942.00")


def test_reimporting_a_real_export_changes_nothing(workspace, sessions):
    data = shopify_file(FOREZIA).read_bytes()
    run(sessions, data)
    again = run(sessions, data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 19)


@pytest.mark.parametrize("zone, day", [
    ("UTC", date(2025, 5, 16)),                  # 2025-05-16 02:36:49 -0400 is 06:36 UTC
    ("America/Los_Angeles", date(2025, 5, 15)),  # … and 23:36 the evening before in California
])
def test_order_dates_are_taken_in_roi_timezone(workspace, sessions, zone, day):
    run(sessions, shopify_file(FOREZIA).read_bytes(), tz=zone)
    assert stored(sessions)["#1013"].order_date == day


def edited(name: str, changes: dict[str, dict[str, str]]) -> bytes:
    """The real export with some order-level cells changed, as a shop with codes and refunds would have them."""
    rows = list(csv.reader(io.StringIO(shopify_file(name).read_text(encoding="utf-8-sig"))))
    header = rows[0]
    for row in rows[1:]:
        for column, value in changes.get(row[0], {}).items():
            if row[header.index("Subtotal")]:  # order-level columns live on an order's first row
                row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_codes_and_refunds_in_a_real_export_are_attributed_and_netted(workspace, roi, sessions):
    register(roi, ["/influencer add snowqueen campaign=may fee=300", "/code add SNOW10 snowqueen campaign=may"])
    data = edited(FOREZIA, {"#1002": {"Discount Code": "SNOW10"},
                            "#1003": {"Discount Code": "snow10, WELCOME", "Refunded Amount": "100.00"},
                            "#1004": {"Discount Code": "SNOW10", "Financial Status": "refunded", "Refunded Amount": "34.95"},
                            "#1005": {"Note Attributes": "utm_campaign: may\nutm_content: snowqueen"}})
    summary = run(sessions, data)
    assert (summary.attributed, summary.unattributed) == (4, 15)
    orders = stored(sessions)
    assert orders["#1003"].revenue == D("629.95")  # 729.95 less the 100.00 refund
    assert (orders["#1004"].revenue, orders["#1004"].counted) == (D("0.00"), False)
    assert orders["#1005"].attribution == "utm"
    again = run(sessions, edited(FOREZIA, {"#1002": {"Discount Code": "SNOW10", "Refunded Amount": "15.90"},
                                           "#1003": {"Discount Code": "snow10, WELCOME", "Refunded Amount": "100.00"},
                                           "#1004": {"Discount Code": "SNOW10", "Financial Status": "refunded",
                                                     "Refunded Amount": "34.95"},
                                           "#1005": {"Note Attributes": "utm_campaign: may\nutm_content: snowqueen"}}))
    assert (again.updated, again.unchanged) == (1, 18)
    assert stored(sessions)["#1002"].revenue == D("1600.00")
