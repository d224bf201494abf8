"""The §6 underperformer rule: who is looked at, each of the three reasons, and their edges."""

import statistics
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from metrics.flags import Candidate, Reason, Rule, eligible, flags, running
from metrics.roi import Counters, EnrolmentInput, enrolment_metrics

RULE = Rule(start=date(2026, 3, 1), end=date(2026, 3, 31), min_roi=D("0"), grace_days=7)
TODAY = date(2026, 3, 16)


def candidate(key="ana", **changes) -> Candidate:
    base = Candidate(key=key, status="active", start=date(2026, 3, 1), cost=D("100"), revenue=D("200"),
                     roi_pct=D("100"), goal_revenue=None, engagement_rate_pct=None)
    return replace(base, **changes)


@pytest.mark.parametrize(("start", "end", "today", "expected"), [
    (date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 28), False),
    (date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 1), True),
    (date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31), True),
    (date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1), False),
    (None, date(2026, 3, 31), date(1999, 1, 1), True),
    (date(2026, 3, 1), None, date(2099, 1, 1), True),
    (None, None, date(2026, 3, 16), True),
])
def test_a_campaign_runs_from_start_to_end_inclusive_with_open_ends(start, end, today, expected):
    assert running(Rule(start, end, D("0"), 7), today) is expected


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, True),
    ({"start": date(2026, 3, 9)}, True),     # exactly grace_days (7) ago
    ({"start": date(2026, 3, 10)}, False),   # one day short of the grace period
    ({"status": "cut"}, False),
    ({"cost": D("0")}, False),
    ({"cost": D("0.01")}, True),
])
def test_eligible_needs_active_past_grace_and_some_cost(changes, expected):
    assert eligible(candidate(**changes), RULE, TODAY) is expected


def test_nothing_is_flagged_when_the_campaign_is_not_running():
    bad = candidate(roi_pct=D("-90"))
    assert flags([bad], RULE, date(2026, 4, 1)) == {}
    assert flags([bad], RULE, TODAY) == {"ana": [Reason("roi", D("-90"), D("0"))]}


@pytest.mark.parametrize(("roi", "min_roi", "flagged"), [
    (D("-0.01"), D("0"), True),
    (D("0"), D("0"), False),          # equal to the threshold is not below it
    (D("49.99"), D("50"), True),
    (D("50"), D("50"), False),
    (None, D("0"), False),
])
def test_roi_below_min_roi_flags(roi, min_roi, flagged):
    result = flags([candidate(roi_pct=roi)], replace(RULE, min_roi=min_roi), TODAY)
    assert ("ana" in result) is flagged
    if flagged:
        assert result["ana"] == [Reason("roi", roi, min_roi)]


def test_cut_and_zero_cost_enrolments_are_never_flagged():
    people = [candidate("cut", status="cut", roi_pct=D("-100")), candidate("free", cost=D("0"), roi_pct=None,
                                                                           goal_revenue=D("1000"), revenue=D("0"))]
    assert flags(people, RULE, TODAY) == {}


@pytest.mark.parametrize(("revenue", "flagged"), [(D("499.99"), True), (D("500"), False)])
def test_goal_is_prorated_over_the_days_elapsed(revenue, flagged):
    # 15 of 30 days gone (Mar 1 → Mar 16, of Mar 1 → Mar 31): half of 1000 is due.
    result = flags([candidate(revenue=revenue, goal_revenue=D("1000"))], RULE, TODAY)
    if flagged:
        assert result == {"ana": [Reason("goal", revenue, D("500"),
                                         {"goal": D("1000"), "elapsed_days": 15, "total_days": 30})]}
    else:
        assert result == {}


def test_goal_needs_a_campaign_end():
    assert flags([candidate(revenue=D("0"), goal_revenue=D("1000"))], replace(RULE, end=None), TODAY) == {}


def test_goal_with_no_days_to_spread_over_is_due_in_full():
    # An enrolment starting on the campaign's last day: (end − start) = 0 days, so the whole goal is due.
    rule = replace(RULE, grace_days=0)
    c = candidate(start=date(2026, 3, 31), revenue=D("999"), goal_revenue=D("1000"))
    (reason,) = flags([c], rule, date(2026, 3, 31))["ana"]
    assert (reason.kind, reason.threshold, reason.detail["total_days"]) == ("goal", D("1000"), 0)


def test_goal_on_the_last_day_is_the_whole_goal():
    c = candidate(revenue=D("999"), goal_revenue=D("1000"))
    (reason,) = flags([c], RULE, date(2026, 3, 31))["ana"]
    assert reason.threshold == D("1000")


def rated(*rates, **changes):
    return [candidate(f"p{i}", engagement_rate_pct=r, **changes) for i, r in enumerate(rates)]


def test_engagement_below_half_the_median_flags():
    result = flags(rated(D("4"), D("4"), D("1.99")), RULE, TODAY)
    assert result == {"p2": [Reason("engagement", D("1.99"), D("2"), {"median": D("4"), "peers": 3})]}


def test_engagement_at_exactly_half_the_median_is_not_flagged():
    assert flags(rated(D("4"), D("4"), D("2")), RULE, TODAY) == {}


def test_engagement_needs_at_least_three_rates():
    assert flags(rated(D("10"), D("0.1")), RULE, TODAY) == {}
    assert flags(rated(D("10"), D("0.1"), None, None), RULE, TODAY) == {}


@pytest.mark.parametrize(("low", "flagged"), [(D("2.49"), True), (D("2.5"), False)])
def test_engagement_median_of_an_even_count_is_the_mean_of_the_middle_two(low, flagged):
    # rates low, 4, 6, 8 → median (4 + 6) / 2 = 5, half of it 2.5
    result = flags(rated(low, D("4"), D("6"), D("8")), RULE, TODAY)
    assert ("p0" in result) is flagged
    if flagged:
        assert result["p0"][0].detail == {"median": D("5"), "peers": 4}


def test_engagement_peers_include_influencers_not_eligible_themselves():
    # Two still in their grace period and one cut: they cannot be flagged, but they make the median.
    people = [candidate("new1", start=TODAY, engagement_rate_pct=D("6")),
              candidate("new2", start=TODAY, engagement_rate_pct=D("6")),
              candidate("gone", status="cut", engagement_rate_pct=D("0.5")),
              candidate("low", engagement_rate_pct=D("1"))]
    # median of 0.5, 1, 6, 6 = 3.5 → half 1.75; `gone` is lower still but cut
    assert flags(people, RULE, TODAY) == {"low": [Reason("engagement", D("1"), D("1.75"), {"median": D("3.5"), "peers": 4})]}


def test_an_unknown_engagement_rate_is_never_flagged_for_engagement():
    people = [*rated(D("5"), D("5"), D("5")), candidate("silent", engagement_rate_pct=None)]
    assert flags(people, RULE, TODAY) == {}


def test_every_reason_that_holds_is_listed_roi_goal_engagement():
    people = [*rated(D("5"), D("5"), D("5")),
              candidate("bad", roi_pct=D("-60"), revenue=D("40"), goal_revenue=D("1000"), engagement_rate_pct=D("1"))]
    assert [r.kind for r in flags(people, RULE, TODAY)["bad"]] == ["roi", "goal", "engagement"]


def test_only_flagged_keys_are_returned():
    people = [candidate("good"), candidate("bad", roi_pct=D("-1")), candidate("also_good", roi_pct=D("3"))]
    assert list(flags(people, RULE, TODAY)) == ["bad"]


def test_engagement_rule_judges_the_average_post_so_many_weak_posts_do_not_hide():
    # Three peers posted once to 10,000 followers with 400 engagements; `busy` posted ten times with 150 each.
    # Summed over posts, busy's 1,500 engagements would be 15% of the audience and look best; per post it is 1.5%.
    def rate(engagements: int, posts: int) -> D:
        x = EnrolmentInput(D("0"), 0, fee=D("100"), followers=10_000,
                           counters=Counters(likes=engagements, engagement_rows=posts))
        return enrolment_metrics(x).engagement_rate_pct

    people = [*rated(rate(400, 1), rate(400, 1), rate(400, 1)), candidate("busy", engagement_rate_pct=rate(1_500, 10))]
    per_post, peer = D(150) / D(10_000) * 100, D(400) / D(10_000) * 100
    median = statistics.median([peer, peer, peer, per_post])
    assert flags(people, RULE, TODAY) == {
        "busy": [Reason("engagement", per_post, median / 2, {"median": median, "peers": 4})]}
