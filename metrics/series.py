"""Cumulative revenue and cost of a campaign day by day, for the revenue-vs-cost chart, and its break-even day.

Fixed costs (fee + product cost) are booked in one go on the day an enrolment starts; commission is booked with
the revenue that earns it. Days with nothing happening still get a point, so the lines are continuous; a range
longer than MAX_POINTS days gets a point every few weeks instead, so no range asked for makes a chart slow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_POINTS = 400  # more than a chart 880 px wide can show apart
Window = tuple[date | None, date | None]


@dataclass(frozen=True)
class Spend:
    """What one enrolment costs: `fixed` (fee + product cost) booked on `start`, plus commission on revenue."""

    fixed: Decimal
    start: date
    commission_pct: Decimal


def span(asked: Window, window: Window, *, starts: Iterable[date], orders: Window, today: date
         ) -> tuple[date, date] | None:
    """The days a chart of the campaign covers: the `asked` range within the campaign `window`, from the window's
    start (or, when it has none, the first day with a fixed cost or an order) to today or the last order, whichever
    is later, never past the range's or the window's end. `orders` is the first and last day with orders in the
    range. None when that leaves no day.

    Bounded by what there is to draw, not by the range asked: `from=2000-01-01 to=2100-12-31` on a campaign of one
    month draws that month."""
    low = max((d for d in (asked[0], window[0]) if d), default=None)
    high = min((d for d in (asked[1], window[1]) if d), default=None)
    # A fixed cost booked before the range is drawn on its first day (see `cumulative`).
    booked = [max(d, low) if low else d for d in starts if high is None or d <= high]
    first = low if window[0] is not None else min((d for d in (*booked, orders[0]) if d), default=None)
    if first is None:
        return None
    last = max(d for d in (today, orders[1]) if d)
    if high is not None:
        last = min(last, high)
    return (first, last) if first <= last else None


def cumulative(daily: Iterable[tuple[date, Hashable, Decimal]], spend: Mapping[Hashable, Spend], *,
               first: date, last: date) -> list[tuple[date, Decimal, Decimal]]:
    """(day, cumulative revenue, cumulative cost) from `first` to `last`, inclusive: for every calendar day of a range
    of at most MAX_POINTS days; for a longer one every few weeks, plus the last day and the break-even day, so the
    lines and the break-even mark stay exact while the points stay few."""
    revenue: dict[date, Decimal] = defaultdict(lambda: ZERO)
    cost: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for day, key, amount in daily:
        if not first <= day <= last:
            continue
        revenue[day] += amount
        if key in spend:
            cost[day] += spend[key].commission_pct / HUNDRED * amount
    for s in spend.values():
        # A fee agreed before the period shown still belongs to it: it is booked on the first day drawn.
        booked = max(s.start, first)
        if booked <= last:
            cost[booked] += s.fixed
    points: list[tuple[date, Decimal, Decimal]] = []
    events = sorted(set(revenue) | set(cost))
    total_revenue = total_cost = ZERO
    covered = False
    i = 0
    for mark in _marks(first, last):
        while i < len(events) and events[i] <= mark:
            day = events[i]
            i += 1
            total_revenue += revenue[day]
            total_cost += cost[day]
            if not covered and total_cost > 0 and total_revenue >= total_cost:
                covered = True  # the break-even day gets a point of its own, for `break_even` to find
                if day < mark:
                    points.append((day, total_revenue, total_cost))
        points.append((mark, total_revenue, total_cost))
    return points


def _marks(first: date, last: date) -> list[date]:
    """The days that get a point: each day, or past MAX_POINTS days every few whole weeks, always the last day."""
    days = (last - first).days + 1
    if days <= 0:
        return []
    step = 1 if days <= MAX_POINTS else 7 * -(-(days - 1) // (7 * (MAX_POINTS - 1)))
    return [first + timedelta(days=k) for k in range(0, days - 1, step)] + [last]


def break_even(points: Sequence[tuple[date, Decimal, Decimal]]) -> date | None:
    """The first day cumulative revenue covers a cumulative cost above zero; None when it never does."""
    # Days before any cost is booked do not count as "covered": nothing has been spent to earn back yet.
    for day, revenue, cost in points:
        if cost > 0 and revenue >= cost:
            return day
    return None
