"""Which store belongs to which workspace (SPEC §8): connecting one, finding it from a webhook's shop header, and the
connection configured by the environment (SHOPIFY_SHOP …, WOOCOMMERCE_URL …).

A connection keeps what verifies the store's webhooks and calls its API in the database, as Slack installations
keep their tokens (bot.install). A shop belongs to one workspace: the webhook's shop header is all that picks it.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import Conflict, InputError
from bot.models import StoreConnection, Workspace, utcnow

log = logging.getLogger("roi.stores")
KINDS = ("shopify", "woocommerce")
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?")


def shop_key(kind: str, value: str | None) -> str | None:
    """The shop as connections are keyed: Shopify's `name.myshopify.com`, WooCommerce's address without its scheme
    or last slash (`shop.example`, `example.com/shop`: `X-WC-Webhook-Source` says `https://shop.example/`); None when
    `value` cannot name a shop."""
    if not value or len(value) > 255:
        return None
    text = value.strip().lower()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    if not _HOST.fullmatch(host) or parts.query or parts.fragment:
        return None
    path = parts.path.rstrip("/")
    if kind == "shopify":
        return host if not path else None
    return host + path


def connect(session: Session, ws: Workspace, kind: str, shop: str, *, webhook_secret: str | None,
            api_key: str | None = None, api_secret: str | None = None, access_token: str | None = None,
            api_url: str | None = None) -> StoreConnection:
    """Connect (or reconnect, with new secrets) a store to `ws`; Conflict when another workspace has it."""
    if kind not in KINDS:
        raise InputError("kind", f"{kind!r} is not a store kind", "shopify or woocommerce")
    key = shop_key(kind, shop)
    if key is None:
        accepted = "a domain like name.myshopify.com" if kind == "shopify" else "an address like https://shop.example"
        raise InputError("shop", f"{shop!r} does not name a {kind} store", accepted)
    found = session.scalar(select(StoreConnection).where(StoreConnection.kind == kind, StoreConnection.shop == key))
    if found is not None and found.workspace_id != ws.id:
        raise Conflict(f"The {kind} store {key} is connected to another workspace; disconnect it there first.")
    if found is None:
        found = StoreConnection(workspace_id=ws.id, kind=kind, shop=key)
        session.add(found)
    found.webhook_secret, found.api_key, found.api_secret = webhook_secret, api_key, api_secret
    found.access_token, found.api_url = access_token, api_url
    found.updated_at, found.uninstalled_at = utcnow(), None
    session.flush()
    return found


def find(session: Session, kind: str, shop_header: str | None) -> StoreConnection | None:
    """The connection a webhook's shop header names, or None."""
    key = shop_key(kind, shop_header)
    if key is None:
        return None
    return session.scalar(select(StoreConnection).where(StoreConnection.kind == kind, StoreConnection.shop == key))


def configured(settings: Settings) -> list[dict]:
    """The connections the environment describes, as `connect` keyword arguments (with `kind` and `shop`)."""
    found = []
    if settings.shopify_shop:
        found.append({"kind": "shopify", "shop": settings.shopify_shop,
                      "webhook_secret": settings.shopify_client_secret,
                      "api_key": settings.shopify_client_id, "access_token": settings.shopify_access_token,
                      "api_url": settings.shopify_base_url})
    if settings.woocommerce_url:
        found.append({"kind": "woocommerce", "shop": settings.woocommerce_url,
                      "webhook_secret": settings.woocommerce_webhook_secret, "api_key": settings.woocommerce_key,
                      "api_secret": settings.woocommerce_secret, "api_url": settings.woocommerce_url.rstrip("/")})
    return found


def connect_configured(session: Session, settings: Settings, *, team_id: str | None = None,
                       kinds: tuple[str, ...] = KINDS) -> list[StoreConnection]:
    """Connect the stores of the environment (of `kinds`) to `team_id`'s workspace, or to the only workspace in the
    database; nothing (and a log line saying why) when there is none or several."""
    wanted = [values for values in configured(settings) if values["kind"] in kinds]
    if not wanted:
        return []
    if team_id is not None:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
    elif session.scalar(select(func.count()).select_from(Workspace)) == 1:
        ws = session.scalar(select(Workspace))
    else:
        ws = None
    if ws is None:
        log.warning("store variables are set but not connected: the database needs exactly one workspace "
                    "(or name one with --team)")
        return []
    connected = [connect(session, ws, **values) for values in wanted]
    for connection in connected:
        log.info("%s store %s connected to workspace %s", connection.kind, connection.shop, ws.team_id)
    return connected
