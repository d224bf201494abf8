"""Underperformer alerts as the database keeps them (SPEC §6): what an alert holds, and deciding on one.

An alert stores `info`, a JSON-safe copy of everything it shows (figures as unrounded strings, the reasons with
their details), so it can be shown again later without its report. A decision (Cut, Keep, Snooze) is written with
a conditional UPDATE (`decision IS NULL`), so of two clicks — two people, a double click, two processes — exactly
one wins; the others change nothing and learn who decided. A Cut makes the enrolment `cut` from that day on (its
later orders are no longer attributed); Keep and Snooze keep the enrolment quiet for QUIET_DAYS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import Alert, Enrolment, Workspace
from bot.permissions import may_decide
from bot.registry import influencers
from bot.reports import CampaignReport, Row
from metrics.flags import Reason
from metrics.status import Status

log = logging.getLogger("roi.alerts")

CUT, KEEP, SNOOZE = "cut", "keep", "snooze"
QUIET_DAYS = {KEEP: 14, SNOOZE: 7}  # no alert for the enrolment until this many days after the decision day
METRICS = ("revenue", "cost", "profit", "roi_pct", "roas", "orders", "engagement_rate_pct")
DECIMAL_DETAIL = ("goal", "median")
INT_DETAIL = ("elapsed_days", "total_days", "peers")
# What a click came to: decided, or why nothing changed.
DECIDED, GONE, NOT_ALLOWED, ALREADY_DECIDED, ALREADY_CUT = "decided", "gone", "not_allowed", "already_decided", "cut"


def _json(value):
    if value is None or isinstance(value, int):
        return value
    return str(value)


def alert_info(report: CampaignReport, row: Row) -> dict:
    """Everything an alert shows, JSON-safe (Decimals as unrounded strings), to be stored with it."""
    camp, person, m = report.campaign, row.influencer, row.metrics
    return {
        "campaign": camp.name, "campaign_id": camp.id, "currency": camp.currency,
        "handle": person.handle, "platform": person.platform, "manager": person.manager_id or None,
        "channel": camp.channel_id or None, "day": report.today.isoformat(),
        "metrics": {key: _json(getattr(m, key)) for key in METRICS},
        "reasons": [{"kind": r.kind, "actual": str(r.actual), "threshold": str(r.threshold),
                     "detail": {k: _json(v) for k, v in r.detail.items()}} for r in row.reasons],
    }


def reasons_of(info: dict) -> list[Reason]:
    """The `Reason`s stored in an alert's info, with Decimals and ints as `metrics.flags` made them."""
    def detail(d: dict) -> dict:
        out = dict(d)
        for key in DECIMAL_DETAIL:
            if out.get(key) is not None:
                out[key] = Decimal(str(out[key]))
        for key in INT_DETAIL:
            if out.get(key) is not None:
                out[key] = int(out[key])
        return out

    return [Reason(r["kind"], Decimal(r["actual"]), Decimal(r["threshold"]), detail(r.get("detail") or {}))
            for r in info.get("reasons", [])]


@dataclass(frozen=True)
class Decision:
    """What a click on Cut / Keep / Snooze came to, with what the answer shows."""

    outcome: str  # decided | gone | not_allowed | already_decided | cut
    info: dict
    decision: str | None = None
    by: str | None = None
    on: date | None = None
    quiet_until: date | None = None
    manager: str | None = None
    message: tuple[str | None, str | None] | None = None  # channel and ts of the alert, to show the decision there


def decide(session: Session, settings: Settings, *, team: str, user: str, alert_id: int | None, decision: str,
           today: date, now: datetime) -> Decision:
    """Record `user`'s decision on an alert of workspace `team`, when they may and nobody decided first."""
    ws = session.scalar(select(Workspace).where(Workspace.team_id == team))
    alert = session.get(Alert, alert_id) if alert_id is not None and ws is not None else None
    if alert is None or alert.workspace_id != ws.id:
        # Another workspace's alert looks exactly like a deleted one: nothing about it is revealed.
        log.warning("alert decision refused: alert %r is not in workspace %s", alert_id, team)
        return Decision(GONE, {})
    enrolment = session.get(Enrolment, alert.enrolment_id)
    info, manager = alert.reasons, enrolment.influencer.manager_id
    if not may_decide(settings, manager, user):
        log.info("alert %s: %s may not decide (manager %s)", alert.id, user, manager)
        return Decision(NOT_ALLOWED, info, manager=manager)
    if alert.decision is None and enrolment.status == Status.CUT:
        return Decision(ALREADY_CUT, info, on=enrolment.cut_on)
    quiet = today + timedelta(days=QUIET_DAYS[decision]) if decision in QUIET_DAYS else None
    won = alert.decision is None and session.execute(
        update(Alert).where(Alert.id == alert.id, Alert.decision.is_(None))
        .values(decision=decision, decided_by=user, decided_at=now, quiet_until=quiet)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not won:  # decided before, or by someone else's click that committed between our read and our write
        session.refresh(alert)
        day = alert.decided_at.astimezone(settings.tz).date() if alert.decided_at else alert.alert_date
        return Decision(ALREADY_DECIDED, info, decision=alert.decision, by=alert.decided_by, on=day)
    if decision == CUT:
        influencers.update_enrolment(session, enrolment, {"status": Status.CUT}, today=today)
    log.info("alert %s about %s in %s: %s by %s", alert.id, info.get("handle"), info.get("campaign"), decision, user)
    return Decision(DECIDED, info, decision=decision, by=user, on=today, quiet_until=quiet,
                    message=(alert.channel_id, alert.message_ts))
