"""The Home tab's *Full report* button: the `/roi campaign` answer, message and charts, in the clicker's DM."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.errors import BotError, NotFound
from bot.models import Campaign
from bot.values import body_id, row_id
from handlers import deliver
from handlers.blocks.errors import failure
from handlers.blocks.home import REPORT_ACTION
from handlers.blocks.report_campaign import from_home
from handlers.charts import campaign_post

log = logging.getLogger("roi.home")


def full_report(ack, body, context, client):
    """Button `roi_home_report` (value: campaign id): DM the report, for a campaign of the clicker's workspace only."""
    ack()
    runtime = context["roi"]
    user = body_id(body, "user")
    team = body_id(body, "team") or context.get("team_id")
    if user is None or not team:
        log.warning("home report click without a user or team; ignored")
        return
    actions = body.get("actions")
    value = str(actions[0].get("value") or "") if isinstance(actions, list) and actions and isinstance(actions[0], dict) else ""
    try:
        with runtime.reading(team) as (session, ws):
            camp = session.get(Campaign, cid) if (cid := row_id(value)) is not None else None
            if camp is None or camp.workspace_id != ws.id:
                # Another workspace's id looks exactly like a deleted one: nothing about it is revealed.
                log.warning("home report refused: campaign %r is not in workspace %s", value, team)
                raise NotFound("That campaign is no longer in this workspace. Open the Home tab again for the current list.")
            post = campaign_post(session, camp, today=runtime.today(), footer=from_home(camp), now=runtime.now())
    except BotError as error:
        reply = failure(error.message)
        client.chat_postMessage(channel=deliver.open_dm(client, user), text=reply.text, blocks=reply.blocks)
        return
    deliver.to_dm(client, post, user=user)


def register(app: App) -> None:
    """Register the Home tab's button."""
    app.action(REPORT_ACTION)(full_report)
