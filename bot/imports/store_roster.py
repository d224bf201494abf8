"""Onboarding influencers in bulk from a roster CSV: each row does what `/influencer add` and `/code add` would,
re-imports update instead of duplicating, and a bad row is rejected without leaving any part of it behind. The
orders the rows' codes and enrolments credit are re-attributed once, after the last row, not once per row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import attribution
from bot.errors import BotError, Conflict
from bot.imports.orders import Rejected
from bot.imports.roster import RosterRecord
from bot.imports.summary import Summary
from bot.models import Code, Enrolment, Workspace
from bot.registry import codes, influencers, lookup
from bot.registry.links import tracking_url

PERSON = {"platform": "platform", "followers": "followers", "manager": "manager"}
TERMS = {"fee": "fee", "commission": "commission", "product_cost": "product_cost", "goal_revenue": "goal_revenue",
         "start": "start"}


def _given(record: RosterRecord, names: dict[str, str]) -> dict[str, Any]:
    return {key: getattr(record, attr) for attr, key in names.items() if getattr(record, attr) is not None}


def store_roster(session: Session, ws: Workspace, items: Iterable[RosterRecord | Rejected], summary: Summary, *,
                 today, user_id: str | None = None) -> Summary:
    """Apply each roster row in its own savepoint, then re-attribute what they changed; the caller owns the
    transaction."""
    summary.added = {"influencers": 0, "enrolments": 0, "codes": 0}
    # A rejected row's scope stays noted: re-attributing a few more orders than needed changes none of them.
    changes = attribution.Changes()
    for item in items:
        if isinstance(item, Rejected):
            summary.reject(item.row, item.reason)
            continue
        added = dict.fromkeys(summary.added, 0)
        try:
            with session.begin_nested():
                outcome = _apply(session, ws, item, added, changes, today=today, user_id=user_id)
        except BotError as error:
            summary.reject(item.row, error.message)
            continue
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        for key, n in added.items():
            summary.added[key] += n
    changes.apply(session)
    return summary


def _apply(session: Session, ws: Workspace, item: RosterRecord, added: dict[str, int],
           changes: attribution.Changes, *, today, user_id) -> str:
    outcome = "unchanged"
    person = influencers.find(session, ws, item.handle)
    if person is None:
        person = influencers.create(session, ws, item.handle, _given(item, PERSON))
        added["influencers"] += 1
        outcome = "new"
    elif influencers.update(session, person, _given(item, PERSON), changes=changes):
        outcome = "updated"
    if item.campaign is None:
        return outcome
    camp = lookup.campaign(session, ws, item.campaign)
    row = session.scalar(select(Enrolment).where(Enrolment.influencer_id == person.id, Enrolment.campaign_id == camp.id))
    if row is None:
        row = influencers.enrol(session, person, camp, _given(item, TERMS), today=today, changes=changes)
        added["enrolments"] += 1
        outcome = "new"
    elif (influencers.update_enrolment(session, row, _given(item, TERMS), today=today, changes=changes)
          and outcome == "unchanged"):
        outcome = "updated"
    if item.code is None:
        return outcome
    link = tracking_url(item.url, platform=person.platform, campaign=camp.name, handle=person.handle) if item.url else None
    mine = session.scalar(select(Code).where(Code.campaign_id == camp.id, Code.code_key == item.code.lower()))
    if mine is None:
        codes.add(session, row, item.code, url=link, user_id=user_id, changes=changes)
        added["codes"] += 1
        return "new"
    if mine.enrolment_id != row.id:
        holder = mine.enrolment.influencer.handle
        raise Conflict(f"code `{mine.code}` already belongs to `{holder}` in `{camp.name}`")
    if link is not None and mine.url != link:
        mine.url = link
        return "new" if outcome == "new" else "updated"
    return outcome
