"""Every real store sample mapped to an order record (bot.stores.payloads): the SPEC §8 figures, worked out here from
each payload's own fields, come out of `metrics.orders.revenue()` and `counted()`."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from bot.stores import payloads
from store_support import sample, sample_names
from metrics.orders import counted, revenue

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14: dates move a day against most shops' own
SHOPIFY_ORDERS = [n for n in sample_names("shopify_order") if "refunds" not in n]
WOO_ORDERS = sample_names("woocommerce_")
PII = ("buyer@example.com", "Jane", "Doe", "1 Example Street", "+15550000000", "203.0.113.10", "Bob Norman")


def money(payload: dict, name: str) -> Decimal:
    return Decimal(payload[name]["shop_money"]["amount"])


def woo_body(raw: dict) -> dict:
    return raw.get("body", raw)


def test_all_seven_samples_are_replayed():
    sample("shopify_orders_create__discount_code_and_utm_landing_site.json")  # skips where ../shared is absent
    assert len(SHOPIFY_ORDERS) == 4 and len(WOO_ORDERS) == 2 and len(sample_names("shopify_refunds")) == 1


@pytest.mark.parametrize("name", SHOPIFY_ORDERS)
def test_a_shopify_order_maps_to_the_spec_record(name):
    payload = sample(name)
    record = payloads.shopify_order(payload, KIRITIMATI)

    expected = money(payload, "current_subtotal_price_set")
    if payload["taxes_included"]:
        expected -= money(payload, "current_total_tax_set")
    if payload["cancelled_at"] or payload["financial_status"] == "voided":
        expected = Decimal(0)
    created = datetime.fromisoformat(payload["created_at"])
    query = parse_qs(urlsplit(payload.get("landing_site") or "").query)
    assert record.order_id == payload["name"]
    assert record.store_order_id == str(payload["id"])
    assert record.store_updated_at == datetime.fromisoformat(payload["updated_at"]).astimezone(timezone.utc)
    assert record.created == created.astimezone(timezone.utc)
    assert record.order_date == created.astimezone(KIRITIMATI).date()
    assert record.currency == payload["current_subtotal_price_set"]["shop_money"]["currency_code"]
    assert revenue(record.subtotal, record.refunded, record.cancelled) == max(expected, Decimal(0))
    assert record.codes == tuple(a["code"] for a in payload["discount_applications"] if a["type"] == "discount_code")
    assert record.utm_campaign == query.get("utm_campaign", [None])[0]
    assert record.utm_content == query.get("utm_content", [None])[0]
    assert not any(value in repr(record) for value in PII)


def test_a_fully_refunded_shopify_order_is_not_counted_and_a_partial_refund_is():
    cancelled = payloads.shopify_order(sample("shopify_orders_cancelled__refunded_with_script_discount.json"),
                                       KIRITIMATI)
    partial = payloads.shopify_order(sample("shopify_order__partially_refunded__shopify_docs_fixture.json"), KIRITIMATI)
    assert not counted(cancelled.subtotal, cancelled.refunded, cancelled.cancelled)
    assert counted(partial.subtotal, partial.refunded, partial.cancelled)
    uncancelled = copy.deepcopy(sample("shopify_orders_cancelled__refunded_with_script_discount.json"))
    uncancelled["cancelled_at"] = None  # refunded in full, not cancelled: still not counted, as the export's rows
    record = payloads.shopify_order(uncancelled, KIRITIMATI)
    assert revenue(record.subtotal, record.refunded, record.cancelled) == 0
    assert not counted(record.subtotal, record.refunded, record.cancelled)


def test_a_draft_orders_manual_discount_title_is_not_a_code():
    payload = sample("shopify_orders_create__draft_order_manual_discount.json")
    assert payload["discount_codes"][0]["code"] == "STAFF-TEST-0123B"
    assert payloads.shopify_order(payload, KIRITIMATI).codes == ()


def test_a_shopify_test_order_is_ignored_and_a_voided_one_brings_nothing():
    payload = copy.deepcopy(sample("shopify_orders_create__discount_code_and_utm_landing_site.json"))
    assert payloads.shopify_order({**payload, "test": True}, KIRITIMATI) is None
    voided = payloads.shopify_order({**payload, "financial_status": "voided"}, KIRITIMATI)
    assert voided.cancelled and revenue(voided.subtotal, voided.refunded, voided.cancelled) == 0


def test_note_attributes_give_utm_values_too():
    payload = copy.deepcopy(sample("shopify_order__partially_refunded__shopify_docs_fixture.json"))
    payload["note_attributes"] = [{"name": "UTM_Campaign", "value": "spring"}, {"name": "utm_content", "value": "ana"}]
    record = payloads.shopify_order(payload, KIRITIMATI)
    assert (record.utm_campaign, record.utm_content) == ("spring", "ana")


def test_the_shop_currency_is_used_whatever_the_buyer_paid_in():
    payload = copy.deepcopy(sample("shopify_order__partially_refunded__shopify_docs_fixture.json"))
    payload["current_subtotal_price_set"]["presentment_money"] = {"amount": "999.00", "currency_code": "EUR"}
    record = payloads.shopify_order(payload, KIRITIMATI)
    assert record.currency == "USD" and revenue(record.subtotal, record.refunded, record.cancelled) == money(
        payload, "current_subtotal_price_set")


def test_a_shopify_refund_names_its_order_and_time():
    payload = sample("shopify_refunds_create__amount_only_refund_discrepancy.json")
    refund = payloads.shopify_refund(payload)
    assert refund.store_order_id == str(payload["order_id"])
    assert refund.created_at == datetime.fromisoformat(payload["processed_at"]).astimezone(timezone.utc)


@pytest.mark.parametrize("name", WOO_ORDERS)
@pytest.mark.parametrize("status", ["sample", "processing", "refunded", "pending", "on-hold", "cancelled", "failed"])
def test_a_woocommerce_order_maps_to_the_spec_record(name, status):
    payload = copy.deepcopy(woo_body(sample(name)))
    if status != "sample":
        payload["status"] = status
    record = payloads.woocommerce_order(payload, KIRITIMATI)

    paid = payload["status"] in ("processing", "completed", "refunded")
    expected = (sum(Decimal(i["total"]) for i in payload["line_items"])
                + sum(Decimal(r["total"]) for r in payload["refunds"]))
    created = datetime.fromisoformat(payload["date_created_gmt"]).replace(tzinfo=timezone.utc)
    meta = {m["key"]: m["value"] for m in payload["meta_data"]}
    assert (record.order_id, record.store_order_id) == (payload["number"], str(payload["id"]))
    assert (record.created, record.order_date) == (created, created.astimezone(KIRITIMATI).date())
    assert record.store_updated_at == datetime.fromisoformat(payload["date_modified_gmt"]).replace(tzinfo=timezone.utc)
    assert record.currency == payload["currency"]
    assert revenue(record.subtotal, record.refunded, record.cancelled) == (max(expected, Decimal(0)) if paid else 0)
    assert counted(record.subtotal, record.refunded, record.cancelled) is (paid and not (
        expected <= 0 < -sum(Decimal(r["total"]) for r in payload["refunds"])))
    assert record.codes == tuple(c["code"] for c in payload["coupon_lines"])
    assert record.utm_campaign == meta.get("_wc_order_attribution_utm_campaign")
    assert record.utm_content == meta.get("_wc_order_attribution_utm_content")
    assert not any(value in repr(record) for value in PII)


@pytest.mark.parametrize(("change", "named"), [
    ({"created_at": None}, "created_at"), ({"created_at": "yesterday"}, "created_at"), ({"name": ""}, "name"),
    ({"current_subtotal_price_set": {}}, "current_subtotal_price_set"),
    ({"current_subtotal_price_set": {"shop_money": {"amount": "1e12", "currency_code": "USD"}}}, "current_subtotal"),
    ({"created_at": "1999-12-30T10:00:00+00:00"}, "created_at"),
])
def test_a_shopify_order_without_a_usable_field_is_refused_naming_it(change, named):
    payload = {**sample("shopify_order__partially_refunded__shopify_docs_fixture.json"), **change}
    with pytest.raises(payloads.PayloadError, match=named):
        payloads.shopify_order(payload, KIRITIMATI)
