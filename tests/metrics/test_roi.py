"""The §4 formulas: per enrolment, per campaign from totals, None for undefined ratios, half-up rounding, JSON."""

import json
from decimal import Decimal as D

import pytest

from metrics.roi import (COUNTERS, Counters, EnrolmentInput, campaign_metrics, enrolment_json, enrolment_metrics,
                         round_money, round_ratio, totals_json)

STATS = Counters(impressions=20_000, reach=15_000, likes=400, comments=50, shares=30, saves=20, clicks=200, views=9_000,
                 engagement_rows=2)


def test_enrolment_figures_follow_the_formulas():
    # cost = 300 + 100 + 10% × 1000 = 500
    m = enrolment_metrics(EnrolmentInput(D("1000"), 10, fee=D("300"), product_cost=D("100"), commission_pct=D("10"),
                                         followers=50_000, counters=STATS))
    assert (m.revenue, m.cost, m.profit) == (D("1000"), D("500"), D("500"))
    assert (m.roi_pct, m.roas, m.cpa, m.aov) == (D("100"), D("2"), D("50"), D("100"))
    assert m.engagements == 500                      # 400 + 50 + 30 + 20
    assert m.engagement_rate_pct == D("0.5")         # 500 over 2 posts = 250 a post / 50,000 × 100
    assert m.cpe == D("1")                           # 500 / 500
    assert m.cpm == D("25")                          # 500 / 20,000 × 1000
    assert m.ctr_pct == D("1")                       # 200 / 20,000 × 100
    assert m.cvr_pct == D("5")                       # 10 / 200 × 100
    assert (m.impressions, m.reach, m.clicks, m.views) == (20_000, 15_000, 200, 9_000)
    assert m.budget is None and m.budget_used_pct is None


def test_roi_zero_cost_is_none():
    m = enrolment_metrics(EnrolmentInput(D("250"), 2))
    assert m.cost == 0 and m.profit == D("250")
    assert m.roi_pct is None and m.roas is None
    assert m.cpa == 0 and m.aov == D("125")  # orders is the denominator there, and it is not zero


def test_zero_orders_leave_cpa_and_aov_undefined():
    m = enrolment_metrics(EnrolmentInput(D("0"), 0, fee=D("100"), counters=Counters(clicks=40)))
    assert m.cpa is None and m.aov is None
    assert m.cvr_pct == 0  # 0 orders out of 40 clicks is a real 0 %


def test_zero_clicks_leave_cvr_undefined_but_ctr_is_zero():
    m = enrolment_metrics(EnrolmentInput(D("50"), 1, fee=D("10"), counters=Counters(impressions=1000, clicks=0)))
    assert m.cvr_pct is None
    assert m.ctr_pct == 0


def test_no_stats_means_no_engagements_and_no_engagement_ratios():
    m = enrolment_metrics(EnrolmentInput(D("100"), 1, fee=D("50"), followers=10_000))
    assert m.engagements is None
    assert (m.engagement_rate_pct, m.cpe, m.cpm, m.ctr_pct, m.cvr_pct) == (None,) * 5
    assert (m.impressions, m.reach, m.clicks, m.views) == (None,) * 4


def test_partially_known_counters_use_the_ones_known():
    m = enrolment_metrics(EnrolmentInput(D("100"), 2, fee=D("42"), followers=2_100,
                                         counters=Counters(likes=100, shares=5, clicks=10, engagement_rows=1)))
    assert m.engagements == 105
    assert m.engagement_rate_pct == D("5")   # 105 in 1 post / 2,100 × 100
    assert m.cpe == D("0.4")                 # 42 / 105
    assert m.cpm is None and m.ctr_pct is None  # impressions unknown
    assert m.cvr_pct == D("20")              # 2 / 10 × 100


@pytest.mark.parametrize(("counters", "expected"), [
    (Counters(), None),
    (Counters(impressions=5, clicks=3), None),       # not engagements
    (Counters(likes=0), 0),                          # known zero is not unknown
    (Counters(comments=2, saves=3), 5),
    (Counters(likes=1, comments=2, shares=3, saves=4), 10),
])
def test_engagements_sum_the_known_engagement_counters(counters, expected):
    assert counters.engagements == expected


@pytest.mark.parametrize("followers", [None, 0])
def test_unknown_or_zero_followers_leave_engagement_rate_undefined(followers):
    m = enrolment_metrics(EnrolmentInput(D("0"), 0, followers=followers, counters=Counters(likes=10, engagement_rows=1)))
    assert m.engagement_rate_pct is None


def test_engagements_without_rows_to_average_over_leave_engagement_rate_undefined():
    m = enrolment_metrics(EnrolmentInput(D("0"), 0, followers=1_000, counters=Counters(likes=10)))
    assert m.engagements == 10 and m.engagement_rate_pct is None


def test_engagement_rate_is_the_average_posts_and_does_not_grow_with_more_posts():
    # Each post gets 200 engagements from 10,000 followers: 2% a post, however many posts there are.
    one, three = (enrolment_metrics(EnrolmentInput(D("0"), 0, followers=10_000,
                                                   counters=Counters(likes=200 * n, engagement_rows=n)))
                  for n in (1, 3))
    assert one.engagement_rate_pct == three.engagement_rate_pct == D(200) / D(10_000) * 100
    assert three.engagements == 3 * one.engagements


def test_refunds_down_to_zero_revenue_give_roi_minus_100():
    m = enrolment_metrics(EnrolmentInput(D("0"), 0, fee=D("400")))
    assert m.roi_pct == D("-100") and m.roas == 0 and m.profit == D("-400")


def test_commission_is_a_percentage_of_revenue():
    m = enrolment_metrics(EnrolmentInput(D("800"), 4, commission_pct=D("12.5")))
    assert m.cost == D("100")  # 12.5% of 800
    assert m.roi_pct == D("700")


ANA = EnrolmentInput(D("1000"), 10, fee=D("100"), commission_pct=D("10"), followers=1_000,
                     counters=Counters(impressions=10_000, likes=100, clicks=100, engagement_rows=4))  # cost 200
BEN = EnrolmentInput(D("500"), 5, fee=D("50"), commission_pct=D("20"), followers=None,
                     counters=Counters(likes=50, clicks=50, engagement_rows=1))                      # cost 150
CY = EnrolmentInput(D("0"), 0, fee=D("100"), followers=5_000)                                        # cost 100, no stats
DORA = EnrolmentInput(D("300"), 3, fee=D("0"), product_cost=D("30"), followers=2_000,
                      counters=Counters(impressions=5_000, comments=30, engagement_rows=1))         # cost 30


def test_campaign_cost_sums_each_enrolments_own_commission():
    m = campaign_metrics([ANA, BEN], budget=D("1000"))
    # 100 + 10% × 1000 and 50 + 20% × 500; one blended commission would give neither.
    assert m.cost == D("350")
    assert (m.revenue, m.profit, m.orders) == (D("1500"), D("1150"), 15)
    assert round_ratio(m.roi_pct) == D("328.57")    # 1150 / 350 × 100 = 328.5714…
    assert round_ratio(m.roas) == D("4.29")         # 1500 / 350 = 4.2857…
    assert round_money(m.cpa) == D("23.33")         # 350 / 15
    assert m.aov == D("100")
    assert (m.budget, m.budget_used_pct) == (D("1000"), D("35"))


def test_campaign_counters_are_sums_and_none_only_when_no_one_has_them():
    m = campaign_metrics([ANA, BEN, CY, DORA], budget=D("1000"))
    assert m.impressions == 15_000 and m.clicks == 150
    assert m.reach is None and m.views is None
    assert m.engagements == 180                     # 100 + 50 + 30
    assert m.cpm == D("32")                         # (200 + 150 + 100 + 30) / 15,000 × 1000
    assert m.ctr_pct == D("1")                      # 150 / 15,000 × 100
    assert m.cvr_pct == D("12")                     # 18 / 150 × 100
    assert round_money(m.cpe) == D("2.67")          # 480 / 180


def test_campaign_engagement_rate_counts_only_influencers_with_engagements_and_followers():
    m = campaign_metrics([ANA, BEN, CY, DORA], budget=D("1000"))
    # BEN has engagements but no follower count; CY has followers but no stats: both left out.
    # Over ANA's 4 rows and DORA's 1: (100 / 1,000 + 30 / 2,000) / 5 × 100 = (0.1 + 0.015) / 5 × 100 = 2.3
    assert m.engagement_rate_pct == (D(100) / D(1_000) + D(30) / D(2_000)) / 5 * 100


def test_campaign_engagement_rate_averages_over_every_post_of_every_influencer():
    # mia posted three times to 10,000 followers, sam once to 50,000: each post's rate, then their average.
    posts = {"mia": (10_000, [300, 600, 900]), "sam": (50_000, [500])}
    rates = [D(e) / D(followers) * 100 for followers, engaged in posts.values() for e in engaged]
    expected = sum(rates) / len(rates)  # (3 + 6 + 9 + 1) / 4 = 4.75
    inputs = [EnrolmentInput(D("0"), 0, followers=followers,
                             counters=Counters(likes=sum(engaged), engagement_rows=len(engaged)))
              for followers, engaged in posts.values()]
    m = campaign_metrics(inputs, budget=D("0"))
    assert m.engagement_rate_pct == expected
    # Each influencer's own rate is their average post's: mia 1,800 / 3 / 10,000, sam 500 / 1 / 50,000.
    mia, sam = (enrolment_metrics(x).engagement_rate_pct for x in inputs)
    assert (mia, sam) == (sum(rates[:3]) / 3, rates[3])
    # Neither the old sum over followers (2,300 / 60,000) nor the mean of the influencers' rates ((6 + 1) / 2).
    assert expected not in (D(2_300) / D(60_000) * 100, (mia + sam) / 2)


def test_campaign_engagement_rate_is_none_when_nobody_qualifies():
    assert campaign_metrics([BEN, CY], budget=D("1000")).engagement_rate_pct is None


def test_campaign_with_zero_cost_has_no_cost_ratios():
    m = campaign_metrics([EnrolmentInput(D("90"), 3), EnrolmentInput(D("10"), 1)], budget=D("500"))
    assert m.cost == 0 and m.profit == D("100")
    assert (m.roi_pct, m.roas) == (None, None)
    assert m.budget_used_pct == 0


@pytest.mark.parametrize(("budget", "used"), [(D("1000"), D("0")), (D("0"), None)])
def test_campaign_with_no_enrolments_is_zeros_and_undefined_ratios(budget, used):
    m = campaign_metrics([], budget=budget)
    assert (m.revenue, m.cost, m.profit, m.orders) == (0, 0, 0, 0)
    assert (m.roi_pct, m.roas, m.cpa, m.aov, m.engagements, m.engagement_rate_pct, m.cpe, m.cpm) == (None,) * 8
    assert m.budget_used_pct == used


@pytest.mark.parametrize(("fn", "value", "expected"), [
    (round_money, D("0.125"), D("0.13")),
    (round_money, D("2.675"), D("2.68")),
    (round_money, D("1.005"), D("1.01")),
    (round_money, D("-0.125"), D("-0.13")),     # half up means away from zero, as accountants expect
    (round_money, D("7"), D("7.00")),
    (round_money, 2.675, D("2.68")),            # a float is read as written, not as its binary neighbour
    (round_ratio, D("33.335"), D("33.34")),
    (round_ratio, D("0.005"), D("0.01")),
    (round_ratio, D("99.994999"), D("99.99")),
    (round_money, None, None),
    (round_ratio, None, None),
])
def test_rounding_is_half_up_to_two_decimals(fn, value, expected):
    result = fn(value)
    assert result == expected
    assert result is None or str(result) == str(expected)


ENROLMENT_KEYS = ["revenue", "cost", "profit", "roi_pct", "roas", "orders", "cpa", "aov", "impressions", "reach",
                  "clicks", "engagements", "engagement_rate_pct", "cpe", "cpm", "ctr_pct", "cvr_pct"]
TOTALS_KEYS = ["revenue", "cost", "profit", "roi_pct", "roas", "orders", "cpa", "aov", "budget", "budget_used_pct",
               "impressions", "reach", "clicks", "engagements", "engagement_rate_pct", "cpe", "cpm", "ctr_pct",
               "cvr_pct"]


def test_enrolment_json_has_the_spec_keys_in_order_rounded_as_floats():
    # cost = 0.125 + 1/3 % of 100.01 = 0.458366…; rounded once, at the end.
    m = enrolment_metrics(EnrolmentInput(D("100.01"), 3, fee=D("0.125"), commission_pct=D(1) / D(3),
                                         counters=Counters(impressions=7, clicks=0, likes=3)))
    out = enrolment_json(m)
    assert list(out) == ENROLMENT_KEYS
    assert out["revenue"] == 100.01 and out["cost"] == 0.46 and out["profit"] == 99.55
    assert out["orders"] == 3 and type(out["orders"]) is int
    assert out["impressions"] == 7 and type(out["impressions"]) is int
    assert out["reach"] is None and out["cvr_pct"] is None and out["engagement_rate_pct"] is None
    assert out["ctr_pct"] == 0.0
    assert all(type(v) in (int, float, type(None)) for v in out.values())
    assert json.dumps(out["cost"]) == "0.46"


def test_totals_json_adds_budget_after_aov():
    out = totals_json(campaign_metrics([ANA, BEN], budget=D("1000")))
    assert list(out) == TOTALS_KEYS
    assert out["budget"] == 1000.0 and out["budget_used_pct"] == 35.0
    assert out["roi_pct"] == 328.57 and out["roas"] == 4.29 and out["cpa"] == 23.33
    assert json.dumps(out["roi_pct"]) == "328.57"


def test_counter_names_match_the_stats_columns():
    assert COUNTERS == ("impressions", "reach", "likes", "comments", "shares", "saves", "clicks", "views")
