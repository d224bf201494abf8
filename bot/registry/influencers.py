"""Adding influencers, enrolling them in campaigns, recording their engagement results, and removing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import attribution
from bot.errors import Conflict, InputError
from bot.models import Campaign, Code, EngagementStat, Enrolment, Influencer, Order, Workspace
from bot.queries import CREDITED
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
# Results dated a day ahead are still taken: it is already tomorrow somewhere while ROI_TIMEZONE says today.
STATS_DAYS_AHEAD = 1


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


@dataclass(frozen=True)
class Holdings:
    """What removing an influencer would take with it: enrolments and codes, and their results (credited orders,
    engagement stats rows)."""

    enrolments: int
    codes: int
    orders: int
    stats: int

    @property
    def has_results(self) -> bool:
        """True when removing would lose results, not only registrations: then people are asked first."""
        return bool(self.orders or self.stats)


def holdings(session: Session, person: Influencer) -> Holdings:
    """Count what is registered to an influencer and what they have brought in (orders credited by code or link)."""
    enrolment_ids = select(Enrolment.id).where(Enrolment.influencer_id == person.id)
    return Holdings(
        enrolments=session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.influencer_id == person.id)
        ),
        codes=session.scalar(select(func.count()).select_from(Code).where(Code.enrolment_id.in_(enrolment_ids))),
        orders=session.scalar(select(func.count()).select_from(Order).where(
            Order.enrolment_id.in_(enrolment_ids), Order.attribution.in_(CREDITED))),
        stats=session.scalar(
            select(func.count()).select_from(EngagementStat).where(EngagementStat.enrolment_id.in_(enrolment_ids))
        ),
    )


def remove(session: Session, person: Influencer, *, changes: attribution.Changes | None = None) -> dict[str, int]:
    """Delete an influencer with their enrolments, codes and stats; orders stay, unattributed."""
    enrolment_ids = select(Enrolment.id).where(Enrolment.influencer_id == person.id)
    # Named now: the enrolments are gone by the time the orders are re-attributed.
    workspace_id = person.workspace_id
    touched = attribution.Scope.of(campaigns=[e.campaign for e in person.enrolments], handles=[person.handle_key])
    held = holdings(session, person)
    counts = {"campaigns": held.enrolments, "codes": held.codes, "stats": held.stats}
    # Bulk deletes rather than ORM cascades: one statement per table, whatever the history size.
    session.execute(delete(EngagementStat).where(EngagementStat.enrolment_id.in_(enrolment_ids)))
    session.execute(delete(Code).where(Code.enrolment_id.in_(enrolment_ids)))
    session.execute(delete(Enrolment).where(Enrolment.influencer_id == person.id))
    session.execute(delete(Influencer).where(Influencer.id == person.id))
    session.expunge(person)
    attribution.changed(session, workspace_id, touched, changes)
    return counts


# What a confirmed removal came to (the Remove button under `/influencer remove`).
REMOVED, GONE, CHANGED = "removed", "gone", "changed"


@dataclass(frozen=True)
class Removal:
    """The outcome of a confirmed removal: `removed` with what went (`counts`, as `remove` gives them); `gone` when
    the influencer is not in the workspace (any more); `changed` when they are no longer what the person confirmed
    (renamed, or with other results: `now`)."""

    outcome: str
    handle: str | None = None
    counts: dict[str, int] | None = None
    now: Holdings | None = None


def remove_confirmed(session: Session, ws: Workspace, influencer_id: int, *, handle_key: str, seen: Holdings
                     ) -> Removal:
    """Remove the influencer of workspace `ws` that a confirmation showed, only while they are still as shown: the
    person agreed to lose those results, not ones that arrived since."""
    # Locked (PostgreSQL; SQLite writes one at a time anyway), so of two clicks the second finds them gone.
    person = session.scalar(select(Influencer).where(Influencer.id == influencer_id, Influencer.workspace_id == ws.id)
                            .with_for_update())
    if person is None:
        return Removal(GONE)
    now = holdings(session, person)
    if person.handle_key != handle_key or now != seen:
        return Removal(CHANGED, person.handle, now=now)
    handle = person.handle
    return Removal(REMOVED, handle, counts=remove(session, person))


def stat_key(post: str | None, day: date) -> str:
    """The key a stats row is replaced by: its post, or its date when there is no post (SPEC §3)."""
    return f"post:{post}" if post else f"date:{day.isoformat()}"


def check_stats_day(day: date, today: date, field: str = "date") -> date:
    """`day` unless it is after today (one day allowed for time zones): results dated later cannot have been seen
    yet, and would count in reports before their day. The one rule for `/influencer stats` and stats imports."""
    if day > today + timedelta(days=STATS_DAYS_AHEAD):
        raise InputError(field, f"{day.isoformat()} is in the future (today is {today.isoformat()})",
                         "the day the results were seen, today or earlier")
    return day


def record_stats(
    session: Session, row: Enrolment, *, day: date, post: str | None, counters: dict[str, int], today: date
) -> tuple[EngagementStat, bool]:
    """Record one post's (or one day's) counters, replacing an earlier row with the same key; True when new."""
    check_stats_day(day, today)
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

