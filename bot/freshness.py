"""Where a campaign's orders come from and how fresh they are (SPEC §8 "Freshness"): `/roi` answers, digests and
the Home tab say it, so nobody reads last week's export as today's figures; `/health` shows the store connections.

Orders tell their origin by their columns: `source` is the format (`shopify`, `woocommerce`, `csv`, `manual`), and a
store's own id (`store_order_id`) is set only on orders a webhook or a sync brought in, never on an export's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import ImportRun, Order, StoreConnection

STALE_AFTER = timedelta(days=1)  # a running campaign's digest warns when nothing newer arrived
MANUAL = "manual"  # bot.sales.SOURCE
STORE_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce"}


@dataclass(frozen=True)
class StoreStatus:
    """One store connection of a workspace, without its secrets."""

    kind: str
    shop: str
    uninstalled_at: datetime | None
    last_delivery_at: datetime | None
    last_sync_at: datetime | None

    @property
    def connected(self) -> bool:
        """False once the store's app was uninstalled (its webhooks stopped)."""
        return self.uninstalled_at is None

    def as_json(self) -> dict:
        """As `GET /health` shows it."""
        def iso(moment: datetime | None) -> str | None:
            return moment.astimezone(timezone.utc).isoformat() if moment else None

        return {"kind": self.kind, "shop": self.shop, "status": "connected" if self.connected else "uninstalled",
                "uninstalled_at": iso(self.uninstalled_at), "last_delivery_at": iso(self.last_delivery_at),
                "last_sync_at": iso(self.last_sync_at)}


@dataclass(frozen=True)
class Freshness:
    """Where some campaigns' orders came from, and the newest of each kind of data (UTC times)."""

    live: tuple[str, ...]  # store kinds whose webhooks or syncs brought orders in
    imported: bool  # orders from CSV imports (a store's export or our own format)
    manual: bool  # orders recorded by hand (`/roi sale`)
    newest_order: datetime | None  # the newest order's time, or its day's start when only the day is known
    newest_order_timed: bool  # whether newest_order has a time of day
    last_import: datetime | None  # the workspace's last import of an orders file
    stores: tuple[StoreStatus, ...]

    @property
    def any_orders(self) -> bool:
        """Whether any order of these campaigns is stored."""
        return bool(self.live or self.imported or self.manual)

    def newest_data(self) -> tuple[str, datetime] | None:
        """What arrived last and when: the newest order, a store's last delivery or sync, or the last import."""
        found: list[tuple[datetime, str]] = []
        if self.newest_order:
            found.append((self.newest_order, "order"))
        for store in self.stores:
            found += [(store.last_delivery_at, f"{store.kind} delivery"), (store.last_sync_at, f"{store.kind} sync")]
        found.append((self.last_import, "import"))
        known = [(moment, what) for moment, what in found if moment is not None]
        if not known:
            return None
        moment, what = max(known, key=lambda item: item[0])
        return what, moment

    def stale(self, now: datetime) -> bool:
        """True when the newest data is more than STALE_AFTER old (never when there is none at all)."""
        newest = self.newest_data()
        return newest is not None and now - newest[1] > STALE_AFTER


def stores(session: Session, workspace_id: int | None = None) -> list[StoreStatus]:
    """The store connections of one workspace (of all, when None), oldest first."""
    query = select(StoreConnection.kind, StoreConnection.shop, StoreConnection.uninstalled_at,
                   StoreConnection.last_delivery_at, StoreConnection.last_sync_at).order_by(StoreConnection.id)
    if workspace_id is not None:
        query = query.where(StoreConnection.workspace_id == workspace_id)
    return [StoreStatus(*row) for row in session.execute(query)]


def of_campaigns(session: Session, workspace_id: int, campaign_ids: Sequence[int], *, tz: ZoneInfo) -> Freshness:
    """The freshness of these campaigns' orders (credited, or theirs but outside the window), in one workspace."""
    live = Order.store_order_id.is_not(None)
    rows = session.execute(
        select(Order.source, live, func.max(Order.created), func.max(Order.order_date))
        .where(Order.workspace_id == workspace_id, Order.campaign_id.in_(list(campaign_ids)))
        .group_by(Order.source, live)).all() if campaign_ids else []
    kinds, imported, manual = set(), False, False
    newest_time: datetime | None = None
    newest_day: date | None = None
    for source, from_store, created, day in rows:
        if from_store and source in STORE_NAMES:
            kinds.add(source)
        elif source == MANUAL:
            manual = True
        else:
            imported = True
        if created is not None and created.tzinfo is None:  # a raw aggregate skips the column type on SQLite
            created = datetime.fromisoformat(str(created)).replace(tzinfo=timezone.utc)
        if isinstance(day, str):
            day = date.fromisoformat(day)
        newest_time = max(filter(None, (newest_time, created)), default=None)
        newest_day = max(filter(None, (newest_day, day)), default=None)
    newest, timed = newest_time, newest_time is not None
    if newest_day is not None and (newest is None or newest.astimezone(tz).date() < newest_day):
        # A later order known by its day only (a hand-recorded sale, an export without times): that day's start.
        newest, timed = datetime.combine(newest_day, time(), tz).astimezone(timezone.utc), False
    last_import = session.scalar(select(func.max(ImportRun.created_at))
                                 .where(ImportRun.workspace_id == workspace_id, ImportRun.kind == "orders"))
    if last_import is not None and last_import.tzinfo is None:
        last_import = datetime.fromisoformat(str(last_import)).replace(tzinfo=timezone.utc)
    return Freshness(live=tuple(k for k in STORE_NAMES if k in kinds), imported=imported, manual=manual,
                     newest_order=newest, newest_order_timed=timed, last_import=last_import,
                     stores=tuple(stores(session, workspace_id)))
