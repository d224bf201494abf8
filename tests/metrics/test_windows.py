"""Attribution windows: [start, end + window_days], inclusive, open where a date is missing."""

from datetime import date

import pytest

from metrics.windows import contains, describe, overlaps, window

D = date.fromisoformat


def test_window_runs_window_days_past_the_end_inclusive():
    win = window(D("2026-03-01"), D("2026-03-31"), 7)
    assert win == (D("2026-03-01"), D("2026-04-07"))
    assert contains(win, D("2026-03-01")) and contains(win, D("2026-04-07"))
    assert not contains(win, D("2026-02-28")) and not contains(win, D("2026-04-08"))


def test_missing_end_leaves_the_window_open():
    win = window(D("2026-03-01"), None, 7)
    assert contains(win, D("2030-01-01"))
    assert describe(win) == "2026-03-01 → open"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((D("2026-03-01"), D("2026-04-07")), (D("2026-04-07"), D("2026-05-07")), True),
        ((D("2026-03-01"), D("2026-04-07")), (D("2026-04-08"), D("2026-05-07")), False),
        ((D("2026-03-01"), None), (D("2027-01-01"), D("2027-02-01")), True),
        ((None, D("2026-01-31")), (D("2026-02-01"), None), False),
        ((None, None), (D("2026-02-01"), D("2026-02-02")), True),
    ],
)
def test_overlaps_is_symmetric_and_inclusive(a, b, expected):
    assert overlaps(a, b) is expected
    assert overlaps(b, a) is expected
