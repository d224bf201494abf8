"""Writing engagement results from a stats CSV: one row per (influencer, campaign, post or day), replaced on
re-import; rows naming someone not enrolled are rejected with the reason."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session

from bot.imports.orders import Rejected
from bot.imports.stats import StatsRecord
from bot.imports.summary import Summary
from bot.models import Campaign, EngagementStat, Enrolment, Influencer, utcnow
from bot.registry.influencers import stat_key
from metrics.roi import COUNTERS

CHUNK = 2000


def store_stats(session: Session, workspace_id: int, items: Iterable[StatsRecord | Rejected], summary: Summary) -> Summary:
    """Upsert parsed stats rows into `summary`; the caller owns the transaction."""
    enrolments = {
        (handle_key, name_key): enrolment_id
        for enrolment_id, handle_key, name_key in session.execute(
            select(Enrolment.id, Influencer.handle_key, Campaign.name_key)
            .join(Influencer, Influencer.id == Enrolment.influencer_id)
            .join(Campaign, Campaign.id == Enrolment.campaign_id)
            .where(Enrolment.workspace_id == workspace_id)
        )
    }
    handles = set(session.scalars(select(Influencer.handle_key).where(Influencer.workspace_id == workspace_id)))
    campaigns = set(session.scalars(select(Campaign.name_key).where(Campaign.workspace_id == workspace_id)))
    seen: dict[tuple[int, str], int] = {}
    it = iter(items)
    while chunk := list(islice(it, CHUNK)):
        rows = []
        for item in chunk:
            if isinstance(item, Rejected):
                summary.reject(item.row, item.reason)
                continue
            enrolment_id = enrolments.get((item.handle.lower(), item.campaign.lower()))
            if enrolment_id is None:
                summary.reject(item.row, _why_not(item, handles, campaigns))
                continue
            key = stat_key(item.post, item.date)
            if (enrolment_id, key) in seen:
                summary.reject(item.row, f"the same {'post' if item.post else 'day'} as row {seen[(enrolment_id, key)]} "
                                         f"for `{item.handle}` in `{item.campaign}`; keep one of them")
                continue
            seen[(enrolment_id, key)] = item.row
            rows.append({"workspace_id": workspace_id, "enrolment_id": enrolment_id, "stat_key": key,
                         "stat_date": item.date, "post": item.post,
                         **{c: item.counters.get(c) for c in COUNTERS}})
        if rows:
            _store_chunk(session, rows, summary)
    return summary


def _why_not(item: StatsRecord, handles: set[str], campaigns: set[str]) -> str:
    if item.handle.lower() not in handles:
        return f"there is no influencer `{item.handle}`; add them with `/influencer add` or a roster import"
    if item.campaign.lower() not in campaigns:
        return f"there is no campaign `{item.campaign}`"
    return f"`{item.handle}` is not enrolled in `{item.campaign}`"


def _store_chunk(session: Session, rows: list[dict], summary: Summary) -> None:
    cols = [EngagementStat.id, EngagementStat.enrolment_id, EngagementStat.stat_key, EngagementStat.stat_date,
            *[getattr(EngagementStat, c) for c in COUNTERS]]
    known = {
        (r.enrolment_id, r.stat_key): r
        for r in session.execute(
            select(*cols).where(tuple_(EngagementStat.enrolment_id, EngagementStat.stat_key)
                                .in_([(r["enrolment_id"], r["stat_key"]) for r in rows]))
        )
    }
    now = utcnow()
    fresh, changed = [], []
    for row in rows:
        old = known.get((row["enrolment_id"], row["stat_key"]))
        if old is None:
            fresh.append({**row, "updated_at": now})
            summary.new += 1
        elif old.stat_date != row["stat_date"] or any(getattr(old, c) != row[c] for c in COUNTERS):
            changed.append({"id": old.id, "stat_date": row["stat_date"], "post": row["post"], "updated_at": now,
                            **{c: row[c] for c in COUNTERS}})
            summary.updated += 1
        else:
            summary.unchanged += 1
    if fresh:
        session.execute(insert(EngagementStat), fresh)
    if changed:
        session.execute(update(EngagementStat), changed)
