"""The two views of a Shopify stand-in order: the REST/webhook JSON, built on a real orders/create body
(`shopify_samples.py`), and the GraphQL Order node, with its connections resolved on demand."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from bot.fakestores.shopify_orders import Discount, Line, Refund, ShopifyOrder, money
from bot.fakestores.shopify_samples import SHOPIFY_ORDER, SHOPIFY_REFUND

__all__ = ["connection", "node_view", "rest_view"]
_ORDER_JSON = json.dumps(SHOPIFY_ORDER)  # json.loads of this is several times faster than deepcopy


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
