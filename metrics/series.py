"""Cumulative revenue and cost of a campaign day by day, for the revenue-vs-cost chart, and its break-even day.

Fixed costs (fee + product cost) are booked in one go on the day an enrolment starts; commission is booked with
the revenue that earns it. Days with nothing happening still get a point, so the lines are continuous.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Spend:
    """What one enrolment costs: `fixed` (fee + product cost) booked on `start`, plus commission on revenue."""

    fixed: Decimal
    start: date
    commission_pct: Decimal


def cumulative(daily: Iterable[tuple[date, Hashable, Decimal]], spend: Mapping[Hashable, Spend], *,
               first: date, last: date) -> list[tuple[date, Decimal, Decimal]]:
    """(day, cumulative revenue, cumulative cost) for every calendar day from `first` to `last`, inclusive."""
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
    points = []
    total_revenue = total_cost = ZERO
    day = first
    while day <= last:
        total_revenue += revenue[day]
        total_cost += cost[day]
        points.append((day, total_revenue, total_cost))
        day += timedelta(days=1)
    return points


def break_even(points: Sequence[tuple[date, Decimal, Decimal]]) -> date | None:
    """The first day cumulative revenue covers a cumulative cost above zero; None when it never does."""
    # Days before any cost is booked do not count as "covered": nothing has been spent to earn back yet.
    for day, revenue, cost in points:
        if cost > 0 and revenue >= cost:
            return day
    return None
