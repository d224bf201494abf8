"""Database wiring: engine, the one sessionmaker, and Alembic schema upgrades."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "roi_read_only"
_PG_UPGRADE_LOCK = 0x524F49  # "ROI": serialises concurrent upgrades of one PostgreSQL database
# Every SQLite connection: foreign keys on, NORMAL sync (safe under WAL), and a 64 MiB page cache (at most; the
# default is 2 MiB) so the orders table's indexes stay in memory while a big export is written: inserting 300,000
# orders took 6.4 s with the default and 3.8 s with this (bench/README.md).
SQLITE_PRAGMAS = ("foreign_keys=ON", "synchronous=NORMAL", "cache_size=-65536")


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout so several processes can share a file."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # pysqlite's own transaction handling breaks SAVEPOINT (RELEASE would commit) and DDL
            # atomicity; take it over, as SQLAlchemy's SQLite docs recommend.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cursor.execute("PRAGMA journal_mode=WAL")
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # IMMEDIATE takes the write lock up front: concurrent writers wait (busy timeout) instead of
            # failing when a read transaction later tries to write. Read-only sessions (make_read_sessions)
            # begin deferred: under WAL they read a snapshot and never wait for a long import to finish.
            read_only = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """The app's one session factory; objects stay usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for answers that only read: on SQLite they take no write lock, so they never queue behind an
    import (on PostgreSQL they are ordinary transactions)."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration this code knows."""
    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for a fresh database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Apply every pending migration; safe when several processes start against one fresh database."""
    head = head_revision()
    for attempt in range(5):
        if current_revision(engine) == head:
            return head
        try:
            with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_UPGRADE_LOCK})
                    if MigrationContext.configure(connection).get_current_revision() == head:
                        return head
                command.upgrade(_alembic_config(connection), "head")
            log.info("database upgraded to %s", head)
            return head
        except DBAPIError:
            # Another SQLite process won the race to create the schema; look again.
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    return head


def check(engine: Engine) -> bool:
    """True when the database answers a trivial query (for /health)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except DBAPIError:
        log.warning("database health check failed", exc_info=True)
        return False
