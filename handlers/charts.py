"""The charts that go with report answers, for Slack: what each draws, its file name, title and alt text.

`campaign_post` is the full `/roi campaign` answer (the channel answer and the Home tab's *Full report*);
`revenue_chart` is also the digest's picture. The drawing itself is metrics.charts (PNG bytes); handlers.deliver
draws them in its worker pool and uploads them.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from sqlalchemy.orm import Session

from bot.models import Campaign
from bot.reports import CampaignReport, campaign_report, revenue_series
from handlers.blocks import report_campaign as report_blocks
from handlers.blocks.kit import Block
from handlers.deliver import Chart, Post
from metrics import charts


def campaign_post(session: Session, camp: Campaign, *, today: date, date_from: date | None = None,
                  date_to: date | None = None, footer: Block | None = None) -> Post:
    """The full `/roi campaign` answer: message and its two charts (ROI by influencer, revenue vs cost)."""
    report = campaign_report(session, camp, today=today, date_from=date_from, date_to=date_to)
    roi_rows = [(r.influencer.handle, r.metrics.roi_pct, r.metrics.profit) for r in report.rows]
    waiting = [r.influencer.handle for r in report.rows if not r.started]
    name = camp.name
    return Post(report_blocks.campaign(report, footer=footer), (
        Chart(f"{name}-roi-by-influencer.png", f"{name}: ROI by influencer",
              f"Bar chart of ROI per influencer in {name}, best first",
              partial(charts.roi_by_influencer, roi_rows, title=f"{name}: ROI by influencer", not_started=waiting)),
        revenue_chart(session, report),
    ))


def revenue_chart(session: Session, report: CampaignReport) -> Chart:
    """Cumulative revenue against cost by day, with the break-even day (the report's and the digest's chart)."""
    name, currency = report.campaign.name, report.campaign.currency
    return Chart(f"{name}-revenue-vs-cost.png", f"{name}: revenue vs cost",
                 f"Cumulative revenue and cost of {name} by day, with the break-even day",
                 partial(charts.revenue_vs_cost, revenue_series(session, report), title=f"{name}: revenue vs cost",
                         currency=currency))
