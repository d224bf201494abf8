"""The underperformer scan (SPEC §6): who the rule flags today, and one alert per enrolment per day at most.

The alert row (unique per enrolment and day) is written before the message is sent: whoever inserts it sends,
any other scan that day finds it and sends nothing. When sending fails the row is removed again and the day's scan
is tried again every few minutes, so the alert is still delivered that day. A row whose sender died before it
was sent is taken over; the alert is first looked for in its channel (by the id in its metadata).
Decisions (Cut / Keep / Snooze) are bot.alerts; a Keep or Snooze sets `quiet_until`, before which the enrolment is
not alerted. This module decides whom to alert and keeps the rows; handlers.jobs.alerts sends the messages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.alerts import alert_info
from bot.jobs import owners
from bot.models import Alert, Campaign, Workspace
from bot.reports import campaign_report, rule
from bot.runtime import Runtime
from metrics.flags import running
from metrics.status import Status

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


@dataclass(frozen=True)
class Flagged:
    """A campaign's flagged enrolments today: (enrolment id, alert info) each, and the quiet ones' end dates."""

    team: str
    workspace_id: int
    campaign: str
    todo: list[tuple[int, dict]]
    quiet: dict[int, date]


def flagged_today(runtime: Runtime, camp_id: int, today: date) -> Flagged | None:
    """Whom §6 flags today in a running campaign, each with the alert's info, and who is quiet (Keep / Snooze)."""
    with runtime.reads.begin() as session:
        camp = session.get(Campaign, camp_id)
        if camp is None or camp.status != Status.ACTIVE or not running(rule(camp), today):
            return None
        team = session.get(Workspace, camp.workspace_id).team_id
        report = campaign_report(session, camp, today=today)
        flagged = report.flagged
        quiet = dict(session.execute(
            select(Alert.enrolment_id, Alert.quiet_until)
            .where(Alert.enrolment_id.in_([r.enrolment.id for r in flagged]), Alert.quiet_until > today)
        ).all()) if flagged else {}
        todo = [(row.enrolment.id, alert_info(report, row)) for row in flagged]
        return Flagged(team, camp.workspace_id, camp.name, todo, quiet)


def claim(runtime: Runtime, ws_id: int, enrolment_id: int, info: dict, today: date) -> tuple[int, dict | None] | None:
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


def release(runtime: Runtime, alert_id: int) -> None:
    """Nothing reached Slack: remove today's row, so that a later scan today tries again."""
    with runtime.sessions.begin() as session:
        session.execute(delete(Alert).where(Alert.id == alert_id))


def sending_to(runtime: Runtime, alert_id: int, channel: str) -> None:
    """Record where the alert is going, for whoever may take it over if this process dies."""
    with runtime.sessions.begin() as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(channel_id=channel))


def mark_sent(runtime: Runtime, alert_id: int, channel: str, ts: str | None) -> None:
    """The alert is out: where, and no longer anybody's to send."""
    with runtime.sessions.begin() as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(channel_id=channel, message_ts=ts, owner=None))


