"""Orders from a Shopify or WooCommerce export or our own orders CSV, as validated records (no database here).

Each bad row becomes a `Rejected` with its row number and a sentence naming the column and the value, and
never stops the rest. Shopify and our CSV are streamed: Shopify's line-item rows of one order are contiguous
and only the first carries the order, so only the ids seen so far are kept (to catch an order whose rows are
split apart). WooCommerce refund rows may come anywhere in the file, so a WooCommerce export (order-level and
small) is read whole before its orders are yielded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.errors import InputError
from bot.imports.detect import index, require
from bot.imports.text import Table
from bot.limits import MAX_ORDER_AMOUNT, check_amount, check_date
from bot.values import shown

MAX_ORDER_ID = 128  # the widths of the orders table's columns
MAX_STATUS = 32
MAX_UTM = 255
CANCELLED_STATUSES = {"woocommerce": ("cancelled", "failed"), "shopify": ("voided",)}
ZERO = Decimal("0.00")
UTC = ZoneInfo("UTC")
_CENT = Decimal("0.01")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
_SYMBOL = r"[^\w\s.,()'+\-−]"  # $, €, £, ₹ … (anything that is not a letter, digit or separator)
_MONEY = re.compile(
    rf"(?P<open>\()?\s*(?P<sign>[-−])?\s*(?:(?P<pre>[A-Z]{{0,3}}{_SYMBOL}|[A-Z]{{3}})\s*)?(?P<sign2>[-−])?\s*"
    rf"(?P<number>[0-9](?:[0-9.,'\u00a0\u202f ]*[0-9])?)\s*(?P<post>{_SYMBOL}|[A-Z]{{3}})?\s*(?P<close>\))?"
)
_DOT_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_COMMA_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:[.\u00a0\u202f' ][0-9]{3})+|[0-9]+)(?:,[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")
_SPACED_OFFSET = re.compile(r" ?(?:([+-][0-9]{2}:?[0-9]{2})|UTC|GMT|Z)$")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_UTM = re.compile(r"^\s*(utm_campaign|utm_content)\s*[:=]\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)
_COMMAS = re.compile(r"\s*,\s*")
_COMMAS_OR_SPACES = re.compile(r"[\s,]+")
AMOUNT_FORM = "an amount like `1234.50` or `1,234.50`"
WHEN_FORM = "a date like `2025-05-11` or a date and time like `2025-05-11 09:55:16 -0400`"


class OrderRecord(NamedTuple):
    """One order as the file gives it; `created` is UTC, `order_date` its date in the import's time zone.
    An order from a connected store (bot.stores) also carries the store's own id of it and its `updated_at` (UTC).

    A NamedTuple: a million of them are made per big export, at a third of a frozen dataclass's cost."""

    row: int
    order_id: str
    created: datetime | None
    order_date: date
    currency: str | None
    subtotal: Decimal
    refunded: Decimal
    cancelled: bool
    financial_status: str | None
    codes: tuple[str, ...]
    utm_campaign: str | None
    utm_content: str | None
    store_order_id: str | None = None
    store_updated_at: datetime | None = None


@dataclass(frozen=True)
class Rejected:
    """A row that was skipped, and why (a sentence naming the column and the value)."""

    row: int
    reason: str


class _Bad(Exception):
    """A cell that cannot be used; `reason` is the sentence for `Rejected`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _within(check, value, column: str):
    """`check(value, column)` from bot.limits, its refusal turned into the row's `_Bad`."""
    try:
        return check(value, column)
    except InputError as error:
        raise _Bad(error.message) from None


def _amount(text: str, column: str, *, decimal_comma: bool = False) -> Decimal:
    """A signed amount in cents, at most one order's maximum either way: `1234.5`, `1,234.50`, `$12.00`,
    `12.00 EUR`, `-20`, `(20.00)`; `12,50` when the file's delimiter is `;` (decimal commas)."""
    value = text.strip()
    if len(value) <= 12 and _PLAIN.fullmatch(value):  # the common case, kept fast
        amount = Decimal(value).quantize(_CENT)
        return amount if amount <= MAX_ORDER_AMOUNT else _within(check_amount, amount, column)
    if not value:
        raise _Bad(f"`{column}` is empty")
    match = _MONEY.fullmatch(value)
    if not match or bool(match["open"]) != bool(match["close"]) or (match["sign"] and match["sign2"]):
        raise _Bad(f"`{column}` is {shown(value)}, not {AMOUNT_FORM}")
    number = match["number"]
    if decimal_comma and _COMMA_NUMBER.fullmatch(number) and ("," in number or not _PLAIN.fullmatch(number)):
        digits = re.sub(r"[.\u00a0\u202f' ]", "", number).replace(",", ".")
    elif _DOT_NUMBER.fullmatch(number):
        digits = number.replace(",", "")
    else:
        raise _Bad(f"`{column}` is {shown(value)}, whose separators do not make a number; use {AMOUNT_FORM}")
    try:
        amount = Decimal(digits).quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the decimal context holds
        raise _Bad(f"`{column}` is {shown(value)}, more than {MAX_ORDER_AMOUNT:,}") from None
    _within(check_amount, amount, column)
    return -amount if (match["sign"] or match["sign2"] or match["open"]) else amount


def _money(text: str, column: str, *, decimal_comma: bool, blank: Decimal | None = None) -> Decimal:
    """A non-negative amount; `blank` (when given) stands for an empty cell."""
    if blank is not None and not text.strip():
        return blank
    amount = _amount(text, column, decimal_comma=decimal_comma)
    if amount.is_signed() and amount:
        raise _Bad(f"`{column}` is {shown(text.strip())}, a negative amount")
    return abs(amount)


def _when(text: str, column: str, tz: ZoneInfo) -> tuple[datetime | None, date]:
    """`(UTC timestamp or None, date in tz)`, the date within the accepted dates; a time without an offset is local
    time in `tz`."""
    moment, day = _moment(text, column, tz)
    return moment, _within(check_date, day, column)


def _moment(text: str, column: str, tz: ZoneInfo) -> tuple[datetime | None, date]:
    """`_when` before the date's bounds are checked."""
    if len(text) == 25 and text[19] == " " and text[20] in "+-" and text[10] == " ":
        # Shopify's own `2025-05-11 09:55:16 -0400`, the common case, kept fast
        try:
            moment = datetime.fromisoformat(text[:19] + text[20:])
            utc = moment.astimezone(timezone.utc)
            return utc, (utc if tz is UTC else moment.astimezone(tz)).date()
        except (ValueError, OverflowError):
            pass  # year 1 or 9999 past an offset: the slow path below names the column
    value = text.strip()
    if not value:
        raise _Bad(f"`{column}` is empty")
    try:
        if _DATE.fullmatch(value):
            return None, date.fromisoformat(value)
        if not _DATETIME.match(value):
            raise ValueError(value)
        offset = _SPACED_OFFSET.search(value)
        if offset:  # Shopify writes `2025-05-11 09:55:16 -0400`; also `… UTC` and `…Z`
            value = value[: offset.start()] + (offset.group(1) or "+00:00")
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(timezone.utc), moment.astimezone(tz).date()
    except (ValueError, OverflowError):
        raise _Bad(f"`{column}` is {shown(text.strip())}, not {WHEN_FORM}") from None


def _currency(text: str, column: str) -> str | None:
    """An upper-case 3-letter code, None when blank."""
    value = text.strip()
    if not value:
        return None
    if not _CURRENCY.fullmatch(value):
        raise _Bad(f"`{column}` is {shown(value)}, not a 3-letter currency code like `EUR`")
    return value.upper()


def _text(text: str, column: str, limit: int) -> str | None:
    """A trimmed value, None when blank, refused when longer than the database column."""
    value = text.strip()
    if len(value) > limit:
        raise _Bad(f"`{column}` is {shown(value)}, longer than {limit} characters")
    return value or None


def _order_id(text: str, column: str) -> str:
    """A non-blank order id that fits the database column."""
    value = _text(text, column, MAX_ORDER_ID)
    if value is None:
        raise _Bad(f"`{column}` (the order id) is empty")
    return value


def _codes(text: str, separators: re.Pattern) -> tuple[str, ...]:
    """Codes as typed, trimmed, without blanks, the first spelling of each (case-insensitively) kept."""
    if not text:
        return ()
    codes: dict[str, str] = {}
    for code in separators.split(text.strip()):
        if code:
            codes.setdefault(code.lower(), code)
    return tuple(codes.values())


def _note_utms(text: str) -> tuple[str | None, str | None]:
    """`utm_campaign` and `utm_content` from Shopify's Note Attributes (`key: value` or `key=value` lines)."""
    if not text:
        return None, None
    found = {key.lower(): value for key, value in _UTM.findall(text) if value}
    return (_text(found.get("utm_campaign", ""), "Note Attributes", MAX_UTM),
            _text(found.get("utm_content", ""), "Note Attributes", MAX_UTM))


def _getter(columns: dict[str, int], name: str):
    """A function reading one optional column from a row's cells (`""` when the file has no such column)."""
    position = columns.get(name)
    if position is None:
        return lambda cells: ""
    return lambda cells: cells[position]


def _shopify(table: Table, tz: ZoneInfo) -> Iterator[OrderRecord | Rejected]:
    """One record per order, from its first line-item row; the other rows of the order are skipped."""
    columns = index(table.header)
    name_at = columns["name"]
    created_at, subtotal_at = _getter(columns, "created at"), _getter(columns, "subtotal")
    currency_at, status_at = _getter(columns, "currency"), _getter(columns, "financial status")
    codes_at, refunded_at = _getter(columns, "discount code"), _getter(columns, "refunded amount")
    cancelled_at, notes_at = _getter(columns, "cancelled at"), _getter(columns, "note attributes")
    comma = table.delimiter == ";"
    first_rows: dict[str, int] = {}
    current = None  # the Name whose line-item rows are being skipped
    for row, cells in table.rows:
        name = cells[name_at].strip()
        if name == current and name:
            continue
        current = name
        try:
            order_id = _order_id(name, "Name")
            if order_id in first_rows:
                raise _Bad(f"order {shown(order_id)} appears again at row {row:,}, apart from its first rows at "
                           f"row {first_rows[order_id]:,}; the rows of an order must be together")
            first_rows[order_id] = row
            subtotal, currency, status = subtotal_at(cells), currency_at(cells), status_at(cells)
            if not (subtotal.strip() or currency.strip() or status.strip()):
                raise _Bad(f"order {shown(order_id)} starts at row {row:,} without its order columns (`Subtotal`, "
                           "`Currency` and `Financial Status` are blank): its first row is missing from the file")
            created, day = _when(created_at(cells), "Created at", tz)
            status = _text(status, "Financial Status", MAX_STATUS)
            status = status.lower() if status else None
            utm_campaign, utm_content = _note_utms(notes_at(cells))
            yield OrderRecord(
                row=row, order_id=order_id, created=created, order_date=day,
                currency=_currency(currency, "Currency"),
                subtotal=_money(subtotal, "Subtotal", decimal_comma=comma),
                refunded=_money(refunded_at(cells), "Refunded Amount", decimal_comma=comma, blank=ZERO),
                cancelled=bool(cancelled_at(cells).strip()) or status in CANCELLED_STATUSES["shopify"],
                financial_status=status, codes=_codes(codes_at(cells), _COMMAS),
                utm_campaign=utm_campaign, utm_content=utm_content,
            )
        except _Bad as bad:
            yield Rejected(row, bad.reason)


def _woocommerce(table: Table, tz: ZoneInfo) -> Iterator[OrderRecord | Rejected]:
    """Order rows with their refund rows (negative net sales) netted in, read whole, yielded in row order."""
    columns = index(table.header)
    id_at, date_at, net_at = columns["order #"], columns["date"], columns["net sales"]
    status_at, coupons_at = _getter(columns, "status"), _getter(columns, "coupon(s)")
    currency_at = _getter(columns, "currency")
    comma = table.delimiter == ";"
    out: list[OrderRecord | Rejected] = []
    orders: dict[str, OrderRecord] = {}
    refunds: dict[str, tuple[int, Decimal]] = {}  # order id -> (first refund row, total refunded)
    refused: dict[str, int] = {}  # order ids whose order row was rejected -> that row
    for row, cells in table.rows:
        try:
            order_id = _order_id(cells[id_at], "Order #")
        except _Bad as bad:
            out.append(Rejected(row, bad.reason))
            continue
        try:
            net = _amount(cells[net_at], "Net sales", decimal_comma=comma)
            if net.is_signed():  # a refund row: netted into its order below
                first, total = refunds.get(order_id, (row, ZERO))
                refunds[order_id] = (first, total - net)
                continue
            if order_id in orders:
                raise _Bad(f"order {shown(order_id)} appears again (its order row is row {orders[order_id].row:,})")
            created, day = _when(cells[date_at], "Date", tz)
            status = _text(status_at(cells), "Status", MAX_STATUS)
            status = status.lower() if status else None
            orders[order_id] = OrderRecord(
                row=row, order_id=order_id, created=created, order_date=day,
                currency=_currency(currency_at(cells), "Currency"), subtotal=net, refunded=ZERO,
                cancelled=status in CANCELLED_STATUSES["woocommerce"], financial_status=status,
                codes=_codes(coupons_at(cells), _COMMAS), utm_campaign=None, utm_content=None,
            )
        except _Bad as bad:
            if order_id not in orders:
                refused.setdefault(order_id, row)
            out.append(Rejected(row, bad.reason))
    for order_id, record in orders.items():
        _first, total = refunds.pop(order_id, (None, ZERO))
        if total > MAX_ORDER_AMOUNT:
            out.append(Rejected(record.row, f"the refunds of order {shown(order_id)} add up to more than "
                                            f"{MAX_ORDER_AMOUNT:,}"))
            continue
        out.append(record._replace(refunded=total) if total else record)
    for order_id, (first, _total) in refunds.items():
        if order_id in refused:
            reason = f"refund for order {shown(order_id)}, whose order row (row {refused[order_id]:,}) was rejected"
        else:
            reason = f"refund for order {shown(order_id)} whose order row is not in this file"
        out.append(Rejected(first, reason))
    out.sort(key=lambda item: item.row)
    yield from out


def _csv(table: Table, tz: ZoneInfo) -> Iterator[OrderRecord | Rejected]:
    """Our own orders CSV: one row per order, an order id at most once."""
    columns = index(table.header)
    id_at, date_at, amount_at = columns["order_id"], columns["date"], columns["amount"]
    code_at, currency_at, refunded_at = (_getter(columns, name) for name in ("code", "currency", "refunded"))
    campaign_at, content_at = _getter(columns, "utm_campaign"), _getter(columns, "utm_content")
    comma = table.delimiter == ";"
    first_rows: dict[str, int] = {}
    for row, cells in table.rows:
        try:
            order_id = _order_id(cells[id_at], "order_id")
            if order_id in first_rows:
                raise _Bad(f"order {shown(order_id)} appears again (first at row {first_rows[order_id]:,})")
            created, day = _when(cells[date_at], "date", tz)
            record = OrderRecord(
                row=row, order_id=order_id, created=created, order_date=day,
                currency=_currency(currency_at(cells), "currency"),
                subtotal=_money(cells[amount_at], "amount", decimal_comma=comma),
                refunded=_money(refunded_at(cells), "refunded", decimal_comma=comma, blank=ZERO),
                cancelled=False, financial_status=None, codes=_codes(code_at(cells), _COMMAS_OR_SPACES),
                utm_campaign=_text(campaign_at(cells), "utm_campaign", MAX_UTM),
                utm_content=_text(content_at(cells), "utm_content", MAX_UTM),
            )
        except _Bad as bad:
            yield Rejected(row, bad.reason)
            continue
        first_rows[order_id] = row
        yield record


READERS = {"shopify": _shopify, "woocommerce": _woocommerce, "csv": _csv}


def read_orders(table: Table, kind: str, tz: ZoneInfo) -> Iterator[OrderRecord | Rejected]:
    """The orders of a `shopify`, `woocommerce` or `csv` file, in file order; InputError when the header lacks
    a column the kind needs (checked at once, before any row is read)."""
    if kind not in READERS:
        raise ValueError(f"not an orders format: {kind!r}")
    require(table.header, kind)
    return READERS[kind](table, tz)
