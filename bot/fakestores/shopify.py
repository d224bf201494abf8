"""A local stand-in of one Shopify store: the client-credentials grant, the Admin GraphQL API (shopify_graphql.py:
the `orders` connection and `discountCodeBasicCreate`) with cost-based throttling, and signed webhook deliveries.

Shapes and statuses follow ../shared/stores/README.md (§1 webhooks, §3 GraphQL, §4 discounts, §5 auth); where the
facts are silent the docstring of the method says what was chosen. Tests seed orders with `add_orders` or
`add_order`, point a client at `base_url`, and then read `calls`, `violations` and the stored orders.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qsl

from bot.fakestores.server import Call, Delivery, Reply, StoreServer
from bot.fakestores.shopify_graphql import INVALID_TOKEN, THROTTLED, AdminGraphQL  # noqa: F401 - re-exported
from bot.fakestores.shopify_orders import Discount, Line, Refund, ShopifyOrder, generate_orders, money
from bot.fakestores.shopify_views import node_view, rest_view

__all__ = ["Delivery", "FakeShopify", "ShopifyOrder", "Line", "Discount", "Refund"]
_GRAPHQL_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")


@dataclass
class _Bucket:
    size: float
    rate: float
    available: float
    at: float = field(default_factory=time.monotonic)

    def refill(self, now: float) -> None:
        self.available = min(self.size, self.available + (now - self.at) * self.rate)
        self.at = now


class FakeShopify(AdminGraphQL, StoreServer):
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


def sign(body: bytes, secret: str) -> str:
    """Shopify's webhook signature: base64 of HMAC-SHA256(client secret, raw body)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
