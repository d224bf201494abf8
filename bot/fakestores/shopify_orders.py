"""Orders of the Shopify stand-in: one stored record and a generator fast enough for 20,000 realistic orders; the
two views of a record (the REST/webhook JSON and the GraphQL Order node) are in shopify_views.py.

Amounts are kept in cents and every total is derived from the lines, discounts and refunds, so the two views and
the facts' rules agree: `current_subtotal_price` drops refunded lines (a refund of an amount only is a
`refund_discrepancy` adjustment and leaves it alone), a cancelled order is refunded in full, and taxes are inside
the prices when `taxes_included` is true. The REST view starts from a real orders/create body (`shopify_samples.py`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any


__all__ = ["Discount", "Line", "Refund", "ShopifyOrder", "generate_orders", "money", "parse_stamp"]
_PRODUCTS = ["Linen Shirt", "Trail Runner", "Everyday Tote", "Wool Beanie", "Canvas Sneaker", "Silk Scarf",
             "Rain Jacket", "Yoga Mat", "Travel Mug", "Denim Jacket"]


def money(cents: int) -> str:
    """Cents as Shopify's money string: 2190.00 for 219000, never through a float."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@dataclass(slots=True)
class Line:
    """A line item: `price` is the unit price in cents."""

    id: int
    title: str
    price: int
    quantity: int = 1


@dataclass(slots=True)
class Discount:
    """A discount application; `kind` is Shopify's type: discount_code, manual, automatic or script."""

    kind: str
    code: str  # the code for discount_code, the title otherwise
    amount: int  # cents taken off the lines, allocated across them by value
    value_type: str = "fixed_amount"  # or "percentage"
    value: str = ""  # "10.0" (percent) or "5.0" (money), as discount_applications[].value


@dataclass(slots=True)
class Refund:
    """A refund: whole lines, plus shipping, plus an amount beyond the lines (recorded as refund_discrepancy)."""

    id: int
    created_at: datetime
    line_ids: tuple[int, ...] = ()
    shipping: int = 0
    discrepancy: int = 0
    note: str | None = None
    restock_type: str = "return"
    paid: bool = True  # False: nothing was captured, so no transaction (cancelling an unpaid order)


@dataclass(slots=True)
class ShopifyOrder:
    """One stored order; totals are derived (see the module docstring)."""

    id: int
    number: int  # Shopify's `number`; `order_number` is number + 1000 and `name` is "#" + order_number by default
    name: str
    created_at: datetime  # aware, in the shop's offset
    updated_at: datetime
    lines: list[Line]
    currency: str = "USD"
    discounts: list[Discount] = field(default_factory=list)
    taxes_included: bool = False
    tax_rate: float = 0.0
    shipping: int = 0
    landing_site: str | None = None
    referring_site: str | None = None
    source_name: str = "web"
    note_attributes: list[tuple[str, str]] = field(default_factory=list)
    financial_status: str = "paid"  # as paid for; refunds turn it into partially_refunded/refunded
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    test: bool = False
    refunds: list[Refund] = field(default_factory=list)
    customer_id: int = 0
    journey_ready: bool = True

    # -- derived amounts (cents) -----------------------------------------------------------------------------

    def allocations(self) -> dict[int, list[tuple[int, int]]]:
        """Line id → [(discount index, cents)], each discount spread over the lines by value, remainder last."""
        gross = {line.id: line.price * line.quantity for line in self.lines}
        total = sum(gross.values()) or 1
        out: dict[int, list[tuple[int, int]]] = {line.id: [] for line in self.lines}
        for index, discount in enumerate(self.discounts):
            left = discount.amount
            for n, line in enumerate(self.lines):
                part = left if n == len(self.lines) - 1 else discount.amount * gross[line.id] // total
                left -= part
                out[line.id].append((index, part))
        return out

    def _line_amounts(self) -> dict[int, tuple[int, int, int]]:
        """Line id → (gross, discount, tax) in cents."""
        allocs = self.allocations()
        out = {}
        for line in self.lines:
            gross = line.price * line.quantity
            discount = sum(a for _, a in allocs[line.id])
            net = gross - discount
            rate = self.tax_rate
            tax = round(net * rate / (1 + rate)) if self.taxes_included else round(net * rate)
            out[line.id] = (gross, discount, tax)
        return out

    @property
    def refunded_line_ids(self) -> set[int]:
        return {i for r in self.refunds for i in r.line_ids}

    def totals(self) -> dict[str, int]:
        """Every order-level amount both views show, in cents."""
        amounts = self._line_amounts()
        gone = self.refunded_line_ids
        left = {k: v for k, v in amounts.items() if k not in gone}
        gross = sum(g for g, _, _ in amounts.values())
        discounts = sum(d for _, d, _ in amounts.values())
        tax = sum(t for _, _, t in amounts.values())
        cur_discounts = sum(d for _, d, _ in left.values())
        cur_subtotal = sum(g - d for g, d, _ in left.values())
        cur_tax = sum(t for _, _, t in left.values())
        extra_tax = 0 if self.taxes_included else 1
        shipping_refunded = sum(r.shipping for r in self.refunds)
        subtotal = gross - discounts
        total = subtotal + self.shipping + extra_tax * tax
        refunded = sum(self.refund_amount(r) for r in self.refunds)
        discrepancy = sum(r.discrepancy for r in self.refunds)
        received = 0 if self.financial_status in ("pending", "authorized", "voided", "expired") else total
        return {
            "line_items": gross, "discounts": discounts, "tax": tax, "subtotal": subtotal, "total": total,
            "current_discounts": cur_discounts, "current_subtotal": cur_subtotal, "current_tax": cur_tax,
            "current_shipping": self.shipping - shipping_refunded,
            "current_total": cur_subtotal + self.shipping - shipping_refunded + extra_tax * cur_tax,
            "refunded": refunded, "discrepancy": discrepancy, "shipping_refunded": shipping_refunded,
            "net_payment": received - refunded, "outstanding": total - received,
        }

    def refund_amount(self, refund: Refund) -> int:
        """What a refund paid back, in cents: its lines (with their tax when it was added on top), shipping and any
        amount beyond the lines."""
        if not refund.paid:
            return 0
        amounts = self._line_amounts()
        extra_tax = 0 if self.taxes_included else 1
        lines = sum(amounts[i][0] - amounts[i][1] + extra_tax * amounts[i][2] for i in refund.line_ids)
        return lines + refund.shipping + refund.discrepancy

    def display_financial_status(self) -> str:
        """financial_status as Shopify shows it after refunds: paid, partially_refunded, refunded, voided, …"""
        if self.financial_status != "paid":
            return self.financial_status
        refunded = sum(self.refund_amount(r) for r in self.refunds)
        if refunded <= 0:
            return "paid"
        return "refunded" if refunded >= self.totals()["total"] else "partially_refunded"

    def codes(self) -> list[Discount]:
        """What lands in REST `discount_codes[]`: real codes and, as on draft orders, manual discounts' titles."""
        return [d for d in self.discounts if d.kind in ("discount_code", "manual")]


# -- REST / webhook view ---------------------------------------------------------------------------------------


def generate_orders(count: int, *, start: datetime, end: datetime, first_id: int, first_number: int,
                    codes: list[str], campaigns: list[str], handles: list[str], currency: str, tz: timezone,
                    taxes_included: bool, tax_rate: float, seed: int = 0, name_prefix: str = "#") -> list[ShopifyOrder]:
    """`count` orders spread over [start, end], numbered in creation order: about 40% with an influencer's code,
    half with a UTM landing_site, and some refunded (in part or in full), cancelled, test, draft (manual discount)
    or refunded by an amount only."""
    rng = random.Random(seed)
    span = max((end - start).total_seconds(), 1.0)
    offsets = sorted(rng.random() * span for _ in range(count))
    orders = []
    ids = first_id
    for n, offset in enumerate(offsets):
        created = (start + timedelta(seconds=offset)).astimezone(tz).replace(microsecond=0)
        ids += rng.randint(1, 900)
        lines = [Line(ids * 10 + k, rng.choice(_PRODUCTS), rng.randrange(900, 20000, 100), rng.choice((1, 1, 1, 2)))
                 for k in range(rng.choice((1, 1, 2, 3)))]
        gross = sum(line.price * line.quantity for line in lines)
        roll = rng.random()
        discounts: list[Discount] = []
        source, landing, referrer, attributes = "web", "/", None, []
        if roll < 0.4 and codes:
            code = rng.choice(codes)
            if rng.random() < 0.7:
                pct = rng.choice((10, 15, 20))
                discounts.append(Discount("discount_code", code, gross * pct // 100, "percentage", f"{pct}.0"))
            else:
                discounts.append(Discount("discount_code", code, min(1000, gross // 2), "fixed_amount", "10.0"))
        elif roll < 0.42:
            source = "shopify_draft_order"
            discounts.append(Discount("manual", f"STAFF-{rng.randint(1000, 9999)}", gross // 10, "percentage", "10.0"))
        if source == "web" and rng.random() < 0.5 and campaigns:
            campaign, handle = rng.choice(campaigns), rng.choice(handles) if handles else "creator"
            landing = (f"/products/{lines[0].title.lower().replace(' ', '-')}?utm_source=instagram"
                       f"&utm_medium=influencer&utm_campaign={campaign}&utm_content={handle}")
            referrer = "https://l.instagram.com/"
            if rng.random() < 0.1:
                attributes = [("utm_campaign", campaign), ("utm_content", handle)]
        elif source != "web":
            landing = None
        order = ShopifyOrder(
            id=ids, number=first_number + n, name=f"{name_prefix}{first_number + n + 1000}", created_at=created,
            updated_at=created + timedelta(seconds=rng.randint(1, 90)), lines=lines, currency=currency,
            discounts=discounts, taxes_included=taxes_included, tax_rate=tax_rate,
            shipping=rng.choice((0, 0, 499, 999)), landing_site=landing, referring_site=referrer, source_name=source,
            note_attributes=attributes, test=rng.random() < 0.01, customer_id=7_000_000_000_000 + ids % 10**9)
        fate = rng.random()
        later = max(min(order.updated_at + timedelta(hours=rng.randint(2, 240)), end), order.updated_at)
        if fate < 0.04:
            order.refunds.append(Refund(ids + 1, later, tuple(line.id for line in lines), order.shipping, 0, "return"))
        elif fate < 0.10:
            order.refunds.append(Refund(ids + 1, later, (lines[0].id,), 0, 0, "damaged"))
        elif fate < 0.11:
            order.refunds.append(Refund(ids + 1, later, (), 0, 100, "goodwill"))
        elif fate < 0.13:
            order.cancelled_at, order.cancel_reason = later, "customer"
            order.refunds.append(Refund(ids + 1, later, tuple(line.id for line in lines), order.shipping,
                                        restock_type="cancel"))
        if order.refunds:
            order.updated_at = later
        orders.append(order)
    return orders


def parse_stamp(text: Any) -> datetime:
    """An ISO 8601 time from a search query or a test (`Z`, an offset, or none for UTC)."""
    value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
