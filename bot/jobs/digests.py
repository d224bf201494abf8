"""Campaign digests (SPEC §5): which scheduled times post, the period each covers, and posting one exactly once.

A digest's period runs from one scheduled time to the next (the calendar day with `digest=off`) and is keyed by
its start in UTC. The scheduler calls `scheduled` at each fire time and again at start-up and every minute
after: it posts the current period's digest when the period began inside the campaign's digest range, after the
schedule was set, and nobody has claimed it yet. So a period missed while the app was down is posted once when
it comes back within that period, and skipped otherwise. This module decides what is due and keeps the claims;
handlers.jobs.digests builds and posts the message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.jobs import claims, owners
from bot.models import Campaign, JobRun, Workspace
from bot.runtime import Runtime
from bot.schedule import Schedule, parse_schedule, utc
from metrics.status import Status

log = logging.getLogger("roi.jobs.digest")

KIND = "digest"
METADATA_TYPE = "roi_digest"  # message metadata carrying the claim id, to recognise a post after a crash
RETRY_EVERY = timedelta(minutes=5)  # a failed digest is tried again this often, within its period
POSTED, ALREADY, SKIPPED, FAILED = "posted", "already", "skipped", "failed"


def stamp(moment: datetime) -> str:
    """A moment as the claim keys write it: UTC, to the second."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Period:
    """From one scheduled time to the next, in ROI_TIMEZONE; either end may be unknown."""

    start: datetime | None
    end: datetime | None

    @property
    def key(self) -> str:
        """The claim key: the start in UTC (unique per period of one schedule)."""
        if self.start is not None:
            return stamp(self.start)
        return f"until {stamp(self.end)}" if self.end else "always"


@dataclass(frozen=True)
class Outcome:
    """What one digest run did, in words for logs and the command line."""

    team: str
    campaign: str
    status: str  # posted | already | skipped | failed
    detail: str
    channel: str | None = None
    period: Period | None = None


def schedule(camp: Campaign) -> Schedule:
    """The campaign's digest schedule (stored canonical; raises InputError for a damaged value)."""
    return parse_schedule(camp.digest)


def final_time(camp: Campaign, sched: Schedule, tz: ZoneInfo) -> datetime | None:
    """The last scheduled digest: the first one after `end + window_days` (None while the campaign has no end)."""
    if camp.end is None or sched.kind == "off":
        return None
    closed = datetime.combine(camp.end + timedelta(days=camp.window_days + 1), time(), tzinfo=tz)
    return sched.next_fire_time(tz, closed - timedelta(microseconds=1))


def posts_at(camp: Campaign, sched: Schedule, tz: ZoneInfo, fire: datetime) -> bool:
    """Whether the scheduled time `fire` posts a digest: from the campaign's start to its final digest (§5)."""
    if camp.status != Status.ACTIVE or not camp.channel_id or sched.kind == "off":
        return False
    if camp.start is not None and fire.astimezone(tz).date() < camp.start:
        return False
    if camp.end is None:
        return True
    last = final_time(camp, sched, tz)
    return last is not None and utc(fire) <= utc(last)


def next_time(camp: Campaign, sched: Schedule, tz: ZoneInfo, after: datetime) -> datetime | None:
    """The next scheduled time after `after` that posts a digest, or None when there will be none."""
    if camp.start is not None:
        opens = datetime.combine(camp.start, time(), tzinfo=tz) - timedelta(microseconds=1)
        after = max(after, opens, key=utc)
    fire = sched.next_fire_time(tz, after)
    return fire if fire is not None and posts_at(camp, sched, tz, fire) else None


def candidates(runtime: Runtime) -> list[int]:
    """Campaigns that may have a scheduled digest due: active, with a channel and a schedule, still installed."""
    with runtime.reads.begin() as session:
        return list(session.scalars(
            select(Campaign.id).join(Workspace, Workspace.id == Campaign.workspace_id)
            .where(Campaign.status == Status.ACTIVE, Campaign.channel_id.is_not(None), Campaign.digest != "off",
                   Workspace.uninstalled_at.is_(None)).order_by(Campaign.id)))


def previous(session: Session, camp: Campaign, run_id: int) -> dict | None:
    """The figures of the last digest posted for this campaign before this run."""
    run = session.scalar(
        select(JobRun).where(JobRun.workspace_id == camp.workspace_id, JobRun.kind == KIND,
                             JobRun.subject == str(camp.id), JobRun.status == claims.POSTED, JobRun.id != run_id)
        .order_by(JobRun.finished_at.desc(), JobRun.id.desc()).limit(1)
    )
    result = run.result if run is not None else None
    if not result or "totals" not in result:
        return None
    return {**result["totals"], "at": result.get("at")}


def resumable(runtime: Runtime, key: claims.Key, *, now: datetime, scheduled: bool) -> JobRun | None:
    """A claim of `key` this run may carry on with: orphaned by a dead holder, or failed and due for a retry."""
    held = claims.holder(runtime, key)
    if held is None:
        return None
    if held.status == claims.CLAIMED:
        return claims.orphaned(runtime, key, now=now, lease=owners.DIGEST_LEASE)
    if held.status == claims.FAILED and (not scheduled or now - (held.finished_at or held.claimed_at) >= RETRY_EVERY):
        return held
    return None


def due(runtime: Runtime, camp_id: int) -> Period | None:
    """The period whose digest is due now (for the scheduler's tick), or None: not a posting time, set after that
    time, or posted already (the common case on every tick)."""
    now = runtime.clock()
    tz = runtime.settings.tz
    with runtime.reads.begin() as session:
        camp = session.get(Campaign, camp_id)
        if camp is None:
            return None
        sched = schedule(camp)
        start, end = sched.period(tz, now)
        if start is None or not posts_at(camp, sched, tz, start):
            return None
        if camp.digest_since is not None and utc(start) < utc(camp.digest_since):
            return None  # that time passed before this schedule was set: nothing was missed
        ws_id = camp.workspace_id
    held = claims.holder(runtime, claims.Key(ws_id, KIND, str(camp_id), Period(start, end).key))
    if held is not None and held.status == claims.POSTED:
        return None
    return Period(start, end)


def current(runtime: Runtime, camp_id: int) -> Period:
    """The period `now` falls in, whatever the schedule says about posting (`roi-bot jobs run digest`)."""
    with runtime.reads.begin() as session:
        camp = session.get(Campaign, camp_id)
        start, end = schedule(camp).period(runtime.settings.tz, runtime.clock())
    return Period(start, end)
