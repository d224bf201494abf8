"""Campaign and influencer reports: every §4 figure from imported orders, worked out by hand below."""

from datetime import date

import pytest

from bot.registry import lookup
from bot.reports import campaign_report, influencer_report
from import_support import register, run

HEADER = "order_id,date,amount,code,currency,refunded,utm_campaign,utm_content\n"
ORDERS = HEADER + (
    "1,2026-03-05,200.00,ANA10,USD,,,\n"
    "2,2026-03-06,100.00,ana10,USD,30.00,,\n"
    "3,2026-03-07,50.00,BEN5,USD,,,\n"
    "4,2026-04-07,80.00,BEN5,,,,\n"
    "5,2026-04-08,90.00,BEN5,,,,\n"
    "6,2026-03-08,60.00,ANA10,EUR,,,\n"
    "7,2026-03-09,40.00,,USD,,spring,ben\n"
    "8,2026-03-10,25.00,,USD,,,\n"
    "9,2026-03-11,100.00,ANA10,USD,100.00,,\n"
)
TODAY = date(2026, 3, 16)


@pytest.fixture
def spring(roi, sessions):
    register(roi)
    run(sessions, ORDERS)


def report(sessions, **kwargs) -> dict:
    with sessions() as session:
        camp = lookup.campaign(session, lookup.workspace(session, "T0001"), "spring")
        return campaign_report(session, camp, today=TODAY, **kwargs).as_json()


def test_campaign_totals(spring, sessions):
    # ana: 200 + 70 + 0 (order 9 fully refunded) = 270 over 2 orders; cost 1000 + 100 + 10% × 270 = 1127.
    # ben: 50 + 80 + 40 (the link) = 170 over 3 orders; cost 500. Order 5 is a day late, order 6 in EUR.
    totals = report(sessions)["totals"]
    assert (totals["revenue"], totals["cost"], totals["profit"], totals["orders"]) == (440.0, 1627.0, -1187.0, 5)
    assert (totals["roi_pct"], totals["roas"], totals["cpa"], totals["aov"]) == (-72.96, 0.27, 325.4, 88.0)
    assert (totals["budget"], totals["budget_used_pct"]) == (5000.0, 32.54)
    assert totals["impressions"] is None and totals["engagement_rate_pct"] is None and totals["cvr_pct"] is None


def test_influencers_are_ranked_by_roi_with_their_own_figures(spring, sessions):
    rows = report(sessions)["influencers"]
    assert [r["handle"] for r in rows] == ["ben", "ana"]  # -66.0% beats -76.04%
    ben, ana = rows
    assert (ben["revenue"], ben["cost"], ben["roi_pct"], ben["orders"], ben["tier"], ben["status"]) == (170.0, 500.0, -66.0, 3, "nano", "active")
    assert (ana["revenue"], ana["cost"], ana["roi_pct"], ana["orders"], ana["tier"]) == (270.0, 1127.0, -76.04, 2, "micro")


def test_excluded_orders_are_reported_not_added(spring, sessions):
    assert report(sessions)["excluded"] == {"outside_window": {"orders": 1, "revenue": 90.0}, "other_currency": {"orders": 1}}


def test_from_and_to_limit_orders_but_fixed_costs_count_in_full(spring, sessions):
    data = report(sessions, date_from=date(2026, 3, 6), date_to=date(2026, 3, 9))
    assert (data["from"], data["to"]) == ("2026-03-06", "2026-03-09")
    ana = next(r for r in data["influencers"] if r["handle"] == "ana")
    assert (ana["revenue"], ana["orders"], ana["cost"]) == (70.0, 1, 1107.0)  # 1000 + 100 + 7
    assert data["excluded"] == {"outside_window": {"orders": 0, "revenue": 0.0}, "other_currency": {"orders": 1}}


def test_json_keys_are_exactly_the_specs(spring, sessions):
    data = report(sessions)
    assert list(data) == ["campaign", "currency", "from", "to", "totals", "influencers", "excluded"]
    assert list(data["totals"]) == ["revenue", "cost", "profit", "roi_pct", "roas", "orders", "cpa", "aov", "budget",
                                    "budget_used_pct", "impressions", "reach", "clicks", "engagements",
                                    "engagement_rate_pct", "cpe", "cpm", "ctr_pct", "cvr_pct"]
    assert list(data["influencers"][0]) == ["handle", "platform", "tier", "followers", "status", "revenue", "cost",
                                            "profit", "roi_pct", "roas", "orders", "cpa", "aov", "impressions", "reach",
                                            "clicks", "engagements", "engagement_rate_pct", "cpe", "cpm", "ctr_pct",
                                            "cvr_pct"]


def test_engagement_figures_come_from_stats_rows(spring, roi, sessions):
    register(roi, ["/influencer stats ana campaign=spring date=2026-03-05 impressions=10000 likes=300 comments=50 clicks=200",
                   "/influencer stats ana campaign=spring post=https://ig.example/p/1 impressions=5000 shares=50"])
    ana = next(r for r in report(sessions)["influencers"] if r["handle"] == "ana")
    # impressions 15,000; engagements 300 + 50 + 50 = 400 over 20,000 followers = 2%; clicks 200.
    assert (ana["impressions"], ana["engagements"], ana["engagement_rate_pct"], ana["clicks"]) == (15000, 400, 2.0, 200)
    assert (ana["cpm"], ana["ctr_pct"], ana["cvr_pct"], ana["cpe"]) == (75.13, 1.33, 1.0, 2.82)  # 1127/15 · 200/15000 · 2/200 · 1127/400
    assert ana["reach"] is None


def test_a_cut_influencer_shows_as_cut(spring, roi, sessions):
    register(roi, ["/influencer set ben campaign=spring status=cut"])
    ben = next(r for r in report(sessions)["influencers"] if r["handle"] == "ben")
    assert ben["status"] == "cut"
    assert ben["revenue"] == 90.0  # order 4 (7 April) came after the cut on 16 March


def test_influencer_report_lists_each_campaign(spring, roi, sessions):
    register(roi, ["/campaign create fall budget=100 start=2026-09-01", "/influencer add ana campaign=fall fee=50"])
    with sessions() as session:
        person = lookup.influencer(session, lookup.workspace(session, "T0001"), "ana")
        data = influencer_report(session, person, today=TODAY).as_json()
    assert [c["campaign"] for c in data["campaigns"]] == ["fall", "spring"]
    assert data["campaigns"][1]["revenue"] == 270.0 and data["campaigns"][0]["cost"] == 50.0
    assert (data["handle"], data["tier"], data["followers"]) == ("ana", "micro", 20000)
