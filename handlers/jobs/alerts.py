"""Sending underperformer alerts (SPEC §6) to Slack: the daily scan, once per workspace per day, and one message per
flagged enrolment, to its manager's DM (or the campaign channel) with Cut / Keep / Snooze.

Whom to alert and the alert rows (one per enrolment and day: whoever writes it sends) are bot.jobs.alerts. When
sending fails the row is removed again and the day's scan is tried again every few minutes; a row whose sender
died is taken over after looking for its message in the channel.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from bot.jobs import claims, owners
from bot.jobs.alerts import (
    ALREADY,
    FAILED,
    KIND,
    METADATA_TYPE,
    NOWHERE,
    QUIET,
    RETRY_EVERY,
    SENT,
    SUBJECT,
    Sent,
    claim,
    flagged_today,
    mark_sent,
    release,
    sending_to,
)
from bot.models import Campaign, Workspace
from bot.runtime import Runtime
from handlers.blocks import alerts as alert_blocks
from handlers.deliver import failure, open_dm, reason
from handlers.tokens import client_for
from metrics.status import Status

log = logging.getLogger("roi.jobs.alerts")


def scan(runtime: Runtime, *, workspace_id: int | None = None, campaign_id: int | None = None,
         retry: bool = False) -> list[Sent]:
    """Alert every enrolment §6 flags today in the running campaigns (of one workspace / one campaign).

    `retry`: a later try at today's scan after failures, whose repeated failures are logged at DEBUG only (the
    first was logged)."""
    today = runtime.today()
    query = select(Campaign.id).where(Campaign.status == Status.ACTIVE).order_by(Campaign.workspace_id, Campaign.name_key)
    if workspace_id is not None:
        query = query.where(Campaign.workspace_id == workspace_id)
    if campaign_id is not None:
        query = query.where(Campaign.id == campaign_id)
    with runtime.reads.begin() as session:
        ids = list(session.scalars(query))
    out: list[Sent] = []
    for camp_id in ids:
        try:
            out.extend(_scan_campaign(runtime, camp_id, today, retry))
        except Exception as error:  # one campaign's bad data or Slack trouble never stops the others
            log.log(logging.DEBUG if retry else logging.ERROR, "underperformer scan of campaign %s failed", camp_id,
                    exc_info=True)
            out.append(Sent("", str(camp_id), None, FAILED, reason(error)))
    return out


def _scan_campaign(runtime: Runtime, camp_id: int, today: date, retry: bool) -> list[Sent]:
    found = flagged_today(runtime, camp_id, today)
    if found is None:
        return []
    out = []
    for enrolment_id, info in found.todo:
        if enrolment_id in found.quiet:
            out.append(Sent(found.team, found.campaign, info["handle"], QUIET,
                            f"quiet until {found.quiet[enrolment_id].isoformat()}"))
            continue
        out.append(_send(runtime, found.workspace_id, found.team, enrolment_id, info, today, retry))
    return out


def _send(runtime: Runtime, ws_id: int, team: str, enrolment_id: int, info: dict, today: date,
          retry: bool = False) -> Sent:
    camp, handle, manager = info["campaign"], info["handle"], info.get("manager")
    if not manager and not info.get("channel"):
        log.warning("%s in %s is flagged but has no manager and the campaign no channel: nowhere to alert", handle, camp)
        return Sent(team, camp, handle, NOWHERE, "no manager and no campaign channel")
    claimed = claim(runtime, ws_id, enrolment_id, info, today)
    if claimed is None:
        return Sent(team, camp, handle, ALREADY, "already alerted today")
    alert_id, earlier = claimed
    try:
        client = client_for(runtime, team)
        ts = claims.found_in_slack(client, earlier["channel"], METADATA_TYPE, "alert", alert_id) \
            if earlier and earlier["channel"] else None
        if ts:
            mark_sent(runtime, alert_id, earlier["channel"], ts)
            return Sent(team, camp, handle, ALREADY, "sent before its sender stopped", alert_id)
        channel = open_dm(client, manager) if manager else info["channel"]
        sending_to(runtime, alert_id, channel)
        message = alert_blocks.alert(info, alert_id=alert_id)
        sent = client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                       metadata={"event_type": METADATA_TYPE, "event_payload": {"alert": alert_id}})
    except Exception as error:
        release(runtime, alert_id)
        log.log(logging.DEBUG if retry else logging.ERROR, "alert about %s in %s (team %s) could not be sent: %s; "
                "retrying every %d minutes today", handle, camp, team, reason(error), RETRY_EVERY.seconds // 60,
                exc_info=failure(error) is None)
        return Sent(team, camp, handle, FAILED, reason(error))
    mark_sent(runtime, alert_id, channel, sent.get("ts"))
    where = f"DM to {manager}" if manager else f"channel {channel}"
    log.info("alert about %s in %s (team %s) sent: %s", handle, camp, team, where)
    return Sent(team, camp, handle, SENT, where, alert_id)


def scheduled(runtime: Runtime) -> list[Sent]:
    """The daily scan at ROI_ALERT_TIME, and its catch-up: once per workspace per day, from that time on."""
    now = runtime.now()
    if now.time() < runtime.settings.alert_at:
        return []
    today = now.date()
    with runtime.reads.begin() as session:
        # A workspace that uninstalled the app gets no alerts (its data is kept).
        workspaces = list(session.scalars(select(Workspace.id).where(Workspace.uninstalled_at.is_(None))
                                          .order_by(Workspace.id)))
    out: list[Sent] = []
    for ws_id in workspaces:
        key = claims.Key(ws_id, KIND, SUBJECT, today.isoformat())
        held = claims.holder(runtime, key)
        retry = held is not None and held.status == claims.FAILED
        if held is None:
            run_id = claims.claim(runtime, key, now=runtime.clock())
        elif retry and runtime.clock() - (held.finished_at or held.claimed_at) >= RETRY_EVERY:
            run_id = claims.take_over(runtime, held, now=runtime.clock())  # some alerts failed: send those now
        elif (orphan := claims.orphaned(runtime, key, now=runtime.clock(), lease=owners.DIGEST_LEASE)) is not None:
            run_id = claims.take_over(runtime, orphan, now=runtime.clock())  # its scanner died part-way: finish it
            if run_id is not None:
                log.warning("underperformer scan of workspace %s: its holder %s is gone; taking it over", ws_id,
                            orphan.owner)
        else:
            continue
        if run_id is None:
            continue
        found = scan(runtime, workspace_id=ws_id, retry=retry)
        counts: dict[str, int] = {}
        for item in found:
            counts[item.status] = counts.get(item.status, 0) + 1
        attempts = int(((held.result or {}) if held is not None else {}).get("attempts") or 0) + 1
        claims.finish(runtime, run_id, status=claims.FAILED if counts.get(FAILED) else claims.POSTED,
                      now=runtime.clock(), result={"counts": counts, "attempts": attempts})
        out.extend(found)
    return out
