"""Store payloads as orders (SPEC §8): a Shopify order or a WooCommerce order, as JSON, into the `OrderRecord` the
importers make, so webhooks, syncs and CSV exports of one order are one order and follow the same rules.

Pure: no database. Only the fields the rules need are read; names, e-mails and addresses are never copied.
`order_id` is what the exports call the order (Shopify `name`, WooCommerce `number`), `store_order_id` the store's
numeric id (refunds and deletions name that one), `store_updated_at` the version's time (UTC).

Revenue is mapped onto `subtotal`/`refunded`/`cancelled` so that `metrics.orders.revenue()` gives exactly the
SPEC figure and `counted()` treats a fully refunded order as the exports' rows do (not counted):
`subtotal` = the order before refunds and edits, `refunded` = what refunds and edits took off since.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from bot.errors import InputError
from bot.imports.orders import MAX_ORDER_ID, MAX_STATUS, MAX_UTM, OrderRecord
from bot.limits import check_amount, check_date

ZERO = Decimal("0.00")
_CENT = Decimal("0.01")
MAX_STORE_ID = 32
# WooCommerce statuses whose orders count (paid, or refunded and so netted out); any other status is stored as not
# counted (`cancelled`), so that the order's later change to a paid status updates the same order.
WOO_COUNTED = ("processing", "completed", "refunded")
WOO_UTM = "_wc_order_attribution_utm_"


class PayloadError(ValueError):
    """A payload without a field the rules need, or with one that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Refund:
    """A Shopify `refunds/create`: which order (the store's id) and when, so the order version stored can be told
    to predate it or not. It carries no order totals."""

    store_order_id: str
    created_at: datetime


def _field(payload: dict, name: str, *, required: bool = True):
    if not isinstance(payload, dict):
        raise PayloadError("the body is not a JSON object")
    value = payload.get(name)
    if required and value in (None, ""):
        raise PayloadError(f"`{name}` is missing")
    return value


def _text(value, name: str, limit: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"`{name}` is not text or a number")
    text = str(value).strip()
    if not text or len(text) > limit:
        raise PayloadError(f"`{name}` is empty or longer than {limit} characters")
    return text


def _amount(value, name: str) -> Decimal:
    """A money string (`"195.67"`) or number, in cents, within one order's bounds."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"`{name}` is not an amount")
    try:
        amount = Decimal(str(value).strip()).quantize(_CENT)
    except InvalidOperation:
        raise PayloadError(f"`{name}` is not an amount") from None
    try:
        return check_amount(amount, name)
    except InputError as error:
        raise PayloadError(error.message) from None


def _moment(value, name: str, *, naive_is_utc: bool = False) -> datetime:
    """An ISO 8601 time as UTC; Shopify's carry an offset, WooCommerce's `*_gmt` carry none and are UTC."""
    if not isinstance(value, str):
        raise PayloadError(f"`{name}` is missing or not a time")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"`{name}` is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise PayloadError(f"`{name}` has no UTC offset")
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _day(created: datetime, name: str, tz: ZoneInfo):
    try:
        return check_date(created.astimezone(tz).date(), name)
    except InputError as error:
        raise PayloadError(error.message) from None


def _shop_money(payload: dict, name: str) -> tuple[Decimal, str | None]:
    """The `shop_money` amount and currency of a Shopify `*_set` (the shop's currency, whatever the buyer paid in)."""
    money = payload.get(name)
    money = money.get("shop_money") if isinstance(money, dict) else None
    if not isinstance(money, dict):
        raise PayloadError(f"`{name}.shop_money` is missing")
    currency = money.get("currency_code")
    return _amount(money.get("amount"), f"{name}.shop_money.amount"), currency if isinstance(currency, str) else None


def _currency(value) -> str | None:
    if isinstance(value, str) and len(value.strip()) == 3 and value.strip().isalpha():
        return value.strip().upper()
    return None


def _codes(codes: Iterable) -> tuple[str, ...]:
    """Codes trimmed, without blanks or over-long ones, the first spelling of each (case-insensitively) kept."""
    kept: dict[str, str] = {}
    for code in codes:
        if isinstance(code, str) and code.strip() and len(code.strip()) <= 64:
            kept.setdefault(code.strip().lower(), code.strip())
    return tuple(kept.values())


def _utm(value) -> str | None:
    """A UTM value as the importers keep it: trimmed; None when blank or too long to be a registered name."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text if text and len(text) <= MAX_UTM else None


def _status(value) -> str | None:
    return (value.strip().lower()[:MAX_STATUS] or None) if isinstance(value, str) else None


def _landing_utms(landing_site) -> dict[str, str]:
    """`utm_campaign` / `utm_content` from the query of Shopify's `landing_site` (a path or a full URL)."""
    if not isinstance(landing_site, str) or "?" not in landing_site:
        return {}
    try:
        query = parse_qs(urlsplit(landing_site).query)
    except ValueError:
        return {}
    return {key: values[0] for key in ("utm_campaign", "utm_content") if (values := query.get(key))}


def _note_utms(attributes) -> dict[str, str]:
    """`utm_campaign` / `utm_content` cart attributes (`note_attributes[] {name, value}`), names case-insensitive."""
    found: dict[str, str] = {}
    for item in attributes if isinstance(attributes, list) else ():
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            key = item["name"].strip().lower()
            if key in ("utm_campaign", "utm_content") and _utm(item.get("value")):
                found.setdefault(key, item["value"])
    return found


def shopify_order(payload: dict, tz: ZoneInfo) -> OrderRecord | None:
    """A Shopify order (a webhook body or a REST order) as an order record; None for a test order (ignored)."""
    if _field(payload, "test", required=False) is True:
        return None
    store_id = _text(_field(payload, "id"), "id", MAX_STORE_ID)
    order_id = _text(_field(payload, "name"), "name", MAX_ORDER_ID)
    created = _moment(_field(payload, "created_at"), "created_at")
    updated = _moment(payload["updated_at"], "updated_at") if payload.get("updated_at") else created
    taxes_included = payload.get("taxes_included") is True
    current, currency = _shop_money(payload, "current_subtotal_price_set")
    if taxes_included:
        current -= _shop_money(payload, "current_total_tax_set")[0]
    current = max(current, ZERO)
    # Before refunds and edits: what the order was, so refunds show as refunded (a fully refunded order is not counted).
    if isinstance(payload.get("subtotal_price_set"), dict):
        original = _shop_money(payload, "subtotal_price_set")[0]
        if taxes_included and isinstance(payload.get("total_tax_set"), dict):
            original -= _shop_money(payload, "total_tax_set")[0]
    else:
        original = current
    subtotal = max(original, current)
    status = _status(payload.get("financial_status"))
    applications = payload.get("discount_applications")
    # Only a `discount_code` application carries a code: a draft order's manual discount puts its title in
    # `discount_codes` too, and that is nobody's code.
    codes = _codes(item.get("code") for item in (applications if isinstance(applications, list) else ())
                   if isinstance(item, dict) and item.get("type") == "discount_code")
    utms = {**_landing_utms(payload.get("landing_site")), **_note_utms(payload.get("note_attributes"))}
    return OrderRecord(
        row=1, order_id=order_id, created=created, order_date=_day(created, "created_at", tz),
        currency=_currency(currency) or _currency(payload.get("currency")), subtotal=subtotal,
        refunded=subtotal - current, cancelled=bool(payload.get("cancelled_at")) or status == "voided",
        financial_status=status, codes=codes, utm_campaign=_utm(utms.get("utm_campaign")),
        utm_content=_utm(utms.get("utm_content")), store_order_id=store_id, store_updated_at=updated,
    )


def shopify_refund(payload: dict) -> Refund:
    """A Shopify `refunds/create` body: its order's id and the refund's time."""
    store_id = _text(_field(payload, "order_id"), "order_id", MAX_STORE_ID)
    when = payload.get("processed_at") or payload.get("created_at")
    return Refund(store_order_id=store_id, created_at=_moment(when, "created_at"))


def deleted_id(payload: dict) -> str:
    """The store's id of a deleted order (WooCommerce `order.deleted`, Shopify `orders/delete`: `{"id": N}`)."""
    return _text(_field(payload, "id"), "id", MAX_STORE_ID)


def _meta(payload: dict) -> dict[str, object]:
    items = payload.get("meta_data")
    return {item["key"]: item.get("value") for item in (items if isinstance(items, list) else ())
            if isinstance(item, dict) and isinstance(item.get("key"), str)}


def _sum(items, key: str, name: str) -> Decimal:
    """The sum of `items[].key`, within one order's bounds."""
    if items is None:
        return ZERO
    if not isinstance(items, list):
        raise PayloadError(f"`{name}` is not a list")
    total = sum((_amount(item.get(key), f"{name}[].{key}") for item in items if isinstance(item, dict)), ZERO)
    try:
        return check_amount(total, f"{name}[].{key} (their sum)")
    except InputError as error:
        raise PayloadError(error.message) from None


def woocommerce_order(payload: dict, tz: ZoneInfo) -> OrderRecord:
    """A WooCommerce order (REST v3, as webhooks send it) as an order record."""
    store_id = _text(_field(payload, "id"), "id", MAX_STORE_ID)
    order_id = _text(_field(payload, "number"), "number", MAX_ORDER_ID)
    created = _moment(_field(payload, "date_created_gmt"), "date_created_gmt", naive_is_utc=True)
    modified = payload.get("date_modified_gmt")
    updated = _moment(modified, "date_modified_gmt", naive_is_utc=True) if modified else created
    status = _status(payload.get("status"))
    subtotal = max(_sum(payload.get("line_items"), "total", "line_items"), ZERO)
    # Refund totals are negative; what they took off, up to the order's own amount (revenue is never below 0).
    refunded = min(max(-_sum(payload.get("refunds"), "total", "refunds"), ZERO), subtotal)
    coupons = payload.get("coupon_lines")
    meta = _meta(payload)
    return OrderRecord(
        row=1, order_id=order_id, created=created, order_date=_day(created, "date_created_gmt", tz),
        currency=_currency(payload.get("currency")), subtotal=subtotal, refunded=refunded,
        cancelled=status not in WOO_COUNTED, financial_status=status,
        codes=_codes(item.get("code") for item in (coupons if isinstance(coupons, list) else ())
                     if isinstance(item, dict)),
        utm_campaign=_utm(meta.get(WOO_UTM + "campaign")), utm_content=_utm(meta.get(WOO_UTM + "content")),
        store_order_id=store_id, store_updated_at=updated,
    )
