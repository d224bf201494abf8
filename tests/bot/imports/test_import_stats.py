"""Engagement stats rows into records, with the same rules and messages as `/influencer stats`."""

from __future__ import annotations

import io
from datetime import date

import pytest

from bot.errors import InputError
from bot.imports.orders import Rejected
from bot.imports.stats import StatsRecord, read_stats
from bot.imports.text import open_rows

HEADER = "handle,campaign,date,post,impressions,reach,likes,comments,shares,saves,clicks,views\n"
TODAY = date(2026, 3, 16)


def parse(text: str, today: date = TODAY) -> list[StatsRecord | Rejected]:
    return list(read_stats(open_rows(io.BytesIO(text.encode())), today=today))


def test_rows_keep_only_the_counters_they_fill():
    first, second = parse(HEADER + "@ana,Spring,2026-03-05,https://instagram.example/p/1,\"12,000\",9000,800,40,0,"
                                   "12,300,\nana,spring,2026-03-06,,,,5,,,,,\n")
    assert first == StatsRecord(row=2, handle="ana", campaign="Spring", date=date(2026, 3, 5),
                                post="https://instagram.example/p/1",
                                counters={"impressions": 12000, "reach": 9000, "likes": 800, "comments": 40,
                                          "shares": 0, "saves": 12, "clicks": 300})
    assert second == StatsRecord(3, "ana", "spring", date(2026, 3, 6), None, {"likes": 5})


def test_a_file_with_some_counter_columns():
    (row,) = parse("Handle,Campaign,Date,Views\nana,spring,2026-03-05,1.2m\n")
    assert (row.post, row.counters) == (None, {"views": 1_200_000})


@pytest.mark.parametrize("line, says", [
    ("ana,spring,2026-03-05,,,,,,,,,", "`counters`: none given"),
    ("ana,spring,,,,,5,,,,,", "`date`: `` is not written YYYY-MM-DD"),
    ("ana,spring,5/3/2026,,,,5,,,,,", "`date`: `5/3/2026` is not written YYYY-MM-DD"),
    (",spring,2026-03-05,,,,5,,,,,", "`handle`: is empty"),
    ("ana,,2026-03-05,,,,5,,,,,", "`campaign`: is empty"),
    ("ana,spring,2026-03-05,,,,-5,,,,,", "`likes`: `-5` is below the minimum of 0"),
    ("ana,spring,2026-03-05,,,,many,,,,,", "`likes`: `many` is not a number"),
    ("ana,spring,2026-03-05,,,,1.5,,,,,", "`likes`: `1.5` is not a whole number"),
    ("ana,spring,2026-03-05,not a link,,,5,,,,,", "`post`: `not a link` is not an http(s) link"),
    ("ana,spring,1999-12-31,,,,5,,,,,", "`date`: 1999-12-31 is before 2000-01-01"),
    ("ana,spring,2101-01-01,,,,5,,,,,", "`date`: 2101-01-01 is after 2100-12-31"),
    ("ana,spring,2026-03-18,,,,5,,,,,", "`date`: 2026-03-18 is in the future (today is 2026-03-16)"),
    ("ana,spring,2099-01-01,,,,5,,,,,", "`date`: 2099-01-01 is in the future (today is 2026-03-16)"),
])
def test_bad_rows_are_rejected_with_the_slash_command_message(line, says):
    items = parse(HEADER + line + "\nben,spring,2026-03-05,,1,,,,,,,\n")
    assert items[1] == StatsRecord(3, "ben", "spring", date(2026, 3, 5), None, {"impressions": 1})
    assert isinstance(items[0], Rejected) and items[0].row == 2 and says in items[0].reason


def test_rows_dated_up_to_tomorrow_are_taken_and_later_ones_rejected_as_of_the_day_given():
    rows = HEADER + "".join(f"ana,spring,2026-03-{day},,,,1,,,,,\n" for day in (16, 17, 18))

    today, tomorrow, after = parse(rows)
    assert (today.date, tomorrow.date) == (date(2026, 3, 16), date(2026, 3, 17))  # a day of slack for time zones
    assert isinstance(after, Rejected) and after.row == 4 and "today is 2026-03-16" in after.reason
    assert all(isinstance(r, StatsRecord) for r in parse(rows, today=date(2026, 3, 17)))


def test_a_header_that_is_not_a_stats_file_is_refused_at_once():
    with pytest.raises(InputError, match="which also needs|is missing the column `date`"):
        read_stats(open_rows(io.BytesIO(b"handle,campaign,likes\nana,spring,1\n")), today=TODAY)
