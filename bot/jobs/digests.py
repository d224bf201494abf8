"""Campaign digests (SPEC §5): which scheduled times post, the period each covers, and posting one exactly once.

A digest's period runs from one scheduled time to the next (the calendar day with `digest=off`) and is keyed by
its start in UTC. The scheduler calls `scheduled` at each fire time and again at start-up and every minute
after: it posts the current period's digest when the period began inside the campaign's digest range, after the
schedule was set, and nobody has claimed it yet. So a period missed while the app was down is posted once when
it comes back within that period, and skipped otherwise. `by_hand` is `roi-bot jobs run digest`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.jobs import claims
from bot.jobs.tokens import client_for
from bot.models import Campaign, JobRun, Workspace
from bot.reports import campaign_report
from bot.runtime import Runtime
from bot.schedule import Schedule, parse_schedule, utc
from handlers import deliver
from handlers.blocks import digest as view
from handlers.deliver import reason
from handlers.roi import revenue_chart

log = logging.getLogger("roi.jobs.digest")

KIND = "digest"
POSTED, ALREADY, SKIPPED, FAILED = "posted", "already", "skipped", "failed"


def _stamp(moment: datetime) -> str:
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
            return _stamp(self.start)
        return f"until {_stamp(self.end)}" if self.end else "always"


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
    if camp.status != "active" or not camp.channel_id or sched.kind == "off":
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
    """Campaigns that may have a scheduled digest due: active, with a channel and a schedule."""
    with runtime.reads.begin() as session:
        return list(session.scalars(select(Campaign.id).where(Campaign.status == "active", Campaign.channel_id.is_not(None),
                                                              Campaign.digest != "off").order_by(Campaign.id)))


def _previous(session: Session, camp: Campaign, run_id: int) -> dict | None:
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


def _post(runtime: Runtime, camp_id: int, *, period: Period, now: datetime, scheduled: bool, force: bool = False) -> Outcome:
    """Claim the period, build the digest, post it with its chart; never twice for one period unless forced."""
    tz = runtime.settings.tz
    with runtime.reads.begin() as session:
        camp = session.get(Campaign, camp_id)
        team = session.get(Workspace, camp.workspace_id).team_id
        name, channel, ws_id = camp.name, camp.channel_id, camp.workspace_id
    if not channel:
        return Outcome(team, name, SKIPPED, f"{name} has no channel; set one with `/campaign set {name} channel=#channel`")
    key = claims.Key(ws_id, KIND, str(camp_id), period.key)
    run_id = claims.claim(runtime, key, now=now, retake_failed=not scheduled)
    forced = False
    if run_id is None and force:
        key = replace(key, period=f"{period.key} forced {_stamp(now)}")
        run_id, forced = claims.claim(runtime, key, now=now), True
    if run_id is None:
        held = claims.holder(runtime, key)
        when = held.claimed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if held else "earlier"
        doing = "is being posted right now" if held and held.status == claims.CLAIMED else f"was already posted ({when})"
        return Outcome(team, name, ALREADY, f"{name}'s digest for this period {doing}; nothing posted "
                       "(`--force` posts it again)", channel, period)
    try:
        with runtime.reads.begin() as session:
            camp = session.get(Campaign, camp_id)
            sched = schedule(camp)
            report = campaign_report(session, camp, today=now.astimezone(tz).date())
            reply = view.digest(report, previous=_previous(session, camp, run_id), period_start=period.start,
                                period_end=period.end, schedule=sched.describe(), forced=forced,
                                last=scheduled and period.start is not None and period.start == final_time(camp, sched, tz))
            figures = view.snapshot(report.totals)
            drawn = deliver.draw(deliver.Post(reply, (revenue_chart(session, report),)))
        client = client_for(runtime, team)
        sent = client.chat_postMessage(channel=channel, text=reply.text, blocks=reply.blocks, unfurl_links=False,
                                       unfurl_media=False)
    except Exception as error:
        claims.finish(runtime, run_id, status=claims.FAILED, now=runtime.clock(), result={"error": reason(error)})
        log.exception("digest of %s (team %s) for %s failed before posting", name, team, period.key)
        return Outcome(team, name, FAILED, f"{name}'s digest was not posted: {reason(error)}", channel, period)
    result = {"totals": figures, "at": now.isoformat(), "channel": channel, "ts": sent.get("ts"),
              "start": period.start.isoformat() if period.start else None,
              "end": period.end.isoformat() if period.end else None, "forced": forced}
    detail = f"{name}'s digest posted in channel {channel}"
    try:
        client.files_upload_v2(channel=channel, file_uploads=drawn.files, request_file_info=False)
    except Exception as error:  # the message is out: never post it again for want of its picture
        result["chart_error"] = reason(error)
        detail += f" (its chart could not be uploaded: {reason(error)})"
        log.warning("digest of %s (team %s): chart upload failed: %s", name, team, reason(error))
    claims.finish(runtime, run_id, status=claims.POSTED, now=runtime.clock(), result=result)
    log.info("digest of %s (team %s) posted for period %s%s", name, team, period.key, " (forced)" if forced else "")
    return Outcome(team, name, POSTED, detail, channel, period)


def scheduled(runtime: Runtime, camp_id: int) -> Outcome | None:
    """The scheduler's call at a fire time, at start-up and every minute: post the current period if it is due."""
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
        team, name, ws_id = session.get(Workspace, camp.workspace_id).team_id, camp.name, camp.workspace_id
    if claims.holder(runtime, claims.Key(ws_id, KIND, str(camp_id), Period(start, end).key)) is not None:
        return None  # the common case on every tick: posted already
    return _post(runtime, camp_id, period=Period(start, end), now=now, scheduled=True)


def by_hand(runtime: Runtime, camp_id: int, *, force: bool = False) -> Outcome:
    """`roi-bot jobs run digest`: post now whatever the schedule; once per period unless `force`."""
    now = runtime.clock()
    with runtime.reads.begin() as session:
        camp = session.get(Campaign, camp_id)
        start, end = schedule(camp).period(runtime.settings.tz, now)
    return _post(runtime, camp_id, period=Period(start, end), now=now, scheduled=False, force=force)
