"""A store's webhook request, up to the moment it is kept (SPEC §8): which connection the shop header names, the
signature over the raw bytes (before anything is parsed), then the delivery kept once in the inbox.

The answer is decided here and processing happens later (bot.stores.inbox), so the store gets its 200 within its
timeout. Nothing from a request that fails a check is used, kept or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.models import StoreConnection, StoreDelivery
from bot.stores import connections

COMPLIANCE = ("customers/data_request", "customers/redact", "shop/redact")
_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{1,128}={0,2}")
_TOPIC = re.compile(r"[A-Za-z0-9_./-]{1,64}")
_KEY = re.compile(r"[\x21-\x7e]{1,128}")
_PING = re.compile(rb"webhook_id=[0-9]{1,20}")


@dataclass(frozen=True)
class Outcome:
    """The HTTP status for the store, why (for the log: never a value the request carried), and the delivery kept."""

    status: int
    why: str
    delivery_id: int | None = None


def signed(raw: bytes, secret: str | None, signature: str | None) -> bool:
    """Whether `signature` is the base64 HMAC-SHA256 of the raw body with `secret`, compared in constant time."""
    if not secret or signature is None or not _SIGNATURE.fullmatch(signature.strip()):
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("ascii"))


def _shopify(headers: Mapping[str, str], name: str) -> str | None:
    """A Shopify header, `X-Shopify-…` or the unprefixed `shopify-…` of its newer event deliveries."""
    return headers.get(f"x-shopify-{name}") or headers.get(f"shopify-{name}")


def is_ping(headers: Mapping[str, str], raw: bytes) -> bool:
    """WooCommerce's check of a new webhook: a form body `webhook_id=N` and none of its X-WC headers."""
    return not any(name.startswith("x-wc-") for name in headers) and bool(_PING.fullmatch(raw.strip()))


def _parts(kind: str, headers: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """(shop, signature, topic) as the store's headers give them."""
    if kind == "shopify":
        return _shopify(headers, "shop-domain"), _shopify(headers, "hmac-sha256"), _shopify(headers, "topic")
    return headers.get("x-wc-webhook-source"), headers.get("x-wc-webhook-signature"), headers.get("x-wc-webhook-topic")


def delivery_key(kind: str, headers: Mapping[str, str], topic: str, raw: bytes) -> str:
    """What makes a delivery the same one again: Shopify's event id, else its webhook id; WooCommerce has no stable
    id, so the topic and body (built when sent: the same body is the same state of the order)."""
    if kind == "shopify":
        for value in (_shopify(headers, "event-id"), _shopify(headers, "webhook-id")):
            if value and _KEY.fullmatch(value.strip()):
                return value.strip()
    return "sha256:" + hashlib.sha256(topic.encode() + b"\n" + raw).hexdigest()


def _connection(sessions: sessionmaker[Session], settings: Settings, kind: str, shop: str | None
                ) -> StoreConnection | None:
    with sessions() as session:
        found = connections.find(session, kind, shop)
    if found is not None:
        return found
    key = connections.shop_key(kind, shop)
    configured = [c for c in connections.configured(settings) if c["kind"] == kind]
    if key is None or not configured or connections.shop_key(kind, configured[0]["shop"]) != key:
        return None
    # The configured store, whose workspace arrived after start-up: connected now (SPEC §8).
    with sessions.begin() as session:
        connections.connect_configured(session, settings, kinds=(kind,))
    with sessions() as session:
        return connections.find(session, kind, shop)


def receive(sessions: sessionmaker[Session], settings: Settings, kind: str, headers: Mapping[str, str], raw: bytes,
            *, now: datetime) -> Outcome:
    """Check one webhook request (`headers` with lower-case names) and keep it: 200 with the delivery's id when it
    was kept, 200 without for a ping, a repeat or what is ignored; 404 unknown shop; 401 bad signature; 400 a
    signed request that is not a store's delivery."""
    if kind == "woocommerce" and is_ping(headers, raw):
        return Outcome(200, "WooCommerce webhook ping")
    shop, signature, topic = _parts(kind, headers)
    connection = _connection(sessions, settings, kind, shop)
    if connection is None:
        return Outcome(404, "no store connected under that shop")
    if not signed(raw, connection.webhook_secret, signature):
        return Outcome(401, "missing or bad signature")
    if topic is None or not _TOPIC.fullmatch(topic.strip()):
        return Outcome(400, "missing or malformed topic")
    topic = topic.strip().lower()
    try:
        if not isinstance(json.loads(raw), dict):
            return Outcome(400, "the body is not a JSON object")
    except (ValueError, RecursionError):
        return Outcome(400, "the body is not JSON")
    if connection.uninstalled_at is not None and topic not in COMPLIANCE:
        return Outcome(200, f"{topic} ignored: the store uninstalled the app")
    try:
        with sessions.begin() as session:
            delivery = StoreDelivery(connection_id=connection.id, delivery_key=delivery_key(kind, headers, topic, raw),
                                     topic=topic, body=b"" if topic in COMPLIANCE else raw, received_at=now)
            session.add(delivery)
            session.get(StoreConnection, connection.id).last_delivery_at = now
            session.flush()
            kept = delivery.id
    except IntegrityError:
        return Outcome(200, f"{topic} delivered again; kept already")
    return Outcome(200, f"{topic} kept", kept)
