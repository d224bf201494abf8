"""What listeners and jobs share at run time: settings, the database, and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db import make_engine, make_sessions, upgrade
from bot.models import utcnow


@dataclass
class Runtime:
    """Settings, engine, the one sessionmaker and a clock (tests move the clock instead of sleeping)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=utcnow)

    @classmethod
    def build(cls, settings: Settings, *, engine: Engine | None = None, clock: Callable[[], datetime] | None = None) -> Runtime:
        """Connect to the settings' database (upgrading a fresh one) and wrap it up."""
        engine = engine or make_engine(settings.database_url)
        upgrade(engine)
        return cls(settings=settings, engine=engine, sessions=make_sessions(engine), clock=clock or utcnow)

    def now(self) -> datetime:
        """The current time in ROI_TIMEZONE."""
        return self.clock().astimezone(self.settings.tz)

    def today(self) -> date:
        """Today's date in ROI_TIMEZONE."""
        return self.now().date()
