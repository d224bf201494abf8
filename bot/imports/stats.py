"""Engagement stats rows as validated records, parsed with the same rules as `/influencer stats`.

A counter cell left blank is "not given" (the row keeps only the counters it fills); a row needs at least one. A row
dated after today (the day `bot.registry.influencers.check_stats_day` allows for time zones) is rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from bot.errors import InputError
from bot.imports.detect import COUNTERS, index, require
from bot.imports.orders import Rejected
from bot.imports.text import Table
from bot.limits import MAX_COUNTER
from bot.registry.influencers import check_stats_day
from bot.values import parse_date, parse_handle, parse_int, parse_name, parse_url


@dataclass(frozen=True)
class StatsRecord:
    """One stats row: whose, which campaign, which day (and post), and the counters it gives."""

    row: int
    handle: str
    campaign: str
    date: date
    post: str | None
    counters: dict[str, int]


def _record(row: int, cells: list[str], columns: dict[str, int], counters: list[tuple[str, int]], today: date
            ) -> StatsRecord:
    """One row's record; InputError (from the value parsers) for the first bad cell."""
    handle = parse_handle(cells[columns["handle"]], "handle")
    campaign = parse_name(cells[columns["campaign"]], "campaign")
    day = check_stats_day(parse_date(cells[columns["date"]], "date"), today)
    post = cells[columns["post"]].strip() if "post" in columns else ""
    given = {name: cells[at] for name, at in counters if cells[at].strip()}
    if not given:
        raise InputError("counters", "none given", "one or more of " + ", ".join(f"`{c}`" for c in COUNTERS))
    return StatsRecord(
        row=row, handle=handle, campaign=campaign, date=day, post=parse_url(post, "post") if post else None,
        counters={name: parse_int(text, name, minimum=0, maximum=MAX_COUNTER) for name, text in given.items()},
    )


def read_stats(table: Table, *, today: date) -> Iterator[StatsRecord | Rejected]:
    """The stats rows of the file, in order, as of `today` (the runtime clock's date in ROI_TIMEZONE); InputError at
    once when the header is not a stats file's."""
    require(table.header, "stats")
    columns = index(table.header)
    counters = [(name, columns[name]) for name in COUNTERS if name in columns]
    return _read(table, columns, counters, today)


def _read(table: Table, columns: dict[str, int], counters: list[tuple[str, int]], today: date
          ) -> Iterator[StatsRecord | Rejected]:
    """Records, or a Rejected with the parser's message for a bad row."""
    for row, cells in table.rows:
        try:
            yield _record(row, cells, columns, counters, today)
        except InputError as error:
            yield Rejected(row, error.message)
