"""Finding a workspace's campaigns, influencers, enrolments and codes by the names people type."""

from __future__ import annotations

import difflib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import InputError, NotFound
from bot.models import Campaign, Code, Enrolment, Influencer, Workspace


def workspace(session: Session, team_id: str, *, name: str | None = None) -> Workspace:
    """The workspace row of a Slack team, created on first use."""
    query = select(Workspace).where(Workspace.team_id == team_id)
    row = session.scalar(query)
    if row is None:
        try:
            # A savepoint, so that losing the race to another process's first command costs nothing.
            with session.begin_nested():
                row = Workspace(team_id=team_id, name=name)
                session.add(row)
        except IntegrityError:
            row = session.scalar(query)
    return row


def _suggest(typed: str, known: list[str]) -> str:
    close = difflib.get_close_matches(typed.lower(), [k.lower() for k in known], n=1, cutoff=0.6)
    if close:
        match = next(k for k in known if k.lower() == close[0])
        return f" Did you mean `{match}`?"
    return ""


def team_workspace(session: Session, team_id: str | None) -> Workspace:
    """For the command line: the workspace `--team` names, or the only one in the database (SPEC §1)."""
    if team_id:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        if ws is None:
            raise InputError("--team", f"no workspace {team_id!r} in this database", "the team id of a workspace that uses the bot")
        return ws
    found = list(session.scalars(select(Workspace).order_by(Workspace.id).limit(2)))
    if not found:
        raise InputError("--team", "the database holds no workspace yet", "run a slash command in Slack first, or check DATABASE_URL")
    if len(found) > 1:
        raise InputError("--team", "the database holds several workspaces", "`--team T` with the Slack team id to use")
    return found[0]


def campaign(session: Session, ws: Workspace, name: str) -> Campaign:
    """The campaign called `name` (case-insensitive) or NotFound with a suggestion."""
    row = session.scalar(select(Campaign).where(Campaign.workspace_id == ws.id, Campaign.name_key == name.lower()))
    if row is None:
        known = list(session.scalars(select(Campaign.name).where(Campaign.workspace_id == ws.id)))
        hint = _suggest(name, known) or (" See `/campaign list`." if known else " Create one with `/campaign create`.")
        raise NotFound(f"There is no campaign `{name}`.{hint}")
    return row


def influencer(session: Session, ws: Workspace, handle: str) -> Influencer:
    """The influencer with `handle` (case-insensitive) or NotFound with a suggestion."""
    row = session.scalar(
        select(Influencer).where(Influencer.workspace_id == ws.id, Influencer.handle_key == handle.lower())
    )
    if row is None:
        known = list(session.scalars(select(Influencer.handle).where(Influencer.workspace_id == ws.id)))
        hint = _suggest(handle, known) or " Add them with `/influencer add`."
        raise NotFound(f"There is no influencer `{handle}`.{hint}")
    return row


def enrolment(session: Session, person: Influencer, camp: Campaign) -> Enrolment:
    """The enrolment of an influencer in a campaign, or NotFound saying how to enrol."""
    row = session.scalar(
        select(Enrolment).where(Enrolment.influencer_id == person.id, Enrolment.campaign_id == camp.id)
    )
    if row is None:
        raise NotFound(
            f"`{person.handle}` is not in campaign `{camp.name}`. "
            f"Enrol them with `/influencer add {person.handle} campaign={camp.name} fee=…`."
        )
    return row


def codes_named(session: Session, ws: Workspace, code: str) -> list[Code]:
    """Every registration of a code in the workspace (one per campaign at most)."""
    return list(
        session.scalars(
            select(Code).where(Code.workspace_id == ws.id, Code.code_key == code.lower()).order_by(Code.id)
        )
    )


def select_campaign(ws: Workspace, name: str):
    """The SELECT for a workspace's campaign by name, case-insensitive."""
    return select(Campaign).where(Campaign.workspace_id == ws.id, Campaign.name_key == name.lower())
