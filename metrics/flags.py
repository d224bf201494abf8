"""The underperformer rule of SPEC §6, as pure functions of a campaign's enrolments, its thresholds and today.

Which enrolments are looked at (`eligible`) and why each is flagged (`flags`). Scanning the database, deduping
alerts and posting to Slack live elsewhere; the same rule drives `/roi underperformers`, digests and the scan.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from metrics.status import Status

ROI, GOAL, ENGAGEMENT = "roi", "goal", "engagement"
MIN_PEERS = 3  # fewer rates than this make a median too noisy to judge anyone by


@dataclass(frozen=True)
class Rule:
    """A campaign's dates and §6 thresholds."""

    start: date | None
    end: date | None
    min_roi: Decimal
    grace_days: int


@dataclass(frozen=True)
class Candidate:
    """One enrolment as the rule sees it; `key` is whatever the caller uses to find it again.

    `engagement_rate_pct` is the average post's rate of metrics.roi (engagements per stats row / followers), so an
    influencer is compared by how well each post lands, not by how many posts they made.
    """

    key: Hashable
    status: str
    start: date
    cost: Decimal
    revenue: Decimal
    roi_pct: Decimal | None
    goal_revenue: Decimal | None
    engagement_rate_pct: Decimal | None


@dataclass(frozen=True)
class Reason:
    """Why an enrolment is flagged: `actual` fell below `threshold`; `detail` holds the facts a message needs.

    kind `roi`: roi_pct vs min_roi; `goal`: revenue vs the prorated goal, detail {goal, elapsed_days, total_days}
    (today − start and end − start: days between dates, so March 1 → 31 is 30, not 31); `engagement`: rate vs half
    the median, detail {median, peers}.
    """

    kind: str
    actual: Decimal
    threshold: Decimal
    detail: dict = field(default_factory=dict)


def running(rule: Rule, today: date) -> bool:
    """True when today is within the campaign's [start, end]; a missing date leaves that end open."""
    return (rule.start is None or rule.start <= today) and (rule.end is None or today <= rule.end)


def eligible(c: Candidate, rule: Rule, today: date) -> bool:
    """True for an active enrolment of a running campaign, past its grace days, that has cost something."""
    return (running(rule, today) and c.status == Status.ACTIVE
            and c.start <= today - timedelta(days=rule.grace_days) and c.cost > 0)


def _goal(c: Candidate, rule: Rule, today: date) -> Reason | None:
    if c.goal_revenue is None or rule.end is None:
        return None
    elapsed, total = (today - c.start).days, (rule.end - c.start).days
    # An enrolment starting on or after the campaign's last day has no time to spread the goal over: all of it is due.
    fraction = Decimal(1) if total <= 0 else min(Decimal(elapsed) / Decimal(total), Decimal(1))
    due = c.goal_revenue * fraction
    if c.revenue < due:
        return Reason(GOAL, c.revenue, due, {"goal": c.goal_revenue, "elapsed_days": elapsed, "total_days": total})
    return None


def flags(candidates: Sequence[Candidate], rule: Rule, today: date) -> dict[Hashable, list[Reason]]:
    """The eligible candidates §6 flags today, each with every reason that holds (roi, goal, engagement)."""
    # Peers are all of the campaign's influencers with a rate, not only the eligible ones: the median describes
    # the campaign's audience, and a new influencer inside the grace period still tells us what is normal.
    rates = [c.engagement_rate_pct for c in candidates if c.engagement_rate_pct is not None]
    median = statistics.median(rates) if len(rates) >= MIN_PEERS else None
    flagged: dict[Hashable, list[Reason]] = {}
    for c in candidates:
        if not eligible(c, rule, today):
            continue
        reasons = []
        if c.roi_pct is not None and c.roi_pct < rule.min_roi:
            reasons.append(Reason(ROI, c.roi_pct, rule.min_roi))
        goal = _goal(c, rule, today)
        if goal is not None:
            reasons.append(goal)
        if median is not None and c.engagement_rate_pct is not None and c.engagement_rate_pct < median / 2:
            reasons.append(Reason(ENGAGEMENT, c.engagement_rate_pct, median / 2,
                                  {"median": median, "peers": len(rates)}))
        if reasons:
            flagged[c.key] = reasons
    return flagged
