"""Multi-workspace installs (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET): Bolt's OAuth flow, with
installations and OAuth states kept in the app's own database by slack_sdk's SQLAlchemy stores.

`/slack/install` sends the installer to Slack; Slack sends them back to `/slack/oauth_redirect`, where Bolt swaps
the code for the workspace's bot token (`oauth.v2.access`) and saves the installation here. Every request is then
authorised with its workspace's token (Bolt looks it up per request), and jobs ask `bot.jobs.tokens`, which reads
the same table. Saving an installation also (re)opens the workspace for jobs; an uninstall closes it again
(handlers.events), its data kept.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, desc, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import Workspace, slack_bots, utcnow

log = logging.getLogger("roi.install")

INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
STATE_SECONDS = 10 * 60  # how long an install link stays valid
# The bot scopes the app asks for: the same list as manifest.yml (tests/test_manifest.py keeps them equal).
BOT_SCOPES = ("commands", "chat:write", "im:write", "im:history", "channels:history", "groups:history", "files:read",
              "files:write", "channels:read", "groups:read", "users:read")


class Installations(SQLAlchemyInstallationStore):
    """slack_sdk's store, which also marks the workspace installed (again) in the app's own table."""

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if installation.team_id:
            with Session(self.engine) as session, session.begin():
                ws = session.scalar(select(Workspace).where(Workspace.team_id == installation.team_id))
                if ws is None:
                    session.add(Workspace(team_id=installation.team_id, name=installation.team_name))
                else:
                    ws.uninstalled_at = None
                    ws.name = installation.team_name or ws.name
            log.info("workspace %s (%s) installed the app", installation.team_id, installation.team_name)

    def forget(self, team_id: str) -> None:
        """Delete the workspace's installations and bot tokens (after it uninstalled the app or revoked them)."""
        for table in (self.installations, self.bots):
            with self.engine.begin() as connection:
                connection.execute(table.delete().where(table.c.client_id == self.client_id, table.c.team_id == team_id))


class SignedStates(SQLAlchemyOAuthStateStore):
    """slack_sdk's OAuth state store, each state signed with SLACK_STATE_SECRET: a forged or altered state is
    refused before the database is asked, and a state is good once, for STATE_SECONDS."""

    def __init__(self, secret: str, engine: Engine):
        super().__init__(expiration_seconds=STATE_SECONDS, engine=engine, logger=logging.getLogger("roi.install.state"))
        self._key = secret.encode()

    def _sign(self, state: str) -> str:
        return hmac.new(self._key, state.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, *args, **kwargs) -> str:
        state = super().issue(*args, **kwargs)
        return f"{state}.{self._sign(state)}"

    def consume(self, state: str) -> bool:
        raw, _, signature = (state or "").rpartition(".")
        if not raw or not hmac.compare_digest(signature, self._sign(raw)):
            log.warning("OAuth redirect with a state this app did not sign; refused")
            return False
        return super().consume(raw)


def installations(settings: Settings, engine: Engine) -> Installations:
    """The installation store on the app's database (its tables are created by the migrations)."""
    return Installations(client_id=settings.client_id, engine=engine, logger=logging.getLogger("roi.install.store"))


def oauth_settings(settings: Settings, engine: Engine) -> OAuthSettings:
    """Bolt's OAuth settings: the install and redirect paths, the scopes, and both stores on `engine`."""
    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations(settings, engine),
        installation_store_bot_only=True,
        state_store=SignedStates(settings.state_secret, engine),
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


def uninstalled(engine: Engine, settings: Settings, team_id: str, *, now=utcnow) -> bool:
    """Close the workspace to jobs (its data kept) and, with OAuth, forget its tokens; False if it was closed."""
    if settings.oauth_enabled:
        installations(settings, engine).forget(team_id)
    with Session(engine) as session, session.begin():
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        changed = ws is not None and ws.uninstalled_at is None
        if changed:
            ws.uninstalled_at = now()
    return changed
