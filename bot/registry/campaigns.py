"""Creating, changing and ending campaigns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot import attribution
from bot.errors import Conflict, InputError
from bot.models import Campaign, Workspace, utcnow
from bot.registry import lookup
from metrics.status import Status
from metrics.windows import window

DEFAULTS: dict[str, Any] = {
    "currency": "USD",
    "digest": "mon 09:00",
    "min_roi": Decimal(0),
    "grace_days": 7,
    "window_days": 7,
}
# Keys a person may set, mapped to model attributes (the spec's names on the left).
KEYS = {
    "name": "name",
    "budget": "budget",
    "currency": "currency",
    "start": "start",
    "end": "end",
    "channel": "channel_id",
    "digest": "digest",
    "min_roi": "min_roi",
    "grace_days": "grace_days",
    "window_days": "window_days",
    "note": "note",
}


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InputError("end", f"{end.isoformat()} is before the start {start.isoformat()}", "a date on or after `start`")


def create(session: Session, ws: Workspace, values: dict[str, Any], *, user_id: str | None = None,
           now: datetime | None = None) -> Campaign:
    """Register a new campaign; `values` uses the keys of KEYS and must hold `name` and `budget`."""
    name = values["name"]
    if session.scalar(lookup.select_campaign(ws, name)) is not None:
        raise Conflict(f"A campaign called `{name}` already exists. Change it with `/campaign set {name} key=value`.")
    fields = {**DEFAULTS, **{KEYS[k]: v for k, v in values.items()}}
    _check_dates(fields.get("start"), fields.get("end"))
    camp = Campaign(workspace_id=ws.id, name_key=name.lower(), created_by=user_id, status=Status.ACTIVE,
                    digest_since=now or utcnow(), **fields)
    session.add(camp)
    session.flush()
    return camp


def update(session: Session, camp: Campaign, values: dict[str, Any], *, now: datetime | None = None,
           changes: attribution.Changes | None = None) -> list[tuple[str, Any, Any]]:
    """Apply changes and re-attribute the orders they move; returns (key, old, new) for each value that changed."""
    if "name" in values and values["name"].lower() != camp.name_key:
        ws = session.get(Workspace, camp.workspace_id)
        if session.scalar(lookup.select_campaign(ws, values["name"])) is not None:
            raise Conflict(f"Another campaign is already called `{values['name']}`.")
    _check_dates(values.get("start", camp.start), values.get("end", camp.end))
    before = window(camp.start, camp.end, camp.window_days)
    done = []
    for key, value in values.items():
        attr = KEYS[key]
        old = getattr(camp, attr)
        if old != value:
            done.append((key, old, value))
            setattr(camp, attr, value)
    if "name" in values:
        camp.name_key = camp.name.lower()
    if any(key in ("digest", "channel") for key, _, _ in done):
        camp.digest_since = now or utcnow()  # a new schedule or channel starts from here: nothing before it was missed
    session.flush()
    if {key for key, _, _ in done} & {"name", "start", "end", "window_days"}:
        # Orders in the old window may fall out of it, and links name the campaign.
        touched = attribution.Scope.of(campaigns=[camp], windows=[before])
        attribution.changed(session, camp.workspace_id, touched, changes)
    return done


def end(session: Session, camp: Campaign, today: date, *, changes: attribution.Changes | None = None) -> Campaign:
    """End a campaign today (or keep an earlier end): digests and alerts stop, its data stays."""
    touched = None
    if camp.end is None or camp.end > today:
        touched = attribution.Scope.of(campaigns=[camp], windows=[window(camp.start, camp.end, camp.window_days)])
        if camp.start and camp.start > today:
            camp.start = today
        camp.end = today
    camp.status = Status.ENDED
    session.flush()
    if touched is not None:
        attribution.changed(session, camp.workspace_id, touched, changes)
    return camp
