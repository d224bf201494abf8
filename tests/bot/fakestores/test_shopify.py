"""The Shopify stand-in answers as ../shared/stores/README.md says Shopify does: tokens and signed webhooks; its
orders have the real samples' fields (the GraphQL API: test_shopify_graphql.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from bot.fakestores import shopify_samples as samples
from bot.fakestores.shopify import INVALID_TOKEN, FakeShopify
from shopify_support import SHOPIFY_SAMPLES, SPEC_FIELDS, Clock, grant, graphql, started_shop

shop = pytest.fixture(started_shop)


# -- tokens ----------------------------------------------------------------------------------------------------


def test_client_credentials_grant_gives_a_token_that_works(http, shop):
    status, _, body = grant(http, shop)
    assert status == 200 and set(body) == {"access_token", "scope", "expires_in"}
    assert body["access_token"].startswith("shpat_test_") and body["expires_in"] == 86399
    assert graphql(http, shop, "{ shop { name } }", token=body["access_token"])[0] == 200
    assert shop.calls_to("token")[0].status == 200


@pytest.mark.parametrize("form, status, error", [
    ({"client_id": "someone-else"}, 400, "invalid_request"),
    ({"client_secret": "wrong"}, 401, "invalid_client"),
    ({"grant_type": "authorization_code"}, 400, "unsupported_grant_type"),
])
def test_the_grant_refuses_wrong_credentials(http, shop, form, status, error):
    got, _, body = grant(http, shop, **form)
    assert (got, body["error"]) == (status, error)
    assert not any(t.startswith("shpat_test_") and t != shop.access_token for t in shop.tokens)


@pytest.fixture
def clock():
    return Clock()


def test_a_token_stops_working_when_it_expires(http, clock):
    with FakeShopify(token_ttl=60, clock=clock, access_token=None) as shop:
        token = grant(http, shop)[2]["access_token"]
        assert graphql(http, shop, "{ shop { name } }", token=token)[0] == 200
        clock.now += 61
        status, _, body = graphql(http, shop, "{ shop { name } }", token=token)
        assert (status, body) == (401, INVALID_TOKEN)
        fresh = grant(http, shop)[2]["access_token"]
        assert graphql(http, shop, "{ shop { name } }", token=fresh)[0] == 200


@pytest.mark.parametrize("token", ["", "shpat_test_unknown"])
def test_a_missing_or_unknown_token_is_401(http, shop, token):
    url = f"{shop.base_url}/admin/api/2025-10/graphql.json"
    headers = {"Content-Type": "application/json", **({"X-Shopify-Access-Token": token} if token else {})}
    status, _, body = http(url, data=b'{"query": "{ shop { name } }"}', headers=headers)
    assert (status, body) == (401, INVALID_TOKEN)


def test_expire_tokens_expires_the_configured_token_too(http, shop):
    shop.expire_tokens()
    assert graphql(http, shop, "{ shop { name } }")[0] == 401


# -- the order store and its two views -------------------------------------------------------------------------


def test_twenty_thousand_orders_are_generated_quickly():
    shop = FakeShopify()
    started = time.perf_counter()
    orders = shop.add_orders(20_000)
    assert time.perf_counter() - started < 3
    assert len(shop.orders) == 20_000 and len({o.name for o in orders}) == 20_000
    coded = sum(1 for o in orders if any(d.kind == "discount_code" for d in o.discounts))
    assert 7000 < coded < 9000
    assert sum(1 for o in orders if o.test) > 100 and sum(1 for o in orders if o.cancelled_at) > 200
    statuses = {o.display_financial_status() for o in orders}
    assert {"paid", "partially_refunded", "refunded"} <= statuses
    assert sum(1 for o in orders if o.landing_site and "utm_campaign=" in o.landing_site) > 5000
    assert any(d.kind == "manual" for o in orders for d in o.discounts)
    assert any(r.discrepancy for o in orders for r in o.refunds)


def test_rest_and_graphql_views_are_the_same_order(shop):
    for order in shop.add_orders(300):
        rest, node = shop.rest_order(order.id), shop.graphql_order(order.id)
        assert node["id"] == rest["admin_graphql_api_id"] and node["name"] == rest["name"]
        assert node["currentSubtotalPriceSet"]["shopMoney"]["amount"] == rest["current_subtotal_price"]
        assert node["displayFinancialStatus"].lower() == rest["financial_status"]
        assert node["discountCodes"] == [a["code"] for a in rest["discount_applications"]
                                         if a["type"] == "discount_code"]
        assert (node["cancelledAt"] is None) == (rest["cancelled_at"] is None)
        created = datetime.fromisoformat(rest["created_at"])
        assert created.utcoffset() == timedelta(hours=-5)
        assert node["createdAt"] == created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_amounts_follow_the_facts_for_taxes_included_codes_and_refunds():
    shop = FakeShopify(currency="INR", taxes_included=True, tax_rate=0.05)
    order = shop.add_order(code="WELCOME400", discount=40000, amount=259000)  # sample 1 in cents
    rest = shop.rest_order(order.id)
    assert (rest["total_line_items_price"], rest["subtotal_price"], rest["total_price"], rest["total_tax"]) == (
        "2590.00", "2190.00", "2190.00", "104.29")
    assert rest["discount_codes"] == [{"code": "WELCOME400", "amount": "400.00", "type": "fixed_amount"}]
    shop.refund_order(order.id, amount=100)  # an amount-only refund: a refund_discrepancy, lines untouched
    rest = shop.rest_order(order.id)
    assert rest["current_subtotal_price"] == "2190.00" and rest["financial_status"] == "partially_refunded"
    assert rest["refunds"][0]["refund_line_items"] == []
    assert [(a["kind"], a["amount"]) for a in rest["refunds"][0]["order_adjustments"]] == [
        ("refund_discrepancy", "-1.00")]
    shop.cancel_order(order.id)
    rest = shop.rest_order(order.id)
    assert rest["cancelled_at"] and rest["current_subtotal_price"] == "0.00" and rest["current_total_price"] == "0.00"
    assert rest["financial_status"] == "refunded" and rest["cancel_reason"] == "customer"
    assert rest["refunds"][1]["refund_line_items"][0]["restock_type"] == "cancel"


def test_a_draft_order_puts_its_manual_title_in_discount_codes(shop):
    from bot.fakestores.shopify import Discount
    order = shop.add_order(source_name="shopify_draft_order", discounts=[Discount("manual", "STAFF-1", 500)])
    rest = shop.rest_order(order.id)
    assert rest["discount_codes"][0]["code"] == "STAFF-1"
    assert [a["type"] for a in rest["discount_applications"]] == ["manual"]
    assert shop.graphql_order(order.id)["discountCodes"] == []


def test_the_rest_template_is_the_real_sample(load_sample):
    assert samples.SHOPIFY_ORDER == load_sample(SHOPIFY_SAMPLES[0])
    assert samples.SHOPIFY_REFUND == load_sample("shopify_refunds_create__amount_only_refund_discrepancy.json")


def test_generated_orders_have_the_top_level_keys_of_the_real_order(shop):
    for order in shop.add_orders(200):
        assert set(shop.rest_order(order.id)) >= set(samples.SHOPIFY_ORDER)


@pytest.mark.parametrize("name", SHOPIFY_SAMPLES)
def test_generated_orders_have_every_spec_field_the_samples_have(shop, load_sample, name):
    real = load_sample(name)
    orders = shop.add_orders(400)
    views = [shop.rest_order(o.id) for o in orders]
    assert set(real) & SPEC_FIELDS <= set(views[0])
    for key in ("current_subtotal_price_set", "current_total_tax_set"):
        assert set(views[0][key]) == set(real[key]) and set(views[0][key]["shop_money"]) == set(
            real[key]["shop_money"])
    apps = {a["type"]: set(a) for v in views for a in v["discount_applications"]}
    for app in real["discount_applications"]:
        if app["type"] in apps:
            assert set(app) - {"description"} <= apps[app["type"]], app["type"]
    codes = [c for v in views for c in v["discount_codes"]]
    for code in real["discount_codes"]:
        assert set(code) == set(codes[0])
    refunds = [r for v in views for r in v["refunds"]]
    for refund in real["refunds"]:
        assert {"id", "created_at", "order_adjustments", "refund_line_items", "transactions"} <= set(refunds[0])
        for adjustment in refund["order_adjustments"]:
            made = next(a for r in refunds for a in r["order_adjustments"])
            assert set(adjustment) <= set(made)
        for item in refund["refund_line_items"]:
            made = next(i for r in refunds for i in r["refund_line_items"])
            assert set(item) <= set(made)
    notes = [n for v in views for n in v["note_attributes"]]
    for note in real["note_attributes"]:
        assert set(note) == set(notes[0])


# -- webhooks --------------------------------------------------------------------------------------------------


HEADERS = ["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Webhook-Id",
           "X-Shopify-Event-Id", "X-Shopify-Triggered-At", "X-Shopify-Hmac-Sha256"]


def verifies(request, secret):
    digest = hmac.new(secret.encode(), request["body"], hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), request["headers"]["X-Shopify-Hmac-Sha256"])


def test_a_webhook_carries_every_header_and_a_verifiable_signature(shop, receiver):
    order = shop.add_order(code="ANA10")
    status, body, elapsed = shop.send_webhook(receiver.url, "orders/create", order.id, secret=shop.client_secret)
    assert (status, body) == (200, b"ok") and 0 <= elapsed < 5
    request = receiver.requests[0]
    assert all(request["headers"].get(h) for h in HEADERS)
    assert request["headers"]["X-Shopify-Topic"] == "orders/create"
    assert request["headers"]["X-Shopify-Shop-Domain"] == "roi-test.myshopify.com"
    assert request["headers"]["X-Shopify-API-Version"] == "2025-10"
    assert request["headers"]["Content-Type"] == "application/json"
    assert datetime.fromisoformat(request["headers"]["X-Shopify-Triggered-At"].replace("Z", "+00:00"))
    assert verifies(request, shop.client_secret) and not verifies(request, "another-secret")
    assert json.loads(request["body"]) == shop.rest_order(order.id)


def test_a_webhook_with_a_wrong_signature_does_not_verify(shop, receiver):
    shop.send_webhook(receiver.url, "orders/updated", {"id": 1}, bad_signature=True)
    assert not verifies(receiver.requests[0], shop.client_secret)


def test_resending_repeats_the_delivery_byte_for_byte(shop, receiver):
    shop.send_webhook(receiver.url, "orders/paid", {"id": 1, "note": "café"}, event_id="evt-1", webhook_id="wh-1")
    shop.resend()
    shop.resend(new_webhook_id=True)
    first, again, third = receiver.requests
    assert first["body"] == again["body"] == third["body"] and first["headers"] == again["headers"]
    assert third["headers"]["X-Shopify-Event-Id"] == "evt-1" and third["headers"]["X-Shopify-Webhook-Id"] != "wh-1"
    assert all(verifies(r, shop.client_secret) for r in receiver.requests) and len(shop.deliveries) == 3


def test_headers_can_be_left_out_and_raw_bytes_sent_as_is(shop, receiver):
    shop.send_webhook(receiver.url, "app/uninstalled", b'{"id":1}', omit=("X-Shopify-Event-Id",),
                      shop="x.myshopify.com")
    request = receiver.requests[0]
    assert "X-Shopify-Event-Id" not in request["headers"] and request["body"] == b'{"id":1}'
    assert request["headers"]["X-Shopify-Shop-Domain"] == "x.myshopify.com" and verifies(request, shop.client_secret)


def test_a_refused_connection_is_status_zero(shop):
    status, _, _ = shop.send_webhook("http://127.0.0.1:9/hooks", "orders/create", {"id": 1}, timeout=1)
    assert status == 0


def test_the_token_endpoint_also_takes_the_form_in_the_query(http, shop):
    query = urlencode({"grant_type": "client_credentials", "client_id": shop.client_id,
                       "client_secret": shop.client_secret})
    status, _, body = http(f"{shop.base_url}/admin/oauth/access_token?{query}", data=b"")
    assert status == 200 and body["scope"] == shop.scope
