"""Events: the App Home tab and uninstalls (files shared in a DM are handlers.files)."""

from __future__ import annotations

import logging

from slack_bolt import App
from sqlalchemy import select

from bot.models import Campaign, Workspace
from bot.registry import lookup
from handlers.blocks.home import home_view

log = logging.getLogger(__name__)


def app_home_opened(event, context, client):
    """Publish the Home tab: the workspace's campaigns."""
    if event.get("tab") not in (None, "home"):
        return
    runtime = context["roi"]
    with runtime.sessions.begin() as session:
        ws = lookup.workspace(session, context["team_id"])
        camps = list(session.scalars(select(Campaign).where(Campaign.workspace_id == ws.id).order_by(Campaign.status, Campaign.name_key)))
        view = home_view(camps, today=runtime.today())
    client.views_publish(user_id=event["user"], view=view)


def uninstalled(context):
    """`app_uninstalled` / `tokens_revoked`: stop jobs for the workspace, keep its data."""
    runtime = context["roi"]
    with runtime.sessions.begin() as session:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == context["team_id"]))
        if ws is not None and ws.uninstalled_at is None:
            ws.uninstalled_at = runtime.clock()
            log.info("workspace %s uninstalled the app; its data is kept", ws.team_id)


def register(app: App) -> None:
    """Register event listeners."""
    app.event("app_home_opened")(app_home_opened)
    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(uninstalled)
