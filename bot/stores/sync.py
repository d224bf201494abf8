"""Pulling what the webhooks missed (SPEC §8 "Pulling"): every order created or updated since the last sync, through
the store's API, stored as the webhooks store them (bot.imports.store_orders: the store's newest version wins).

A run is resumable: each page is stored in its own transaction together with the cursor to continue after it
(`sync_cursor`: Shopify's endCursor, WooCommerce's next page number), so a run killed half-way loses at most the
page in flight. While a run is under way `sync_started_at` is set and `synced_until` holds the moment it pulls
from; the next run carries on from the cursor. A finished run moves `synced_until` to its own start: orders
updated during the run are pulled again next time, which costs little because storing is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InputError, NotFound
from bot.imports.orders import OrderRecord
from bot.imports.store_orders import store_orders, tidy
from bot.imports.summary import Summary
from bot.models import Campaign, StoreConnection, StoreDelivery
from bot.stores import clients, payloads
from bot.stores.shopify_api import API_VERSION, NotConfigured, StoreError, order_payload
from bot.stores.woocommerce_api import WooCommerceApi

log = logging.getLogger("roi.stores")
# Pulled from a little before `synced_until`: the store's clock and ours may disagree by a few minutes.
SKEW = timedelta(minutes=5)


def _client(connection: StoreConnection, api_version: str):
    """The API client of a connection, from what `roi-bot store connect` stored."""
    if connection.kind == "shopify":
        if not (connection.access_token or (connection.api_key and connection.webhook_secret)):
            raise NotConfigured("no Admin API access: connect it with SHOPIFY_ACCESS_TOKEN, or SHOPIFY_CLIENT_ID and "
                             "SHOPIFY_CLIENT_SECRET")
        return clients.shopify(connection, api_version=api_version)
    if not (connection.api_key and connection.api_secret):
        raise NotConfigured("no REST API keys: connect it with WOOCOMMERCE_KEY and WOOCOMMERCE_SECRET")
    return WooCommerceApi(connection.api_url or f"https://{connection.shop}", key=connection.api_key,
                          secret=connection.api_secret)


def _earliest_start(session: Session, workspace_id: int) -> date | None:
    return session.scalar(select(func.min(Campaign.start)).where(Campaign.workspace_id == workspace_id))


def _begin(sessions: sessionmaker[Session], connection_id: int, *, tz: ZoneInfo, now: datetime,
           since: date | None) -> tuple[StoreConnection, datetime, datetime, str | None]:
    """Start or resume a run: (the connection, the moment pulled from, the run's start, the cursor to go on from)."""
    with sessions.begin() as session:
        connection = session.get(StoreConnection, connection_id)
        if connection is None:
            raise NotFound(f"There is no store connection {connection_id}.")
        if since is not None:  # a fresh run from the day asked for
            connection.synced_until = datetime.combine(since, time(0), tz)
            connection.sync_started_at, connection.sync_cursor = now, None
        elif connection.sync_started_at is None:
            if connection.synced_until is None:
                first = _earliest_start(session, connection.workspace_id)
                if first is None:
                    raise InputError("--since", "the workspace has no campaign yet, so a first sync has no start",
                                     "`roi-bot store sync --since YYYY-MM-DD`, or create a campaign first")
                connection.synced_until = datetime.combine(first, time(0), tz)
            connection.sync_started_at, connection.sync_cursor = now, None
        else:
            log.info("%s store %s: resuming the sync begun at %s", connection.kind, connection.shop,
                     connection.sync_started_at)
        session.flush()
        session.expunge(connection)
    return connection, connection.synced_until, connection.sync_started_at, connection.sync_cursor


def _records(kind: str, orders: list[dict], tz: ZoneInfo, summary: Summary) -> list[OrderRecord]:
    """The page's orders as records; a payload the rules cannot use is reported by its order's name, not fatal."""
    records = []
    for order in orders:
        summary.rows_read += 1
        try:
            if kind == "shopify":
                record = payloads.shopify_order(order_payload(order), tz)
            else:
                record = payloads.woocommerce_order(order, tz)
        except payloads.PayloadError as error:
            name = order.get("name") or order.get("number") or order.get("id") or "?"
            summary.reject(summary.rows_read, f"order {str(name)[:40]}: {error}")
            continue
        if record is not None:  # None: a Shopify test order, ignored
            records.append(record)
    return records


def _store_page(session: Session, connection: StoreConnection, records: list[OrderRecord], summary: Summary) -> None:
    """Store the page's orders as webhooks do, and wake the refunds that waited for them (bot.stores.inbox)."""
    if not records:
        return
    store_orders(session, connection.workspace_id, connection.kind, records, summary)
    ids = sorted({r.store_order_id for r in records if r.store_order_id})
    c = StoreDelivery
    for start in range(0, len(ids), 500):
        session.execute(update(c).where(c.connection_id == connection.id, c.store_order_id.in_(ids[start:start + 500]),
                                        c.processed_at.is_(None), c.owner.is_(None)).values(next_attempt_at=None))


def sync(sessions: sessionmaker[Session], connection_id: int, *, tz: ZoneInfo, now: datetime, since: date | None = None,
         api_version: str = API_VERSION, on_page: Callable[[int], None] | None = None) -> Summary:
    """Pull the connection's orders updated since the last sync (or since `since`), a page per transaction; the
    summary counts them as an import's does. StoreError (naming the store) when the store fails us: the pages
    stored until then stay, and the next run resumes after them. `on_page(n)` is called after each stored page."""
    connection, bound, started, cursor = _begin(sessions, connection_id, tz=tz, now=now, since=since)
    summary = Summary(kind="orders", format=connection.kind, file=f"{connection.kind} store {connection.shop}")
    pages = 0
    try:
        client = _client(connection, api_version)
        try:
            if connection.kind == "shopify":
                feed = ((p.orders, p.after) for p in client.order_pages(bound - SKEW, after=cursor))
            else:
                feed = ((p.orders, None if p.next_page is None else str(p.next_page))
                        for p in client.order_pages(bound - SKEW, page=int(cursor or 1)))
            for orders, after in feed:
                records = _records(connection.kind, orders, tz, summary)
                with sessions.begin() as session:
                    _store_page(session, connection, records, summary)
                    values = {"sync_cursor": after}
                    if after is None:  # the last page: the run is done
                        values.update(synced_until=started, sync_started_at=None, last_sync_at=now)
                    session.execute(update(StoreConnection).where(StoreConnection.id == connection.id).values(**values))
                pages += 1
                if on_page is not None:
                    on_page(pages)
        finally:
            client.close()
    except StoreError as error:
        kind = NotConfigured if isinstance(error, NotConfigured) else StoreError
        raise kind(f"{connection.kind} store {connection.shop}: {error.message}") from None
    with sessions() as session:
        tidy(session.get_bind(), summary)
    log.info("%s store %s synced: %d orders in %d pages", connection.kind, connection.shop, summary.orders, pages)
    return summary
