"""Keeping each order's stored attribution equal to what the current registrations give (SPEC §3).

Orders carry their attribution (computed by the pure `metrics.attribution.attribute`) so reports aggregate with
a plain GROUP BY. Whatever changes a registration — a code added or removed, an enrolment made or cut, a
campaign's dates or name, a handle — re-attributes explicitly, in the same transaction, before it returns:
`changed` with the `Scope` it touched, which runs `refresh` at once, or notes it in a `Changes` its caller
collects over many changes (a roster import) and applies once. `refresh` recomputes just the orders that change
could affect and rewrites those whose outcome differs. Nothing runs on commit: a transaction that changes a
registration without saying so here leaves attribution as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, bindparam, false, func, or_, select, text, true, update
from sqlalchemy.orm import Session

from bot.models import Campaign, Code, Enrolment, Influencer, Order
from metrics.attribution import Attribution, Registry, Target, attribute
from metrics.orders import split_code_keys
from metrics.status import Status
from metrics.windows import window

CHUNK = 5000
_LOCK_SPACE = 0x41545452  # "ATTR": the advisory-lock namespace of order attribution


def lock(session: Session, workspace_id: int) -> None:
    """Serialise writers of a workspace's orders and attribution until this transaction ends.

    An import attributes with the registrations it read at its start; a registration change re-attributes the
    orders it can see. Taking this lock before either makes each wait for the other, so neither can commit
    attribution computed from a stale view (on PostgreSQL; SQLite transactions are serial already).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": _LOCK_SPACE, "key": workspace_id})


def load_registry(session: Session, workspace_id: int) -> Registry:
    """Every code, link and enrolment of a workspace, keyed for `attribute`."""
    rows = session.execute(
        select(Enrolment.id, Enrolment.campaign_id, Enrolment.status, Enrolment.cut_on, Campaign.name_key,
               Campaign.start, Campaign.end, Campaign.window_days, Influencer.handle_key)
        .join(Campaign, Campaign.id == Enrolment.campaign_id)
        .join(Influencer, Influencer.id == Enrolment.influencer_id)
        .where(Enrolment.workspace_id == workspace_id)
    ).all()
    targets: dict[int, Target] = {}
    links: dict[tuple[str, str], Target] = {}
    handles: dict[str, list[Target]] = {}
    for enrolment_id, campaign_id, status, cut_on, name_key, start, end, window_days, handle_key in rows:
        cut = (cut_on or date.min) if status == Status.CUT else None
        target = Target(campaign_id, enrolment_id, window(start, end, window_days), cut)
        targets[enrolment_id] = target
        links[(name_key, handle_key)] = target
        handles.setdefault(handle_key, []).append(target)
    codes: dict[str, list[Target]] = {}
    for code_key, enrolment_id in session.execute(
        select(Code.code_key, Code.enrolment_id).where(Code.workspace_id == workspace_id).order_by(Code.id)
    ):
        codes.setdefault(code_key, []).append(targets[enrolment_id])
    return Registry(codes=codes, links=links, handles=handles)


@dataclass
class Scope:
    """What a registration change may affect: orders held by these campaigns or dated inside their windows (as
    they are when the refresh runs, plus earlier `windows`), and orders carrying these codes or naming these
    handles. `everything` recomputes the whole workspace."""

    campaign_ids: set[int] = field(default_factory=set)
    windows: list[tuple[date | None, date | None]] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    handles: set[str] = field(default_factory=set)
    everything: bool = False

    @classmethod
    def of(cls, *, campaigns: Iterable[Campaign] = (), windows: Iterable[tuple[date | None, date | None]] = (),
           codes: Iterable[str] = (), handles: Iterable[str] = ()) -> Scope:
        """The scope of a change that touched these campaigns, earlier windows, codes and handles (read at once, so
        rows about to be deleted can be named)."""
        return cls({c.id for c in campaigns}, list(windows), set(codes), set(handles))

    def merge(self, other: Scope) -> None:
        """Widen this scope by `other`."""
        self.campaign_ids |= other.campaign_ids
        self.windows += other.windows
        self.codes |= other.codes
        self.handles |= other.handles
        self.everything = self.everything or other.everything

    def condition(self, session: Session):
        """The WHERE clause selecting the orders in scope."""
        if self.everything:
            return true()
        windows = list(self.windows)
        parts = []
        if self.campaign_ids:
            parts.append(Order.campaign_id.in_(self.campaign_ids))
            for start, end, days in session.execute(
                select(Campaign.start, Campaign.end, Campaign.window_days).where(Campaign.id.in_(self.campaign_ids))
            ):
                windows.append(window(start, end, days))
        for first, last in set(windows):
            bounds = [c for c in (first and Order.order_date >= first, last and Order.order_date <= last) if c is not None]
            parts.append(and_(*bounds) if bounds else true())
        parts += [Order.codes.like(f"%,{code.lower()},%") for code in sorted(self.codes)]
        if self.handles:
            parts.append(func.lower(Order.utm_content).in_(sorted(h.lower() for h in self.handles)))
        return or_(*parts) if parts else false()


class Changes:
    """Registration changes a use case makes many of (a roster import), noted as they happen and re-attributed
    together by `apply`: one pass per workspace instead of one per change."""

    def __init__(self) -> None:
        self.scopes: dict[int, Scope] = {}

    def note(self, workspace_id: int, scope: Scope) -> None:
        """Add what one change touched."""
        self.scopes.setdefault(workspace_id, Scope()).merge(scope)

    def apply(self, session: Session) -> int:
        """Re-attribute everything noted, then forget it; returns how many orders changed."""
        scopes, self.scopes = self.scopes, {}
        return sum(refresh(session, workspace_id, scope) for workspace_id, scope in scopes.items())


def changed(session: Session, workspace_id: int, scope: Scope, changes: Changes | None = None) -> int:
    """After a registration change: re-attribute what it touched now, or note it in the caller's `changes`;
    returns how many orders changed now."""
    if changes is not None:
        changes.note(workspace_id, scope)
        return 0
    return refresh(session, workspace_id, scope)


def refresh(session: Session, workspace_id: int, scope: Scope) -> int:
    """Recompute the attribution of the orders in `scope`; returns how many orders changed."""
    session.flush()
    lock(session, workspace_id)
    registry = load_registry(session, workspace_id)
    query = (
        select(Order.id, Order.order_date, Order.codes, Order.utm_campaign, Order.utm_content, Order.attribution,
               Order.campaign_id, Order.enrolment_id)
        .where(Order.workspace_id == workspace_id, scope.condition(session))
        .execution_options(yield_per=CHUNK)
    )
    changed: list[dict] = []
    total = 0
    for row in session.execute(query):
        outcome = attribute(row.order_date, split_code_keys(row.codes), row.utm_campaign, row.utm_content, registry)
        if (outcome.kind, outcome.campaign_id, outcome.enrolment_id) != (row.attribution, row.campaign_id, row.enrolment_id):
            changed.append(as_values(outcome) | {"oid": row.id})
        if len(changed) >= CHUNK:
            total += _write(session, changed)
            changed = []
    return total + _write(session, changed)


def as_values(outcome: Attribution) -> dict:
    """The order columns that store an attribution."""
    return {"attribution": outcome.kind, "campaign_id": outcome.campaign_id, "enrolment_id": outcome.enrolment_id}


def _write(session: Session, rows: list[dict]) -> int:
    if rows:
        session.execute(
            update(Order.__table__).where(Order.__table__.c.id == bindparam("oid")),
            rows,
        )
    return len(rows)
