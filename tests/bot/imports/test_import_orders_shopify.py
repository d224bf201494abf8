"""Reading Shopify order exports: the two real ones, fixtures for what they lack, and a streamed big file."""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
from datetime import date, datetime, timezone
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InputError
from bot.imports.orders import Rejected, read_orders
from bot.imports.text import open_rows
from order_files import (FOREZIA, KIRITIMATI, RAMKUMAR, SHOPIFY_HEADER, UTC, WHEN, line_items, orders, parse, parse_file,
                         real, rejected, shopify_csv)


# Real exports -----------------------------------------------------------------------------------------------

def test_the_header_constant_is_the_real_exports_header():
    for name in (FOREZIA, RAMKUMAR):
        with real(name).open(newline="", encoding="utf-8") as file:
            assert next(csv.reader(file)) == SHOPIFY_HEADER


def test_every_row_of_the_real_exports_parses():
    forezia, ramkumar = parse_file(real(FOREZIA)), parse_file(real(RAMKUMAR))
    assert rejected(forezia) == [] and rejected(ramkumar) == []
    # 40 line-item rows make orders #1001…#1019; 121 rows make #1001…#1051 (newest first in that file).
    assert [o.order_id for o in forezia] == [f"#{n}" for n in range(1001, 1020)]
    assert [o.order_id for o in ramkumar] == [f"#{n}" for n in range(1051, 1000, -1)]
    assert {o.currency for o in forezia} == {"EUR"} and {o.currency for o in ramkumar} == {"INR"}


def test_real_export_order_values_are_read_from_each_orders_first_row():
    forezia = orders(parse_file(real(FOREZIA)))
    assert forezia["#1001"].subtotal == D("1659.95")  # 10.00 + 24.95 + 600.00 + 1025.00, four line items
    assert forezia["#1006"].subtotal == D("2535.85")
    assert forezia["#1013"].financial_status == "pending"
    assert (forezia["#1001"].row, forezia["#1002"].row, forezia["#1019"].row) == (2, 6, 38)
    assert sum(o.subtotal for o in forezia.values()) == (
        3 * D("1659.95") + D("1615.90") + 2 * D("729.95") + D("34.95") + D("1635.55") + D("2535.85") + D("49.95")
        + 2 * D("189.80") + D("949.95") + D("127.59") + 3 * D("100.00") + D("9.95") + D("10.00"))
    first = forezia["#1001"]
    assert (first.refunded, first.cancelled, first.codes, first.utm_campaign) == (D("0.00"), False, (), None)
    ramkumar = orders(parse_file(real(RAMKUMAR)))
    assert ramkumar["#1050"].subtotal == D("3499.00") + 2 * D("2499.00") + 2 * D("899.00") + D("1299.00")
    assert ramkumar["#1001"].subtotal == 5 * D("4999.00") and ramkumar["#1001"].row == 122


def test_real_export_subtotals_equal_their_line_items():
    for name in (FOREZIA, RAMKUMAR):
        with real(name).open(newline="", encoding="utf-8") as file:
            items: dict[str, D] = {}
            for row in csv.DictReader(file):
                line = int(row["Lineitem quantity"]) * D(row["Lineitem price"])
                items[row["Name"]] = items.get(row["Name"], D(0)) + line
        assert {o.order_id: o.subtotal for o in parse_file(real(name))} == items


def test_real_export_timestamps_take_their_offset_and_the_time_zone_gives_the_date():
    in_utc = orders(parse_file(real(FOREZIA)))["#1001"]  # Created at 2025-05-11 09:55:16 -0400
    assert in_utc.created == datetime(2025, 5, 11, 13, 55, 16, tzinfo=timezone.utc)
    assert in_utc.order_date == date(2025, 5, 11)
    in_kiritimati = orders(parse_file(real(FOREZIA), KIRITIMATI))["#1001"]
    assert in_kiritimati.created == in_utc.created and in_kiritimati.order_date == date(2025, 5, 12)
    late = orders(parse_file(real(RAMKUMAR), ZoneInfo("Asia/Kolkata")))["#1051"]  # 10:37:33 -0500 = 21:07 IST
    assert late.created == datetime(2025, 12, 6, 15, 37, 33, tzinfo=timezone.utc)
    assert late.order_date == date(2025, 12, 6)


# Shopify fixtures ------------------------------------------------------------------------------------------

def test_shopify_discount_codes_are_split_trimmed_and_deduplicated():
    items = parse(shopify_csv(line_items("#1", 2, Discount_Code="SPRING10"),
                              line_items("#2", Discount_Code=" ANA15 , spring10,ana15,, "),
                              line_items("#3")), "shopify")
    found = orders(items)
    assert found["#1"].codes == ("SPRING10",)
    assert found["#2"].codes == ("ANA15", "spring10")
    assert found["#3"].codes == ()


def test_shopify_refunds_cancellations_and_voids():
    items = parse(shopify_csv(line_items("#1", Subtotal="100.00", Refunded_Amount="30.00",
                                         Financial_Status="partially_refunded"),
                              line_items("#2", Refunded_Amount=""),
                              line_items("#3", Cancelled_at="2025-05-12 10:00:00 -0400", Financial_Status="refunded"),
                              line_items("#4", Financial_Status="VOIDED")), "shopify")
    found = orders(items)
    assert (found["#1"].subtotal, found["#1"].refunded, found["#1"].cancelled) == (D("100.00"), D("30.00"), False)
    assert found["#1"].financial_status == "partially_refunded"
    assert found["#2"].refunded == D("0.00")
    assert found["#3"].cancelled and found["#4"].cancelled and found["#4"].financial_status == "voided"


@pytest.mark.parametrize("notes, expected", [
    ("utm_campaign: spring\nutm_content: ana", ("spring", "ana")),
    ("utm_source: instagram\r\nUTM_Campaign=  spring sale \nutm_content=ana.makes", ("spring sale", "ana.makes")),
    ("gift_note: happy birthday\nutm_content:", (None, None)),
    ("", (None, None)),
])
def test_shopify_utm_values_come_from_note_attributes(notes, expected):
    (order,) = parse(shopify_csv(line_items("#1", 2, Note_Attributes=notes)), "shopify")
    assert (order.utm_campaign, order.utm_content) == expected


def test_the_78_column_shopify_export_is_read_by_column_name():
    header = [column for column in SHOPIFY_HEADER if column != "Payment References"]
    assert len(header) == 78
    data = shopify_csv(line_items("#1", 3, Subtotal="42.50", Discount_Code="ANA10"), header=header)
    (order,) = parse(data, "shopify")
    assert (order.order_id, order.subtotal, order.codes) == ("#1", D("42.50"), ("ANA10",))


def test_shopify_columns_in_another_order_are_found_by_name():
    header = list(reversed(SHOPIFY_HEADER))
    (order,) = parse(shopify_csv(line_items("#9", 2, Subtotal="7.00", Currency="eur"), header=header), "shopify")
    assert (order.order_id, order.subtotal, order.currency) == ("#9", D("7.00"), "EUR")


def test_a_shopify_order_that_shows_up_again_later_is_rejected():
    items = parse(shopify_csv(line_items("#1", 2), line_items("#2"), line_items("#1", 3)), "shopify")
    assert [o.order_id for o in orders(items).values()] == ["#1", "#2"]
    (again,) = rejected(items)
    assert again.row == 5  # rows 2-3 are #1, row 4 is #2, #1 again from row 5 (its other rows are not repeated)
    assert "`#1` appears again at row 5" in again.reason and "first rows at row 2" in again.reason


def test_a_shopify_order_without_its_first_row_is_rejected():
    orphan = line_items("#2", 2)
    for column in ("Financial Status", "Currency", "Subtotal", "Refunded Amount"):
        orphan[0].pop(column)
    items = parse(shopify_csv(line_items("#1"), orphan, line_items("#3")), "shopify")
    assert list(orders(items)) == ["#1", "#3"]
    (missing,) = rejected(items)
    assert missing.row == 3 and "first row is missing" in missing.reason


@pytest.mark.parametrize("column, value, says", [
    ("Subtotal", "ten", "`Subtotal` is `ten`"),
    ("Subtotal", "-5.00", "`Subtotal` is `-5.00`, a negative amount"),
    ("Created_at", "yesterday", "`Created at` is `yesterday`"),
    ("Created_at", "", "`Created at` is empty"),
    ("Currency", "€", "`Currency` is `€`, not a 3-letter currency code"),
    ("Refunded_Amount", "lots", "`Refunded Amount` is `lots`"),
    ("Subtotal", "$1,000,000,000.01", "`Subtotal`: 1,000,000,000.01 is more than 1,000,000,000"),
    ("Subtotal", "100000000000", "`Subtotal`: 100,000,000,000.00 is more than 1,000,000,000"),
    ("Refunded_Amount", "1000000000.01", "`Refunded Amount`: 1,000,000,000.01 is more than 1,000,000,000"),
    ("Created_at", "1999-12-31 23:59:59 +0000", "`Created at`: 1999-12-31 is before 2000-01-01"),
    ("Created_at", "0001-01-01 10:00:00 +0000", "`Created at`: 0001-01-01 is before 2000-01-01"),
    ("Created_at", "0001-01-01 00:00:00 +0100", "`Created at` is `0001-01-01 00:00:00 +0100`"),  # before year 1 in UTC
    ("Created_at", "2101-01-01 00:00:00 +0000", "`Created at`: 2101-01-01 is after 2100-12-31"),
])
def test_a_bad_shopify_order_is_rejected_and_the_rest_still_parse(column, value, says):
    items = parse(shopify_csv(line_items("#1"), line_items("#2", 3, **{column: value}), line_items("#3")), "shopify")
    assert list(orders(items)) == ["#1", "#3"]  # #2's line items are skipped with it
    (bad,) = rejected(items)
    assert bad.row == 3 and says in bad.reason


def test_a_shopify_row_without_a_name_is_rejected():
    rows = line_items("#1") + [{"Name": "  ", "Subtotal": "5.00"}]
    items = parse(shopify_csv(rows, line_items("#2")), "shopify")
    assert list(orders(items)) == ["#1", "#2"] and rejected(items) == [Rejected(3, "`Name` (the order id) is empty")]


def test_read_orders_checks_the_header_before_reading_rows():
    with pytest.raises(InputError, match="Subtotal"):
        read_orders(open_rows(io.BytesIO(b"Name,Created at\n#1,2025-05-11\n")), "shopify", UTC)


# Big files --------------------------------------------------------------------------------------------------

class ShopifyStream(io.RawIOBase):
    """A binary stream of generated Shopify orders (`items` line-item rows each), made as it is read."""

    def __init__(self, orders: int, items: int):
        self.parts = self._parts(orders, items)
        self.buffer = memoryview(b"")

    @staticmethod
    def _parts(count: int, items: int):
        yield (",".join(SHOPIFY_HEADER) + "\n").encode()
        at = {name: i for i, name in enumerate(SHOPIFY_HEADER)}
        first, other = [""] * len(SHOPIFY_HEADER), [""] * len(SHOPIFY_HEADER)
        for row in (first, other):
            row[at["Created at"]], row[at["Lineitem quantity"]], row[at["Lineitem price"]] = WHEN, "1", "5.00"
        first[at["Financial Status"]], first[at["Currency"]], first[at["Subtotal"]] = "paid", "USD", "10.00"
        first[at["Refunded Amount"]], first[at["Discount Code"]] = "0.00", "ANA10"
        # `Name` is the first column: each order is its number followed by these fixed rows.
        rest = (",".join(first[1:]) + "\n", *[",".join(other[1:]) + "\n"] * (items - 1))
        for start in range(0, count, 1000):
            yield "".join(f"#{n}," + row for n in range(start, min(start + 1000, count)) for row in rest).encode()

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        if not self.buffer:
            self.buffer = memoryview(next(self.parts, b""))
        size = min(len(target), len(self.buffer))
        target[:size], self.buffer = self.buffer[:size], self.buffer[size:]
        return size


def test_a_200000_row_shopify_stream_is_read_with_bounded_memory():
    started = time.perf_counter()
    tracemalloc.start()
    try:
        with io.BufferedReader(ShopifyStream(25_000, items=8)) as raw:
            count = total = 0
            table = open_rows(raw)
            for item in read_orders(table, "shopify", UTC):
                count += 1
                total += item.subtotal
            peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (count, total) == (25_000, D("250000.00"))
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert time.perf_counter() - started < 10  # about 2 s under tracemalloc; under 1 s without
