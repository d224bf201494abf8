"""A local stand-in of one Shopify store: the client-credentials grant, the Admin GraphQL API (the `orders`
connection and `discountCodeBasicCreate`) with cost-based throttling, and signed webhook deliveries.

Shapes and statuses follow ../shared/stores/README.md (§1 webhooks, §3 GraphQL, §4 discounts, §5 auth); where the
facts are silent the docstring of the method says what was chosen. Tests seed orders with `add_orders` or
`add_order`, point a client at `base_url`, and then read `calls`, `violations` and the stored orders.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qsl

from bot.fakestores import graphql
from bot.fakestores.server import Call, Delivery, Reply, StoreServer
from bot.fakestores.shopify_orders import Discount, Line, Refund, ShopifyOrder, generate_orders, money, parse_stamp
from bot.fakestores.shopify_views import connection, node_view, rest_view

__all__ = ["Delivery", "FakeShopify", "ShopifyOrder", "Line", "Discount", "Refund"]
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
THROTTLED = {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation":
                                                    "https://shopify.dev/api/usage/rate-limits"}}
_GRAPHQL_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")
_SEARCH_TERM = re.compile(r"""(\w+):(>=|<=|>|<)?\s*(?:'([^']*)'|"([^"]*)"|(\S+))""")
# Sort values as numbers (epoch seconds for times) so the index sorts and bisects quickly.
_SORT_KEYS = {"ID": lambda o: o.id, "UPDATED_AT": lambda o: o.updated_at.timestamp(),
              "CREATED_AT": lambda o: o.created_at.timestamp(), "PROCESSED_AT": lambda o: o.created_at.timestamp(),
              "ORDER_NUMBER": lambda o: o.number}
MAX_PAGE = 250
_TIME_SORTS = {"UPDATED_AT", "CREATED_AT", "PROCESSED_AT"}
_REQUIRED = {"title": "Title", "code": "Code", "startsAt": "Starts at", "customerGets": "Customer gets"}


@dataclass
class _Bucket:
    size: float
    rate: float
    available: float
    at: float = field(default_factory=time.monotonic)

    def refill(self, now: float) -> None:
        self.available = min(self.size, self.available + (now - self.at) * self.rate)
        self.at = now


class FakeShopify(StoreServer):
    """An in-process HTTP stand-in of one Shopify store's Admin API and webhooks."""

    thread_name = "fakeshopify"

    def __init__(self, *, shop: str = "roi-test.myshopify.com", client_id: str = "fake-client-id-0001",
                 client_secret: str = "shpss_test_fake_client_secret_0001", api_version: str = "2025-10",
                 access_token: str | None = "shpat_test_fake_admin_token_0001", token_ttl: int = 86399,
                 scope: str = "read_orders,read_all_orders,write_discounts,read_discounts",
                 throttle: bool = False, bucket_size: float = 2000.0, restore_rate: float = 100.0,
                 throttle_status: int = 200, max_query_cost: int = 1000, currency: str = "USD",
                 utc_offset: timedelta = timedelta(hours=-5), taxes_included: bool = False, tax_rate: float = 0.0,
                 clock: Callable[[], float] = time.time):
        super().__init__()
        self.shop, self.client_id, self.client_secret, self.api_version = shop, client_id, client_secret, api_version
        self.token_ttl, self.scope, self.clock = token_ttl, scope, clock
        self.throttle, self.throttle_status, self.max_query_cost = throttle, throttle_status, max_query_cost
        self.currency, self.tz = currency, timezone(utc_offset)
        self.taxes_included, self.tax_rate = taxes_included, tax_rate
        self.tokens: dict[str, float | None] = {}  # token → expiry (epoch seconds; None: never)
        if access_token:
            self.tokens[access_token] = None
        self.access_token = access_token
        self.orders: dict[int, ShopifyOrder] = {}
        self.discounts: dict[str, dict] = {}  # lower-cased code → the created DiscountCodeBasic
        self.violations = 0  # requests that arrived when the bucket could not cover their cost
        self.throttled = 0  # requests refused as THROTTLED / 429 (equals violations while `throttle` is on)
        self.bucket = _Bucket(bucket_size, restore_rate, bucket_size)
        self._lock = threading.RLock()
        self._next_id = 5_100_000_000_000
        self._next_number = 1
        self._changes = 0  # bumped by every change to stored orders, so the sorted indexes know to rebuild
        self._indexes: dict[str, tuple] = {}

    # -- seeding ---------------------------------------------------------------------------------------------

    def add_orders(self, count: int, *, start: datetime | None = None, end: datetime | None = None,
                   codes: tuple[str, ...] = ("ANA10", "BEN15", "CARLA20", "DEV5"),
                   campaigns: tuple[str, ...] = ("spring-launch", "summer-drop"),
                   handles: tuple[str, ...] = ("ana", "ben", "carla", "dev"), seed: int = 0,
                   name_prefix: str = "#") -> list[ShopifyOrder]:
        """Store `count` generated orders over [start, end] (default: the last 90 days), numbered after the ones
        already stored; 20,000 take well under a second or two."""
        end = end or datetime.fromtimestamp(self.clock(), timezone.utc)
        start = start or end - timedelta(days=90)
        with self._lock:
            made = generate_orders(count, start=start, end=end, first_id=self._next_id, first_number=self._next_number,
                                   codes=list(codes), campaigns=list(campaigns), handles=list(handles),
                                   currency=self.currency, tz=self.tz, taxes_included=self.taxes_included,
                                   tax_rate=self.tax_rate, seed=seed, name_prefix=name_prefix)
            for order in made:
                self.orders[order.id] = order
            self._changes += 1
            if made:
                self._next_id, self._next_number = made[-1].id + 1000, made[-1].number + 1
        return made

    def add_order(self, *, code: str | None = None, discount: int | None = None, amount: int = 5000,
                  created_at: datetime | None = None, **fields: Any) -> ShopifyOrder:
        """Store one order. `amount` (cents) is one line's price unless `lines` is given; `code` adds a
        discount_code application worth `discount` cents (default 10%); any ShopifyOrder field may be given."""
        with self._lock:
            order_id = fields.pop("id", self._next_id)
            number = fields.pop("number", self._next_number)
            self._next_id, self._next_number = max(self._next_id, order_id) + 1000, max(self._next_number, number) + 1
            created = (created_at or datetime.fromtimestamp(self.clock(), timezone.utc)).astimezone(self.tz)
            lines = fields.pop("lines", None) or [Line(order_id * 10, "Linen Shirt", amount)]
            discounts = fields.pop("discounts", [])
            if code:
                gross = sum(line.price * line.quantity for line in lines)
                cents = gross // 10 if discount is None else discount
                discounts = [Discount("discount_code", code, cents, "fixed_amount", money(cents)), *discounts]
            order = ShopifyOrder(id=order_id, number=number, name=fields.pop("name", f"#{number + 1000}"),
                                 created_at=created, updated_at=fields.pop("updated_at", created), lines=lines,
                                 discounts=discounts, currency=fields.pop("currency", self.currency),
                                 taxes_included=fields.pop("taxes_included", self.taxes_included),
                                 tax_rate=fields.pop("tax_rate", self.tax_rate),
                                 customer_id=fields.pop("customer_id", 7_000_000_000_000 + number), **fields)
            self.orders[order.id] = order
            self._changes += 1
            return order

    def order(self, key: int | str) -> ShopifyOrder:
        """A stored order by id or by name ("#1001")."""
        with self._lock:
            if isinstance(key, int):
                return self.orders[key]
            return next(o for o in self.orders.values() if o.name == key)

    def update_order(self, key: int | str, *, at: datetime | None = None, **changes: Any) -> ShopifyOrder:
        """Change stored fields and bump `updated_at` (to `at`, or now, and always forward by at least 1 s)."""
        with self._lock:
            order = self.order(key)
            for name, value in changes.items():
                setattr(order, name, value)
            self._changes += 1
            now = (at or datetime.fromtimestamp(self.clock(), timezone.utc)).astimezone(self.tz).replace(microsecond=0)
            order.updated_at = max(now, order.updated_at + timedelta(seconds=1))
            return order

    def refund_order(self, key: int | str, *, line_ids: tuple[int, ...] | None = None, amount: int = 0,
                     shipping: bool = False, note: str | None = None, at: datetime | None = None) -> Refund:
        """Refund whole lines (default: every line not yet refunded) and/or an `amount` in cents beyond them
        (Shopify records that as a refund_discrepancy); bumps updated_at."""
        with self._lock:
            order = self.order(key)
            if line_ids is None:
                line_ids = () if amount else tuple(x.id for x in order.lines if x.id not in order.refunded_line_ids)
            refund = Refund(order.id + 1 + len(order.refunds), order.updated_at, tuple(line_ids),
                            order.shipping if shipping else 0, amount, note)
            order.refunds.append(refund)
            self.update_order(order.id, at=at)
            refund.created_at = order.updated_at
            return refund

    def cancel_order(self, key: int | str, *, reason: str = "customer", at: datetime | None = None) -> ShopifyOrder:
        """Cancel as Shopify does: every line and the shipping refunded (restock_type cancel), `cancelled_at` set;
        an order never paid for becomes `voided` with nothing paid back."""
        with self._lock:
            order = self.order(key)
            paid = order.financial_status == "paid"
            left = tuple(x.id for x in order.lines if x.id not in order.refunded_line_ids)
            order.refunds.append(Refund(order.id + 1 + len(order.refunds), order.updated_at, left,
                                        order.shipping if paid else 0, restock_type="cancel", paid=paid))
            if not paid:
                order.financial_status = "voided"
            self.update_order(order.id, at=at)
            order.cancelled_at = order.refunds[-1].created_at = order.updated_at
            order.cancel_reason = reason
            return order

    def rest_order(self, key: int | str) -> dict:
        """The stored order as its REST / webhook JSON."""
        with self._lock:
            return rest_view(self.order(key), self.shop)

    def graphql_order(self, key: int | str) -> dict:
        """The stored order as a full GraphQL Order object (connections still to be resolved)."""
        with self._lock:
            return node_view(self.order(key), self.shop)

    # -- codes, tokens, bucket -------------------------------------------------------------------------------

    def add_discount_code(self, code: str, **fields: Any) -> dict:
        """A code that already exists in the store (so creating it again is TAKEN)."""
        return self._create_discount({"title": code, "code": code, "startsAt": "2020-01-01T00:00:00Z", **fields})

    def issue_token(self, ttl: float | None = None) -> str:
        """A fresh access token valid for `ttl` seconds (None: never expires), as the grant would give."""
        token = "shpat_test_" + secrets.token_hex(12)
        with self._lock:
            self.tokens[token] = None if ttl is None else self.clock() + ttl
        return token

    def expire_tokens(self) -> None:
        """Make every token issued so far (the configured one too) expired, as if a day went by."""
        with self._lock:
            now = self.clock()
            self.tokens = {t: now - 1 for t in self.tokens}

    def drain(self, available: float = 0.0) -> None:
        """Set the bucket's available points (to provoke throttling)."""
        with self._lock:
            self.bucket.refill(time.monotonic())
            self.bucket.available = available

    # -- webhooks --------------------------------------------------------------------------------------------

    def send_webhook(self, url: str, topic: str, payload: Any, *, secret: str | None = None,
                     event_id: str | None = None, webhook_id: str | None = None, shop: str | None = None,
                     api_version: str | None = None, triggered_at: str | None = None, name: str | None = None,
                     bad_signature: bool = False, omit: tuple[str, ...] = (), timeout: float = 5
                     ) -> tuple[int, bytes, float]:
        """POST a webhook as Shopify does and return (status, body, seconds); the Delivery is kept in
        `deliveries` for `resend`. `payload`: a dict, raw bytes, or a stored order's id/name (sent as its REST
        JSON). The signature is the base64 HMAC-SHA256 of the exact body with `secret` (default the client
        secret); `bad_signature` signs with another key; `omit` drops headers by name."""
        if isinstance(payload, (int, str)) and not isinstance(payload, bool):
            payload = self.rest_order(payload)
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False,
                                                                     separators=(",", ":")).encode()
        key = (secret or self.client_secret) + ("-wrong" if bad_signature else "")
        headers = {
            "Content-Type": "application/json", "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": sign(body, key),
            "X-Shopify-Shop-Domain": shop or self.shop, "X-Shopify-API-Version": api_version or self.api_version,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
            "X-Shopify-Triggered-At": triggered_at or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        if name:
            headers["X-Shopify-Name"] = name
        omitted = {h.lower() for h in omit}
        headers = {k: v for k, v in headers.items() if k.lower() not in omitted}
        return self._deliver(Delivery(url, topic, body, headers), timeout)

    def resend(self, delivery: Delivery | None = None, *, new_webhook_id: bool = False,
               timeout: float = 5) -> tuple[int, bytes, float]:
        """Send a delivery again with the same bytes and headers (default the last one): a duplicate, as Shopify
        sends them; `new_webhook_id` keeps the event id but gives the delivery a new webhook id."""
        original = delivery or self.deliveries[-1]
        headers = dict(original.headers)
        if new_webhook_id:
            headers["X-Shopify-Webhook-Id"] = str(uuid.uuid4())
        return self._deliver(Delivery(original.url, original.topic, original.body, headers), timeout)

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _answer(self, call: Call) -> Reply:
        if call.method == "POST" and call.path == "/admin/oauth/access_token":
            call.kind = "token"
            return self._token(call)
        match = _GRAPHQL_PATH.match(call.path)
        if call.method == "POST" and match:
            call.kind = "graphql"
            return self._graphql(call, match.group(1))
        call.kind = "other"
        return Reply(404, {"errors": "Not Found"})

    def _token(self, call: Call) -> Reply:
        """Client-credentials grant [D-cc]. Errors follow OAuth 2.0 (RFC 6749 §5.2), which the facts do not pin
        down: an unknown client id is 400 invalid_request (as Shopify answers it, per public reports), a wrong
        secret 401 invalid_client, another grant type 400 unsupported_grant_type."""
        ctype = (call.header("Content-Type") or "").split(";")[0].strip()
        form = json.loads(call.body or b"{}") if ctype == "application/json" else dict(
            parse_qsl(call.body.decode(errors="replace"), keep_blank_values=True))
        form = {**call.query, **form}
        if form.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type",
                               "error_description": "The authorization grant type is not supported."})
        if not hmac.compare_digest(str(form.get("client_id", "")), self.client_id):
            return Reply(400, {"error": "invalid_request", "error_description":
                               f"Could not find Shopify API application with api_key {form.get('client_id', '')}"})
        if not hmac.compare_digest(str(form.get("client_secret", "")), self.client_secret):
            return Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed."})
        token = self.issue_token(self.token_ttl)
        return Reply(200, {"access_token": token, "scope": self.scope, "expires_in": self.token_ttl})

    def _authorized(self, call: Call) -> bool:
        token = call.header("X-Shopify-Access-Token") or ""
        with self._lock:
            if token not in self.tokens:
                return False
            expiry = self.tokens[token]
            return expiry is None or self.clock() < expiry

    def _graphql(self, call: Call, version: str) -> Reply:
        if not self._authorized(call):
            return Reply(401, INVALID_TOKEN)
        try:
            request = json.loads(call.body)
            text = request["query"]
            variables = request.get("variables") or {}
            if not isinstance(text, str) or not isinstance(variables, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return Reply(400, {"errors": {"query": "Required parameter missing or invalid"}})
        try:
            op = graphql.parse(text, request.get("operationName"))
            requested = graphql.requested_cost(op, variables)
        except graphql.GraphQLError as error:
            return Reply(200, {"errors": [error.as_json()]})
        if requested > self.max_query_cost:
            return Reply(200, {"errors": [{"message": f"Query cost is {requested}, which exceeds the single query "
                                           f"max cost limit ({self.max_query_cost}).",
                                           "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                                                          "maxCost": self.max_query_cost}}],
                               "extensions": {"cost": self._cost(requested, None)}})
        with self._lock:
            self.bucket.refill(time.monotonic())
            if requested > self.bucket.available:
                self.violations += 1
                if self.throttle:
                    self.throttled += 1
                    return self._throttled(requested)
            self.bucket.available = max(0.0, self.bucket.available - requested)
            sizes: dict[str, int] = {}
            try:
                data = graphql.execute(self._root(op, sizes), op, variables)
                errors = []
            except graphql.GraphQLError as error:
                data, errors = None, [error.as_json()]
            actual = graphql.requested_cost(op, variables, sizes) if data is not None else requested
            self.bucket.available = min(self.bucket.size, self.bucket.available + max(0, requested - actual))
            body: dict[str, Any] = {"data": data} if data is not None else {}
            if errors:
                body["errors"] = errors
            body["extensions"] = {"cost": self._cost(requested, actual)}
            return Reply(200, body)

    def _cost(self, requested: int, actual: int | None) -> dict:
        return {"requestedQueryCost": requested, "actualQueryCost": actual,
                "throttleStatus": {"maximumAvailable": self.bucket.size,
                                   "currentlyAvailable": math.floor(self.bucket.available),
                                   "restoreRate": self.bucket.rate}}

    def _throttled(self, requested: int) -> Reply:
        """THROTTLED in a 200 body, or (throttle_status=429) the same body with HTTP 429 and a Retry-After: the facts
        say both are seen [SAJ-throttle][CR-throttle]."""
        body = {"errors": [THROTTLED], "extensions": {"cost": self._cost(requested, None)}}
        if self.throttle_status == 429:
            wait = math.ceil((requested - self.bucket.available) / self.bucket.rate) if self.bucket.rate else 1
            return Reply(429, body, {"Retry-After": str(max(1, wait))})
        return Reply(200, body)

    def _root(self, op: graphql.Operation, sizes: dict[str, int]) -> dict:
        if op.kind == "mutation":
            return {"__typename": "Mutation",
                    "discountCodeBasicCreate": lambda args: self._discount_create(args.get("basicCodeDiscount"))}
        shop = {"__typename": "Shop", "name": self.shop.split(".")[0], "myshopifyDomain": self.shop,
                "currencyCode": self.currency, "ianaTimezone": "Etc/GMT", "id": "gid://shopify/Shop/1"}

        def orders(args: dict) -> dict:
            page = self._orders_page(args)
            sizes["orders"] = len(page["nodes"])
            return page

        return {"__typename": "QueryRoot", "shop": shop, "orders": orders,
                "order": lambda args: self._order_by_gid(args.get("id"))}

    def _order_by_gid(self, gid: Any) -> dict | None:
        order = self.orders.get(int(str(gid).rsplit("/", 1)[-1])) if str(gid).rsplit("/", 1)[-1].isdigit() else None
        return node_view(order, self.shop) if order else None

    def _orders_page(self, args: dict) -> dict:
        """The `orders` connection: forward pages of `first` (≤ 250) after a cursor, sorted by `sortKey` (then id),
        filtered by the search `query` (created_at/updated_at/processed_at with > >= < <=, id:>; other terms are
        ignored, as Shopify ignores terms it does not know). Without `read_all_orders`, only the last 60 days."""
        first = args.get("first")
        if args.get("last") is not None or args.get("before") is not None:
            raise graphql.GraphQLError("This stand-in pages forward only (first/after)", "BAD_REQUEST")
        if not isinstance(first, int) or not 0 < first <= MAX_PAGE:
            raise graphql.GraphQLError(f"The first argument must be between 1 and {MAX_PAGE} (got {first!r})",
                                       "BAD_REQUEST")
        sort_name = str(args.get("sortKey") or "ID")
        if sort_name not in _SORT_KEYS:
            raise graphql.GraphQLError(f"Argument 'sortKey' has an invalid value ({sort_name})",
                                       "argumentLiteralsIncompatible")
        wanted = _search(str(args.get("query") or ""))
        if "read_all_orders" not in self.scope:
            oldest = datetime.fromtimestamp(self.clock(), timezone.utc) - timedelta(days=60)
            wanted.append(lambda o: o.created_at >= oldest)
        keys, orders = self._index(sort_name)
        back, after = bool(args.get("reverse")), args.get("after")
        if after:
            mark = _decode_cursor(after, sort_name)
            at = bisect.bisect_left(keys, mark) - 1 if back else bisect.bisect_right(keys, mark)
        else:
            at = len(keys) - 1 if back else 0
        step = -1 if back else 1
        page: list[tuple[tuple, ShopifyOrder]] = []
        more = False
        while 0 <= at < len(keys):
            order = orders[at]
            if all(w(order) for w in wanted):
                if len(page) == first:
                    more = True
                    break
                page.append((keys[at], order))
            at += step
        nodes = [node_view(o, self.shop) for _, o in page]
        cursors = [_encode_cursor(sort_name, key) for key, _ in page]
        return {"__typename": "OrderConnection", "nodes": nodes,
                "edges": [{"__typename": "OrderEdge", "cursor": c, "node": n} for c, n in zip(cursors, nodes)],
                "pageInfo": {"__typename": "PageInfo", "hasNextPage": more,
                             "hasPreviousPage": bool(after), "startCursor": cursors[0] if cursors else None,
                             "endCursor": cursors[-1] if cursors else None}}

    def _index(self, sort_name: str) -> tuple[list[tuple], list[ShopifyOrder]]:
        """Orders sorted by (sort value, id), rebuilt only after orders changed: paging 20,000 orders stays fast."""
        stamp = (len(self.orders), self._changes)
        cached = self._indexes.get(sort_name)
        if cached is None or cached[0] != stamp:
            key = _SORT_KEYS[sort_name]
            rows = sorted(((key(o), o.id), o) for o in self.orders.values())
            cached = self._indexes[sort_name] = (stamp, [k for k, _ in rows], [o for _, o in rows])
        return cached[1], cached[2]

    def _discount_create(self, spec: Any) -> dict:
        """discountCodeBasicCreate [D-dci]: TAKEN for an existing code (case-insensitive) [EMU]; missing required
        input (title, code, startsAt, customerGets, context/customerSelection) is a BLANK user error (our choice:
        the facts name the required fields, not the error)."""
        spec = spec if isinstance(spec, dict) else {}
        errors = [{"__typename": "DiscountUserError", "field": ["basicCodeDiscount", name], "code": "BLANK",
                   "message": f"{label} can't be blank", "extraInfo": None}
                  for name, label in _REQUIRED.items() if not spec.get(name)]
        if not (spec.get("context") or spec.get("customerSelection")):
            errors.append({"__typename": "DiscountUserError", "field": ["basicCodeDiscount", "context"],
                           "code": "BLANK", "message": "Context can't be blank", "extraInfo": None})
        code = str(spec.get("code") or "")
        with self._lock:
            if code and code.lower() in self.discounts:
                errors.append({"__typename": "DiscountUserError", "field": ["basicCodeDiscount", "code"],
                               "code": "TAKEN", "message": "Code must be unique. Please try a different code.",
                               "extraInfo": None})
            if errors:
                return {"__typename": "DiscountCodeBasicCreatePayload", "codeDiscountNode": None, "userErrors": errors}
            node = self._create_discount(spec)
        return {"__typename": "DiscountCodeBasicCreatePayload", "codeDiscountNode": node, "userErrors": []}

    def _create_discount(self, spec: dict) -> dict:
        with self._lock:
            number = len(self.discounts) + 1_000_000_001
            code = str(spec["code"])
            value = ((spec.get("customerGets") or {}).get("value") or {})
            if "percentage" in value:
                gets = {"__typename": "DiscountPercentage", "percentage": float(value["percentage"])}
            else:
                amount = (value.get("discountAmount") or {})
                gets = {"__typename": "DiscountAmount", "appliesOnEachItem": bool(amount.get("appliesOnEachItem")),
                        "amount": {"__typename": "MoneyV2", "amount": str(amount.get("amount", "0.0")),
                                   "currencyCode": self.currency}}
            starts, ends = spec.get("startsAt"), spec.get("endsAt")
            now = datetime.fromtimestamp(self.clock(), timezone.utc)
            status = ("SCHEDULED" if starts and parse_stamp(starts) > now else
                      "EXPIRED" if ends and parse_stamp(ends) <= now else "ACTIVE")
            redeem = {"__typename": "DiscountRedeemCode", "id": f"gid://shopify/DiscountRedeemCode/{number}",
                      "code": code, "asyncUsageCount": 0}
            basic = {"__typename": "DiscountCodeBasic", "title": spec.get("title"), "status": status,
                     "startsAt": starts, "endsAt": ends, "summary": spec.get("title"),
                     "usageLimit": spec.get("usageLimit"),
                     "appliesOncePerCustomer": bool(spec.get("appliesOncePerCustomer")),
                     "asyncUsageCount": 0, "codes": connection([redeem], "DiscountRedeemCode"),
                     "customerGets": {"__typename": "DiscountCustomerGets", "value": gets,
                                      "items": {"__typename": "AllDiscountItems", "allItems": True}}}
            node = {"__typename": "DiscountCodeNode", "id": f"gid://shopify/DiscountCodeNode/{number}",
                    "codeDiscount": basic}
            self.discounts[code.lower()] = {"input": spec, "node": node}
            return node


def sign(body: bytes, secret: str) -> str:
    """Shopify's webhook signature: base64 of HMAC-SHA256(client secret, raw body)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _search(query: str) -> list[Callable[[ShopifyOrder], bool]]:
    """Filters for the search terms this stand-in understands."""
    fields = {"updated_at": lambda o: o.updated_at, "created_at": lambda o: o.created_at,
              "processed_at": lambda o: o.created_at, "id": lambda o: o.id}
    ops = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
           None: lambda a, b: a == b}
    wanted = []
    for name, op, q1, q2, bare in _SEARCH_TERM.findall(query):
        if name not in fields:
            continue
        text = q1 or q2 or bare
        bound: Any = int(text) if name == "id" else parse_stamp(text)
        get, compare = fields[name], ops[op or None]
        wanted.append(lambda o, get=get, compare=compare, bound=bound: compare(get(o), bound))
    return wanted


def _encode_cursor(sort_name: str, key: tuple) -> str:
    value, order_id = key
    shown = datetime.fromtimestamp(value, timezone.utc).isoformat() if sort_name in _TIME_SORTS else value
    raw = json.dumps({"last_id": order_id, "last_value": shown}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _decode_cursor(cursor: Any, sort_name: str) -> tuple[Any, int]:
    try:
        data = json.loads(base64.b64decode(str(cursor), validate=True))
        value = data["last_value"]
        if sort_name in _TIME_SORTS:
            value = parse_stamp(value).timestamp()
        return value, int(data["last_id"])
    except (ValueError, KeyError, TypeError) as error:
        raise graphql.GraphQLError(f"Invalid cursor for current pagination sort ({cursor!r})",
                                   "BAD_REQUEST") from error
