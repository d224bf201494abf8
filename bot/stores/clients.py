"""API clients built from a stored store connection, so every caller reads the connection's fields the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import StoreConnection
from bot.stores.shopify_api import ShopifyAdmin, StoreError

__all__ = ["StoreError", "connected_shopify", "shopify", "shopify_base_url"]


def shopify_base_url(connection: StoreConnection) -> str:
    """Where the store's Admin API lives: the connection's `api_url` (a stand-in, a proxy), else `https://<shop>`."""
    return connection.api_url or f"https://{connection.shop}"


def shopify(connection: StoreConnection, *, api_version: str, **options: Any) -> ShopifyAdmin:
    """A Shopify Admin client for `connection`: its access token, or the client-credentials grant with its client id
    (`api_key`) and secret (`webhook_secret`, the same secret that signs its webhooks); `options` go to ShopifyAdmin
    (an `http` client with a shorter timeout, `sleep`)."""
    if connection.kind != "shopify":
        raise ValueError(f"a {connection.kind} connection is not a Shopify store")
    return ShopifyAdmin(shopify_base_url(connection), api_version=api_version, access_token=connection.access_token,
                        client_id=connection.api_key, client_secret=connection.webhook_secret, **options)


def connected_shopify(session: Session, workspace_id: int) -> StoreConnection | None:
    """The workspace's connected Shopify store (its app not uninstalled), or None; never another workspace's."""
    return session.scalar(select(StoreConnection).where(
        StoreConnection.workspace_id == workspace_id, StoreConnection.kind == "shopify",
        StoreConnection.uninstalled_at.is_(None)).order_by(StoreConnection.id).limit(1))
