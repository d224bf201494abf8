"""Engagement stats rows as validated records, parsed with the same rules as `/influencer stats`.

A counter cell left blank is "not given" (the row keeps only the counters it fills); a row needs at least one.
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


def _record(row: int, cells: list[str], columns: dict[str, int], counters: list[tuple[str, int]]) -> StatsRecord:
    """One row's record; InputError (from the value parsers) for the first bad cell."""
    handle = parse_handle(cells[columns["handle"]], "handle")
    campaign = parse_name(cells[columns["campaign"]], "campaign")
    day = parse_date(cells[columns["date"]], "date")
    post = cells[columns["post"]].strip() if "post" in columns else ""
    given = {name: cells[at] for name, at in counters if cells[at].strip()}
    if not given:
        raise InputError("counters", "none given", "one or more of " + ", ".join(f"`{c}`" for c in COUNTERS))
    return StatsRecord(
        row=row, handle=handle, campaign=campaign, date=day, post=parse_url(post, "post") if post else None,
        counters={name: parse_int(text, name, minimum=0, maximum=MAX_COUNTER) for name, text in given.items()},
    )


def read_stats(table: Table) -> Iterator[StatsRecord | Rejected]:
    """The stats rows of the file, in order; InputError at once when the header is not a stats file's."""
    require(table.header, "stats")
    columns = index(table.header)
    counters = [(name, columns[name]) for name in COUNTERS if name in columns]
    return _read(table, columns, counters)


def _read(table: Table, columns: dict[str, int], counters: list[tuple[str, int]]
          ) -> Iterator[StatsRecord | Rejected]:
    """Records, or a Rejected with the parser's message for a bad row."""
    for row, cells in table.rows:
        try:
            yield _record(row, cells, columns, counters)
        except InputError as error:
            yield Rejected(row, error.message)
