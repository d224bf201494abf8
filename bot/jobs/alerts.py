"""The underperformer scan (SPEC §6): who the rule flags today, and one alert per enrolment per day at most.

The alert row (unique per enrolment and day) is written before the message is sent: whoever inserts it sends,
any other scan that day finds it and sends nothing. When sending fails before anything reached Slack the row is
removed again, so a later scan the same day can still deliver it. Decisions (Cut / Keep / Snooze) are taken in
`handlers.alert_actions`; a Keep or Snooze sets `quiet_until`, before which the enrolment is not alerted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.jobs import claims
from bot.jobs.tokens import client_for
from bot.models import Alert, Campaign, Workspace
from bot.reports import campaign_report, rule
from bot.runtime import Runtime
from handlers.blocks import alerts as view
from handlers.deliver import open_dm, reason
from metrics.flags import running

log = logging.getLogger("roi.jobs.alerts")

KIND, SUBJECT = "alerts", "scan"
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


def scan(runtime: Runtime, *, workspace_id: int | None = None, campaign_id: int | None = None) -> list[Sent]:
    """Alert every enrolment §6 flags today in the running campaigns (of one workspace / one campaign)."""
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
            out.extend(_scan_campaign(runtime, camp_id, today))
        except Exception as error:  # one campaign's bad data or Slack trouble never stops the others
            log.exception("underperformer scan of campaign %s failed", camp_id)
            out.append(Sent("", str(camp_id), None, FAILED, f"{type(error).__name__}: {error}"))
    return out


def _scan_campaign(runtime: Runtime, camp_id: int, today: date) -> list[Sent]:
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
        out.append(_send(runtime, ws_id, team, enrolment_id, info, today))
    return out


def _send(runtime: Runtime, ws_id: int, team: str, enrolment_id: int, info: dict, today: date) -> Sent:
    camp, handle, manager = info["campaign"], info["handle"], info.get("manager")
    if not manager and not info.get("channel"):
        log.warning("%s in %s is flagged but has no manager and the campaign no channel: nowhere to alert", handle, camp)
        return Sent(team, camp, handle, NOWHERE, "no manager and no campaign channel")
    try:
        with runtime.sessions.begin() as session:
            row = Alert(workspace_id=ws_id, enrolment_id=enrolment_id, alert_date=today, reasons=info,
                        created_at=runtime.clock())
            session.add(row)
            session.flush()
            alert_id = row.id
    except IntegrityError:
        return Sent(team, camp, handle, ALREADY, "already alerted today")
    try:
        client = client_for(runtime, team)
        channel = open_dm(client, manager) if manager else info["channel"]
        message = view.alert(info, alert_id=alert_id)
        sent = client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
    except Exception as error:
        with runtime.sessions.begin() as session:  # nothing reached Slack: let a later scan today try again
            session.execute(delete(Alert).where(Alert.id == alert_id))
        log.exception("alert about %s in %s (team %s) could not be sent", handle, camp, team)
        return Sent(team, camp, handle, FAILED, reason(error))
    with runtime.sessions.begin() as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(channel_id=channel, message_ts=sent.get("ts")))
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
        workspaces = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    out: list[Sent] = []
    for ws_id in workspaces:
        key = claims.Key(ws_id, KIND, SUBJECT, today.isoformat())
        if claims.holder(runtime, key) is not None:
            continue
        run_id = claims.claim(runtime, key, now=runtime.clock())
        if run_id is None:
            continue
        found = scan(runtime, workspace_id=ws_id)
        counts: dict[str, int] = {}
        for item in found:
            counts[item.status] = counts.get(item.status, 0) + 1
        claims.finish(runtime, run_id, status=claims.POSTED, now=runtime.clock(), result={"counts": counts})
        out.extend(found)
    return out
