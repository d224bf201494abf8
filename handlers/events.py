"""Events: the App Home tab (and its button, handlers.home_actions) and uninstalls (files shared in a DM are
handlers.files)."""

from __future__ import annotations

import logging

from slack_bolt import App
from sqlalchemy import func, or_, select

from bot.models import Campaign, Workspace
from bot.reports import campaign_report
from handlers import home_actions
from handlers.blocks.home import MAX_CAMPAIGNS, home_view

log = logging.getLogger(__name__)


def app_home_opened(event, context, client):
    """Publish the Home tab: the workspace's running campaigns with their figures and who is flagged."""
    if event.get("tab") not in (None, "home"):
        return
    runtime = context["roi"]
    today = runtime.today()
    with runtime.reading(context["team_id"]) as (session, ws):
        mine = Campaign.workspace_id == ws.id
        live = list(session.scalars(
            select(Campaign).where(mine, Campaign.status == "active", or_(Campaign.end.is_(None), Campaign.end >= today))
            .order_by(Campaign.start.desc().nulls_last(), Campaign.name_key)
        ))
        reports = [campaign_report(session, camp, today=today) for camp in live[:MAX_CAMPAIGNS]]
        total = session.scalar(select(func.count()).select_from(Campaign).where(mine))
        view = home_view(reports, today=today, more=len(live) - len(reports), total=total)
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
    home_actions.register(app)
    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(uninstalled)
