"""Charts drawn in the worker processes `serve` starts: the same bytes as drawn here, and no answer lost when a
worker dies."""

import os
import signal
from datetime import date
from decimal import Decimal as D
from functools import partial

import pytest

from handlers import chart_pool
from metrics import charts

ROWS = [("ana", D("120.5"), D("300")), ("ben", D("-40"), D("-80")), ("cy", None, D("0"))]
POINTS = [(date(2026, 3, d), D(100 * d), D(900 + 10 * d)) for d in range(1, 15)]
DRAWS = [partial(charts.roi_by_influencer, ROWS, title="spring: ROI by influencer"),
         partial(charts.revenue_vs_cost, POINTS, title="spring: revenue vs cost", currency="USD")]


def _fail() -> bytes:
    raise ValueError("this chart cannot be drawn")


@pytest.fixture(scope="module")
def workers():
    chart_pool.start(2)
    yield
    chart_pool.stop()


def test_without_workers_charts_are_drawn_here():
    assert not chart_pool.running()
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]


def test_workers_draw_the_same_pngs_as_this_process(workers):
    pngs = chart_pool.draw_all(DRAWS)
    assert pngs == [draw() for draw in DRAWS]
    assert all(png.startswith(b"\x89PNG") for png in pngs)


def test_an_error_in_a_chart_reaches_the_caller_as_it_would_here(workers):
    with pytest.raises(ValueError, match="cannot be drawn"):
        chart_pool.draw_all([DRAWS[0], _fail])
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]  # the workers are still fine


def test_a_killed_worker_costs_no_answer_and_new_workers_take_over(workers):
    chart_pool.draw_all(DRAWS)  # the workers are up
    before = chart_pool._pool
    for pid in list(before._processes):
        os.kill(pid, signal.SIGKILL)
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]
    assert chart_pool.running() and chart_pool._pool is not before
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]
