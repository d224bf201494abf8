"""Shared fixtures: settings, a database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the local Slack Web API stand-in, and the real app wired to both."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from bot.app import create_app
from bot.config import Settings
from bot.db import make_engine, make_sessions, upgrade
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.server import FakeSlack
from bot.models import Base
from bot.runtime import Runtime
from slackschema import assert_valid_message, assert_valid_view

SECRET = "test-signing-secret-0123456789"
TOKEN = "xoxb-test-0000-token"
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set"))]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """An upgraded SQLite file, copied for each test (migrating once is much faster than per test)."""
    path = tmp_path_factory.mktemp("template") / "roi.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    raw = engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine():
    """The PostgreSQL test database, with this project's tables dropped and migrated afresh once per run."""
    engine = make_engine(PG_URL)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template):
    """A database URL with an empty, fully migrated schema, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "roi.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    engine = request.getfixturevalue("pg_engine")
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return PG_URL


@pytest.fixture
def engine(db_url):
    """An engine on this test's database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    """The sessionmaker the app would use."""
    return make_sessions(engine)


MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"}
VIEW_METHODS = {"views.publish", "views.open", "views.update"}


@pytest.fixture
def slack():
    """A running Slack Web API stand-in on 127.0.0.1; afterwards every message and view the app sent
    is checked against Slack's Block Kit schemas and limits, whatever the test itself asserted."""
    with FakeSlack() as fake:
        yield fake
        sent = list(fake.calls)
    for call in sent:
        if call.method in MESSAGE_METHODS and call.status == 200:
            assert_valid_message(call.params)
        elif call.method in VIEW_METHODS and call.status == 200:
            assert_valid_view(call.json("view"))


@pytest.fixture
def settings(slack, db_url):
    """Settings pointing at the stand-in and this test's database; built directly, never from the environment."""
    return Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=slack.api_url, database_url=db_url, timezone="UTC")


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    """Fixed 'now': Monday 2026-03-16 12:00 UTC."""
    return Clock(datetime(2026, 3, 16, 12, 0, tzinfo=timezone.utc))


@pytest.fixture
def make_app(slack, engine, clock):
    """Build the real app (synchronous: listeners finish before dispatch returns) for given settings."""
    def build(settings: Settings):
        runtime = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine), clock=clock)
        return create_app(settings, runtime=runtime, synchronous=True)
    return build


@pytest.fixture
def app(make_app, settings):
    """The real app with test settings."""
    return make_app(settings)


@pytest.fixture
def roi(app, slack):
    """A driver that signs slash commands and button clicks like Slack and runs them through the app."""
    return SlackDriver(app, slack, SECRET)
