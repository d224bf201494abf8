"""Shopify's Admin GraphQL API, as the sync and the code creation use it (SPEC §8).

Access by a fixed token (`SHOPIFY_ACCESS_TOKEN`) or by the client-credentials grant: such tokens last about a day,
so one is renewed a minute before it expires, and once more when Shopify answers 401 anyway.

Throttling is cost-based (a leaky bucket per app and store): every answer carries `extensions.cost` with what is
left in the bucket and how fast it refills. The client waits before a query the bucket cannot cover yet, instead
of being refused; if it is refused all the same (`THROTTLED` in a 200 body, or HTTP 429), it waits and asks again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from urllib.parse import urlencode

import httpx

log = logging.getLogger("roi.stores")

API_VERSION = "2025-10"  # a supported Admin API version (SPEC §8 SHOPIFY_API_VERSION's default)
PAGE = 250  # the most a connection page holds; fewer when a page of this query would cost more than Shopify allows
MAX_COST = 1000  # the most points one query may cost [D-ratelimits]
ORDER_COST = 20  # what one order of ORDERS_QUERY costs: the first page asked for fits under MAX_COST
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
ATTEMPTS = 6  # per request, across throttling, 5xx and lost connections
RENEW_MARGIN = 60  # seconds before a token's expiry that a new one is asked for

# Every field is priced (objects 1 point, a connection 2 + first × its node): this query costs about 20 points an
# order, so a page holds about 49 orders under Shopify's 1,000-point limit on one query (order_pages finds out).
ORDER_FIELDS = """
      legacyResourceId name createdAt updatedAt cancelledAt test displayFinancialStatus currencyCode taxesIncluded
      discountApplications(first: 5) { nodes { __typename ... on DiscountCodeApplication { code } } }
      customAttributes { key value }
      currentSubtotalPriceSet { shopMoney { amount currencyCode } }
      currentTotalTaxSet { shopMoney { amount currencyCode } }
      subtotalPriceSet { shopMoney { amount currencyCode } }
      totalTaxSet { shopMoney { amount currencyCode } }
      customerJourneySummary { firstVisit { landingPage utmParameters { campaign content } } }
"""
ORDERS_QUERY = """query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {""" + ORDER_FIELDS + """    }
  }
}"""
CREATE_CODE = """mutation CreateCode($discount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $discount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}"""


class StoreError(Exception):
    """The store could not be reached or refused us; `message` says which store and why, without secrets."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotConfigured(StoreError):
    """A connection without what calling the store needs: a missing setting, found before any call (exit 2)."""


class CostExceeded(StoreError):
    """One query asked for more points than Shopify allows a single query (`MAX_COST_EXCEEDED`): ask for less."""

    def __init__(self, cost: float, limit: float):
        super().__init__(f"Shopify refused a query costing {cost:g} points (at most {limit:g})")
        self.cost, self.limit = cost, limit


@dataclass
class _Token:
    value: str
    expires: float | None  # monotonic seconds; None = does not expire


@dataclass(frozen=True)
class Page:
    """One page of orders: their nodes, and the cursor to continue after them (None on the last page)."""

    orders: list[dict]
    after: str | None


class ShopifyAdmin:
    """A client of one store's Admin GraphQL API."""

    def __init__(self, base_url: str, *, api_version: str = API_VERSION, access_token: str | None = None,
                 client_id: str | None = None, client_secret: str | None = None,
                 http: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        if not access_token and not (client_id and client_secret):
            raise ValueError("a Shopify connection needs an access token, or a client id and secret")
        self.base = base_url.rstrip("/")
        self.api_version = api_version
        self._fixed = access_token
        self._client_id, self._client_secret = client_id, client_secret
        self._http = http or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        self._sleep, self._clock = sleep, clock
        self._token: _Token | None = _Token(access_token, None) if access_token else None
        self._available: float | None = None  # what the bucket held after the last answer, and when
        self._seen_at = 0.0
        self._restore = 0.0
        self._last_cost = 0.0
        self.page = min(PAGE, (MAX_COST - 2) // ORDER_COST)  # orders per page; shrunk if Shopify says it costs too much

    # -- access ------------------------------------------------------------------------------------------

    def _access_token(self) -> str:
        token = self._token
        if token is not None and (token.expires is None or self._clock() < token.expires - RENEW_MARGIN):
            return token.value
        return self._renew()

    def _renew(self) -> str:
        if not (self._client_id and self._client_secret):
            raise StoreError("Shopify refused the access token (401): set a valid SHOPIFY_ACCESS_TOKEN")
        try:
            response = self._http.post(f"{self.base}/admin/oauth/access_token", data={
                "grant_type": "client_credentials", "client_id": self._client_id,
                "client_secret": self._client_secret})
        except httpx.HTTPError as error:
            raise StoreError(f"Shopify's token endpoint could not be reached ({type(error).__name__})") from None
        if response.status_code != 200:
            raise StoreError(f"Shopify refused the client credentials (HTTP {response.status_code}): check "
                             "SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET")
        try:
            body = response.json()
            token = body["access_token"]
        except (ValueError, KeyError, TypeError):
            raise StoreError("Shopify's token endpoint answered without an access token") from None
        expires_in = body.get("expires_in")
        expires = self._clock() + float(expires_in) if isinstance(expires_in, (int, float)) else None
        self._token = _Token(str(token), expires)
        log.info("Shopify access token renewed (expires in %s s)", expires_in)
        return self._token.value

    # -- requests ----------------------------------------------------------------------------------------

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """The `data` of a GraphQL request, after waiting out throttling and retrying 5xx and lost connections."""
        renewed = False
        for attempt in range(ATTEMPTS):
            self._wait_for_bucket()
            try:
                response = self._http.post(
                    f"{self.base}/admin/api/{self.api_version}/graphql.json",
                    json={"query": query, "variables": variables or {}},
                    headers={"X-Shopify-Access-Token": self._access_token()})
            except httpx.TransportError as error:
                log.warning("Shopify request failed (%s); trying again", type(error).__name__)
                self._sleep(min(2 ** attempt, 30))
                continue
            if response.status_code == 401 and not renewed and self._fixed is None:
                renewed = True
                self._token = None  # Shopify says it expired early: ask for a new one once
                continue
            if response.status_code == 401:
                raise StoreError("Shopify refused the access token (401)")
            if response.status_code == 429:
                self._note_cost(_json(response))
                self._sleep(_retry_after(response, default=2.0))
                continue
            if response.status_code >= 500:
                self._sleep(min(2 ** attempt, 30))
                continue
            if response.status_code != 200:
                raise StoreError(f"Shopify answered HTTP {response.status_code} to a GraphQL request")
            body = _json(response)
            self._note_cost(body)
            raw_errors = body.get("errors") or []
            errors = [e if isinstance(e, dict) else {"message": str(e)}
                      for e in (raw_errors if isinstance(raw_errors, list) else [raw_errors])]
            codes = {(e.get("extensions") or {}).get("code") for e in errors}
            if "THROTTLED" in codes:
                continue  # _note_cost saw the bucket: the next round waits for it
            if "MAX_COST_EXCEEDED" in codes:
                extra = next(e["extensions"] for e in errors
                             if (e.get("extensions") or {}).get("code") == "MAX_COST_EXCEEDED")
                raise CostExceeded(float(extra.get("cost") or 0), float(extra.get("maxCost") or 1000))
            if errors:
                reasons = "; ".join(str(e.get("message")) for e in errors)
                raise StoreError(f"Shopify refused the request: {reasons[:300]}")
            return body.get("data") or {}
        raise StoreError(f"Shopify did not answer after {ATTEMPTS} tries")

    def _note_cost(self, body: dict) -> None:
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        if "currentlyAvailable" in status:
            self._available = float(status["currentlyAvailable"])
            self._restore = float(status.get("restoreRate") or 0)
            self._seen_at = self._clock()
        self._last_cost = float(cost.get("requestedQueryCost") or self._last_cost or 0)

    def _wait_for_bucket(self) -> None:
        """Sleep until the bucket holds what the last query asked for (the next is the same kind)."""
        if self._available is None or not self._restore:
            return
        now_available = self._available + (self._clock() - self._seen_at) * self._restore
        short = self._last_cost - now_available
        if short > 0:
            self._sleep(short / self._restore)

    # -- orders ------------------------------------------------------------------------------------------

    def order_pages(self, updated_after: datetime | None, *, after: str | None = None) -> Iterator[Page]:
        """Every order updated after `updated_after` (all of them when None), oldest update first, a page at a
        time; `after` continues from a page's cursor (a sync killed half-way resumes there)."""
        query = None if updated_after is None else f"updated_at:>'{_iso(updated_after)}'"
        while True:
            try:
                data = self.graphql(ORDERS_QUERY, {"first": self.page, "after": after, "query": query})
            except CostExceeded as refused:
                if self.page == 1:
                    raise
                per_order = max((refused.cost - 2) / self.page, 1.0)
                self.page = max(1, min(self.page - 1, int((refused.limit - 2) // per_order)))
                continue
            connection = data.get("orders") or {}
            info = connection.get("pageInfo") or {}
            nodes = connection.get("nodes")
            if nodes is None:
                nodes = [edge.get("node") for edge in connection.get("edges") or []]
            after = info.get("endCursor") if info.get("hasNextPage") else None
            yield Page([n for n in nodes if n], after)
            if after is None:
                return

    # -- discount codes ----------------------------------------------------------------------------------

    def create_code(self, code: str, *, title: str, starts: date, ends: date | None, percent: Decimal | None = None,
                    amount: Decimal | None = None) -> str | None:
        """Create `code` for all customers from `starts` to the end of `ends`; None when created, else Shopify's
        reason (e.g. the code is taken)."""
        if (percent is None) == (amount is None):
            raise ValueError("a discount is a percentage or an amount")
        value = ({"percentage": float(percent / 100)} if percent is not None
                 else {"discountAmount": {"amount": str(amount), "appliesOnEachItem": False}})
        discount = {"title": title, "code": code, "startsAt": f"{starts.isoformat()}T00:00:00Z",
                    "endsAt": None if ends is None else f"{ends.isoformat()}T23:59:59Z",
                    "context": {"all": "ALL"}, "customerGets": {"value": value, "items": {"all": True}}}
        data = self.graphql(CREATE_CODE, {"discount": discount})
        errors = (data.get("discountCodeBasicCreate") or {}).get("userErrors") or []
        if errors:
            return "; ".join(str(e.get("message") or e.get("code")) for e in errors)
        return None

    def close(self) -> None:
        self._http.close()


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(response: httpx.Response, *, default: float) -> float:
    try:
        return max(0.0, min(float(response.headers.get("Retry-After", default)), 60.0))
    except ValueError:
        return default


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def order_payload(node: dict) -> dict:
    """A GraphQL Order node as the REST-shaped order `payloads.shopify_order` reads (the fields it uses and no
    more), so an order synced and the same order delivered by webhook map to the same record."""
    def money(name: str) -> dict | None:
        bag = node.get(name)
        shop = bag.get("shopMoney") if isinstance(bag, dict) else None
        if not isinstance(shop, dict):
            return None
        return {"shop_money": {"amount": shop.get("amount"), "currency_code": shop.get("currencyCode")}}

    applications = node.get("discountApplications") or {}
    nodes = applications.get("nodes")
    if nodes is None:
        nodes = [edge.get("node") for edge in applications.get("edges") or [] if isinstance(edge, dict)]
    status = node.get("displayFinancialStatus")
    payload = {
        "id": node.get("legacyResourceId"), "name": node.get("name"), "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"), "cancelled_at": node.get("cancelledAt"), "test": node.get("test"),
        "financial_status": status.lower() if isinstance(status, str) else None,
        "currency": node.get("currencyCode"), "taxes_included": node.get("taxesIncluded"),
        "current_subtotal_price_set": money("currentSubtotalPriceSet"),
        "current_total_tax_set": money("currentTotalTaxSet"),
        "discount_applications": [{"type": "discount_code", "code": item.get("code")} for item in nodes
                                  if isinstance(item, dict) and item.get("__typename") == "DiscountCodeApplication"],
        "note_attributes": [{"name": item.get("key"), "value": item.get("value")}
                            for item in node.get("customAttributes") or [] if isinstance(item, dict)],
        "landing_site": _landing(node.get("customerJourneySummary")),
    }
    for rest, graph in (("subtotal_price_set", "subtotalPriceSet"), ("total_tax_set", "totalTaxSet")):
        if isinstance(node.get(graph), dict):
            payload[rest] = money(graph)
    return payload


def _landing(journey) -> str | None:
    """The first visit's landing page (its query carries the UTM values), or one made of its UTM parameters."""
    visit = journey.get("firstVisit") if isinstance(journey, dict) else None
    if not isinstance(visit, dict):
        return None  # the journey is not ready yet: a later update of the order brings it
    if isinstance(visit.get("landingPage"), str) and visit["landingPage"]:
        return visit["landingPage"]
    utm = visit.get("utmParameters") if isinstance(visit.get("utmParameters"), dict) else {}
    query = urlencode({f"utm_{k}": v for k in ("campaign", "content") if isinstance(v := utm.get(k), str) and v})
    return f"/?{query}" if query else None
