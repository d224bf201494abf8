"""Campaign and influencer reports (SPEC §4): the numbers `/roi`, the Home tab, digests and `roi-bot report` share.

Sums come from SQL (bot.queries), formulas from metrics.roi, flags from metrics.flags; this module joins them
into one object per report, so Slack and `--json` can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import queries
from bot.models import Campaign, Enrolment, Influencer
from metrics import flags as flag_rules
from metrics import series
from metrics.roi import (
    Counters,
    EnrolmentInput,
    Metrics,
    campaign_metrics,
    enrolment_json,
    enrolment_metrics,
    totals_json,
)
from metrics.status import Status
from metrics.tiers import tier
from metrics.windows import window

UPCOMING, RUNNING = "upcoming", "running"


def campaign_status(camp: Campaign, today: date) -> str:
    """`ended` (by `/campaign end`, or past its end), `upcoming` (before its start) or `running` (SPEC §4)."""
    if camp.status == Status.ENDED or (camp.end is not None and camp.end < today):
        return Status.ENDED
    if camp.start is not None and today < camp.start:
        return UPCOMING
    return RUNNING


def starts(enrolment: Enrolment, camp: Campaign) -> date:
    """The first day an enrolment's results can count: its own start, or the campaign's when that is later."""
    return max(enrolment.start, camp.start) if camp.start is not None else enrolment.start


@dataclass(frozen=True)
class Row:
    """One influencer in one campaign, with its metrics and, when flagged, why.

    `started` is False before the enrolment (or its campaign) starts: its fee is already booked against no results
    yet, which is not a loss, and every view shows it as *not started* (SPEC §4).
    """

    enrolment: Enrolment
    influencer: Influencer
    status: str
    tier: str
    metrics: Metrics
    input: EnrolmentInput
    reasons: tuple = ()
    started: bool = True

    def as_json(self) -> dict:
        """The influencer row of `report --json`."""
        person = self.influencer
        return {"handle": person.handle, "platform": person.platform, "tier": self.tier,
                "followers": person.followers, "status": self.status, **enrolment_json(self.metrics)}


@dataclass(frozen=True)
class CampaignReport:
    """A campaign's totals and ranked influencers over a date range."""

    campaign: Campaign
    today: date
    date_from: date | None
    date_to: date | None
    totals: Metrics
    rows: list[Row]
    excluded: queries.Excluded = field(default_factory=queries.Excluded)

    @property
    def flagged(self) -> list[Row]:
        """Rows §6 would flag today."""
        return [r for r in self.rows if r.reasons]

    @property
    def status(self) -> str:
        """`upcoming`, `running` or `ended`, as of the report's today."""
        return campaign_status(self.campaign, self.today)

    @property
    def started(self) -> bool:
        """False before the campaign's start: its figures are *not started*, never a loss."""
        return self.campaign.start is None or self.campaign.start <= self.today

    def as_json(self) -> dict:
        """`roi-bot report campaign NAME --json`, keys exactly as SPEC §4 lists them."""
        ex = self.excluded
        return {
            "campaign": self.campaign.name, "currency": self.campaign.currency, "status": self.status,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "totals": totals_json(self.totals),
            "influencers": [r.as_json() for r in self.rows],
            "excluded": {"outside_window": {"orders": ex.outside_orders, "revenue": float(ex.outside_revenue)},
                         "other_currency": {"orders": ex.other_currency_orders},
                         "not_counted": {"orders": ex.not_counted_orders}},
        }


def status(enrolment: Enrolment, camp: Campaign, today: date) -> str:
    """`cut`, `ended` (the campaign is over) or `active`."""
    if enrolment.status == Status.CUT:
        return Status.CUT
    if camp.status == Status.ENDED or (camp.end is not None and camp.end < today):
        return Status.ENDED
    return Status.ACTIVE


def _inputs(enrolment: Enrolment, person: Influencer, sums, stats) -> EnrolmentInput:
    revenue, orders = sums.get(enrolment.id, (queries.ZERO, 0))
    return EnrolmentInput(revenue=revenue, orders=orders, fee=enrolment.fee, product_cost=enrolment.product_cost,
                          commission_pct=enrolment.commission_pct, followers=person.followers,
                          counters=stats.get(enrolment.id, Counters()))


def _sort_key(row: Row):
    roi = row.metrics.roi_pct
    # Among equal ROIs, one that has not started yet goes after those with results.
    return (roi is None, -(roi or 0), not row.started, -row.metrics.revenue, row.influencer.handle_key)


def rule(camp: Campaign) -> flag_rules.Rule:
    """The §6 thresholds of a campaign."""
    return flag_rules.Rule(start=camp.start, end=camp.end, min_roi=camp.min_roi, grace_days=camp.grace_days)


def campaign_report(session: Session, camp: Campaign, *, today: date, date_from: date | None = None,
                    date_to: date | None = None) -> CampaignReport:
    """Totals, ranked rows and flags of one campaign; `date_from`/`date_to` limit orders and stats."""
    people = queries.enrolments(session, camp)
    sums = queries.order_sums(session, camp, date_from, date_to)
    stats = queries.stat_sums(session, camp, date_from, date_to)
    inputs = {e.id: _inputs(e, p, sums, stats) for e, p in people}
    measured = {eid: enrolment_metrics(x) for eid, x in inputs.items()}
    if date_from or date_to:
        # Flags judge the campaign so far, not the slice asked for.
        all_sums, all_stats = queries.order_sums(session, camp), queries.stat_sums(session, camp)
        whole = {e.id: enrolment_metrics(_inputs(e, p, all_sums, all_stats)) for e, p in people}
    else:
        whole = measured
    candidates = [
        flag_rules.Candidate(key=e.id, status=e.status, start=e.start, cost=whole[e.id].cost, revenue=whole[e.id].revenue,
                             roi_pct=whole[e.id].roi_pct, goal_revenue=e.goal_revenue,
                             engagement_rate_pct=whole[e.id].engagement_rate_pct)
        for e, _ in people
    ]
    # An ended campaign (`/campaign end`) stops alerting the day it ends, even though `end` is today.
    flagged = flag_rules.flags(candidates, rule(camp), today) if camp.status != Status.ENDED else {}
    rows = [
        Row(enrolment=e, influencer=p, status=status(e, camp, today), tier=tier(p.followers), metrics=measured[e.id],
            input=inputs[e.id], reasons=tuple(flagged.get(e.id, ())), started=starts(e, camp) <= today)
        for e, p in people
    ]
    rows.sort(key=_sort_key)
    return CampaignReport(
        campaign=camp, today=today, date_from=date_from, date_to=date_to,
        totals=campaign_metrics(list(inputs.values()), budget=camp.budget), rows=rows,
        excluded=queries.excluded(session, camp, date_from, date_to),
    )


def revenue_series(session: Session, report: CampaignReport) -> list[tuple[date, Decimal, Decimal]]:
    """Cumulative revenue and cost over the report's dates, for the revenue-vs-cost chart: only the days there is
    something to draw (metrics.series.span), in a bounded number of points."""
    camp = report.campaign
    asked = (report.date_from, report.date_to)
    days = series.span(asked, window(camp.start, camp.end, camp.window_days), today=report.today,
                       starts=[r.enrolment.start for r in report.rows],
                       orders=queries.order_span(session, camp, *asked))
    if days is None:
        return []
    first, last = days
    spend = {r.enrolment.id: series.Spend(fixed=r.enrolment.fee + r.enrolment.product_cost, start=r.enrolment.start,
                                          commission_pct=r.enrolment.commission_pct) for r in report.rows}
    return series.cumulative(queries.daily_revenue(session, camp, first, last), spend, first=first, last=last)


@dataclass(frozen=True)
class InfluencerReport:
    """One influencer across the campaigns they are in."""

    influencer: Influencer
    rows: list[tuple[Campaign, Row]]

    def as_json(self) -> dict:
        """`roi-bot report influencer HANDLE --json`."""
        person = self.influencer
        return {"handle": person.handle, "platform": person.platform, "tier": tier(person.followers),
                "followers": person.followers,
                "campaigns": [{"campaign": camp.name, **row.as_json()} for camp, row in self.rows]}


def influencer_report(session: Session, person: Influencer, *, today: date, campaign: Campaign | None = None) -> InfluencerReport:
    """The influencer's row in each of their campaigns (or just `campaign`), newest campaign first."""
    query = select(Campaign).join(Enrolment, Enrolment.campaign_id == Campaign.id).where(Enrolment.influencer_id == person.id)
    if campaign is not None:
        query = query.where(Campaign.id == campaign.id)
    camps = list(session.scalars(query.order_by(Campaign.start.desc().nulls_last(), Campaign.name_key)))
    rows = []
    for camp in camps:
        report = campaign_report(session, camp, today=today)
        rows += [(camp, r) for r in report.rows if r.influencer.id == person.id]
    return InfluencerReport(influencer=person, rows=rows)
