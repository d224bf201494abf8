"""Multi-workspace installs (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET): Bolt's OAuth flow, with
installations and OAuth states kept in the app's own database by slack_sdk's SQLAlchemy stores.

`/slack/install` sends the installer to Slack; Slack sends them back to `/slack/oauth_redirect`, where Bolt swaps
the code for the workspace's bot token (`oauth.v2.access`) and saves the installation here. Every request is then
authorised with its workspace's token (Bolt looks it up per request), and jobs ask `handlers.tokens`, which reads
the same table. Saving an installation also (re)opens the workspace for jobs; an uninstall closes it again
(handlers.events), its data kept.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, desc, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import Workspace, slack_bots, slack_installations, utcnow

log = logging.getLogger("roi.install")

INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
STATE_SECONDS = 10 * 60  # how long an install link stays valid
# The bot scopes the app asks for: the same list as manifest.yml (tests/test_manifest.py keeps them equal).
BOT_SCOPES = ("commands", "chat:write", "im:write", "im:history", "channels:history", "groups:history", "files:read",
              "files:write", "channels:read", "groups:read", "users:read")


def oauth_settings(settings: Settings, engine: Engine):
    """Bolt's OAuth settings: the install and redirect paths, the scopes, and both stores on `engine`."""
    # slack_sdk's store modules cost a tenth of a second to load: only an app with installs configured pays it.
    from slack_bolt.oauth.oauth_settings import OAuthSettings

    from bot.oauth_stores import Installations, SignedStates

    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=Installations(client_id=settings.client_id, engine=engine,
                                         logger=logging.getLogger("roi.install.store")),
        installation_store_bot_only=True,
        state_store=SignedStates(settings.state_secret, engine, expiration_seconds=STATE_SECONDS),
        state_expiration_seconds=STATE_SECONDS,
    )


def bot_token(settings: Settings, engine: Engine, team_id: str) -> str | None:
    """The latest bot token installed for `team_id` (whatever Enterprise Grid org it belongs to), or None."""
    c = slack_bots.c
    with engine.connect() as connection:
        return connection.scalar(
            select(c.bot_token).where(c.client_id == settings.client_id, c.team_id == team_id, c.bot_token.is_not(None))
            .order_by(desc(c.installed_at), desc(c.id)).limit(1)
        )


def forget(engine: Engine, settings: Settings, team_id: str) -> None:
    """Delete the workspace's installations and bot tokens (after it uninstalled the app or revoked them)."""
    with engine.begin() as connection:
        for table in (slack_installations, slack_bots):
            connection.execute(table.delete().where(table.c.client_id == settings.client_id, table.c.team_id == team_id))


def installed(engine: Engine, team_id: str, team_name: str | None) -> None:
    """A workspace saved an installation: it is open to jobs (again), under its current name."""
    with Session(engine) as session, session.begin():
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        if ws is None:
            session.add(Workspace(team_id=team_id, name=team_name))
        else:
            ws.uninstalled_at = None
            ws.name = team_name or ws.name
    log.info("workspace %s (%s) installed the app", team_id, team_name)


def uninstalled(engine: Engine, settings: Settings, team_id: str, *, now=utcnow) -> bool:
    """Close the workspace to jobs (its data kept) and, with OAuth, forget its tokens; False if it was closed."""
    if settings.oauth_enabled:
        forget(engine, settings, team_id)
    with Session(engine) as session, session.begin():
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        changed = ws is not None and ws.uninstalled_at is None
        if changed:
            ws.uninstalled_at = now()
    return changed
