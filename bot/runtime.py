"""What listeners and jobs share at run time: settings, the database, and the clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db import make_engine, make_read_sessions, make_sessions, upgrade
from bot.models import Workspace, utcnow


@dataclass
class Runtime:
    """Settings, engine, the one sessionmaker and a clock (tests move the clock instead of sleeping)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=utcnow)
    reads: sessionmaker[Session] | None = None
    # Called after a command changed campaigns here (the scheduler re-reads its jobs at once, not a minute later).
    on_campaigns_changed: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.reads is None:
            self.reads = make_read_sessions(self.engine)

    @classmethod
    def build(cls, settings: Settings, *, engine: Engine | None = None, clock: Callable[[], datetime] | None = None) -> Runtime:
        """Connect to the settings' database (upgrading a fresh one) and wrap it up."""
        engine = engine or make_engine(settings.database_url)
        upgrade(engine)
        return cls(settings=settings, engine=engine, sessions=make_sessions(engine), clock=clock or utcnow)

    def campaigns_changed(self) -> None:
        """Tell whoever listens (the scheduler) that campaigns were created or changed."""
        for listener in list(self.on_campaigns_changed):
            listener()

    def now(self) -> datetime:
        """The current time in ROI_TIMEZONE."""
        return self.clock().astimezone(self.settings.tz)

    def today(self) -> date:
        """Today's date in ROI_TIMEZONE."""
        return self.now().date()

    @contextmanager
    def reading(self, team_id: str, *, name: str | None = None) -> Iterator[tuple[Session, Workspace]]:
        """A read-only transaction with the team's workspace (created first, in its own write, when new)."""
        from bot.registry import lookup  # the registry imports models and metrics only; kept out of start-up

        query = select(Workspace).where(Workspace.team_id == team_id)
        with self.reads.begin() as session:
            ws = session.scalar(query)
            if ws is not None:
                yield session, ws
                return
        # A new workspace: create it in a write of its own, then read (a snapshot taken earlier would miss it).
        with self.sessions.begin() as writer:
            lookup.workspace(writer, team_id, name=name)
        with self.reads.begin() as session:
            yield session, session.scalar(query)
