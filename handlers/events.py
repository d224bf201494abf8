"""Events: the App Home tab (and its button, handlers.home_actions) and uninstalls (files shared in a DM are
handlers.files)."""

from __future__ import annotations

import logging

from slack_bolt import App
from sqlalchemy import func, or_, select

from bot import freshness, install
from bot.models import Campaign
from bot.reports import campaign_report
from handlers import home_actions
from handlers.blocks.home import MAX_CAMPAIGNS, home_view
from metrics.status import Status

log = logging.getLogger(__name__)


def app_home_opened(event, context, client):
    """Publish the Home tab: the workspace's running campaigns with their figures and who is flagged."""
    if event.get("tab") not in (None, "home") or not isinstance(event.get("user"), str):
        return  # another tab, or not a person's view: nothing to publish
    runtime = context["roi"]
    now = runtime.now()
    today = now.date()
    with runtime.reading(context["team_id"]) as (session, ws):
        mine = Campaign.workspace_id == ws.id
        live = list(session.scalars(
            select(Campaign).where(mine, Campaign.status == Status.ACTIVE, or_(Campaign.end.is_(None), Campaign.end >= today))
            .order_by(Campaign.start.desc().nulls_last(), Campaign.name_key)
        ))
        reports = [campaign_report(session, camp, today=today) for camp in live[:MAX_CAMPAIGNS]]
        fresh = [freshness.of_campaigns(session, ws.id, [r.campaign.id], tz=now.tzinfo) for r in reports]
        total = session.scalar(select(func.count()).select_from(Campaign).where(mine))
        view = home_view(reports, today=today, more=len(live) - len(reports), total=total, fresh=fresh, now=now)
    client.views_publish(user_id=event["user"], view=view)


def uninstalled(event, context):
    """`app_uninstalled`, or `tokens_revoked` for the bot's token: no more jobs for the workspace (and, with OAuth
    installs, its stored tokens are deleted); its data is kept for when it installs the app again."""
    if event.get("type") == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
        return  # only people's own tokens were revoked; the bot's still works (and the app asks for none)
    runtime = context["roi"]
    team = context["team_id"]
    if install.uninstalled(runtime.engine, runtime.settings, team, now=runtime.clock):
        log.info("workspace %s removed the app (%s): no more jobs there, its data is kept", team, event.get("type"))


def register(app: App) -> None:
    """Register event listeners."""
    app.event("app_home_opened")(app_home_opened)
    home_actions.register(app)
    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(uninstalled)
