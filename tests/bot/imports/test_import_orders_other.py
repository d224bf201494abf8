"""Reading WooCommerce Analytics exports and our own orders CSV."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from bot.imports.orders import Rejected, read_orders
from bot.imports.text import open_rows
from order_files import KIRITIMATI, UTC, orders, parse, rejected


# WooCommerce ------------------------------------------------------------------------------------------------

WOO_HEADER = ("Date,Order #,N. Revenue (formatted),Status,Customer,Customer type,Product(s),Items sold,Coupon(s),"
              "Net sales,Attribution\n")


def test_woocommerce_refund_rows_are_netted_into_their_order_wherever_they_are():
    items = parse(WOO_HEADER + (
        '2024-03-09 10:00:00,101,-$20.00,Refunded,Ana,new,Mug,-1,,-$20.00,Direct\n'    # refund before its order
        '2024-03-05 14:20:11,101,"$1,234.50",Completed,Ana,new,Mug,3,"ana10, SPRING",1234.50,Direct\n'
        '2024-03-06,102,$50.00,Processing,Ben,returning,Cap,1,,$50.00,Direct\n'
        '2024-03-10 09:00:00,101,-$4.50,Refunded,Ana,new,Mug,0,,-4.50,Direct\n'         # a second refund, after
        '2024-03-11 09:00:00,102,-$50.00,Refunded,Ben,returning,Cap,-1,,"-$50.00",Direct\n'
    ), "woocommerce", ZoneInfo("America/New_York"))
    found = orders(items)
    assert rejected(items) == [] and list(found) == ["101", "102"]
    first = found["101"]
    assert (first.row, first.subtotal, first.refunded) == (3, D("1234.50"), D("24.50"))
    assert first.codes == ("ana10", "SPRING")
    assert first.created == datetime(2024, 3, 5, 19, 20, 11, tzinfo=timezone.utc)  # store-local time, EST
    assert (first.order_date, first.financial_status, first.currency, first.cancelled) == (
        date(2024, 3, 5), "completed", None, False)
    second = found["102"]
    assert (second.created, second.order_date, second.refunded) == (None, date(2024, 3, 6), D("50.00"))


def test_woocommerce_amounts_and_dates_outside_the_bounds_are_rejected_naming_the_column():
    items = parse("Date,Order #,Status,Net sales\n"
                  "2024-03-05,1,Completed,1000000000.00\n"      # the most one order may be
                  "2024-03-05,2,Completed,1000000000.01\n"
                  "1999-12-31 23:00:00,3,Completed,5.00\n"
                  "2024-03-05,4,Completed,900000000.00\n"
                  "2024-03-06,4,Refunded,-600000000.00\n"
                  "2024-03-07,4,Refunded,-600000000.00\n"      # refunds past the maximum together
                  "2024-03-05,5,Refunded,-1000000000.01\n", "woocommerce")
    assert list(orders(items)) == ["1"]
    reasons = {r.row: r.reason for r in rejected(items)}
    assert "`Net sales`: 1,000,000,000.01 is more than 1,000,000,000" in reasons[3]
    assert "`Date`: 1999-12-31 is before 2000-01-01" in reasons[4]
    assert "the refunds of order `4` add up to more than 1,000,000,000" in reasons[5]
    assert "`Net sales`: 1,000,000,000.01 is more than 1,000,000,000" in reasons[8]


def test_woocommerce_cancelled_and_failed_orders_are_cancelled():
    items = parse("Date,Order #,Status,Coupon(s),Net sales\n"
                  "2024-03-05,1,Cancelled,,10.00\n2024-03-05,2,Failed,,10.00\n2024-03-05,3,Completed,,10.00\n",
                  "woocommerce")
    assert {o.order_id: o.cancelled for o in items} == {"1": True, "2": True, "3": False}


def test_woocommerce_rejects_orphan_refunds_duplicates_and_bad_cells():
    items = parse("Date,Order #,Status,Net sales\n"
                  "2024-03-05,1,Completed,10.00\n"
                  "2024-03-05,7,Refunded,-3.00\n"       # order 7 is not in the file
                  "2024-03-05,1,Completed,11.00\n"      # order 1 again
                  "2024-03-05,2,Completed,ten\n"
                  "someday,3,Completed,5.00\n"
                  "2024-03-06,3,Refunded,-1.00\n"       # refund of the rejected order 3
                  "2024-03-06,4,Completed,5.00\n", "woocommerce")
    assert list(orders(items)) == ["1", "4"]
    reasons = {r.row: r.reason for r in rejected(items)}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "refund for order `7` whose order row is not in this file" in reasons[3]
    assert "order `1` appears again (its order row is row 2)" in reasons[4]
    assert "`Net sales` is `ten`" in reasons[5] and "`Date` is `someday`" in reasons[6]
    assert "order row (row 6) was rejected" in reasons[7]


# Our CSV ----------------------------------------------------------------------------------------------------

CSV_HEADER = "order_id,date,amount,code,currency,refunded,utm_campaign,utm_content\n"


def test_csv_orders_with_every_column():
    items = parse(CSV_HEADER + (
        "A1,2026-03-05,200,ANA10,usd,,,\n"
        "A2,2026-03-05T23:30:00-05:00,\"1,234.567\",\"ANA10 ben5, BEN5\",,0.004,spring,ana\n"
        "A3,2026-03-05 23:30:00,12.345,,,,,\n"
    ), "csv", KIRITIMATI)
    found = orders(items)
    assert (found["A1"].subtotal, found["A1"].currency, found["A1"].created, found["A1"].order_date) == (
        D("200.00"), "USD", None, date(2026, 3, 5))
    second = found["A2"]
    assert (second.subtotal, second.refunded, second.codes) == (D("1234.57"), D("0.00"), ("ANA10", "ben5"))
    assert second.created == datetime(2026, 3, 6, 4, 30, tzinfo=timezone.utc) and second.order_date == date(2026, 3, 6)
    assert (second.utm_campaign, second.utm_content) == ("spring", "ana")
    assert (second.financial_status, second.cancelled) == (None, False)
    third = found["A3"]  # a time without an offset is local time in the import's zone
    assert third.subtotal == D("12.35") and third.order_date == date(2026, 3, 5)
    assert third.created == datetime(2026, 3, 5, 9, 30, tzinfo=timezone.utc)


def test_csv_with_only_the_required_columns():
    (order,) = parse("order_id,date,amount\n1,2026-03-05,$12.00\n", "csv")
    assert (order.subtotal, order.currency, order.codes, order.refunded) == (D("12.00"), None, (), D("0.00"))


@pytest.mark.parametrize("line, says", [
    ("1,2026-03-05,-5.00", "`amount` is `-5.00`, a negative amount"),
    ("1,2026-03-05,abc", "`amount` is `abc`, not an amount"),
    ("1,2026-03-05,", "`amount` is empty"),
    ("1,2026-03-05,12,5", None),  # an unquoted decimal comma is an extra cell: 12 is the amount
    ("1,2026-03-05,\"12,5\"", "separators do not make a number"),
    ("1,2026-03-05,1000000000.01", "`amount`: 1,000,000,000.01 is more than 1,000,000,000"),
    ("1,1999-12-31,10", "`date`: 1999-12-31 is before 2000-01-01"),
    ("1,2101-01-01 10:00:00,10", "`date`: 2101-01-01 is after 2100-12-31"),
    ("1,2026-02-30,10", "`date` is `2026-02-30`"),
    ("1,05/03/2026,10", "`date` is `05/03/2026`"),
    (",2026-03-05,10", "`order_id` (the order id) is empty"),
    ("x" * 129 + ",2026-03-05,10", "longer than 128 characters"),
])
def test_csv_bad_rows_are_rejected_naming_the_column(line, says):
    items = parse("order_id,date,amount\n" + line + "\n2,2026-03-05,1\n", "csv")
    if says is None:
        assert rejected(items) == []
        return
    assert list(orders(items)) == ["2"]
    (bad,) = rejected(items)
    assert bad.row == 2 and says in bad.reason


def test_csv_duplicate_order_ids_are_rejected_naming_the_first_row():
    items = parse("order_id,date,amount\n1,2026-03-05,10\n2,2026-03-05,10\n1,2026-03-06,11\n", "csv")
    assert list(orders(items)) == ["1", "2"]
    assert rejected(items) == [Rejected(4, "order `1` appears again (first at row 2)")]


def test_semicolon_files_take_decimal_commas():
    items = parse("order_id;date;amount;refunded\n1;2026-03-05;1.234,50;\"12,5\"\n2;2026-03-05;€ 9,99;\n", "csv")
    found = orders(items)
    assert (found["1"].subtotal, found["1"].refunded, found["2"].subtotal) == (D("1234.50"), D("12.50"), D("9.99"))


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        read_orders(open_rows(io.BytesIO(b"order_id,date,amount\n")), "manual", UTC)
