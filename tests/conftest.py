"""Shared fixtures: settings, a database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the local Slack Web API stand-in, and the real app wired to both."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime, timezone

import pytest
from sqlalchemy import make_url, text

from bot.wiring.app import create_app
from bot.config import Settings
from bot.db import make_engine, make_sessions, upgrade
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.server import FakeSlack
from bot.models import Base
from bot.runtime import Runtime
from slackschema import assert_valid_message, assert_valid_view

SECRET = "test-signing-secret-0123456789"
TOKEN = "xoxb-test-0000-token"


def _worker_database(url: str | None) -> str | None:
    """TEST_DATABASE_URL, or under pytest-xdist (`make test PYTEST_ARGS="-n 2"`) a database of this worker's own
    beside it (`test_gw0`, …): tests empty their database, so two workers must never share one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    return base.set(database=f"{base.database}_{worker}").render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))
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
    if PG_URL != os.environ.get("TEST_DATABASE_URL"):  # a worker's own database: create it the first time
        admin = make_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
        name = make_url(PG_URL).database
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
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
    empty(request.getfixturevalue("pg_engine"))
    return PG_URL


def empty(engine) -> None:
    """Delete every row and restart every id sequence: what TRUNCATE … RESTART IDENTITY does, at a fifth of its
    cost on tables this small (TRUNCATE rewrites each table's files)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        for name in connection.scalars(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")):
            connection.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


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


@pytest.fixture
def root_logging():
    """Put the root logger, `logging.lastResort` and warnings capture back as they were (configure changes them),
    starting from a clean slate for the last two."""
    root = logging.getLogger()
    handlers, level, last_resort = root.handlers[:], root.level, logging.lastResort.filters[:]
    logging.lastResort.filters[:] = []
    logging.captureWarnings(False)
    yield root
    logging.captureWarnings(False)
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.lastResort.filters[:] = last_resort
