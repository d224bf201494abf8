"""The Shopify stand-in answers as ../shared/stores/README.md says Shopify does: tokens, the orders connection,
costs and throttling, discount codes, and signed webhooks; its orders have the real samples' fields."""

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

ORDERS_QUERY = """
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id legacyResourceId name updatedAt } }
  }
}"""
SHOPIFY_SAMPLES = ["shopify_orders_create__discount_code_and_utm_landing_site.json",
                   "shopify_orders_create__draft_order_manual_discount.json",
                   "shopify_order__partially_refunded__shopify_docs_fixture.json",
                   "shopify_orders_cancelled__refunded_with_script_discount.json"]
# What SPEC §8 reads from a Shopify order (identity, date, revenue, status, codes, UTM) and webhook freshness.
SPEC_FIELDS = {"id", "name", "created_at", "updated_at", "current_subtotal_price", "current_subtotal_price_set",
               "taxes_included", "current_total_tax", "current_total_tax_set", "cancelled_at", "financial_status",
               "test", "discount_applications", "discount_codes", "landing_site", "note_attributes", "currency",
               "refunds", "source_name"}
DISCOUNT = """
mutation Create($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) {
    codeDiscountNode {
      id codeDiscount { ... on DiscountCodeBasic { title status codes(first: 1) { nodes { code } } } }
    }
    userErrors { field code message }
  }
}"""


class Clock:
    """A settable epoch clock for token expiry."""

    def __init__(self, now: float = 1_790_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def shop():
    with FakeShopify() as fake:
        yield fake


def graphql(http, shop, query, variables=None, token=None):
    url = f"{shop.base_url}/admin/api/{shop.api_version}/graphql.json"
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    headers = {"Content-Type": "application/json", "X-Shopify-Access-Token": token or shop.access_token}
    return http(url, data=body, headers=headers)


def grant(http, shop, **form):
    fields = {"grant_type": "client_credentials", "client_id": shop.client_id, "client_secret": shop.client_secret}
    body = urlencode({**fields, **form}).encode()
    return http(f"{shop.base_url}/admin/oauth/access_token", data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"})


def all_pages(http, shop, *, first=250, query=None):
    """Every node of the orders connection, following endCursor."""
    seen, after = [], None
    while True:
        status, _, body = graphql(http, shop, ORDERS_QUERY, {"first": first, "after": after, "query": query})
        assert status == 200 and "errors" not in body, body
        page = body["data"]["orders"]
        seen += [edge["node"] for edge in page["edges"]]
        assert [e["cursor"] for e in page["edges"]][-1:] == ([page["pageInfo"]["endCursor"]] if page["edges"] else [])
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


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


# -- the orders connection -------------------------------------------------------------------------------------


def test_pages_reach_every_order_once_in_updated_at_order(http, shop):
    shop.add_orders(1203)
    nodes = all_pages(http, shop)
    ids = [int(n["legacyResourceId"]) for n in nodes]
    assert len(ids) == len(set(ids)) == 1203 and set(ids) == set(shop.orders)
    stamps = [n["updatedAt"] for n in nodes]
    assert stamps == sorted(stamps)
    assert len(shop.calls_to("graphql")) == 5  # 250 + 250 + 250 + 250 + 203


def test_nodes_and_edges_are_the_same_orders(http, shop):
    shop.add_orders(30)
    query = "{ orders(first: 10) { nodes { id } edges { cursor node { id } } pageInfo { hasNextPage } } }"
    page = graphql(http, shop, query)[2]["data"]["orders"]
    assert [n["id"] for n in page["nodes"]] == [e["node"]["id"] for e in page["edges"]]
    assert page["pageInfo"] == {"hasNextPage": True}


def test_the_updated_at_filter_returns_exactly_the_newer_orders(http, shop):
    orders = shop.add_orders(600)
    cutoff = sorted(o.updated_at for o in orders)[400]
    query = f"updated_at:>'{cutoff.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}'"
    got = {int(n["legacyResourceId"]) for n in all_pages(http, shop, first=100, query=query)}
    assert got == {o.id for o in orders if o.updated_at > cutoff} and 150 < len(got) < 200


def test_an_order_updated_while_paging_comes_again_at_the_end(http, shop):
    orders = shop.add_orders(300)
    first = graphql(http, shop, ORDERS_QUERY, {"first": 100})[2]["data"]["orders"]
    seen = [int(e["node"]["legacyResourceId"]) for e in first["edges"]]
    shop.update_order(seen[0], at=datetime.now(timezone.utc) + timedelta(days=1))
    rest = []
    after = first["pageInfo"]["endCursor"]
    while after:
        page = graphql(http, shop, ORDERS_QUERY, {"first": 100, "after": after})[2]["data"]["orders"]
        rest += [int(e["node"]["legacyResourceId"]) for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert set(seen + rest) == {o.id for o in orders} and rest[-1] == seen[0]


def test_update_order_bumps_updated_at_forward(shop):
    order = shop.add_order(code="ANA10")
    before = order.updated_at
    shop.update_order(order.id, at=before - timedelta(days=3), test=True)
    assert order.updated_at == before + timedelta(seconds=1) and order.test


def test_only_the_selected_fields_come_back(http, shop):
    shop.add_order(code="ANA10", landing_site="/p?utm_campaign=spring&utm_content=ana")
    query = """{ orders(first: 5) { nodes { name discountCodes
        discountApplications(first: 5) { nodes { __typename ... on DiscountCodeApplication { code } } }
        currentSubtotalPriceSet { shopMoney { amount currencyCode } }
        customerJourneySummary { ready lastVisit { utmParameters { campaign content } } } } } }"""
    node = graphql(http, shop, query)[2]["data"]["orders"]["nodes"][0]
    assert node == {"name": "#1001", "discountCodes": ["ANA10"],
                    "discountApplications": {"nodes": [{"__typename": "DiscountCodeApplication", "code": "ANA10"}]},
                    "currentSubtotalPriceSet": {"shopMoney": {"amount": "45.00", "currencyCode": "USD"}},
                    "customerJourneySummary": {"ready": True, "lastVisit": {
                        "utmParameters": {"campaign": "spring", "content": "ana"}}}}


def test_the_order_fields_the_facts_list_can_all_be_selected(http, shop):
    shop.add_orders(20)
    money = "{ shopMoney { amount currencyCode } }"
    visit = "{ landingPage referrerUrl source sourceType referralCode occurredAt " \
            "utmParameters { source medium campaign content term } }"
    query = f"""{{ orders(first: 20) {{ nodes {{ id legacyResourceId name createdAt processedAt updatedAt cancelledAt
        cancelReason test sourceName displayFinancialStatus currencyCode presentmentCurrencyCode taxesIncluded
        discountCode discountCodes customAttributes {{ key value }}
        discountApplications(first: 5) {{ nodes {{ ... on DiscountCodeApplication {{ code }} allocationMethod
          value {{ ... on MoneyV2 {{ amount }} ... on PricingPercentageValue {{ percentage }} }} }} }}
        currentSubtotalPriceSet {money} totalDiscountsSet {money} currentTotalDiscountsSet {money}
        totalRefundedSet {money} netPaymentSet {money} refundDiscrepancySet {money} currentTotalTaxSet {money}
        refunds {{ id createdAt totalRefundedSet {money} }}
        customerJourneySummary {{ ready daysToConversion customerOrderIndex firstVisit {visit} lastVisit {visit} }}
    }} }} }}"""
    shop.max_query_cost = 10_000
    status, _, body = graphql(http, shop, query)
    assert status == 200 and "errors" not in body and len(body["data"]["orders"]["nodes"]) == 20


def test_an_unknown_field_is_an_undefined_field_error(http, shop):
    shop.add_orders(3)
    body = graphql(http, shop, "{ orders(first: 3) { nodes { id landingSiteButWrong } } }")[2]
    assert body["errors"][0]["extensions"]["code"] == "undefinedField" and "data" not in body
    assert "cost" in body["extensions"]


def test_more_than_250_per_page_is_refused(http, shop):
    body = graphql(http, shop, ORDERS_QUERY, {"first": 251})[2]
    assert body["errors"] and "cost" in body["extensions"]


def test_a_query_over_the_single_query_cost_limit_is_refused(http, shop):
    query = "{ orders(first: 250) { nodes { id currentSubtotalPriceSet { shopMoney { amount } } " \
            "discountApplications(first: 5) { nodes { allocationMethod } } } } }"
    body = graphql(http, shop, query)[2]
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED" and "data" not in body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 250 * (1 + 2 + 2 + 5)


def test_without_read_all_orders_only_the_last_60_days_are_visible(http):
    with FakeShopify(scope="read_orders") as shop:
        now = datetime.now(timezone.utc)
        old = shop.add_order(created_at=now - timedelta(days=61))
        new = shop.add_order(created_at=now - timedelta(days=59))
        got = {int(n["legacyResourceId"]) for n in all_pages(http, shop)}
        assert got == {new.id} and old.id in shop.orders


# -- cost and throttling ---------------------------------------------------------------------------------------


def test_every_response_carries_the_cost_block(http, shop):
    shop.add_orders(10)
    body = graphql(http, shop, "{ orders(first: 50) { nodes { id } } }")[2]
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 52 and cost["actualQueryCost"] == 12
    assert cost["throttleStatus"] == {"maximumAvailable": 2000.0, "currentlyAvailable": 1988, "restoreRate": 100.0}


def test_a_request_the_bucket_cannot_cover_is_throttled_and_counted(http):
    with FakeShopify(throttle=True, bucket_size=100, restore_rate=1) as shop:
        shop.add_orders(100)
        query = "{ orders(first: 60) { nodes { id } } }"  # costs 62 requested and actually
        assert "data" in graphql(http, shop, query)[2]
        status, _, body = graphql(http, shop, query)
        assert status == 200 and "data" not in body
        assert body["errors"] == [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
        assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 62
        assert (shop.violations, shop.throttled) == (1, 1)


def test_throttling_can_answer_429_with_retry_after(http):
    with FakeShopify(throttle=True, throttle_status=429, bucket_size=100, restore_rate=10) as shop:
        shop.drain(0)
        status, headers, body = graphql(http, shop, "{ orders(first: 48) { nodes { id } } }")
        assert status == 429 and headers["Retry-After"] == "5"
        assert body["errors"][0]["extensions"]["code"] == "THROTTLED" and "cost" in body["extensions"]
        assert shop.violations == 1


def test_a_client_that_waits_for_the_bucket_is_never_throttled(http):
    with FakeShopify(throttle=True, bucket_size=300, restore_rate=2000) as shop:
        shop.add_orders(1000)
        after, pages = None, 0
        while True:
            query = "query($after: String) { orders(first: 100, after: $after) { nodes { id } " \
                    "pageInfo { hasNextPage endCursor } } }"
            body = graphql(http, shop, query, {"after": after})[2]
            assert "errors" not in body
            pages += 1
            status = body["extensions"]["cost"]["throttleStatus"]
            page = body["data"]["orders"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
            need = body["extensions"]["cost"]["requestedQueryCost"] - status["currentlyAvailable"]
            time.sleep(max(0.0, need / status["restoreRate"]) + 0.01)
        assert pages == 10 and shop.violations == 0


def test_with_throttling_off_violations_are_still_counted(http):
    with FakeShopify(bucket_size=100, restore_rate=1) as shop:
        shop.add_orders(100)
        for _ in range(3):
            assert "data" in graphql(http, shop, "{ orders(first: 60) { nodes { id } } }")[2]
        assert (shop.violations, shop.throttled) == (2, 0)


# -- discount codes --------------------------------------------------------------------------------------------


def code_input(code, **extra):
    return {"title": f"{code} for Ana", "code": code, "startsAt": "2026-01-01T00:00:00Z", "endsAt": None,
            "context": {"all": "ALL"},
            "customerGets": {"value": {"percentage": 0.1}, "items": {"all": True}}, **extra}


def test_discount_code_basic_create_creates_the_code(http, shop):
    status, _, body = graphql(http, shop, DISCOUNT, {"input": code_input("ANA10")})
    payload = body["data"]["discountCodeBasicCreate"]
    assert status == 200 and payload["userErrors"] == []
    node = payload["codeDiscountNode"]
    assert node["id"].startswith("gid://shopify/DiscountCodeNode/")
    assert node["codeDiscount"] == {"title": "ANA10 for Ana", "status": "ACTIVE",
                                    "codes": {"nodes": [{"code": "ANA10"}]}}
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10
    assert shop.discounts["ana10"]["input"]["customerGets"]["value"] == {"percentage": 0.1}


def test_an_existing_code_in_any_case_is_taken(http, shop):
    shop.add_discount_code("BEN15")
    body = graphql(http, shop, DISCOUNT, {"input": code_input("ben15")})[2]
    assert body["data"]["discountCodeBasicCreate"] == {"codeDiscountNode": None, "userErrors": [
        {"field": ["basicCodeDiscount", "code"], "code": "TAKEN",
         "message": "Code must be unique. Please try a different code."}]}
    assert list(shop.discounts) == ["ben15"]


def test_a_code_with_an_amount_off_is_kept_with_its_amount(http, shop):
    gets = {"value": {"discountAmount": {"amount": "5.00", "appliesOnEachItem": False}}, "items": {"all": True}}
    graphql(http, shop, DISCOUNT, {"input": code_input("FIVE", customerGets=gets)})
    node = shop.discounts["five"]["node"]["codeDiscount"]
    assert node["customerGets"]["value"]["amount"]["amount"] == "5.00"


def test_missing_required_discount_fields_are_user_errors(http, shop):
    body = graphql(http, shop, DISCOUNT, {"input": {"code": "X1"}})[2]
    errors = body["data"]["discountCodeBasicCreate"]["userErrors"]
    assert {tuple(e["field"]) for e in errors} == {("basicCodeDiscount", f) for f in
                                                   ("title", "startsAt", "customerGets", "context")}
    assert not shop.discounts


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
