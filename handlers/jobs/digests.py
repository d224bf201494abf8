"""Posting campaign digests (SPEC §5) to Slack, exactly once per period: the claim first, then the message with
its chart; a claim whose holder died is taken over after looking for its message in the channel.

What is due and the claims themselves are decided in bot.jobs.digests; `scheduled` is the scheduler's call at a
fire time (and at start-up and every minute), `by_hand` is `roi-bot jobs run digest`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot import freshness
from bot.jobs import claims
from bot.jobs.digests import (
    ALREADY,
    FAILED,
    KIND,
    METADATA_TYPE,
    POSTED,
    RETRY_EVERY,
    SKIPPED,
    Outcome,
    Period,
    current,
    due,
    final_time,
    previous,
    resumable,
    schedule,
    stamp,
)
from bot.models import Campaign, Workspace
from bot.reports import campaign_report
from bot.runtime import Runtime
from handlers import deliver
from handlers.blocks import digest as digest_blocks
from handlers.blocks.fmt import esc
from handlers.charts import revenue_chart
from handlers.deliver import open_dm, reason
from handlers.tokens import client_for

log = logging.getLogger("roi.jobs.digest")


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
    if run_id is None and (held := resumable(runtime, key, now=now, scheduled=scheduled)) is not None:
        run_id, earlier = claims.take_over(runtime, held, now=now), held.result
        if run_id is not None and held.status == claims.CLAIMED:
            log.warning("digest of %s (team %s) for %s: its claim's holder %s is gone; taking it over",
                        name, team, period.key, held.owner)
    forced = False
    if run_id is None and force:
        key = replace(key, period=f"{period.key} forced {stamp(now)}")
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
            fresh = freshness.of_campaigns(session, camp.workspace_id, [camp.id], tz=tz)
            last = scheduled and period.start is not None and period.start == final_time(camp, sched, tz)
            reply = digest_blocks.digest(report, previous=previous(session, camp, run_id), period_start=period.start,
                                period_end=period.end, schedule=sched.describe(), forced=forced, last=last,
                                fresh=fresh, now=now.astimezone(tz))
            figures = digest_blocks.snapshot(report.totals, started=report.started)
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
    period = due(runtime, camp_id)
    if period is None:
        return None
    return _post(runtime, camp_id, period=period, now=runtime.clock(), scheduled=True)


def by_hand(runtime: Runtime, camp_id: int, *, force: bool = False) -> Outcome:
    """`roi-bot jobs run digest`: post now whatever the schedule; once per period unless `force`."""
    return _post(runtime, camp_id, period=current(runtime, camp_id), now=runtime.clock(), scheduled=False, force=force)
