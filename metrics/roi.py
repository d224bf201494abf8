"""The ROI formulas of SPEC §4, per enrolment and per campaign, and their rounded JSON form.

Everything here is computed unrounded from `Decimal` money; `round_money`/`round_ratio` round once, half up,
when a figure leaves for JSON or Slack. A ratio whose denominator is zero or unknown is `None`, never inf or 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

COUNTERS = ("impressions", "reach", "likes", "comments", "shares", "saves", "clicks", "views")
ENGAGEMENTS = ("likes", "comments", "shares", "saves")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Counters:
    """Sums over engagement stats rows; None = no row carries that counter. `engagement_rows` counts the rows that
    carry at least one engagement counter: the posts (or days) the engagement rate is averaged over."""

    impressions: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    clicks: int | None = None
    views: int | None = None
    engagement_rows: int = 0

    @property
    def engagements(self) -> int | None:
        """likes + comments + shares + saves, over the ones known; None when none is known."""
        known = [v for v in (getattr(self, name) for name in ENGAGEMENTS) if v is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class EnrolmentInput:
    """What one influencer in one campaign brought in and cost, as the caller summed it."""

    revenue: Decimal
    orders: int
    fee: Decimal = ZERO
    product_cost: Decimal = ZERO
    commission_pct: Decimal = ZERO
    followers: int | None = None
    counters: Counters = field(default_factory=Counters)

    @property
    def cost(self) -> Decimal:
        """fee + product cost + commission on the revenue."""
        return self.fee + self.product_cost + self.commission_pct / HUNDRED * self.revenue


@dataclass(frozen=True)
class Metrics:
    """The §4 figures of an enrolment or a campaign, unrounded; `budget*` only on campaign totals."""

    revenue: Decimal
    cost: Decimal
    profit: Decimal
    roi_pct: Decimal | None
    roas: Decimal | None
    orders: int
    cpa: Decimal | None
    aov: Decimal | None
    impressions: int | None
    reach: int | None
    clicks: int | None
    views: int | None
    engagements: int | None
    engagement_rate_pct: Decimal | None
    cpe: Decimal | None
    cpm: Decimal | None
    ctr_pct: Decimal | None
    cvr_pct: Decimal | None
    budget: Decimal | None = None
    budget_used_pct: Decimal | None = None


def _ratio(numerator, denominator, scale: int = 1) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Decimal(numerator) * scale / Decimal(denominator)


def _metrics(revenue: Decimal, cost: Decimal, orders: int, counters: Counters,
             engagement_rate_pct: Decimal | None) -> Metrics:
    engagements = counters.engagements
    return Metrics(
        revenue=revenue, cost=cost, profit=revenue - cost,
        roi_pct=_ratio(revenue - cost, cost, 100), roas=_ratio(revenue, cost),
        orders=orders, cpa=_ratio(cost, orders), aov=_ratio(revenue, orders),
        impressions=counters.impressions, reach=counters.reach, clicks=counters.clicks, views=counters.views,
        engagements=engagements, engagement_rate_pct=engagement_rate_pct,
        cpe=_ratio(cost, engagements), cpm=_ratio(cost, counters.impressions, 1000),
        ctr_pct=_ratio(counters.clicks, counters.impressions, 100), cvr_pct=_ratio(orders, counters.clicks, 100),
    )


def _rated(x: EnrolmentInput) -> bool:
    # An engagement rate needs engagements, the rows they came from, and a known, non-zero audience.
    return x.counters.engagements is not None and x.counters.engagement_rows > 0 and bool(x.followers)


def enrolment_metrics(x: EnrolmentInput) -> Metrics:
    """The §4 figures of one influencer in one campaign."""
    # The average post's rate, engagements / rows / followers: more posts must not mean a higher rate.
    rate = _ratio(x.counters.engagements, x.counters.engagement_rows * x.followers, 100) if _rated(x) else None
    return _metrics(Decimal(x.revenue), x.cost, x.orders, x.counters, rate)


def _sum_counters(rows: Sequence[EnrolmentInput]) -> Counters:
    totals = {}
    for name in COUNTERS:
        known = [getattr(r.counters, name) for r in rows if getattr(r.counters, name) is not None]
        totals[name] = sum(known) if known else None
    return Counters(**totals, engagement_rows=sum(r.counters.engagement_rows for r in rows))


def average_engagement_rate(rows: Sequence[EnrolmentInput]) -> Decimal | None:
    """The average over stats rows of engagements / followers × 100, of the enrolments that have a rate (§4).

    An influencer has one follower count, so Σ over rows of engagements_row / followers is Σ over enrolments of
    engagements / followers; dividing by every rated enrolment's rows weighs each post (or day) once.
    """
    rated = [r for r in rows if _rated(r)]
    if not rated:
        return None
    per_follower = sum((Decimal(r.counters.engagements) / Decimal(r.followers) for r in rated), ZERO)
    return per_follower * HUNDRED / sum(r.counters.engagement_rows for r in rated)


def campaign_metrics(rows: Sequence[EnrolmentInput], *, budget: Decimal) -> Metrics:
    """The §4 figures of a campaign, computed from its totals rather than averaged over influencers.

    Cost is the sum of each enrolment's own cost, since commission differs per enrolment. A total counter is
    None only when every enrolment's is. `engagement_rate_pct` is the exception to "ratios of totals": it is the
    average post's rate (`average_engagement_rate`) over only the enrolments that have a rate of their own, so
    that an influencer with no stats, or an unknown audience, neither dilutes the rate nor inflates it.
    """
    revenue = sum((Decimal(r.revenue) for r in rows), ZERO)
    cost = sum((r.cost for r in rows), ZERO)
    orders = sum(r.orders for r in rows)
    base = _metrics(revenue, cost, orders, _sum_counters(rows), average_engagement_rate(rows))
    budget = Decimal(budget)
    return Metrics(**{f.name: getattr(base, f.name) for f in fields(Metrics)
                      if f.name not in ("budget", "budget_used_pct")},
                   budget=budget, budget_used_pct=_ratio(cost, budget, 100))


def _decimal(v) -> Decimal:
    # A float goes through its shortest repr, so 2.675 means 2.675 and not 2.67499999…
    return Decimal(str(v)) if isinstance(v, float) else Decimal(v)


def round_money(v) -> Decimal | None:
    """Money rounded half up to cents; None stays None."""
    return None if v is None else _decimal(v).quantize(CENT, rounding=ROUND_HALF_UP)


def round_ratio(v) -> Decimal | None:
    """A ratio or percentage rounded half up to 2 decimals; None stays None."""
    return None if v is None else _decimal(v).quantize(CENT, rounding=ROUND_HALF_UP)


MONEY = {"revenue", "cost", "profit", "cpa", "aov", "budget", "cpe", "cpm"}
ENROLMENT_KEYS = ("revenue", "cost", "profit", "roi_pct", "roas", "orders", "cpa", "aov", "impressions", "reach",
                  "clicks", "engagements", "engagement_rate_pct", "cpe", "cpm", "ctr_pct", "cvr_pct")
TOTALS_KEYS = ENROLMENT_KEYS[:8] + ("budget", "budget_used_pct") + ENROLMENT_KEYS[8:]


def _json_value(name: str, value):
    if value is None or isinstance(value, int):
        return value
    # Round first, then float: the float then prints as the rounded decimal (0.13, not 0.12999…).
    return float(round_money(value) if name in MONEY else round_ratio(value))


def enrolment_json(m: Metrics) -> dict:
    """An influencer row of `report --json`: rounded, Decimals as floats, in SPEC §4 key order."""
    return {k: _json_value(k, getattr(m, k)) for k in ENROLMENT_KEYS}


def totals_json(m: Metrics) -> dict:
    """The `totals` object of `report campaign --json`: rounded, Decimals as floats, in SPEC §4 key order."""
    return {k: _json_value(k, getattr(m, k)) for k in TOTALS_KEYS}


@dataclass(frozen=True)
class Side:
    """One campaign's totals, as the `compare` chart sets two of them side by side."""

    name: str
    currency: str
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    roi_pct: Decimal | None
    roas: Decimal | None
    started: bool = True
