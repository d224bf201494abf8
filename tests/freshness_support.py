"""What the freshness tests share (SPEC §8 "Freshness"): orders arriving live from a store, CSV imports made at a
given time, and store connections with their last delivery and sync, seeded directly (no store, no Slack)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import update

from bot.imports.orders import OrderRecord
from bot.imports.store_orders import store_orders
from bot.imports.summary import Summary
from bot.models import ImportRun, StoreConnection
from bot.registry import lookup
from bot.stores import connections
from import_support import run


def live_order(sessions, order_id: str, code: str, created: datetime, *, kind: str = "shopify",
               team: str = "T0001", amount: str = "100") -> None:
    """An order as a webhook or a sync of `kind` stores it (with the store's own id)."""
    record = OrderRecord(row=1, order_id=order_id, created=created, order_date=created.date(), currency="USD",
                         subtotal=Decimal(amount), refunded=Decimal(0), cancelled=False, financial_status="paid",
                         codes=(code,), utm_campaign=None, utm_content=None, store_order_id=f"9{order_id[1:]}",
                         store_updated_at=created)
    with sessions.begin() as session:
        ws = lookup.workspace(session, team)
        store_orders(session, ws.id, kind, [record], Summary(kind="orders", format=kind, file="webhook"))


def csv_import(sessions, rows: str, at: datetime, *, team: str = "T0001") -> None:
    """Import our own orders CSV (`order_id,date,amount,code` rows), recorded as made at `at`."""
    run(sessions, "order_id,date,amount,code\n" + rows, team=team)
    with sessions.begin() as session:
        session.execute(update(ImportRun).where(ImportRun.kind == "orders").values(created_at=at))


def connect_store(sessions, *, kind: str = "shopify", team: str = "T0001", delivered: datetime | None = None,
                  synced: datetime | None = None, uninstalled: datetime | None = None) -> None:
    """A store connected to `team`, with its last delivery and sync."""
    shop = "roi-test.myshopify.com" if kind == "shopify" else "https://shop.example/"
    with sessions.begin() as session:
        found: StoreConnection = connections.connect(session, lookup.workspace(session, team), kind, shop,
                                                     webhook_secret="secret")
        found.last_delivery_at, found.last_sync_at, found.uninstalled_at = delivered, synced, uninstalled
