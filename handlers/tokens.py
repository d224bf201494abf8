"""The one place jobs get the bot token of the workspace they post to.

Jobs run outside any Slack request, so there is no request context to carry a token: each job asks here, per
workspace, and builds its own Web API client. In single-workspace mode that is SLACK_BOT_TOKEN; with OAuth
installs (SLACK_CLIENT_ID …) it is the token the workspace's installation stored (bot.install). A workspace that
uninstalled the app gets no token, so no job posts there; its data stays.
"""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy import select

from bot import install
from bot.errors import ConfigError
from bot.models import Workspace
from bot.runtime import Runtime
from handlers.client import make_client


class NotInstalled(ConfigError):
    """The workspace uninstalled the app (or never installed it): nothing may be posted there."""


def bot_token(runtime: Runtime, team_id: str) -> str:
    """The bot token to post in `team_id` with, or ConfigError saying what is missing."""
    with runtime.reads.begin() as session:
        gone = session.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == team_id))
    if gone is not None:
        raise NotInstalled(f"workspace {team_id} uninstalled the app on {gone:%Y-%m-%d}; nothing is posted there "
                           "(its data is kept, and comes back if it installs the app again)")
    if runtime.settings.oauth_enabled:
        token = install.bot_token(runtime.settings, runtime.engine, team_id)
        if not token:
            raise NotInstalled(f"workspace {team_id} has no installation of the app: install it at /slack/install")
        return token
    token = runtime.settings.bot_token
    if not token:
        raise ConfigError(f"SLACK_BOT_TOKEN is not set: scheduled jobs need the bot token to post in workspace {team_id}")
    return token


def client_for(runtime: Runtime, team_id: str) -> WebClient:
    """A Web API client for `team_id` that waits out rate limits (a fresh one per job; never shared globally)."""
    return make_client(runtime.settings, bot_token(runtime, team_id))
