"""Shared fixtures: settings, a database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the local Slack Web API stand-in, and the real app wired to both."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
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
NO_PG = "TEST_DATABASE_URL not set: the PostgreSQL half of the suite did not run (docs/development.md)"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason=NO_PG))]
# For a test whose subject has nothing to do with the database (threads, rendering, parsing, HTTP checks made before
# anything is read): it runs on SQLite only, not once more on PostgreSQL. Narrows the backends of `db_url`.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per reason tests were skipped, with their number, instead of a line per skipped test (`-ra` would
    list every PostgreSQL test when TEST_DATABASE_URL is not set)."""
    reasons = Counter(_skip_reason(report) for report in terminalreporter.stats.get("skipped", []))
    for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        terminalreporter.write_line(f"skipped {count}: {reason}")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


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


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _leftovers_query():
    """One query naming the tables that hold rows (children first) and the id sequences handed out since their
    last restart (a sequence that was never read since has no `last_value`)."""
    tables = list(reversed(Base.metadata.sorted_tables))
    found = ", ".join(f"({n}, '{t.name}', EXISTS (SELECT FROM {_quoted(t.name)}))" for n, t in enumerate(tables))
    return text(f"SELECT ARRAY(SELECT name FROM (VALUES {found}) AS found(n, name, used) WHERE used ORDER BY n), "
                "ARRAY(SELECT sequencename::text FROM pg_sequences "
                "WHERE schemaname = 'public' AND last_value IS NOT NULL)")


_LEFTOVERS = _leftovers_query()


def empty(engine) -> None:
    """Delete every row and restart every id sequence: what TRUNCATE … RESTART IDENTITY does. Only the tables that
    hold rows and the sequences that were used are touched (one query finds them), so after a test that wrote
    nothing this is a single round trip; a test that wrote committed data, from any process, is cleared after."""
    with engine.begin() as connection:
        tables, sequences = connection.execute(_LEFTOVERS).one()
        if tables or sequences:
            statements = ["SET LOCAL lock_timeout = '20s'"]  # a lock a test's leaked connection holds fails loudly
            statements += [f"DELETE FROM {_quoted(name)}" for name in tables]
            statements += [f"ALTER SEQUENCE {_quoted(name)} RESTART" for name in sequences]
            connection.exec_driver_sql("; ".join(statements))


@pytest.fixture
def engine(db_url, request):
    """An engine on this test's database: a new one on each SQLite file; on PostgreSQL the worker's one engine
    (its pooled connection saves a connect per test; tests may still dispose it)."""
    if db_url == PG_URL:
        shared = request.getfixturevalue("pg_engine")
        yield shared
        if shared.pool.checkedout():  # still in use (by a thread the test left running): the next test gets a new pool
            shared.dispose()
        return
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
    assert_sent_valid(sent)


def assert_sent_valid(calls) -> None:
    """Every message and view among the stand-in's `calls` that it accepted is valid Block Kit within Slack's limits."""
    for call in calls:
        if call.method in MESSAGE_METHODS and call.status == 200:
            _checked(assert_valid_message, call.params)
        elif call.method in VIEW_METHODS and call.status == 200:
            _checked(assert_valid_view, call.json("view"))


_VALID: set[str] = set()  # messages and views already found valid in this process


def _checked(check, sent) -> None:
    """`check(sent)`, once per distinct message: the checks depend on nothing else, and most tests send the same
    replies to the same setup commands, so most checks would repeat one made before."""
    key = f"{check.__name__} {json.dumps(sent, sort_keys=True, default=repr)}"
    if key not in _VALID:
        check(sent)
        _VALID.add(key)


@pytest.fixture(scope="module")
def module_slack():
    """One Slack stand-in for a module whose tests share a server process (each test resets what it recorded)."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module", params=BACKENDS)
def module_db(request, tmp_path_factory, sqlite_template) -> str:
    """A migrated, empty database for a module's server process, on each backend: its tests share it, so each
    checks only what it did itself."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module") / "roi.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    empty(request.getfixturevalue("pg_engine"))
    return PG_URL


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


NOW = datetime(2026, 3, 16, 12, 0, tzinfo=timezone.utc)  # a Monday


@pytest.fixture
def clock():
    """Fixed 'now': Monday 2026-03-16 12:00 UTC."""
    return Clock(NOW)


# Bolt names an App after the file that created it, found with inspect.stack(): its cost grows with the depth of the
# stack, and pytest's is deep (5 to 10 ms an app; about 1.5 ms in a thread of its own, where the stack is short).
_BUILDER = ThreadPoolExecutor(1, thread_name_prefix="build-app")


@pytest.fixture
def make_app(slack, engine, clock):
    """Build the real app (synchronous: listeners finish before dispatch returns) for given settings."""
    def build(settings: Settings):
        runtime = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine), clock=clock)
        return _BUILDER.submit(create_app, settings, runtime=runtime, synchronous=True).result()
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
