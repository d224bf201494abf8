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

from bot.jobs import claims, owners
from bot.jobs.tokens import client_for
from bot.models import Campaign, JobRun, Workspace
from bot.reports import campaign_report
from bot.runtime import Runtime
from bot.schedule import Schedule, parse_schedule, utc
from handlers import deliver
from handlers.blocks import digest as view
from handlers.blocks.fmt import esc
from handlers.deliver import open_dm, reason
from handlers.roi import revenue_chart

log = logging.getLogger("roi.jobs.digest")

KIND = "digest"
METADATA_TYPE = "roi_digest"  # message metadata carrying the claim id, to recognise a post after a crash
RETRY_EVERY = timedelta(minutes=5)  # a failed digest is tried again this often, within its period
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
    """Campaigns that may have a scheduled digest due: active, with a channel and a schedule, still installed."""
    with runtime.reads.begin() as session:
        return list(session.scalars(
            select(Campaign.id).join(Workspace, Workspace.id == Campaign.workspace_id)
            .where(Campaign.status == "active", Campaign.channel_id.is_not(None), Campaign.digest != "off",
                   Workspace.uninstalled_at.is_(None)).order_by(Campaign.id)))


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


def _resume(runtime: Runtime, key: claims.Key, *, now: datetime, scheduled: bool) -> JobRun | None:
    """A claim of `key` this run may carry on with: orphaned by a dead holder, or failed and due for a retry."""
    held = claims.holder(runtime, key)
    if held is None:
        return None
    if held.status == claims.CLAIMED:
        return claims.orphaned(runtime, key, now=now, lease=owners.DIGEST_LEASE)
    if held.status == claims.FAILED and (not scheduled or now - (held.finished_at or held.claimed_at) >= RETRY_EVERY):
        return held
    return None


def _failed(runtime: Runtime, run_id: int, *, name: str, team: str, channel: str, period: Period, error: Exception,
            earlier: dict | None, creator: str | None) -> Outcome:
    """Record a failed post for a retry; log it, and tell whoever set the campaign up, only the first time."""
    attempts = int((earlier or {}).get("attempts") or 0) + 1
    result = {"error": reason(error), "attempts": attempts}
    slack = deliver.failure(error)  # None: not Slack's doing (bad data, a bug)
    if (earlier or {}).get("sending") and (slack is None or slack.code in ("timeout", "unreachable")):
        result["sending"] = earlier["sending"]  # Slack never answered: the message may be out
    claims.finish(runtime, run_id, status=claims.FAILED, now=runtime.clock(), result=result)
    if attempts == 1:
        log.error("digest of %s (team %s) for %s was not posted: %s; retrying every %d minutes within the period",
                  name, team, period.key, reason(error), RETRY_EVERY.seconds // 60, exc_info=slack is None)
        if creator and slack is not None and slack.kind == "no_entry":
            _tell_creator(runtime, team, creator, name, channel)
    else:
        log.debug("digest of %s (team %s) still failing (attempt %d): %s", name, team, attempts, reason(error))
    return Outcome(team, name, FAILED, f"{name}'s digest was not posted: {reason(error)}", channel, period)


def _tell_creator(runtime: Runtime, team: str, user: str, name: str, channel: str) -> None:
    """The bot may not post in the digest's channel: tell the person who set the campaign up, once."""
    text = (f"I could not post *{esc(name)}*'s digest in <#{channel}>: I am not a member of that channel (or it "
            f"is gone). Invite me there with `/invite @ROI bot`, or pick another channel with "
            f"`/campaign set {esc(name)} channel=#channel`. I will try again every {RETRY_EVERY.seconds // 60} "
            "minutes until this digest's period ends.")
    try:
        client = client_for(runtime, team)
        client.chat_postMessage(channel=open_dm(client, user), text=text)
    except Exception as error:  # noqa: BLE001 - the failure itself is logged already
        log.warning("could not tell %s (team %s) about %s's digest: %s", user, team, name, reason(error))


def _post(runtime: Runtime, camp_id: int, *, period: Period, now: datetime, scheduled: bool, force: bool = False) -> Outcome:
    """Claim the period, build the digest, post it with its chart; never twice for one period unless forced."""
    tz = runtime.settings.tz
    with runtime.reads.begin() as session:
        camp = session.get(Campaign, camp_id)
        ws = session.get(Workspace, camp.workspace_id)
        team, closed = ws.team_id, ws.uninstalled_at
        name, channel, ws_id, creator = camp.name, camp.channel_id, camp.workspace_id, camp.created_by
    if closed is not None:
        return Outcome(team, name, SKIPPED, f"workspace {team} uninstalled the app on {closed:%Y-%m-%d}; "
                       "no digest is posted there (its data is kept)")
    if not channel:
        return Outcome(team, name, SKIPPED, f"{name} has no channel; set one with `/campaign set {name} channel=#channel`")
    key = claims.Key(ws_id, KIND, str(camp_id), period.key)
    run_id = claims.claim(runtime, key, now=now)
    earlier: dict | None = None
    if run_id is None and (resumable := _resume(runtime, key, now=now, scheduled=scheduled)) is not None:
        run_id, earlier = claims.take_over(runtime, resumable, now=now), resumable.result
        if run_id is not None and resumable.status == claims.CLAIMED:
            log.warning("digest of %s (team %s) for %s: its claim's holder %s is gone; taking it over",
                        name, team, period.key, resumable.owner)
    forced = False
    if run_id is None and force:
        key = replace(key, period=f"{period.key} forced {_stamp(now)}")
        run_id, forced = claims.claim(runtime, key, now=now), True
    if run_id is None:
        held = claims.holder(runtime, key)
        when = held.claimed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if held else "earlier"
        doing = {claims.CLAIMED: "is being posted right now",
                 claims.FAILED: "failed a moment ago and will be retried"}.get(held.status if held else "",
                                                                                 f"was already posted ({when})")
        return Outcome(team, name, ALREADY, f"{name}'s digest for this period {doing}; nothing posted "
                       "(`--force` posts it again)", channel, period)
    sending = (earlier or {}).get("sending")
    try:
        client = client_for(runtime, team)
        ts = claims.found_in_slack(client, sending["channel"], METADATA_TYPE, "claim", run_id) if sending else None
        if ts:
            # The earlier holder's message reached Slack before it died: record it, post nothing.
            claims.finish(runtime, run_id, status=claims.POSTED, now=runtime.clock(),
                          result={**(earlier or {}), "channel": sending["channel"], "ts": ts, "recovered": True})
            log.info("digest of %s (team %s) for %s had reached the channel before its holder died; not posted again",
                     name, team, period.key)
            return Outcome(team, name, ALREADY, f"{name}'s digest for this period was already posted", channel, period)
        with runtime.reads.begin() as session:
            camp = session.get(Campaign, camp_id)
            sched = schedule(camp)
            report = campaign_report(session, camp, today=now.astimezone(tz).date())
            reply = view.digest(report, previous=_previous(session, camp, run_id), period_start=period.start,
                                period_end=period.end, schedule=sched.describe(), forced=forced,
                                last=scheduled and period.start is not None and period.start == final_time(camp, sched, tz))
            figures = view.snapshot(report.totals)
            drawn = deliver.draw(deliver.Post(reply, (revenue_chart(session, report),)))
        # Say where the message is going before it goes: if this process dies now, whoever takes the claim over
        # looks for it there (by the claim id in its metadata) before posting it again.
        sending = {"channel": channel, "at": runtime.clock().timestamp()}
        claims.note(runtime, run_id, {**(earlier or {}), "sending": sending})
        sent = client.chat_postMessage(channel=channel, text=reply.text, blocks=reply.blocks, unfurl_links=False,
                                       unfurl_media=False,
                                       metadata={"event_type": METADATA_TYPE, "event_payload": {"claim": run_id}})
    except Exception as error:
        return _failed(runtime, run_id, name=name, team=team, channel=channel, period=period, error=error,
                       earlier={**(earlier or {}), **({"sending": sending} if sending else {})}, creator=creator)
    result = {"totals": figures, "at": now.isoformat(), "channel": channel, "ts": sent.get("ts"),
              "start": period.start.isoformat() if period.start else None,
              "end": period.end.isoformat() if period.end else None, "forced": forced}
    detail = f"{name}'s digest posted in channel {channel}"
    try:
        deliver.upload(client, channel, drawn.files)
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
        ws_id = camp.workspace_id
    held = claims.holder(runtime, claims.Key(ws_id, KIND, str(camp_id), Period(start, end).key))
    if held is not None and held.status == claims.POSTED:
        return None  # the common case on every tick: posted already
    return _post(runtime, camp_id, period=Period(start, end), now=now, scheduled=True)


def by_hand(runtime: Runtime, camp_id: int, *, force: bool = False) -> Outcome:
    """`roi-bot jobs run digest`: post now whatever the schedule; once per period unless `force`."""
    now = runtime.clock()
    with runtime.reads.begin() as session:
        camp = session.get(Campaign, camp_id)
        start, end = schedule(camp).period(runtime.settings.tz, now)
    return _post(runtime, camp_id, period=Period(start, end), now=now, scheduled=False, force=force)
