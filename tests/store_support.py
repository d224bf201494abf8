"""What the store tests (tests/bot/stores/) share: the real samples of ../shared/stores/samples, signing a delivery
as the stores do, and connected stores in workspaces seeded directly (no Slack)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.fakeslack.requests import call_wsgi, wsgi_environ
from bot.models import StoreConnection
from bot.registry import campaigns, codes, influencers, lookup
from bot.stores import connections

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "stores" / "samples"
SHOP, SHOP_SECRET = "roi-test.myshopify.com", "shpss_test-client-secret"
WOO, WOO_SECRET = "https://shop.example/", "woo-webhook-secret"


def sample(name: str) -> dict:
    """One real sample payload (a clean skip where ../shared is absent)."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} not found: the shared store samples are not available here")
    return json.loads(path.read_text())


def sample_names(prefix: str) -> list[str]:
    """The sample files whose name starts with `prefix` (empty where ../shared is absent)."""
    return sorted(p.name for p in SAMPLES.glob(f"{prefix}*.json")) if SAMPLES.exists() else []


def hmac64(secret: str, raw: bytes) -> str:
    """The stores' signature: base64 HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def shopify_headers(raw: bytes, topic: str, *, shop: str = SHOP, secret: str = SHOP_SECRET,
                    event_id: str | None = None) -> dict[str, str]:
    """The headers Shopify sends with `raw`; a fresh event id unless given (a redelivery repeats it)."""
    event_id = event_id or hashlib.sha256(raw + topic.encode()).hexdigest()[:32]
    return {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Hmac-Sha256": hmac64(secret, raw), "X-Shopify-API-Version": "2025-10",
            "X-Shopify-Webhook-Id": f"wh-{event_id}", "X-Shopify-Event-Id": event_id}


def woo_headers(raw: bytes, topic: str, *, source: str = WOO, secret: str = WOO_SECRET) -> dict[str, str]:
    """The headers WooCommerce sends with `raw` (as in the real delivery sample)."""
    resource, _, event = topic.partition(".")
    return {"Content-Type": "application/json", "User-Agent": "WooCommerce/10.2.1 Hookshot (WordPress/6.8.3)",
            "X-WC-Webhook-Source": source, "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event, "X-WC-Webhook-Signature": hmac64(secret, raw), "X-WC-Webhook-ID": "16",
            "X-WC-Webhook-Delivery-ID": hashlib.md5(raw).hexdigest()}


def body(payload: dict) -> bytes:
    return json.dumps(payload).encode()


class Stores:
    """Sends signed deliveries through the serve WSGI app and processes them as its worker would."""

    def __init__(self, web):
        self.web = web

    def post(self, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        status, out = call_wsgi(self.web, wsgi_environ(raw, headers, path=path))
        return status, json.loads(out)

    def shopify(self, payload: dict | bytes, topic: str = "orders/create", **options) -> int:
        raw = payload if isinstance(payload, bytes) else body(payload)
        return self.post("/shopify/webhooks", raw, shopify_headers(raw, topic, **options))[0]

    def woo(self, payload: dict | bytes, topic: str = "order.updated", **options) -> int:
        raw = payload if isinstance(payload, bytes) else body(payload)
        return self.post("/woocommerce/webhooks", raw, woo_headers(raw, topic, **options))[0]

    def process(self) -> dict[str, int]:
        return self.web.store_worker.drain()


def connect(sessions, team: str, kind: str, shop: str, secret: str) -> StoreConnection:
    """Connect `shop` to workspace `team` (created when new), as `roi-bot store connect` will."""
    with sessions.begin() as session:
        return connections.connect(session, lookup.workspace(session, team), kind, shop, webhook_secret=secret)


def register(sessions, team: str, code: str, *, start: date, end: date, currency: str, handle: str = "ana",
             campaign: str = "live") -> None:
    """Campaign `campaign` in `team` with `handle` enrolled under `code`, seeded directly."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, team)
        camp = campaigns.create(session, ws, {"name": campaign, "budget": Decimal(1000), "start": start, "end": end,
                                              "currency": currency})
        person = influencers.find(session, ws, handle) or influencers.create(session, ws, handle, {})
        enrolment = influencers.enrol(session, person, camp, {"fee": Decimal(100)}, today=start)
        if code:
            codes.add(session, enrolment, code, url=None, user_id=None)
