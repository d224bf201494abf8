"""The scheduled store sync (SPEC §8): every ROI_SYNC_MINUTES, each connected store is synced once across processes.

Each period of each connection is claimed like a digest's (bot.jobs.claims: a unique row, whoever inserts it runs
the sync), and a connection whose sync from an earlier period is still held by a live process is left alone, so
two schedulers never run one store's sync at once. A failed sync is logged (the store's message, never a secret)
and its claim marked failed; the next period tries again, resuming after the pages already stored.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.errors import BotError
from bot.jobs import claims, owners
from bot.models import JobRun, StoreConnection, Workspace
from bot.runtime import Runtime
from bot.stores.shopify_api import StoreError
from bot.stores.sync import sync

log = logging.getLogger("roi.scheduler")
KIND = "store_sync"
# A sync of a big store under Shopify's rate limits can take an hour; a holder on another machine silent for longer
# than this is taken to be gone (on this machine a dead holder is seen at once).
LEASE = timedelta(hours=2)


def period(now: datetime, minutes: int) -> str:
    """The claim key of the period `now` falls in: its start in UTC, periods counted from the epoch."""
    seconds = minutes * 60
    start = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def connected(runtime: Runtime) -> list[tuple[int, int]]:
    """(connection id, workspace id) of every store still connected, in workspaces that still have the app."""
    with runtime.reads.begin() as session:
        rows = session.execute(select(StoreConnection.id, StoreConnection.workspace_id)
                               .join(Workspace, Workspace.id == StoreConnection.workspace_id)
                               .where(StoreConnection.uninstalled_at.is_(None), Workspace.uninstalled_at.is_(None))
                               .order_by(StoreConnection.id)).all()
    return [(connection_id, workspace_id) for connection_id, workspace_id in rows]


def _busy(runtime: Runtime, connection_id: int, now: datetime) -> bool:
    """Whether a live process still holds a sync of this connection (from this period or an earlier one)."""
    with runtime.reads.begin() as session:
        held = session.execute(select(JobRun.owner, JobRun.claimed_at).where(
            JobRun.kind == KIND, JobRun.subject == str(connection_id), JobRun.status == claims.CLAIMED)).all()
    return any(not owners.gone(owner, since=at, now=now, lease=LEASE) for owner, at in held)


def run_one(runtime: Runtime, connection_id: int, workspace_id: int, *, now: datetime) -> str | None:
    """Sync one connection if this process claims its period: "synced" or "failed" (None: not claimed here)."""
    key = claims.Key(workspace_id, KIND, str(connection_id), period(now, runtime.settings.sync_minutes))
    if claims.holder(runtime, key) is not None or _busy(runtime, connection_id, now):
        return None
    run_id = claims.claim(runtime, key, now=now)
    if run_id is None:
        return None
    settings = runtime.settings
    try:
        summary = sync(runtime.sessions, connection_id, tz=settings.tz, now=now,
                       api_version=settings.shopify_api_version)
    except (StoreError, BotError) as error:
        log.warning("scheduled store sync failed; the next period tries again: %s", error.message)
        claims.finish(runtime, run_id, status=claims.FAILED, now=runtime.clock(), result={"error": error.message})
        return "failed"
    except Exception as error:  # noqa: BLE001 - one store's failure never stops the others; logged by type only
        log.warning("scheduled store sync of connection %s failed (%s); the next period tries again", connection_id,
                    type(error).__name__)
        claims.finish(runtime, run_id, status=claims.FAILED, now=runtime.clock(),
                      result={"error": type(error).__name__})
        return "failed"
    claims.finish(runtime, run_id, status=claims.POSTED, now=runtime.clock(),
                  result={"orders": summary.orders, "new": summary.new, "updated": summary.updated,
                          "rejected": summary.rejected_total})
    return "synced"


def run_due(runtime: Runtime) -> dict[str, int]:
    """Sync every connected store whose period nobody has claimed yet (nothing when ROI_SYNC_MINUTES is 0)."""
    counts: dict[str, int] = {}
    if runtime.settings.sync_minutes <= 0:
        return counts
    for connection_id, workspace_id in connected(runtime):
        outcome = run_one(runtime, connection_id, workspace_id, now=runtime.clock())
        if outcome is not None:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts
