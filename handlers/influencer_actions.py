"""The Remove and Cancel buttons of the question `/influencer remove` asks about someone with results.

A Remove click is checked as a command would be (ROI_ADMINS) and only ever reaches an influencer of the clicking
team's workspace; whether the influencer is still as the question showed is bot.registry.influencers. Removing, or
Cancel, replaces the question; a click that changes nothing (refused, gone, changed since) is answered beside it, so
a double click never overwrites the confirmation the first one left.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from sqlalchemy import select

from bot.models import Workspace
from bot.permissions import may_change
from bot.registry import influencers
from bot.runtime import Runtime
from bot.values import body_id
from handlers import deliver
from handlers.blocks import influencers as influencer_blocks
from handlers.blocks.kit import Reply

log = logging.getLogger("roi.influencers")


def _value(body: dict) -> str:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    return str(first.get("value") or "")


def _remove(runtime: Runtime, *, team: str, user: str, value: str) -> tuple[Reply, bool]:
    """Remove when allowed and still as asked, in one transaction; the reply and whether it replaces the question."""
    if not may_change(runtime.settings, user):
        log.warning("influencer removal refused: %s is not a ROI bot admin", user)
        return influencer_blocks.removal_not_allowed(), False
    asked = influencer_blocks.read_removal_value(value)
    if asked is None or not team:
        log.warning("influencer removal click with a value this app never wrote; ignored")
        return influencer_blocks.removal_gone(), False
    influencer_id, handle_key, seen = asked
    with runtime.sessions.begin() as session:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team))
        # Another workspace's id looks exactly like a removed one: nothing about it is revealed, nothing changes.
        done = (influencers.remove_confirmed(session, ws, influencer_id, handle_key=handle_key, seen=seen)
                if ws is not None else influencers.Removal(influencers.GONE))
    if done.outcome == influencers.GONE:
        log.info("influencer removal: %s is not in workspace %s (removed already?)", influencer_id, team)
        return influencer_blocks.removal_gone(), False
    if done.outcome == influencers.CHANGED:
        return influencer_blocks.removal_changed(done.handle, handle_key, done.now), False
    log.info("influencer %s removed by %s in %s", influencer_id, user, team)
    return influencer_blocks.removed(done.handle, done.counts), True


def remove(ack, body, context, client, respond):
    """Button `roi_influencer_remove` (value: the influencer id, with the handle and counts the question showed)."""
    ack()
    team = body_id(body, "team") or context.get("team_id") or ""
    reply, replace = _remove(context["roi"], team=team, user=body_id(body, "user") or "", value=_value(body))
    deliver.tell(respond, reply, client=client, replace=replace)


def cancel(ack, respond, client):
    """Button `roi_influencer_remove_cancel`: the question goes, nothing else happens (so nothing to check)."""
    ack()
    deliver.tell(respond, influencer_blocks.removal_cancelled(), client=client, replace=True)


def register(app: App) -> None:
    """Register the Remove and Cancel buttons."""
    app.action(influencer_blocks.REMOVE)(remove)
    app.action(influencer_blocks.CANCEL)(cancel)
