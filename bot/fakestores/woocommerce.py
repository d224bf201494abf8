"""A local stand-in of one WooCommerce store: the REST v3 orders list (and one order) behind consumer-key auth, and
webhook deliveries signed over the bytes PHP writes, plus the unsigned ping WooCommerce sends on creation.

Shapes and statuses follow ../shared/stores/README.md §6. `base_url` is the store URL (WOOCOMMERCE_URL); the API
lives under `<base_url>/wp-json/wc/v3/`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import urlencode

from bot.fakestores.phpjson import php_json_encode
from bot.fakestores.woocommerce_samples import WOOCOMMERCE_HEADERS
from bot.fakestores.server import Call, Delivery, Reply, StoreServer
from bot.fakestores.woocommerce_orders import (WooCoupon, WooLine, WooOrder, WooRefund, generate_orders, rest_view,
                                               utc_now)

__all__ = ["FakeWooCommerce", "WooDelivery", "WooCoupon", "WooLine", "WooOrder", "WooRefund", "sign"]
USER_AGENT = WOOCOMMERCE_HEADERS["user-agent"]  # "WooCommerce/10.2.1 Hookshot (WordPress/6.8.3)"
_ORDER_PATH = re.compile(r"^/wp-json/wc/v3/orders/(\d+)/?$")
_STATUSES = {"pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash",
             "checkout-draft"}
_ORDERBY = {"date": lambda o: (o.created, o.id), "id": lambda o: (o.id,), "include": lambda o: (o.id,),
            "title": lambda o: (o.id,), "slug": lambda o: (o.id,), "modified": lambda o: (o.modified, o.id)}


WooDelivery = Delivery  # the same record as Shopify's deliveries


def _error(status: int, code: str, message: str, **data: Any) -> Reply:
    return Reply(status, {"code": code, "message": message, "data": {"status": status, **data}})


class FakeWooCommerce(StoreServer):
    """An in-process HTTP stand-in of one WooCommerce store's REST API and webhooks."""

    thread_name = "fakewoocommerce"

    def __init__(self, *, consumer_key: str = "ck_test_fake_0000000000000000000000000000000001",
                 consumer_secret: str = "cs_test_fake_0000000000000000000000000000000001",
                 webhook_secret: str = "wc-test-webhook-secret", currency: str = "USD",
                 utc_offset: timedelta = timedelta(hours=-3), clock: Callable[[], float] = time.time):
        super().__init__()
        self.consumer_key, self.consumer_secret, self.webhook_secret = consumer_key, consumer_secret, webhook_secret
        self.currency, self.utc_offset, self.clock = currency, utc_offset, clock
        self.orders: dict[int, WooOrder] = {}
        self._lock = threading.RLock()
        self._next_id = 3000
        self._changes = 0  # bumped by every change to stored orders, so the sorted indexes know to rebuild
        self._indexes: dict[str, tuple] = {}

    @property
    def store_url(self) -> str:
        """The store's home URL without the trailing slash (the same as `base_url`)."""
        return self.base_url

    # -- seeding ---------------------------------------------------------------------------------------------

    def add_orders(self, count: int, *, start: datetime | None = None, end: datetime | None = None,
                   codes: tuple[str, ...] = ("ANA10", "BEN15", "CARLA20", "DEV5"),
                   campaigns: tuple[str, ...] = ("spring-launch", "summer-drop"),
                   handles: tuple[str, ...] = ("ana", "ben", "carla", "dev"), seed: int = 0) -> list[WooOrder]:
        """Store `count` generated orders over [start, end] (naive UTC; default the last 90 days)."""
        end = end or utc_now(self.clock())
        start = start or end - timedelta(days=90)
        with self._lock:
            made = generate_orders(count, start=_naive(start), end=_naive(end), first_id=self._next_id,
                                   codes=list(codes), campaigns=list(campaigns), handles=list(handles),
                                   currency=self.currency, seed=seed)
            for order in made:
                self.orders[order.id] = order
            self._changes += 1
            if made:
                self._next_id = made[-1].id + 10
        return made

    def add_order(self, *, code: str | None = None, discount: int | None = None, amount: int = 5000,
                  status: str = "completed", created: datetime | None = None, campaign: str | None = None,
                  content: str | None = None, **fields: Any) -> WooOrder:
        """Store one order: one line worth `amount` cents, `code` as a coupon taking `discount` cents (default
        10%), `campaign`/`content` as UTM attribution; any WooOrder field may be given."""
        with self._lock:
            order_id = fields.pop("id", self._next_id)
            self._next_id = max(self._next_id, order_id) + 10
            at = _naive(created) if created else utc_now(self.clock())
            cut = 0 if not code else amount // 10 if discount is None else discount
            lines = fields.pop("lines", None) or [WooLine(order_id * 10, "Linen Shirt", "LS-01", 1, amount,
                                                          amount - cut)]
            coupons = fields.pop("coupons", None) or ([WooCoupon(order_id * 10 + 8, code, cut)] if code else [])
            utm = fields.pop("utm", None) or ({"source": "instagram", "medium": "influencer", "campaign": campaign,
                                               **({"content": content} if content else {})} if campaign else {})
            order = WooOrder(order_id, fields.pop("number", str(order_id)), status, at,
                             fields.pop("modified", at), lines, fields.pop("currency", self.currency), coupons,
                             utm=utm, source_type="utm" if utm else "typein",
                             paid=fields.pop("paid", at if status in ("processing", "completed", "refunded") else None),
                             **fields)
            self.orders[order.id] = order
            self._changes += 1
            return order

    def update_order(self, order_id: int, *, at: datetime | None = None, **changes: Any) -> WooOrder:
        """Change stored fields and bump `date_modified` (to `at` or now, always forward by at least 1 s)."""
        with self._lock:
            order = self.orders[order_id]
            for name, value in changes.items():
                setattr(order, name, value)
            self._changes += 1
            now = _naive(at) if at else utc_now(self.clock())
            order.modified = max(now, order.modified + timedelta(seconds=1))
            return order

    def refund_order(self, order_id: int, amount: int | None = None, *, reason: str = "",
                     at: datetime | None = None) -> WooRefund:
        """Refund `amount` cents (default what is left); a full refund makes the status `refunded`, a partial one
        leaves it and `total` unchanged, as WooCommerce does."""
        with self._lock:
            order = self.orders[order_id]
            left = order.total() - sum(r.amount for r in order.refunds)
            refund = WooRefund(self._next_id, left if amount is None else amount, reason)
            self._next_id += 1
            order.refunds.append(refund)
            self.update_order(order_id, at=at, **({"status": "refunded"} if refund.amount >= left else {}))
            return refund

    def rest_order(self, order_id: int) -> dict:
        """The stored order as the REST API (and a webhook) shows it."""
        with self._lock:
            return rest_view(self.orders[order_id], self.store_url, self.utc_offset)

    # -- webhooks --------------------------------------------------------------------------------------------

    def send_webhook(self, url: str, topic: str, payload: Any, *, secret: str | None = None, webhook_id: int = 1,
                     delivery_id: str | None = None, bad_signature: bool = False, omit: tuple[str, ...] = (),
                     timeout: float = 5) -> tuple[int, bytes, float]:
        """POST a webhook as `WC_Webhook::deliver` does and return (status, body, seconds); kept in `deliveries`.

        `payload`: a dict, raw bytes, or a stored order id (sent as the order's current JSON, as WooCommerce builds
        it at send time; `order.deleted` sends only `{"id": N}`). The body is `trim(wp_json_encode(payload))`,
        signed with base64 HMAC-SHA256 under `secret` (default the webhook secret)."""
        if isinstance(payload, int) and not isinstance(payload, bool):
            payload = {"id": payload} if topic.endswith(".deleted") else self.rest_order(payload)
        body = payload if isinstance(payload, bytes) else php_json_encode(payload).strip().encode()
        key = (secret if secret is not None else self.webhook_secret) + ("-wrong" if bad_signature else "")
        resource, _, event = topic.partition(".")
        headers = {
            "Content-Type": "application/json", "User-Agent": USER_AGENT,
            "X-WC-Webhook-Source": self.store_url + "/", "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource, "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": sign(body, key), "X-WC-Webhook-ID": str(webhook_id),
            "X-WC-Webhook-Delivery-ID": delivery_id or _delivery_id(webhook_id),
        }
        omitted = {h.lower() for h in omit}
        headers = {k: v for k, v in headers.items() if k.lower() not in omitted}
        return self._deliver(WooDelivery(url, topic, body, headers), timeout)

    def resend(self, delivery: WooDelivery | None = None, *, timeout: float = 5) -> tuple[int, bytes, float]:
        """Send a delivery again byte for byte (default the last one), with a new delivery id as each attempt
        gets (WooCommerce itself never retries; this is for duplicate handling tests)."""
        original = delivery or self.deliveries[-1]
        headers = dict(original.headers)
        if "X-WC-Webhook-Delivery-ID" in headers:
            headers["X-WC-Webhook-Delivery-ID"] = _delivery_id(int(headers.get("X-WC-Webhook-ID") or 0))
        return self._deliver(WooDelivery(original.url, original.topic, original.body, headers), timeout)

    def send_ping(self, url: str, webhook_id: int = 1, *, timeout: float = 5) -> tuple[int, bytes, float]:
        """The ping WooCommerce sends when a webhook is created: form body `webhook_id=N`, no X-WC headers, no
        signature, WordPress's default user agent."""
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "User-Agent": f"WordPress/6.8.3; {self.store_url}"}
        return self._deliver(WooDelivery(url, "ping", f"webhook_id={webhook_id}".encode(), headers), timeout)

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _answer(self, call: Call) -> Reply:
        if call.method != "GET" or not call.path.startswith("/wp-json/wc/v3/orders"):
            call.kind = "other"
            return _error(404, "rest_no_route", "No route was found matching the URL and request method.")
        single = _ORDER_PATH.match(call.path)
        call.kind = "order" if single else "orders"
        if call.path.rstrip("/") != "/wp-json/wc/v3/orders" and not single:
            return _error(404, "rest_no_route", "No route was found matching the URL and request method.")
        refusal = self._authenticate(call)
        if refusal:
            return refusal
        with self._lock:
            if single:
                order = self.orders.get(int(single.group(1)))
                if order is None or order.status == "trash":
                    return _error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
                return Reply(200, rest_view(order, self.store_url, self.utc_offset))
            return self._list(call)

    def _authenticate(self, call: Call) -> Reply | None:
        """Basic `consumer_key:consumer_secret`, or the same as query parameters [WC-docs-auth]. An unknown key
        leaves the request anonymous (401 woocommerce_rest_cannot_view); a known key with the wrong secret is 401
        woocommerce_rest_authentication_error, as WC_REST_Authentication answers. (A real store takes Basic auth
        only over HTTPS; the stand-in serves plain HTTP on 127.0.0.1 and takes it there.)"""
        key, secret = call.query.get("consumer_key"), call.query.get("consumer_secret")
        auth = call.header("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                key, _, secret = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                key = secret = None
        if key and secret and hmac.compare_digest(key, self.consumer_key):
            if hmac.compare_digest(secret, self.consumer_secret):
                return None
            return _error(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")

    def _list(self, call: Call) -> Reply:
        """`GET /orders`: page, per_page (default 10, 1..100), after/before (created), modified_after/
        modified_before, dates_are_gmt, status (comma list; default any, which leaves out trash), orderby
        (date, id, modified, include/title/slug as id), order (default desc); X-WP-Total, X-WP-TotalPages and a
        Link header with first/prev/next/last."""
        q = call.query
        bad = {}
        page, per_page = _int(q.get("page", "1")), _int(q.get("per_page", "10"))
        if page is None or page < 1:
            bad["page"] = "page must be greater than or equal to 1"
        if per_page is None or not 1 <= per_page <= 100:
            bad["per_page"] = "per_page must be between 1 (inclusive) and 100 (inclusive)"
        orderby, order = q.get("orderby", "date"), q.get("order", "desc")
        if orderby not in _ORDERBY:
            bad["orderby"] = f"orderby is not one of {', '.join(_ORDERBY)}."
        if order not in ("asc", "desc"):
            bad["order"] = "order is not one of asc and desc."
        statuses = set(filter(None, q.get("status", "any").split(",")))
        if not statuses <= _STATUSES | {"any"}:
            bad["status"] = "status is not one of " + ", ".join(sorted(_STATUSES | {"any"})) + "."
        gmt = q.get("dates_are_gmt", "false").lower() in ("1", "true")
        bounds = {}
        for name in ("after", "before", "modified_after", "modified_before"):
            if name in q:
                parsed = self._parse_date(q[name], gmt)
                if parsed is None:
                    bad[name] = "Invalid date."
                bounds[name] = parsed
        if bad:
            return _error(400, "rest_invalid_param", f"Invalid parameter(s): {', '.join(bad)}", params=bad)
        after, before = bounds.get("after"), bounds.get("before")
        modified_after, modified_before = bounds.get("modified_after"), bounds.get("modified_before")
        rows = [o for o in self._sorted(orderby)
                if (o.status in statuses or ("any" in statuses and o.status != "trash"))
                and (after is None or o.created > after) and (before is None or o.created < before)
                and (modified_after is None or o.modified > modified_after)
                and (modified_before is None or o.modified < modified_before)]
        if order == "desc":
            rows.reverse()
        total, pages = len(rows), math.ceil(len(rows) / per_page)
        chosen = rows[(page - 1) * per_page: page * per_page]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        link = self._links(q, page, pages)
        if link:
            headers["Link"] = link
        return Reply(200, [rest_view(o, self.store_url, self.utc_offset) for o in chosen], headers)

    def _sorted(self, orderby: str) -> list[WooOrder]:
        """Orders in ascending `orderby` order (ties by id), re-sorted only after orders changed."""
        stamp = (len(self.orders), self._changes)
        cached = self._indexes.get(orderby)
        if cached is None or cached[0] != stamp:
            cached = self._indexes[orderby] = (stamp, sorted(self.orders.values(), key=_ORDERBY[orderby]))
        return cached[1]

    def _links(self, query: dict, page: int, pages: int) -> str:
        base = f"{self.store_url}/wp-json/wc/v3/orders"
        rest = {k: v for k, v in query.items() if k not in ("page", "consumer_key", "consumer_secret")}

        def url(n: int) -> str:
            return f"<{base}?{urlencode({**rest, 'page': n})}>"
        parts = []
        if page > 1:
            parts += [f'{url(1)}; rel="first"', f'{url(min(page - 1, pages) or 1)}; rel="prev"']
        if page < pages:
            parts += [f'{url(page + 1)}; rel="next"', f'{url(pages)}; rel="last"']
        return ", ".join(parts)

    def _parse_date(self, text: str, gmt: bool) -> datetime | None:
        """An ISO 8601 bound: with an offset it is that instant; without, UTC when dates_are_gmt, else site time."""
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if value.tzinfo:
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        return value if gmt else value - self.utc_offset


def sign(body: bytes, secret: str) -> str:
    """WooCommerce's signature: base64 of HMAC-SHA256 of the raw body, keyed with the secret as
    `wp_specialchars_decode(secret, ENT_QUOTES)` leaves it."""
    key = secret
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#039;", "'"), ("&#39;", "'"),
                         ("&#x27;", "'"), ("&amp;", "&")):
        key = key.replace(entity, char)
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def _naive(at: datetime) -> datetime:
    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def _int(text: str) -> int | None:
    return int(text) if re.fullmatch(r"-?\d+", text or "") else None


def _delivery_id(webhook_id: int) -> str:
    """A new 32-hex delivery id per attempt, like `wp_hash(id . time())`."""
    return hashlib.md5(f"{webhook_id}{time.time_ns()}".encode()).hexdigest()
