"""How the freshness of a campaign's data reads in Slack (SPEC §8): the context line under `/roi` answers, digests
and Home tab cards, and the digest's warning when nothing new arrived for a day.

`Orders from Shopify (live, last delivery 5 min ago) and a CSV import of Mar 15 · newest order Mar 16 14:02`
Times of day are in ROI_TIMEZONE; "ago" is counted from the runtime's clock, which the caller passes as `now`.
"""

from __future__ import annotations

from datetime import datetime

from bot.freshness import STORE_NAMES, Freshness, StoreStatus
from handlers.blocks import fmt
from handlers.blocks.kit import Block, context, section

RELATIVE_DAYS = 7  # older than this, a moment is shown as its date


def moment(at: datetime, now: datetime, *, timed: bool = True) -> str:
    """`Mar 16 14:02` in `now`'s time zone (`Mar 16` without a time), with the year when it is not `now`'s."""
    local = at.astimezone(now.tzinfo)
    text = f"{local:%b} {local.day}" + (f" {local.year}" if local.year != now.year else "")
    return text + (f" {local:%H:%M}" if timed else "")


def ago(at: datetime, now: datetime) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 days ago`, or the date beyond a week."""
    seconds = (now - at).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day{fmt.s(days)} ago" if days <= RELATIVE_DAYS else f"on {moment(at, now, timed=False)}"


def _store_times(store: StoreStatus, now: datetime) -> list[str]:
    if not store.connected:
        return [f"app uninstalled {moment(store.uninstalled_at, now, timed=False)}"]
    times = []
    if store.last_delivery_at:
        times.append(f"last delivery {ago(store.last_delivery_at, now)}")
    if store.last_sync_at:
        times.append(f"last sync {ago(store.last_sync_at, now)}")
    return times


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def line(fresh: Freshness, now: datetime) -> str:
    """Where the orders come from and how fresh they are, in one line."""
    by_kind = {s.kind: s for s in fresh.stores}  # a workspace has one store of each kind, in practice
    sources = []
    for kind in fresh.live:
        store = by_kind.get(kind)
        detail = ", ".join(["live", *(_store_times(store, now) if store else [])])
        sources.append(f"{STORE_NAMES[kind]} ({detail})")
    if fresh.imported:
        sources.append(f"a CSV import of {moment(fresh.last_import, now, timed=False)}" if fresh.last_import
                       else "CSV imports")
    if fresh.manual:
        sources.append("sales recorded by hand")
    parts = [f"Orders from {_and(sources)}" if sources else "No orders yet"]
    if fresh.newest_order:
        parts.append(f"newest order {moment(fresh.newest_order, now, timed=fresh.newest_order_timed)}")
    for store in fresh.stores:
        if store.kind not in fresh.live and store.connected:  # connected, but none of these orders came from it
            times = _store_times(store, now)
            parts.append(f"{STORE_NAMES.get(store.kind, store.kind)} connected" + (f" ({', '.join(times)})" if times
                                                                                   else ""))
    if not fresh.imported and fresh.last_import and not fresh.any_orders:
        parts.append(f"last CSV import {moment(fresh.last_import, now, timed=False)}")
    return " · ".join(parts)


def footer(fresh: Freshness | None, now: datetime) -> list[Block]:
    """The freshness line as a context block (nothing when there is no freshness to tell)."""
    return [context(fmt.esc(line(fresh, now)))] if fresh is not None else []


WHAT = {"order": "the newest order", "import": "the last CSV import"}


def _what(kind: str) -> str:
    if kind in WHAT:
        return WHAT[kind]
    store, _, event = kind.partition(" ")
    return f"the last {STORE_NAMES.get(store, store)} {event}"


def stale_warning(fresh: Freshness, now: datetime) -> Block | None:
    """A digest's warning when the newest data is more than a day old; None otherwise."""
    newest = fresh.newest_data()
    if newest is None or not fresh.stale(now):
        return None
    kind, at = newest
    days = int((now - at).total_seconds() // 86400)
    when = moment(at, now, timed=fresh.newest_order_timed or kind != "order")
    if any(store.connected for store in fresh.stores):
        fix = "check the store connection (`roi-bot store list`), or share a fresh export with me"
    else:
        fix = "share a fresh export with me, or record sales with `/roi sale`"
    return section(f":warning: *No new data for {days} day{fmt.s(days)}*: {_what(kind)} is from {when}. "
                   f"These figures may be missing orders: {fix}.")
