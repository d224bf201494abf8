"""The Shopify stand-in's Admin GraphQL API answers as ../shared/stores/README.md §3–§4 say: the orders connection,
costs and throttling, and discount codes."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from bot.fakestores.shopify import FakeShopify
from shopify_support import DISCOUNT, ORDERS_QUERY, all_pages, graphql, started_shop

shop = pytest.fixture(started_shop)


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
