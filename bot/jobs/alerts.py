"""The underperformer scan (SPEC §6): who the rule flags today, and one alert per enrolment per day at most.

The alert row (unique per enrolment and day) is written before the message is sent: whoever inserts it sends,
any other scan that day finds it and sends nothing. When sending fails the row is removed again and the day's scan
is tried again every few minutes, so the alert is still delivered that day. A row whose sender died before it
was sent is taken over; the alert is first looked for in its channel (by the id in its metadata).
Decisions (Cut / Keep / Snooze) are taken in
`handlers.alert_actions`; a Keep or Snooze sets `quiet_until`, before which the enrolment is not alerted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.jobs import claims, owners
from bot.jobs.tokens import client_for
from bot.models import Alert, Campaign, Workspace
from bot.reports import campaign_report, rule
from bot.runtime import Runtime
from handlers.blocks import alerts as view
from handlers.deliver import failure, open_dm, reason
from metrics.flags import running

log = logging.getLogger("roi.jobs.alerts")

KIND, SUBJECT = "alerts", "scan"
METADATA_TYPE = "roi_alert"  # message metadata carrying the alert id, to recognise a send after a crash
RETRY_EVERY = timedelta(minutes=5)  # alerts that failed are tried again this often, the same day
SENT, ALREADY, QUIET, FAILED, NOWHERE = "sent", "already", "quiet", "failed", "nowhere"


@dataclass(frozen=True)
class Sent:
    """What happened to one flagged enrolment (or, with `handle` None, to a whole campaign that failed)."""

    team: str
    campaign: str
    handle: str | None
    status: str  # sent | already | quiet | failed | nowhere
    detail: str = ""
    alert_id: int | None = None


def scan(runtime: Runtime, *, workspace_id: int | None = None, campaign_id: int | None = None,
         retry: bool = False) -> list[Sent]:
    """Alert every enrolment §6 flags today in the running campaigns (of one workspace / one campaign).

    `retry`: a later try at today's scan after failures, whose repeated failures are logged at DEBUG only (the
    first was logged)."""
    today = runtime.today()
    query = select(Campaign.id).where(Campaign.status == "active").order_by(Campaign.workspace_id, Campaign.name_key)
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
    with runtime.reads.begin() as session:
        camp = session.get(Campaign, camp_id)
        if camp is None or camp.status != "active" or not running(rule(camp), today):
            return []
        team = session.get(Workspace, camp.workspace_id).team_id
        report = campaign_report(session, camp, today=today)
        flagged = report.flagged
        quiet = dict(session.execute(
            select(Alert.enrolment_id, Alert.quiet_until)
            .where(Alert.enrolment_id.in_([r.enrolment.id for r in flagged]), Alert.quiet_until > today)
        ).all()) if flagged else {}
        todo = [(row.enrolment.id, view.alert_info(report, row)) for row in flagged]
        ws_id, name = camp.workspace_id, camp.name
    out = []
    for enrolment_id, info in todo:
        if enrolment_id in quiet:
            out.append(Sent(team, name, info["handle"], QUIET, f"quiet until {quiet[enrolment_id].isoformat()}"))
            continue
        out.append(_send(runtime, ws_id, team, enrolment_id, info, today, retry))
    return out


def _claim(runtime: Runtime, ws_id: int, enrolment_id: int, info: dict, today: date) -> tuple[int, dict | None] | None:
    """Write today's alert row for the enrolment (this process sends it); None when someone has it already.

    A row whose sender died before it was sent (bot.jobs.owners) is taken over: returned with what the dead sender
    recorded (the channel it was sending to), so the message is looked for there before it is sent again."""
    try:
        with runtime.sessions.begin() as session:
            row = Alert(workspace_id=ws_id, enrolment_id=enrolment_id, alert_date=today, reasons=info,
                        created_at=runtime.clock(), owner=owners.me())
            session.add(row)
            session.flush()
            return row.id, None
    except IntegrityError:
        pass
    with runtime.reads.begin() as session:
        row = session.scalar(select(Alert).where(Alert.enrolment_id == enrolment_id, Alert.alert_date == today))
        if row is None or row.message_ts is not None or row.owner is None or not owners.gone(
                row.owner, since=row.created_at, now=runtime.clock(), lease=owners.DIGEST_LEASE):
            return None  # sent, or its sender is still at it
        alert_id, old_owner, channel = row.id, row.owner, row.channel_id
    with runtime.sessions.begin() as session:
        taken = session.execute(update(Alert).where(Alert.id == alert_id, Alert.message_ts.is_(None),
                                                    Alert.owner.is_not_distinct_from(old_owner))
                                .values(owner=owners.me(), created_at=runtime.clock()))
    if taken.rowcount != 1:
        return None
    log.warning("alert %s: its sender %s is gone; taking it over", alert_id, old_owner)
    return alert_id, {"channel": channel}


def _send(runtime: Runtime, ws_id: int, team: str, enrolment_id: int, info: dict, today: date,
          retry: bool = False) -> Sent:
    camp, handle, manager = info["campaign"], info["handle"], info.get("manager")
    if not manager and not info.get("channel"):
        log.warning("%s in %s is flagged but has no manager and the campaign no channel: nowhere to alert", handle, camp)
        return Sent(team, camp, handle, NOWHERE, "no manager and no campaign channel")
    claimed = _claim(runtime, ws_id, enrolment_id, info, today)
    if claimed is None:
        return Sent(team, camp, handle, ALREADY, "already alerted today")
    alert_id, earlier = claimed
    try:
        client = client_for(runtime, team)
        ts = claims.found_in_slack(client, earlier["channel"], METADATA_TYPE, "alert", alert_id) \
            if earlier and earlier["channel"] else None
        if ts:
            _sent(runtime, alert_id, earlier["channel"], ts)
            return Sent(team, camp, handle, ALREADY, "sent before its sender stopped", alert_id)
        channel = open_dm(client, manager) if manager else info["channel"]
        with runtime.sessions.begin() as session:  # where it is going, for whoever may take it over
            session.execute(update(Alert).where(Alert.id == alert_id).values(channel_id=channel))
        message = view.alert(info, alert_id=alert_id)
        sent = client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                       metadata={"event_type": METADATA_TYPE, "event_payload": {"alert": alert_id}})
    except Exception as error:
        with runtime.sessions.begin() as session:  # nothing reached Slack: let a later scan today try again
            session.execute(delete(Alert).where(Alert.id == alert_id))
        log.log(logging.DEBUG if retry else logging.ERROR, "alert about %s in %s (team %s) could not be sent: %s; "
                "retrying every %d minutes today", handle, camp, team, reason(error), RETRY_EVERY.seconds // 60,
                exc_info=failure(error) is None)
        return Sent(team, camp, handle, FAILED, reason(error))
    _sent(runtime, alert_id, channel, sent.get("ts"))
    where = f"DM to {manager}" if manager else f"channel {channel}"
    log.info("alert about %s in %s (team %s) sent: %s", handle, camp, team, where)
    return Sent(team, camp, handle, SENT, where, alert_id)


def _sent(runtime: Runtime, alert_id: int, channel: str, ts: str | None) -> None:
    with runtime.sessions.begin() as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(channel_id=channel, message_ts=ts, owner=None))


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
