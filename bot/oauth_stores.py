"""slack_sdk's SQLAlchemy installation and OAuth-state stores as the app uses them (bot.install): saving an
installation opens its workspace to jobs, and every OAuth state is signed with SLACK_STATE_SECRET. Loaded only when
multi-workspace installs are configured."""

from __future__ import annotations

import hashlib
import hmac
import logging

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot import install

log = logging.getLogger("roi.install")


class Installations(SQLAlchemyInstallationStore):
    """slack_sdk's store, which also marks the workspace installed (again) in the app's own table."""

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if installation.team_id:
            install.installed(self.engine, installation.team_id, installation.team_name)


class SignedStates(SQLAlchemyOAuthStateStore):
    """slack_sdk's OAuth state store, each state signed with SLACK_STATE_SECRET: a forged or altered state is
    refused before the database is asked, and a state is good once, for `expiration_seconds`."""

    def __init__(self, secret: str, engine: Engine, *, expiration_seconds: int):
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=logging.getLogger("roi.install.state"))
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
