"""Discount codes and tracking links: one influencer's code in one campaign, never in overlapping windows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import attribution
from bot.errors import Conflict, InputError, NotFound
from bot.models import Campaign, Code, Enrolment, Workspace
from bot.registry import lookup
from metrics.windows import describe, overlaps, window


def campaign_window(camp: Campaign):
    """The attribution window of a campaign."""
    return window(camp.start, camp.end, camp.window_days)


def check_free(session: Session, enrolment: Enrolment, code: str) -> None:
    """Conflict when `code` is already in the enrolment's campaign, or in one whose window overlaps it (a code about
    to be created in a store is checked first, so the store is never asked for a code that cannot be registered)."""
    camp = enrolment.campaign
    ws = session.get(Workspace, enrolment.workspace_id)
    for other in lookup.codes_named(session, ws, code):
        other_camp = session.get(Campaign, other.campaign_id)
        if other.campaign_id == camp.id:
            holder = other.enrolment.influencer.handle
            raise Conflict(f"Code `{other.code}` is already registered in `{camp.name}` for `{holder}`.")
        if overlaps(campaign_window(other_camp), campaign_window(camp)):
            raise Conflict(
                f"Code `{other.code}` already counts for `{other_camp.name}` "
                f"({describe(campaign_window(other_camp))}), whose window overlaps `{camp.name}` "
                f"({describe(campaign_window(camp))}). An order can only be credited once: use another code, "
                f"or set the campaigns' dates so their windows do not overlap."
            )


def add(session: Session, enrolment: Enrolment, code: str, *, url: str | None, user_id: str | None,
        changes: attribution.Changes | None = None) -> Code:
    """Register `code` for an enrolled influencer, crediting the orders that carry it; refused when its campaign
    windows would overlap."""
    check_free(session, enrolment, code)
    camp = enrolment.campaign
    row = Code(
        workspace_id=enrolment.workspace_id,
        campaign_id=camp.id,
        enrolment_id=enrolment.id,
        code=code,
        code_key=code.lower(),
        url=url,
        created_by=user_id,
    )
    session.add(row)
    session.flush()
    touched = attribution.Scope.of(campaigns=[camp], codes=[row.code_key])
    attribution.changed(session, row.workspace_id, touched, changes)
    return row


def check_windows_still_apart(session: Session, camp: Campaign) -> None:
    """After a campaign's dates change, refuse when one of its codes now overlaps the same code elsewhere."""
    ws = session.get(Workspace, camp.workspace_id)
    for mine in session.scalars(select(Code).where(Code.campaign_id == camp.id)):
        for other in lookup.codes_named(session, ws, mine.code):
            other_camp = session.get(Campaign, other.campaign_id)
            if other.campaign_id != camp.id and overlaps(campaign_window(other_camp), campaign_window(camp)):
                raise Conflict(
                    f"With these dates `{camp.name}` ({describe(campaign_window(camp))}) would overlap "
                    f"`{other_camp.name}` ({describe(campaign_window(other_camp))}), and both use code `{mine.code}`."
                )


def remove(session: Session, ws: Workspace, code: str, camp: Campaign | None, *,
           changes: attribution.Changes | None = None) -> Code:
    """Delete a code registration and uncredit its orders; with several campaigns using it, `campaign` must say
    which."""
    rows = lookup.codes_named(session, ws, code)
    if camp is not None:
        rows = [r for r in rows if r.campaign_id == camp.id]
    if not rows:
        where = f" in `{camp.name}`" if camp else ""
        raise NotFound(f"There is no code `{code}`{where}. See `/code list`.")
    if len(rows) > 1:
        names = ", ".join(f"`{session.get(Campaign, r.campaign_id).name}`" for r in rows)
        raise InputError("campaign", f"code `{code}` is registered in {names}", "`campaign=NAME` to say which")
    # Load what the confirmation shows before the row goes.
    _ = (rows[0].enrolment.influencer.handle, rows[0].enrolment.campaign.name)
    touched = attribution.Scope.of(campaigns=[rows[0].enrolment.campaign], codes=[rows[0].code_key])
    session.delete(rows[0])
    session.flush()
    attribution.changed(session, ws.id, touched, changes)
    return rows[0]
