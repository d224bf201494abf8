"""Answers that only read never queue behind a writer: an import holding SQLite's write lock for a long time
does not hold up `/roi campaign`, `/campaign list` or the Home tab."""

import sqlite3

import pytest
from sqlalchemy import select

from bot.models import Workspace

from import_support import register
from registry_support import answered, only_post


@pytest.fixture
def spring(roi):
    register(roi, ["/campaign create spring budget=5000 start=2026-03-01", "/influencer add ana campaign=spring fee=100"])


@pytest.fixture
def held_write_lock(db_url):
    """Another process in the middle of a long import: SQLite's write lock taken and kept."""
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer lock; PostgreSQL readers never wait for writers")
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE campaigns SET note = 'importing'")
    yield
    holder.execute("ROLLBACK")
    holder.close()


def test_read_commands_answer_while_a_writer_holds_the_lock(spring, roi, held_write_lock, engine):
    engine.dispose()  # fresh connections, so the busy timeout would show if a read waited for the lock
    assert "spring" in answered(roi.command("/campaign list"))
    assert "spring" in str(only_post(roi.command("/roi campaign spring"))["blocks"])


def test_a_new_workspaces_first_read_creates_it(roi, sessions):
    assert "No campaigns yet" in answered(roi.command("/campaign list", team="T0NEW"))
    with sessions() as session:
        assert session.scalar(select(Workspace.team_id).where(Workspace.team_id == "T0NEW")) == "T0NEW"
