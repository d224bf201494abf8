"""The WooCommerce stand-in answers as ../shared/stores/README.md §6 says WooCommerce does: consumer-key auth, the
paged orders list, the order JSON of the real samples, and webhooks signed over PHP-encoded bytes, plus the ping."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bot.fakestores import woocommerce_samples as samples
from bot.fakestores.phpjson import php_json_encode
from bot.fakestores.woocommerce import FakeWooCommerce

WOO_SAMPLES = ["woocommerce_order_updated__coupon_lines_and_attribution__real_delivery.json",
               "woocommerce_order__partial_refunds__wc_rest_docs.json"]
# What SPEC §8 reads from a WooCommerce order (identity, date, revenue, status, codes, UTM) and freshness.
SPEC_FIELDS = {"id", "number", "status", "currency", "date_created_gmt", "date_modified_gmt", "line_items",
               "coupon_lines", "refunds", "meta_data", "total"}
GMT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


@pytest.fixture
def store():
    with FakeWooCommerce() as fake:
        yield fake


def basic(key, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def orders(http, store, **params):
    url = f"{store.base_url}/wp-json/wc/v3/orders"
    return http(f"{url}?{urlencode(params)}" if params else url, headers=basic(store.consumer_key,
                                                                              store.consumer_secret))


# -- auth ------------------------------------------------------------------------------------------------------


def test_basic_auth_and_query_auth_both_work(http, store):
    store.add_orders(3)
    assert orders(http, store)[0] == 200
    query = urlencode({"consumer_key": store.consumer_key, "consumer_secret": store.consumer_secret})
    status, _, body = http(f"{store.base_url}/wp-json/wc/v3/orders?{query}")
    assert status == 200 and len(body) == 3


@pytest.mark.parametrize("key, secret, code", [
    ("ck_test_fake_0000000000000000000000000000000001", "cs_wrong", "woocommerce_rest_authentication_error"),
    ("ck_unknown", "cs_test_fake_0000000000000000000000000000000001", "woocommerce_rest_cannot_view"),
    (None, None, "woocommerce_rest_cannot_view"),
])
def test_wrong_or_missing_credentials_are_401_in_woocommerce_shape(http, store, key, secret, code):
    headers = basic(key, secret) if key else {}
    status, _, body = http(f"{store.base_url}/wp-json/wc/v3/orders", headers=headers)
    assert status == 401 and body["code"] == code and body["data"] == {"status": 401} and body["message"]


# -- listing ---------------------------------------------------------------------------------------------------


def test_pages_of_100_reach_every_order_once_following_the_link_header(http, store):
    store.add_orders(1050)
    status, headers, body = orders(http, store, per_page=100, orderby="id", order="asc")
    assert (headers["X-WP-Total"], headers["X-WP-TotalPages"]) == ("1050", "11")
    ids = [o["id"] for o in body]
    pages = 1
    while 'rel="next"' in (headers.get("Link") or ""):
        url = re.search(r'<([^>]+)>; rel="next"', headers["Link"]).group(1)
        assert "consumer_secret" not in url
        status, headers, body = http(url, headers=basic(store.consumer_key, store.consumer_secret))
        ids += [o["id"] for o in body]
        pages += 1
    assert pages == 11 and ids == sorted(store.orders) and len(set(ids)) == 1050


def test_the_link_header_names_next_and_last(http, store):
    store.add_orders(25)
    _, headers, _ = orders(http, store, page=2)
    links = dict((rel, parse_qs(urlsplit(url).query)["page"][0])
                 for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', headers["Link"]))
    assert links == {"first": "1", "prev": "1", "next": "3", "last": "3"}


def test_per_page_defaults_to_10_and_stops_at_100(http, store):
    store.add_orders(15)
    assert len(orders(http, store)[2]) == 10
    status, _, body = orders(http, store, per_page=101)
    assert status == 400 and body["code"] == "rest_invalid_param" and "per_page" in body["data"]["params"]


def test_the_default_order_is_newest_first(http, store):
    store.add_orders(30)
    created = [o["date_created_gmt"] for o in orders(http, store, per_page=30)[2]]
    assert created == sorted(created, reverse=True)


def test_modified_after_in_gmt_and_in_site_time(http, store):
    made = store.add_orders(400)
    cutoff = sorted(o.modified for o in made)[300]
    expected = {o.id for o in made if o.modified > cutoff}
    gmt = orders(http, store, per_page=100, modified_after=cutoff.isoformat(), dates_are_gmt="true")[2]
    assert {o["id"] for o in gmt} == expected
    local = (cutoff + store.utc_offset).isoformat()  # the same instant in the site's time (UTC-3)
    assert {o["id"] for o in orders(http, store, per_page=100, modified_after=local)[2]} == expected


def test_status_filters_and_trash_is_left_out_of_any(http, store):
    store.add_order(status="completed")
    store.add_order(status="pending")
    store.add_order(status="trash")
    assert sorted(o["status"] for o in orders(http, store)[2]) == ["completed", "pending"]
    assert [o["status"] for o in orders(http, store, status="pending")[2]] == ["pending"]


def test_one_order_by_id(http, store):
    order = store.add_order(code="ana10")
    status, _, body = http(f"{store.base_url}/wp-json/wc/v3/orders/{order.id}",
                           headers=basic(store.consumer_key, store.consumer_secret))
    assert status == 200 and body == store.rest_order(order.id)
    status, _, body = http(f"{store.base_url}/wp-json/wc/v3/orders/1",
                           headers=basic(store.consumer_key, store.consumer_secret))
    assert status == 404 and body["code"] == "woocommerce_rest_shop_order_invalid_id"


# -- the order store and its JSON ------------------------------------------------------------------------------


def test_twenty_thousand_orders_are_generated_quickly():
    store = FakeWooCommerce()
    started = time.perf_counter()
    made = store.add_orders(20_000)
    assert time.perf_counter() - started < 3
    assert len(store.orders) == 20_000
    assert 7000 < sum(1 for o in made if o.coupons) < 9000
    assert {"completed", "processing", "refunded", "pending", "cancelled"} <= {o.status for o in made}
    assert sum(1 for o in made if o.refunds and o.status != "refunded") > 100


def test_the_order_json_has_the_shapes_the_facts_describe(store):
    order = store.add_order(code="ana10", amount=2000, campaign="spring-launch", content="ana")
    store.refund_order(order.id, 500, reason="late")
    data = store.rest_order(order.id)
    assert data["id"] == order.id and data["number"] == str(order.id) and data["status"] == "completed"
    assert GMT.match(data["date_created_gmt"]) and GMT.match(data["date_modified_gmt"])
    created = datetime.fromisoformat(data["date_created"])
    assert datetime.fromisoformat(data["date_created_gmt"]) - created == timedelta(hours=3)
    assert [li["total"] for li in data["line_items"]] == ["18.00"] and data["total"] == "18.00"
    assert [c["code"] for c in data["coupon_lines"]] == ["ana10"] and data["coupon_lines"][0]["discount"] == "2"
    assert data["refunds"] == [{"id": data["refunds"][0]["id"], "reason": "late", "total": "-5.00"}]
    meta = {m["key"]: m["value"] for m in data["meta_data"]}
    assert meta["_wc_order_attribution_utm_campaign"] == "spring-launch"
    assert meta["_wc_order_attribution_utm_content"] == "ana"


def test_a_full_refund_makes_the_order_refunded_and_a_partial_one_does_not(store):
    order = store.add_order(amount=3900)
    before = order.modified
    store.refund_order(order.id, 1000)
    assert order.status == "completed" and store.rest_order(order.id)["total"] == "39.00"
    store.refund_order(order.id)
    assert order.status == "refunded" and [r["total"] for r in store.rest_order(order.id)["refunds"]] == [
        "-10.00", "-29.00"]
    assert order.modified >= before + timedelta(seconds=2)


def test_the_template_is_the_real_delivery(load_sample):
    assert samples.WOOCOMMERCE_ORDER == load_sample(WOO_SAMPLES[0])


@pytest.mark.parametrize("name", WOO_SAMPLES)
def test_generated_orders_have_every_spec_field_the_samples_have(store, load_sample, name):
    real = load_sample(name)
    views = [store.rest_order(o.id) for o in store.add_orders(300)]
    assert set(real) & SPEC_FIELDS <= set(views[0])
    assert set(views[0]) >= set(samples.WOOCOMMERCE_ORDER)
    line_keys = set(views[0]["line_items"][0])
    for item in real["line_items"]:
        assert set(item) - {"image", "parent_name", "global_unique_id"} <= line_keys
    coupon = next(c for v in views for c in v["coupon_lines"])
    for line in real["coupon_lines"]:
        assert set(line) <= set(coupon)
    refund = next(r for v in views for r in v["refunds"])
    for made in real["refunds"]:
        assert {"id", "total"} <= set(refund) and re.fullmatch(r"-\d+\.\d\d", refund["total"])
        assert re.fullmatch(r"-\d+\.\d\d", made["total"])
    for meta in real["meta_data"]:
        assert set(meta) == set(views[0]["meta_data"][0])


# -- webhooks and the ping -------------------------------------------------------------------------------------


def test_php_json_encoding_byte_for_byte():
    # What PHP's json_encode (flags 0, as wp_json_encode passes) prints for these values.
    assert php_json_encode({"url": "https://shop.example/", "name": "Профи", "price": 0, "rate": 2.5,
                            "whole": 3.0, "tags": [], "none": None, "ok": True}) == (
        '{"url":"https:\\/\\/shop.example\\/","name":"\\u041f\\u0440\\u043e\\u0444\\u0438","price":0,'
        '"rate":2.5,"whole":3.0,"tags":[],"none":null,"ok":true}')
    assert php_json_encode("₽ é 😀 \" \\ \n \t \x01 \x7f <a&b>") == (
        '"\\u20bd \\u00e9 \\ud83d\\ude00 \\" \\\\ \\n \\t \\u0001 \x7f <a&b>"')


def verifies(request, secret):
    digest = hmac.new(secret.encode(), request["body"], hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), request["headers"]["X-WC-Webhook-Signature"])


def test_a_webhook_is_php_encoded_signed_and_carries_every_header(store, receiver):
    order = store.add_order(code="café10", campaign="spring-launch", content="ana")
    status, body, elapsed = store.send_webhook(receiver.url, "order.updated", order.id, webhook_id=16)
    assert (status, body) == (200, b"ok") and elapsed < 5
    request = receiver.requests[0]
    raw = request["body"]
    assert raw == php_json_encode(store.rest_order(order.id)).encode()
    assert b"\\/wp-json\\/wc\\/v3\\/orders" in raw and b"caf\\u00e9" in raw and not re.search(rb"[\x80-\xff]", raw)
    assert json.loads(raw) == store.rest_order(order.id)
    assert verifies(request, store.webhook_secret) and not verifies(request, "other")
    headers = request["headers"]
    assert headers["X-WC-Webhook-Source"] == store.base_url + "/"
    assert (headers["X-WC-Webhook-Topic"], headers["X-WC-Webhook-Resource"], headers["X-WC-Webhook-Event"]) == (
        "order.updated", "order", "updated")
    assert headers["X-WC-Webhook-ID"] == "16" and re.fullmatch(r"[0-9a-f]{32}", headers["X-WC-Webhook-Delivery-ID"])
    assert headers["User-Agent"] == "WooCommerce/10.2.1 Hookshot (WordPress/6.8.3)"
    assert headers["Content-Type"] == "application/json"


def test_a_deleted_order_sends_only_its_id(store, receiver):
    store.send_webhook(receiver.url, "order.deleted", 3080)
    assert receiver.requests[0]["body"] == b'{"id":3080}'


def test_a_wrong_signature_does_not_verify_and_a_resend_repeats_the_bytes(store, receiver):
    store.send_webhook(receiver.url, "order.created", {"id": 1}, bad_signature=True)
    store.send_webhook(receiver.url, "order.created", {"id": 2})
    store.resend()
    bad, good, again = receiver.requests
    assert not verifies(bad, store.webhook_secret) and verifies(good, store.webhook_secret)
    assert again["body"] == good["body"] and verifies(again, store.webhook_secret)
    assert again["headers"]["X-WC-Webhook-Delivery-ID"] != good["headers"]["X-WC-Webhook-Delivery-ID"]


def test_the_signing_key_is_the_secret_with_html_entities_decoded(store, receiver):
    store.send_webhook(receiver.url, "order.created", {"id": 1}, secret="a&amp;b")
    assert verifies(receiver.requests[0], "a&b")


def test_the_ping_is_an_unsigned_form_body(store, receiver):
    status, _, _ = store.send_ping(receiver.url, 16)
    request = receiver.requests[0]
    assert status == 200 and request["body"] == b"webhook_id=16"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert not any(h.lower().startswith("x-wc-") for h in request["headers"])
