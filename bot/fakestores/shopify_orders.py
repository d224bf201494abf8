"""Orders of the Shopify stand-in: one stored record, two views of it (the REST/webhook JSON and the GraphQL
Order node), and a generator fast enough for 20,000 realistic orders.

Amounts are kept in cents and every total is derived from the lines, discounts and refunds, so the two views and
the facts' rules agree: `current_subtotal_price` drops refunded lines (a refund of an amount only is a
`refund_discrepancy` adjustment and leaves it alone), a cancelled order is refunded in full, and taxes are inside
the prices when `taxes_included` is true. The REST view starts from a real orders/create body (`samples.py`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from bot.fakestores.samples import SHOPIFY_ORDER, SHOPIFY_REFUND

__all__ = ["Discount", "Line", "Refund", "ShopifyOrder", "generate_orders", "money", "rest_view", "node_view"]
_ORDER_JSON = json.dumps(SHOPIFY_ORDER)  # json.loads of this is several times faster than deepcopy
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


def _set(cents: int, currency: str) -> dict:
    amount = {"amount": money(cents), "currency_code": currency}
    return {"shop_money": amount, "presentment_money": dict(amount)}


def _stamp(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="seconds")


def rest_view(order: ShopifyOrder, shop: str) -> dict:
    """The order as a REST resource / webhook body: the real sample's keys and nesting with this order's values."""
    data = json.loads(_ORDER_JSON)
    cur, t = order.currency, order.totals()
    amounts = order._line_amounts()
    data.update({
        "id": order.id, "admin_graphql_api_id": f"gid://shopify/Order/{order.id}", "name": order.name,
        "number": order.number, "order_number": order.number + 1000,
        "confirmation_number": f"C{order.id % 10**8:08d}", "checkout_id": order.id + 20_000_000_000_000,
        "created_at": _stamp(order.created_at), "processed_at": _stamp(order.created_at),
        "updated_at": _stamp(order.updated_at), "cancelled_at": _stamp(order.cancelled_at),
        "cancel_reason": order.cancel_reason, "closed_at": _stamp(order.cancelled_at),
        "currency": cur, "presentment_currency": cur, "test": order.test, "source_name": order.source_name,
        "financial_status": order.display_financial_status(), "taxes_included": order.taxes_included,
        "landing_site": order.landing_site, "landing_site_ref": None, "referring_site": order.referring_site,
        "note_attributes": [{"name": k, "value": v} for k, v in order.note_attributes],
        "customer_locale": "en", "total_weight": 300 * len(order.lines),
        "order_status_url": f"https://{shop}/00000000/orders/{order.id:x}/authenticate?key=REDACTED",
        "payment_gateway_names": ["bogus"] if order.test else ["shopify_payments"],
    })
    for key, cents in (("current_subtotal_price", t["current_subtotal"]), ("current_total_discounts",
                       t["current_discounts"]), ("current_total_price", t["current_total"]),
                       ("current_total_tax", t["current_tax"]), ("subtotal_price", t["subtotal"]),
                       ("total_discounts", t["discounts"]), ("total_line_items_price", t["line_items"]),
                       ("total_price", t["total"]), ("total_tax", t["tax"])):
        data[key] = money(cents)
        data[key + "_set"] = _set(cents, cur)
    data["current_shipping_price_set"] = _set(t["current_shipping"], cur)
    data["total_shipping_price_set"] = _set(order.shipping, cur)
    data["total_outstanding"] = money(t["outstanding"])
    for key in ("total_cash_rounding_payment_adjustment_set", "total_cash_rounding_refund_adjustment_set"):
        data[key] = _set(0, cur)
    data["discount_codes"] = [{"code": d.code, "amount": money(d.amount), "type": d.value_type}
                              for d in order.codes()]
    data["discount_applications"] = [_rest_application(d) for d in order.discounts]
    tax_title = "Tax"
    data["tax_lines"] = [{"price": money(t["tax"]), "rate": order.tax_rate, "title": tax_title,
                          "price_set": _set(t["tax"], cur), "channel_liable": False}] if order.tax_rate else []
    data["customer"] = dict(data["customer"], id=order.customer_id,
                            admin_graphql_api_id=f"gid://shopify/Customer/{order.customer_id}", currency=cur,
                            created_at=_stamp(order.created_at), updated_at=_stamp(order.created_at))
    data["customer"]["default_address"] = dict(data["customer"]["default_address"], customer_id=order.customer_id)
    line_template = data["line_items"][0]
    allocs = order.allocations()
    gone = order.refunded_line_ids
    data["line_items"] = [_rest_line(line_template, line, amounts[line.id], allocs[line.id], line.id in gone,
                                     order, cur) for line in order.lines]
    shipping = data["shipping_lines"][0]
    data["shipping_lines"] = [dict(shipping, id=order.id + 1, price=money(order.shipping),
                                   price_set=_set(order.shipping, cur),
                                   discounted_price=money(order.shipping),
                                   discounted_price_set=_set(order.shipping, cur),
                                   current_discounted_price_set=_set(t["current_shipping"], cur),
                                   discount_allocations=[])]
    lines_by_id = {item["id"]: item for item in data["line_items"]}
    data["refunds"] = [_rest_refund(order, r, amounts, lines_by_id, cur) for r in order.refunds]
    return data


def _rest_application(d: Discount) -> dict:
    app = {"target_type": "line_item", "type": d.kind, "value": d.value or money(d.amount),
           "value_type": d.value_type, "allocation_method": "across", "target_selection": "all"}
    if d.kind == "discount_code":
        app["code"] = d.code
    else:
        app["title"] = d.code
        app["description"] = d.code
    return app


def _rest_line(template: dict, line: Line, amounts: tuple[int, int, int], allocs: list, refunded: bool,
               order: ShopifyOrder, cur: str) -> dict:
    gross, discount, tax = amounts
    item = dict(template, id=line.id, admin_graphql_api_id=f"gid://shopify/LineItem/{line.id}", name=line.title,
                title=line.title, variant_title=None, vendor="ROI Test Store", price=money(line.price),
                price_set=_set(line.price, cur), quantity=line.quantity,
                current_quantity=0 if refunded else line.quantity, fulfillable_quantity=0 if refunded else
                line.quantity, product_id=line.id // 10 + 1, variant_id=line.id // 10 + 2, sku=None,
                properties=[], total_discount="0.00", total_discount_set=_set(0, cur))
    item["tax_lines"] = [{"channel_liable": False, "price": money(tax), "price_set": _set(tax, cur),
                          "rate": order.tax_rate, "title": "Tax"}] if order.tax_rate else []
    item["discount_allocations"] = [{"amount": money(a), "amount_set": _set(a, cur),
                                     "discount_application_index": i} for i, a in allocs]
    return item


def _rest_refund(order: ShopifyOrder, refund: Refund, amounts: dict, lines_by_id: dict, cur: str) -> dict:
    data = {k: v for k, v in SHOPIFY_REFUND.items()}
    stamp = _stamp(refund.created_at)
    total = order.refund_amount(refund)
    data.update({"id": refund.id, "admin_graphql_api_id": f"gid://shopify/Refund/{refund.id}",
                 "order_id": order.id, "created_at": stamp, "processed_at": stamp, "note": refund.note,
                 "restock": bool(refund.line_ids), "user_id": None, "duties": [],
                 "total_duties_set": _set(0, cur)})
    data["refund_line_items"] = [{
        "id": refund.id + n + 1, "line_item_id": i, "location_id": None, "quantity": lines_by_id[i]["quantity"],
        "restock_type": refund.restock_type, "subtotal": (amounts[i][0] - amounts[i][1]) / 100,
        "subtotal_set": _set(amounts[i][0] - amounts[i][1], cur), "total_tax": amounts[i][2] / 100,
        "total_tax_set": _set(amounts[i][2], cur), "line_item": lines_by_id[i]} for n, i in enumerate(refund.line_ids)]
    data["transactions"] = [{
        "id": refund.id + 100, "admin_graphql_api_id": f"gid://shopify/OrderTransaction/{refund.id + 100}",
        "order_id": order.id, "kind": "refund", "gateway": "bogus" if order.test else "shopify_payments",
        "status": "success", "message": None, "created_at": stamp, "test": order.test, "authorization": None,
        "location_id": None, "user_id": None, "parent_id": order.id + 200, "processed_at": stamp,
        "device_id": None, "error_code": None, "source_name": "web", "receipt": {}, "amount": money(total),
        "currency": cur}] if total else []
    adjustments = []
    for n, (kind, cents, reason) in enumerate((("shipping_refund", refund.shipping, "Shipping refund"),
                                               ("refund_discrepancy", refund.discrepancy, "Refund discrepancy"))):
        if cents:
            adjustments.append({"id": refund.id + 50 + n, "order_id": order.id, "refund_id": refund.id,
                                "amount": money(-cents), "tax_amount": "0.00", "kind": kind, "reason": reason,
                                "amount_set": _set(-cents, cur), "tax_amount_set": _set(0, cur)})
    data["order_adjustments"] = adjustments
    return data


# -- GraphQL view ----------------------------------------------------------------------------------------------


def _utc(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bag(cents: int, currency: str) -> dict:
    amount = {"__typename": "MoneyV2", "amount": money(cents), "currencyCode": currency}
    return {"__typename": "MoneyBag", "shopMoney": amount, "presentmentMoney": dict(amount)}


def connection(items: list, typename: str) -> Callable[[dict], dict]:
    """A nested connection field (`discountApplications(first: 5)`): the first N items, no further pages."""
    def resolve(args: dict) -> dict:
        count = args.get("first") or args.get("last") or len(items)
        page = items[:count]
        cursors = [f"c{i}" for i in range(len(page))]
        return {"__typename": f"{typename}Connection", "nodes": page,
                "edges": [{"__typename": f"{typename}Edge", "cursor": c, "node": n} for c, n in zip(cursors, page)],
                "pageInfo": {"__typename": "PageInfo", "hasNextPage": len(items) > count, "hasPreviousPage": False,
                             "startCursor": cursors[0] if cursors else None,
                             "endCursor": cursors[-1] if cursors else None}}
    return resolve


def _graphql_application(d: Discount, index: int, currency: str) -> dict:
    typename = {"discount_code": "DiscountCodeApplication", "manual": "ManualDiscountApplication",
                "automatic": "AutomaticDiscountApplication", "script": "ScriptDiscountApplication"}[d.kind]
    if d.value_type == "percentage":
        value = {"__typename": "PricingPercentageValue", "percentage": float(d.value or 0)}
    else:
        value = {"__typename": "MoneyV2", "amount": d.value or money(d.amount), "currencyCode": currency}
    app = {"__typename": typename, "index": index, "allocationMethod": "ACROSS", "targetSelection": "ALL",
           "targetType": "LINE_ITEM", "value": value}
    if d.kind == "discount_code":
        app["code"] = d.code
    else:
        app["title"] = d.code
        if d.kind == "manual":
            app["description"] = d.code
    return app


def _visit(order: ShopifyOrder, shop: str) -> dict:
    query = parse_qs(urlsplit(order.landing_site or "").query)
    utm = {key: (query.get(f"utm_{key}") or [None])[0] for key in ("source", "medium", "campaign", "content", "term")}
    has_utm = any(utm.values())
    return {"__typename": "CustomerVisit", "id": f"gid://shopify/CustomerVisit/{order.id}",
            "landingPage": f"https://{shop}{order.landing_site}" if order.landing_site else None,
            "referrerUrl": order.referring_site, "referralCode": None,
            "source": utm["source"] or ("direct" if not order.referring_site else "referral"),
            "sourceType": None, "sourceDescription": None, "occurredAt": _utc(order.created_at - timedelta(minutes=7)),
            "utmParameters": {"__typename": "UTMParameters", **utm} if has_utm else None}


def node_view(order: ShopifyOrder, shop: str) -> dict:
    """The order as a GraphQL Order object (every field the facts list; the query picks what it returns)."""
    cur, t = order.currency, order.totals()
    codes = [d.code for d in order.discounts if d.kind == "discount_code"]
    visit = _visit(order, shop) if order.journey_ready else None
    refunds = [{"__typename": "Refund", "id": f"gid://shopify/Refund/{r.id}", "createdAt": _utc(r.created_at),
                "note": r.note, "totalRefundedSet": _bag(order.refund_amount(r), cur)} for r in order.refunds]
    allocs = order._line_amounts()
    gone = order.refunded_line_ids
    lines = [{"__typename": "LineItem", "id": f"gid://shopify/LineItem/{line.id}", "name": line.title,
              "title": line.title, "quantity": line.quantity,
              "currentQuantity": 0 if line.id in gone else line.quantity,
              "originalUnitPriceSet": _bag(line.price, cur), "originalTotalSet": _bag(allocs[line.id][0], cur),
              "discountedTotalSet": _bag(allocs[line.id][0] - allocs[line.id][1], cur),
              "totalDiscountSet": _bag(allocs[line.id][1], cur)} for line in order.lines]
    return {
        "__typename": "Order", "id": f"gid://shopify/Order/{order.id}", "legacyResourceId": str(order.id),
        "name": order.name, "createdAt": _utc(order.created_at), "processedAt": _utc(order.created_at),
        "updatedAt": _utc(order.updated_at), "cancelledAt": _utc(order.cancelled_at),
        "cancelReason": order.cancel_reason.upper() if order.cancel_reason else None,
        "closed": bool(order.cancelled_at),
        "test": order.test, "sourceName": order.source_name,
        "displayFinancialStatus": order.display_financial_status().upper(), "currencyCode": cur,
        "presentmentCurrencyCode": cur, "taxesIncluded": order.taxes_included,
        "discountCode": codes[0] if codes else None, "discountCodes": codes,
        "customAttributes": [{"__typename": "Attribute", "key": k, "value": v} for k, v in order.note_attributes],
        "discountApplications": connection([_graphql_application(d, i, cur) for i, d in enumerate(order.discounts)],
                                           "DiscountApplication"),
        "lineItems": connection(lines, "LineItem"),
        "subtotalPriceSet": _bag(t["subtotal"], cur), "currentSubtotalPriceSet": _bag(t["current_subtotal"], cur),
        "totalPriceSet": _bag(t["total"], cur), "currentTotalPriceSet": _bag(t["current_total"], cur),
        "totalTaxSet": _bag(t["tax"], cur), "currentTotalTaxSet": _bag(t["current_tax"], cur),
        "totalDiscountsSet": _bag(t["discounts"], cur), "currentTotalDiscountsSet": _bag(t["current_discounts"], cur),
        "totalRefundedSet": _bag(t["refunded"], cur), "totalRefundedShippingSet": _bag(t["shipping_refunded"], cur),
        "netPaymentSet": _bag(t["net_payment"], cur), "refundDiscrepancySet": _bag(t["discrepancy"], cur),
        "totalShippingPriceSet": _bag(order.shipping, cur),
        "refunds": lambda args: refunds[: args.get("first") or len(refunds)],
        "customerJourneySummary": {
            "__typename": "CustomerJourneySummary", "ready": order.journey_ready,
            "daysToConversion": 0 if order.journey_ready else None,
            "customerOrderIndex": 0 if order.journey_ready else None,
            "momentsCount": {"__typename": "Count", "count": 1, "precision": "EXACT"} if visit else None,
            "firstVisit": visit, "lastVisit": visit},
    }


# -- generator -------------------------------------------------------------------------------------------------


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
