"""What the Shopify stand-in's tests share (tests/bot/fakestores): its queries, a settable clock, a started stand-in,
and requests to its GraphQL and token endpoints."""

from __future__ import annotations

import json
from urllib.parse import urlencode


from bot.fakestores.shopify import FakeShopify

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


def started_shop():
    """A running FakeShopify (bind it as a fixture: `shop = pytest.fixture(started_shop)`)."""
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
