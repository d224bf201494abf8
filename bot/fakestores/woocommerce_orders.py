"""Orders of the WooCommerce stand-in: one stored record, its REST v3 JSON (which is also the webhook body), and a
generator fast enough for 20,000 orders.

The JSON starts from a real WooCommerce 10.2.1 delivery (`woocommerce_samples.py`): `*_gmt` dates without an offset, the
site-time dates beside them, `coupon_lines[]` with the keys recent versions add, refunds as negative strings,
and the `_wc_order_attribution_*` meta data. Totals are derived from the lines, coupons and refunds.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from bot.fakestores.woocommerce_samples import WOOCOMMERCE_ORDER

__all__ = ["WooCoupon", "WooLine", "WooOrder", "WooRefund", "decimal", "generate_orders", "rest_view"]
_ORDER_JSON = json.dumps(WOOCOMMERCE_ORDER)
_PRODUCTS = [("Linen Shirt", "LS-01"), ("Trail Runner", "TR-02"), ("Everyday Tote", "ET-03"),
             ("Wool Beanie", "WB-04"), ("Canvas Sneaker", "CS-05"), ("Café Crème Mug", "CM-06")]
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "RUB": "₽", "BRL": "R$"}
PAID = ("processing", "completed")


def money(cents: int) -> str:
    """Cents as WooCommerce's two-decimal string ("-10.00")."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def decimal(cents: int) -> str:
    """Cents as `wc_format_decimal` trims them for coupon lines ("1450", "14.5")."""
    return money(cents).rstrip("0").rstrip(".") if cents % 100 else str(cents // 100)


@dataclass(slots=True)
class WooLine:
    """A line item: `subtotal` before coupons, `total` after, both in cents for the whole quantity."""

    id: int
    name: str
    sku: str
    quantity: int
    subtotal: int
    total: int
    product_id: int = 15


@dataclass(slots=True)
class WooCoupon:
    id: int
    code: str
    discount: int  # cents
    percent: int | None = None  # None: a fixed-cart coupon


@dataclass(slots=True)
class WooRefund:
    id: int
    amount: int  # cents refunded, shown as a negative total
    reason: str = ""


@dataclass(slots=True)
class WooOrder:
    """One stored order; dates are naive UTC (WooCommerce's `*_gmt`)."""

    id: int
    number: str
    status: str
    created: datetime
    modified: datetime
    lines: list[WooLine]
    currency: str = "USD"
    coupons: list[WooCoupon] = field(default_factory=list)
    refunds: list[WooRefund] = field(default_factory=list)
    shipping: int = 0
    customer_id: int = 0
    utm: dict[str, str] = field(default_factory=dict)  # source, medium, campaign, content → attribution meta
    source_type: str = "typein"
    paid: datetime | None = None

    def total(self) -> int:
        """`total` in cents: lines after coupons plus shipping (no taxes in the stand-in's store)."""
        return sum(line.total for line in self.lines) + self.shipping


def _stamp(at: datetime | None) -> str | None:
    return None if at is None else at.strftime("%Y-%m-%dT%H:%M:%S")


def rest_view(order: WooOrder, store_url: str, utc_offset: timedelta) -> dict:
    """The order as `GET /wp-json/wc/v3/orders/<id>` returns it, which is also what a webhook delivers."""
    data = json.loads(_ORDER_JSON)
    local = (lambda at: _stamp(at + utc_offset) if at else None)
    completed = order.modified if order.status == "completed" else None
    key = f"wc_order_{order.id:012x}"
    data.update({
        "id": order.id, "number": order.number, "status": order.status, "currency": order.currency,
        "currency_symbol": _SYMBOLS.get(order.currency, order.currency),
        "date_created": local(order.created), "date_created_gmt": _stamp(order.created),
        "date_modified": local(order.modified), "date_modified_gmt": _stamp(order.modified),
        "date_completed": local(completed), "date_completed_gmt": _stamp(completed),
        "date_paid": local(order.paid), "date_paid_gmt": _stamp(order.paid),
        "discount_total": money(sum(c.discount for c in order.coupons)), "shipping_total": money(order.shipping),
        "total": money(order.total()), "customer_id": order.customer_id, "order_key": key,
        "payment_method": "bacs", "payment_method_title": "Direct bank transfer",
        "needs_payment": order.status in ("pending", "on-hold", "failed"),
        "needs_processing": True, "is_editable": order.status in ("pending", "on-hold"),
        "payment_url": f"{store_url}/checkout/order-pay/{order.id}/?pay_for_order=true&key={key}",
    })
    for part in ("billing", "shipping"):
        data[part] = dict(data[part], country="US")
    entry = f"{store_url}/"
    if order.utm.get("campaign"):
        entry = (f"{store_url}/product/{order.lines[0].sku.lower()}/?utm_source={order.utm.get('source', '')}"
                 f"&utm_medium={order.utm.get('medium', '')}&utm_campaign={order.utm['campaign']}"
                 f"&utm_content={order.utm.get('content', '')}")
    meta = {"source_type": order.source_type, "session_entry": entry, "session_start_time":
            (order.created - timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S"), "session_pages": "4",
            "session_count": "1", "device_type": "Mobile",
            **{f"utm_{k}": v for k, v in order.utm.items() if v}}
    if not order.utm:
        meta["utm_source"] = "(direct)"
    data["meta_data"] = [{"id": order.id * 20 + n, "key": f"_wc_order_attribution_{k}", "value": v}
                         for n, (k, v) in enumerate(meta.items())] + [
        {"id": order.id * 20 + 19, "key": "is_vat_exempt", "value": "no"}]
    line_template = data["line_items"][0]
    data["line_items"] = [dict(line_template, id=line.id, name=line.name, product_id=line.product_id,
                               quantity=line.quantity, subtotal=money(line.subtotal), total=money(line.total),
                               sku=line.sku, price=_price(line.total, line.quantity), taxes=[], meta_data=[])
                          for line in order.lines]
    data["shipping_lines"] = [{"id": order.id * 20 + 18, "method_title": "Flat rate", "method_id": "flat_rate",
                               "instance_id": "1", "total": money(order.shipping), "total_tax": "0.00",
                               "taxes": [], "meta_data": []}] if order.shipping else []
    coupon_template = data["coupon_lines"][0]
    data["coupon_lines"] = [_coupon(coupon_template, c) for c in order.coupons]
    data["refunds"] = [{"id": r.id, "reason": r.reason, "total": money(-r.amount)} for r in order.refunds]
    links = data["_links"]
    links["self"][0]["href"] = f"{store_url}/wp-json/wc/v3/orders/{order.id}"
    links["collection"][0]["href"] = f"{store_url}/wp-json/wc/v3/orders"
    links["email_templates"][0]["href"] = f"{store_url}/wp-json/wc/v3/orders/{order.id}/actions/email_templates"
    links["customer"][0]["href"] = f"{store_url}/wp-json/wc/v3/customers/{order.customer_id}"
    return data


def _price(total: int, quantity: int) -> int | float:
    each = total / max(1, quantity) / 100
    return int(each) if each == int(each) else each


def _coupon(template: dict, coupon: WooCoupon) -> dict:
    kind = "percent" if coupon.percent is not None else "fixed_cart"
    nominal = coupon.percent if coupon.percent is not None else _price(coupon.discount, 1)
    info = json.dumps([coupon.id, coupon.code, kind, nominal, False], separators=(",", ":"))
    meta = dict(template["meta_data"][0], id=coupon.id * 10, value=info, display_value=info)
    return dict(template, id=coupon.id, code=coupon.code, discount=decimal(coupon.discount), discount_tax="0",
                meta_data=[meta], discount_type=kind, nominal_amount=nominal, free_shipping=False)


def generate_orders(count: int, *, start: datetime, end: datetime, first_id: int, codes: list[str],
                    campaigns: list[str], handles: list[str], currency: str, seed: int = 0) -> list[WooOrder]:
    """`count` orders over [start, end] (naive UTC), ids in creation order: about 40% with a coupon, half with
    UTM attribution, most `completed`/`processing`, some `refunded` (in full), partly refunded, pending, failed,
    cancelled or on-hold."""
    rng = random.Random(seed)
    span = max((end - start).total_seconds(), 1.0)
    offsets = sorted(rng.random() * span for _ in range(count))
    statuses = ["completed"] * 60 + ["processing"] * 22 + ["pending"] * 5 + ["on-hold"] * 3 + ["failed"] * 3 + [
        "cancelled"] * 3 + ["refunded"] * 4
    orders = []
    next_id = first_id
    for offset in offsets:
        created = (start + timedelta(seconds=offset)).replace(microsecond=0)
        order_id = next_id
        next_id += rng.randint(2, 6)  # refunds and line items take post ids in between, as on a real store
        lines = []
        for k in range(rng.choice((1, 1, 2, 3))):
            name, sku = rng.choice(_PRODUCTS)
            quantity = rng.choice((1, 1, 2))
            gross = rng.randrange(900, 20000, 100) * quantity
            product_id = 10 + _PRODUCTS.index((name, sku))
            lines.append(WooLine(order_id * 10 + k, name, sku, quantity, gross, gross, product_id))
        coupons = []
        if codes and rng.random() < 0.4:
            pct = rng.choice((10, 15, 20))
            discount = 0
            for line in lines:
                cut = line.subtotal * pct // 100
                line.total = line.subtotal - cut
                discount += cut
            coupons.append(WooCoupon(order_id * 10 + 8, rng.choice(codes).lower(), discount, pct))
        utm = {}
        if campaigns and rng.random() < 0.5:
            utm = {"source": "instagram", "medium": "influencer", "campaign": rng.choice(campaigns),
                   "content": rng.choice(handles) if handles else "creator"}
        status = rng.choice(statuses)
        modified = created + timedelta(seconds=rng.randint(1, 90))
        order = WooOrder(order_id, str(order_id), status, created, modified, lines, currency, coupons,
                         shipping=rng.choice((0, 0, 500)), customer_id=rng.randint(0, 5000), utm=utm,
                         source_type="utm" if utm else rng.choice(("typein", "organic", "referral")),
                         paid=modified if status in ("processing", "completed", "refunded") else None)
        if status == "refunded":
            order.refunds.append(WooRefund(order_id + 1, order.total(), "Returned"))
            order.modified = max(min(order.modified + timedelta(days=rng.randint(1, 10)), end), order.modified)
        elif status in PAID and rng.random() < 0.05:
            order.refunds.append(WooRefund(order_id + 1, min(order.total(), 1000), "Partial refund"))
            order.modified = max(min(order.modified + timedelta(days=rng.randint(1, 10)), end), order.modified)
        orders.append(order)
    return orders


def utc_now(clock_value: float) -> datetime:
    """Naive UTC now from an epoch clock (WooCommerce's `*_gmt` times have no offset)."""
    return datetime.fromtimestamp(clock_value, timezone.utc).replace(tzinfo=None, microsecond=0)
