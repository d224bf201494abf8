"""Adding influencers, enrolling them in campaigns, recording their engagement results."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import attribution
from bot.errors import Conflict, InputError
from bot.models import Campaign, Code, EngagementStat, Enrolment, Influencer, Workspace
from metrics.roi import COUNTERS
from metrics.status import Status

INFLUENCER_KEYS = {"platform": "platform", "followers": "followers", "manager": "manager_id", "handle": "handle"}
ENROLMENT_KEYS = {
    "fee": "fee",
    "commission": "commission_pct",
    "product_cost": "product_cost",
    "goal_revenue": "goal_revenue",
    "start": "start",
    "status": "status",
}


def find(session: Session, ws: Workspace, handle: str) -> Influencer | None:
    """The influencer with this handle, or None."""
    return session.scalar(
        select(Influencer).where(Influencer.workspace_id == ws.id, Influencer.handle_key == handle.lower())
    )


def create(session: Session, ws: Workspace, handle: str, values: dict[str, Any]) -> Influencer:
    """Register a new influencer (the handle must be free)."""
    if find(session, ws, handle) is not None:
        raise Conflict(f"`{handle}` is already registered. Change them with `/influencer set {handle} key=value`.")
    person = Influencer(workspace_id=ws.id, handle=handle, handle_key=handle.lower(), platform="other")
    for key, value in values.items():
        setattr(person, INFLUENCER_KEYS[key], value)
    session.add(person)
    session.flush()
    return person


def update(session: Session, person: Influencer, values: dict[str, Any], *,
           changes: attribution.Changes | None = None) -> list[tuple[str, Any, Any]]:
    """Change influencer keys (a new handle re-attributes the orders its links name); returns (key, old, new) for
    what changed."""
    if "handle" in values and values["handle"].lower() != person.handle_key:
        ws = session.get(Workspace, person.workspace_id)
        if find(session, ws, values["handle"]) is not None:
            raise Conflict(f"Another influencer already has the handle `{values['handle']}`.")
    done = []
    old_handle = person.handle_key
    for key, value in values.items():
        attr = INFLUENCER_KEYS[key]
        if getattr(person, attr) != value:
            done.append((key, getattr(person, attr), value))
            setattr(person, attr, value)
    person.handle_key = person.handle.lower()
    session.flush()
    if person.handle_key != old_handle:
        # Links name influencers by handle (utm_content): orders naming the old or the new one may move.
        touched = attribution.Scope.of(campaigns=[e.campaign for e in person.enrolments],
                                       handles=[old_handle, person.handle_key])
        attribution.changed(session, person.workspace_id, touched, changes)
    return done


def enrol(session: Session, person: Influencer, camp: Campaign, values: dict[str, Any], *, today: date,
          changes: attribution.Changes | None = None) -> Enrolment:
    """Put an influencer into a campaign, crediting the orders their links name; the enrolment starts with the
    campaign (or today) unless told."""
    existing = session.scalar(
        select(Enrolment).where(Enrolment.influencer_id == person.id, Enrolment.campaign_id == camp.id)
    )
    if existing is not None:
        raise Conflict(
            f"`{person.handle}` is already in `{camp.name}`. "
            f"Change their terms with `/influencer set {person.handle} campaign={camp.name} key=value`."
        )
    fields = {ENROLMENT_KEYS[k]: v for k, v in values.items()}
    fields.setdefault("start", camp.start or today)
    _check_start(camp, fields["start"])
    row = Enrolment(workspace_id=person.workspace_id, campaign_id=camp.id, influencer_id=person.id, **fields)
    session.add(row)
    session.flush()
    touched = attribution.Scope.of(campaigns=[camp], handles=[person.handle_key])
    attribution.changed(session, person.workspace_id, touched, changes)
    return row


def _check_start(camp: Campaign, start: date) -> None:
    if camp.end and start > camp.end:
        raise InputError("start", f"{start.isoformat()} is after the campaign ends ({camp.end.isoformat()})", "a date within the campaign")


def update_enrolment(session: Session, row: Enrolment, values: dict[str, Any], *, today: date,
                     changes: attribution.Changes | None = None) -> list[tuple[str, Any, Any]]:
    """Change an enrolment's terms or status; cutting records the day it happened and uncredits later orders."""
    if "start" in values:
        _check_start(row.campaign, values["start"])
    done = []
    for key, value in values.items():
        attr = ENROLMENT_KEYS[key]
        if getattr(row, attr) != value:
            done.append((key, getattr(row, attr), value))
            setattr(row, attr, value)
    if "status" in values:
        row.cut_on = (row.cut_on or today) if row.status == Status.CUT else None
    session.flush()
    if any(key == "status" for key, _, _ in done):
        attribution.changed(session, row.workspace_id, attribution.Scope.of(campaigns=[row.campaign]), changes)
    return done


def remove(session: Session, person: Influencer, *, changes: attribution.Changes | None = None) -> dict[str, int]:
    """Delete an influencer with their enrolments, codes and stats; orders stay, unattributed."""
    enrolment_ids = select(Enrolment.id).where(Enrolment.influencer_id == person.id)
    # Named now: the enrolments are gone by the time the orders are re-attributed.
    workspace_id = person.workspace_id
    touched = attribution.Scope.of(campaigns=[e.campaign for e in person.enrolments], handles=[person.handle_key])
    counts = {
        "campaigns": session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.influencer_id == person.id)),
        "codes": session.scalar(select(func.count()).select_from(Code).where(Code.enrolment_id.in_(enrolment_ids))),
        "stats": session.scalar(
            select(func.count()).select_from(EngagementStat).where(EngagementStat.enrolment_id.in_(enrolment_ids))
        ),
    }
    # Bulk deletes rather than ORM cascades: one statement per table, whatever the history size.
    session.execute(delete(EngagementStat).where(EngagementStat.enrolment_id.in_(enrolment_ids)))
    session.execute(delete(Code).where(Code.enrolment_id.in_(enrolment_ids)))
    session.execute(delete(Enrolment).where(Enrolment.influencer_id == person.id))
    session.execute(delete(Influencer).where(Influencer.id == person.id))
    session.expunge(person)
    attribution.changed(session, workspace_id, touched, changes)
    return counts


def stat_key(post: str | None, day: date) -> str:
    """The key a stats row is replaced by: its post, or its date when there is no post (SPEC §3)."""
    return f"post:{post}" if post else f"date:{day.isoformat()}"


def record_stats(
    session: Session, row: Enrolment, *, day: date, post: str | None, counters: dict[str, int]
) -> tuple[EngagementStat, bool]:
    """Record one post's (or one day's) counters, replacing an earlier row with the same key; True when new."""
    key = stat_key(post, day)
    stat = session.scalar(
        select(EngagementStat).where(EngagementStat.enrolment_id == row.id, EngagementStat.stat_key == key)
    )
    created = stat is None
    if created:
        stat = EngagementStat(workspace_id=row.workspace_id, enrolment_id=row.id, stat_key=key)
        session.add(stat)
    stat.stat_date = day
    stat.post = post
    for name in COUNTERS:
        setattr(stat, name, counters.get(name))
    session.flush()
    return stat, created

