"""Cumulative revenue and cost per day for the chart, and the day revenue first covers cost."""

from datetime import date
from decimal import Decimal as D

import pytest

from metrics.series import MAX_POINTS, Spend, break_even, cumulative, span

MAR = date(2026, 3, 1).replace


def test_cumulative_books_fixed_costs_once_and_commission_with_revenue():
    spend = {
        "ana": Spend(fixed=D("100"), start=MAR(day=2), commission_pct=D("10")),
        "ben": Spend(fixed=D("50"), start=date(2026, 2, 20), commission_pct=D("0")),   # before the range: day one
        "cy": Spend(fixed=D("70"), start=MAR(day=10), commission_pct=D("5")),          # after the range: left out
    }
    daily = [
        (MAR(day=1), "ana", D("200")),       # commission 20 even before ana's fee is booked
        (MAR(day=2), "walk-in", D("30")),    # nobody's spend: revenue only
        (MAR(day=3), "ben", D("100")),
        (MAR(day=3), "ana", D("50")),        # commission 5
        (date(2026, 2, 28), "ana", D("999")),
        (MAR(day=5), "ana", D("999")),
    ]
    assert cumulative(daily, spend, first=MAR(day=1), last=MAR(day=4)) == [
        (MAR(day=1), D("200"), D("70")),     # ben's 50 + 20 commission
        (MAR(day=2), D("230"), D("170")),    # ana's fee 100
        (MAR(day=3), D("380"), D("175")),
        (MAR(day=4), D("380"), D("175")),    # a quiet day still gets its point
    ]


def test_cumulative_has_one_point_per_calendar_day_even_without_data():
    points = cumulative([], {}, first=MAR(day=1), last=MAR(day=31))
    assert [p[0] for p in points] == [MAR(day=d) for d in range(1, 32)]
    assert {(p[1], p[2]) for p in points} == {(0, 0)}


def test_cumulative_of_a_single_day_and_of_an_empty_range():
    spend = {"ana": Spend(D("10"), MAR(day=1), D("0"))}
    assert cumulative([(MAR(day=1), "ana", D("4"))], spend, first=MAR(day=1), last=MAR(day=1)) == [
        (MAR(day=1), D("4"), D("10"))]
    assert cumulative([], spend, first=MAR(day=2), last=MAR(day=1)) == []


def series(*pairs):
    return [(MAR(day=i + 1), D(rev), D(cost)) for i, (rev, cost) in enumerate(pairs)]


@pytest.mark.parametrize(("points", "expected"), [
    (series(("0", "100"), ("50", "100"), ("120", "110")), MAR(day=3)),      # crosses on day 3
    (series(("0", "100"), ("100", "100")), MAR(day=2)),                     # exactly covering counts
    (series(("300", "100"), ("350", "100")), MAR(day=1)),                   # ahead from the start
    (series(("0", "100"), ("99.99", "100")), None),                         # never
    (series(("10", "0"), ("50", "100"), ("120", "100")), MAR(day=3)),       # nothing spent yet is not break-even
    (series(("0", "0"), ("0", "0")), None),
    ([], None),
])
def test_break_even_is_the_first_day_revenue_covers_cost(points, expected):
    assert break_even(points) == expected


CENTURY = (date(2000, 1, 1), date(2100, 12, 31))


def test_a_century_long_range_is_drawn_in_at_most_max_points_with_its_ends_and_exact_break_even():
    spend = {"ana": Spend(fixed=D("1000"), start=date(2000, 1, 1), commission_pct=D("0"))}
    daily = [(date(2000, 1, 1), "ana", D("10")), (date(2050, 6, 17), "ana", D("990")),
             (date(2100, 12, 31), "ana", D("5"))]

    points = cumulative(daily, spend, first=CENTURY[0], last=CENTURY[1])

    assert len(points) <= MAX_POINTS + 1  # the break-even day may add one
    assert points[0] == (date(2000, 1, 1), D("10"), D("1000"))
    assert points[-1] == (date(2100, 12, 31), D("1005"), D("1000"))
    assert [p[0] for p in points] == sorted({p[0] for p in points})
    assert break_even(points) == date(2050, 6, 17)  # the exact day, not the end of its few weeks
    assert (date(2050, 6, 17), D("1000"), D("1000")) in points


def test_a_range_of_max_points_days_keeps_one_point_a_day():
    first = date(2026, 1, 1)
    last = date.fromordinal(first.toordinal() + MAX_POINTS - 1)
    assert len(cumulative([], {}, first=first, last=last)) == MAX_POINTS
    one_more = date.fromordinal(last.toordinal() + 1)
    assert len(cumulative([], {}, first=first, last=one_more)) < MAX_POINTS


@pytest.mark.parametrize(("asked", "window", "starts", "orders", "expected"), [
    # a month-long campaign asked for the widest range draws its month, up to today
    (CENTURY, (MAR(day=1), date(2026, 4, 7)), [MAR(day=1)], (MAR(day=5), MAR(day=8)), (MAR(day=1), MAR(day=16))),
    # an ended campaign: its whole window
    ((None, None), (date(2025, 1, 1), date(2025, 1, 31)), [], (None, None), (date(2025, 1, 1), date(2025, 1, 31))),
    # no start: from the first fixed cost or order in the range, not from the range's start
    (CENTURY, (None, None), [MAR(day=3)], (MAR(day=5), MAR(day=8)), (MAR(day=3), MAR(day=16))),
    ((MAR(day=4), None), (None, None), [MAR(day=3)], (MAR(day=5), MAR(day=8)), (MAR(day=4), MAR(day=16))),
    # orders dated after today extend the chart to them, never past the range's end
    (CENTURY, (None, None), [], (MAR(day=5), date(2099, 1, 1)), (MAR(day=5), date(2099, 1, 1))),
    ((None, date(2030, 1, 1)), (None, None), [], (MAR(day=5), date(2099, 1, 1)), (MAR(day=5), date(2030, 1, 1))),
    # nothing to draw
    (CENTURY, (None, None), [], (None, None), None),
    ((None, None), (date(2027, 1, 1), None), [], (None, None), None),  # not started yet
    ((MAR(day=20), MAR(day=25)), (MAR(day=1), MAR(day=31)), [], (None, None), None),  # the range is all ahead
])
def test_span_is_bounded_by_the_window_and_the_data_not_by_the_range_asked(asked, window, starts, orders, expected):
    assert span(asked, window, starts=starts, orders=orders, today=MAR(day=16)) == expected
