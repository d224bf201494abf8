"""Attribution windows (SPEC §3): a campaign's window is [start, end + window_days], open where a date is missing."""

from __future__ import annotations

from datetime import date, timedelta


def window(start: date | None, end: date | None, window_days: int) -> tuple[date | None, date | None]:
    """The first and last day (inclusive) on which an order can count for a campaign; None means open."""
    return start, (end + timedelta(days=window_days) if end is not None else None)


def contains(win: tuple[date | None, date | None], day: date) -> bool:
    """True when `day` falls inside the window."""
    first, last = win
    return (first is None or first <= day) and (last is None or day <= last)


def overlaps(a: tuple[date | None, date | None], b: tuple[date | None, date | None]) -> bool:
    """True when two windows share at least one day."""
    a_first, a_last = a
    b_first, b_last = b
    starts_before_b_ends = a_first is None or b_last is None or a_first <= b_last
    b_starts_before_a_ends = b_first is None or a_last is None or b_first <= a_last
    return starts_before_b_ends and b_starts_before_a_ends


def describe(win: tuple[date | None, date | None]) -> str:
    """A window as text, e.g. `2026-03-01 → 2026-04-07` or `2026-03-01 → open`."""
    first, last = win
    return f"{first.isoformat() if first else 'open'} → {last.isoformat() if last else 'open'}"
