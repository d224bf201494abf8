"""Charts drawn in the worker processes `serve` starts: the same bytes as drawn here, and no answer lost when a
worker dies."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal as D
from functools import partial
from pathlib import Path

import pytest

from handlers import chart_pool
from metrics import charts
from server_support import server_process

# Under pytest-xdist (`make test`) the module's tests run in one worker, so its shared fixtures are built once.
pytestmark = pytest.mark.xdist_group("chart_pool")

ROWS = [("ana", D("120.5"), D("300")), ("ben", D("-40"), D("-80")), ("cy", None, D("0"))]
POINTS = [(date(2026, 3, d), D(100 * d), D(900 + 10 * d)) for d in range(1, 15)]
ROOT = Path(__file__).resolve().parents[2]
DRAWS = [partial(charts.roi_by_influencer, ROWS, title="spring: ROI by influencer"),
         partial(charts.revenue_vs_cost, POINTS, title="spring: revenue vs cost", currency="USD")]


def _fail() -> bytes:
    raise ValueError("this chart cannot be drawn")


def _stall(parent: int) -> None:
    """A stand-in for a chart that never finishes in a worker (it returns None when drawn here, at once)."""
    if os.getpid() != parent:
        time.sleep(5)


DRAWN: list[str] = []


def _counted(name: str) -> bytes:
    DRAWN.append(name)
    return f"PNG of {name}".encode()


@pytest.fixture(autouse=True)
def forgotten():
    """Every test draws its charts afresh (a chart already drawn would not reach the workers)."""
    chart_pool.forget()
    DRAWN.clear()


@pytest.fixture(scope="module")
def workers():
    chart_pool.start(2)
    yield
    chart_pool.stop()


def test_without_workers_charts_are_drawn_here():
    chart_pool.start(0)  # ROI_CHART_WORKERS=0
    assert not chart_pool.running()
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]


def test_a_chart_drawn_before_from_the_same_arguments_is_not_drawn_again():
    first = chart_pool.draw_all([partial(_counted, "spring"), partial(_counted, "summer")])
    again = chart_pool.draw_all([partial(_counted, "summer"), partial(_counted, "autumn"), partial(_counted, "spring")])
    assert first == [b"PNG of spring", b"PNG of summer"]
    assert again == [b"PNG of summer", b"PNG of autumn", b"PNG of spring"]
    assert DRAWN == ["spring", "summer", "autumn"]  # only the new one was drawn

    chart_pool.forget()
    chart_pool.draw_all([partial(_counted, "spring")])
    assert DRAWN[-1] == "spring"


def test_failed_or_unkeyable_draws_are_never_kept():
    with pytest.raises(ValueError, match="cannot be drawn"):
        chart_pool.draw_all([_fail])
    with pytest.raises(ValueError, match="cannot be drawn"):
        chart_pool.draw_all([_fail])
    drawn = []
    unkeyed = lambda: drawn.append(1) or b"png"  # noqa: E731 - not a partial: nothing says what it draws
    chart_pool.draw_all([unkeyed, unkeyed])
    assert drawn == [1, 1]


def test_kept_charts_stay_within_their_memory_bound(monkeypatch):
    monkeypatch.setattr(chart_pool, "CACHE_BYTES", 4_000)
    for n in range(100):
        chart_pool.draw_all([partial(_counted, f"c{n:03}")])
    assert chart_pool._drawn_bytes <= 4_000 and len(chart_pool._drawn) < 100
    chart_pool.draw_all([partial(_counted, "c099")])  # the newest is still kept
    assert DRAWN.count("c099") == 1
    chart_pool.draw_all([partial(_counted, "c000")])  # the oldest was let go
    assert DRAWN.count("c000") == 2


def test_workers_draw_the_same_pngs_as_this_process(workers):
    pngs = chart_pool.draw_all(DRAWS)
    assert pngs == [draw() for draw in DRAWS]
    assert all(png.startswith(b"\x89PNG") for png in pngs)


def test_charts_named_for_the_workers_are_drawn_there_as_here(workers):
    named = [partial(chart_pool.chart, "roi_by_influencer", ROWS, title="spring: ROI by influencer"),
             partial(chart_pool.chart, "revenue_vs_cost", POINTS, title="spring: revenue vs cost", currency="USD")]
    assert chart_pool.draw_all(named) == [draw() for draw in DRAWS]


def test_an_error_in_a_chart_reaches_the_caller_as_it_would_here(workers):
    with pytest.raises(ValueError, match="cannot be drawn"):
        chart_pool.draw_all([DRAWS[0], _fail])
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]  # the workers are still fine


def test_a_killed_worker_costs_no_answer_and_new_workers_take_over(workers):
    chart_pool.draw_all(DRAWS)  # the workers are up
    before = chart_pool._pool
    for pid in list(before._processes):
        os.kill(pid, signal.SIGKILL)
    chart_pool.forget()  # drawn again, by the dead workers first
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]
    assert chart_pool.running() and chart_pool._pool is not before
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]


def test_a_stalled_worker_costs_no_answer_either(workers, monkeypatch):
    monkeypatch.setattr(chart_pool, "TIMEOUT", 0.5)
    before = chart_pool._pool
    stall = partial(_stall, os.getpid())
    assert chart_pool.draw_all([stall, DRAWS[1]]) == [None, DRAWS[1]()]  # both drawn here in the end
    assert chart_pool._pool is not before
    monkeypatch.setattr(chart_pool, "TIMEOUT", 30)
    assert chart_pool.draw_all(DRAWS) == [draw() for draw in DRAWS]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has left already
    except FileNotFoundError:
        return False


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(p) for p in children.read().split()]


def _gone(pids, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


WORKING = """
import sys
from handlers import chart_pool
chart_pool.start(2)
chart_pool._pool.submit(chart_pool._warm).result()
print(" ".join(str(p) for p in chart_pool._pool._processes), flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs Linux /proc to find the workers")
def test_workers_leave_when_the_process_that_started_them_is_killed():
    proc = subprocess.Popen([sys.executable, "-c", WORKING], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    try:
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(p) for p in workers)
        proc.kill()
        proc.wait(timeout=10)
        assert _gone(workers), "chart workers outlived the killed server"
    finally:
        proc.kill()
        proc.stdin.close()
        proc.stdout.close()


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs Linux /proc to find the workers")
def test_serve_stops_on_sigterm_and_takes_its_chart_workers_along(slack, tmp_path):
    with server_process(slack, f"sqlite:///{tmp_path / 'roi.db'}", tmp_path) as (base, proc):
        deadline = time.monotonic() + 20
        while len(workers := [p for p in _children(proc.pid) if _alive(p)]) < 3:  # the resource tracker too
            assert time.monotonic() < deadline, f"the chart workers did not start: {workers}"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0  # waitress finishes its requests and returns: a clean stop
        assert _gone(workers)
