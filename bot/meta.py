"""Facts a database keeps about itself rather than about a workspace (the `app_meta` table).

The one fact so far is `as_of`: the moment a database's data describes. `roi-bot demo` stores its pretend "now",
so that `roi-bot console` on the demo's database answers as of the same day as the demo did, not as of the real
date, months later, when every campaign has ended.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.models import AppMeta

AS_OF = "as_of"


def read(session: Session, key: str) -> str | None:
    """The value stored under `key`, or None."""
    row = session.get(AppMeta, key)
    return None if row is None else row.value


def write(session: Session, key: str, value: str) -> None:
    """Store `value` under `key`, replacing what was there."""
    session.merge(AppMeta(key=key, value=value))


def as_of(session: Session) -> datetime | None:
    """The moment the database describes, when one was stored (timezone-aware), else None."""
    value = read(session, AS_OF)
    return None if value is None else datetime.fromisoformat(value)


def remember_as_of(session: Session, moment: datetime) -> None:
    """Store the moment the database describes; `moment` must be timezone-aware."""
    if moment.tzinfo is None:
        raise ValueError("as_of needs a timezone-aware datetime")
    write(session, AS_OF, moment.isoformat())
