"""The one place jobs get the bot token of the workspace they post to.

Jobs run outside any Slack request, so there is no request context to carry a token: each job asks here, per
workspace, and builds its own Web API client. Today that is the single SLACK_BOT_TOKEN; multi-workspace installs
only have to change this function.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.errors import ConfigError
from bot.runtime import Runtime


def bot_token(runtime: Runtime, team_id: str) -> str:
    """The bot token to post in `team_id` with, or ConfigError saying what is missing."""
    token = runtime.settings.bot_token
    if not token:
        raise ConfigError(f"SLACK_BOT_TOKEN is not set: scheduled jobs need the bot token to post in workspace {team_id}")
    return token


def client_for(runtime: Runtime, team_id: str) -> WebClient:
    """A Web API client for `team_id` that waits out rate limits (a fresh one per job; never shared globally)."""
    from bot.app import make_client  # the app module pulls in every listener; only jobs that post need it

    return make_client(runtime.settings, bot_token(runtime, team_id))
