"""Roster rows as validated records: each row is what `/influencer add` (and `/code add`) would be given.

Cells go through the same value parsers as the slash commands, so a bad cell gets the same message. Blank
cells mean "not given". Enrolment terms need a campaign to belong to, and a link needs its code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.errors import InputError
from bot.imports.detect import index, require
from bot.imports.orders import Rejected
from bot.imports.text import Table
from bot.limits import MAX_FOLLOWERS
from bot.values import (parse_code, parse_date, parse_handle, parse_int, parse_money, parse_name, parse_pct,
                       parse_platform, parse_url, parse_user, shown)

ENROLMENT = ("fee", "commission", "product_cost", "goal_revenue", "start", "code", "url")
_USER_ID = re.compile(r"[UW][A-Z0-9]{8,31}", re.IGNORECASE)


@dataclass(frozen=True)
class RosterRecord:
    """One roster row; None means the cell was blank (not given)."""

    row: int
    handle: str
    platform: str | None
    followers: int | None
    manager: str | None
    campaign: str | None
    fee: Decimal | None
    commission: Decimal | None
    product_cost: Decimal | None
    goal_revenue: Decimal | None
    start: date | None
    code: str | None
    url: str | None


def parse_manager(value: str, field: str = "manager") -> str:
    """A Slack user id (`U0123ABCD`, also inside a `<@U0123ABCD>` mention); names cannot be resolved in a file."""
    text = value.strip()
    if _USER_ID.fullmatch(text):
        return text.upper()
    user = parse_user(text, field) if text.startswith("<@") else None
    if user is None or user.id is None:
        raise InputError(field, f"{shown(text)} is not a Slack user id",
                         "the member id from their Slack profile (⋮ → Copy member ID), like `U0123ABCD`")
    return user.id


PARSERS = {
    "platform": parse_platform,
    "followers": lambda v, f: parse_int(v, f, minimum=0, maximum=MAX_FOLLOWERS),
    "manager": parse_manager,
    "campaign": parse_name,
    "fee": parse_money,
    "commission": lambda v, f: parse_pct(v, f, minimum=0, maximum=100),
    "product_cost": parse_money,
    "goal_revenue": parse_money,
    "start": parse_date,
    "code": parse_code,
    "url": parse_url,
}


def _record(row: int, cells: list[str], columns: dict[str, int]) -> RosterRecord:
    """One row's record; InputError (from the value parsers) for the first bad cell."""
    handle = parse_handle(cells[columns["handle"]], "handle")
    given = {name: cells[at].strip() for name, at in columns.items() if name in PARSERS and cells[at].strip()}
    values = {name: PARSERS[name](text, name) for name, text in given.items()}
    if "campaign" not in values and (terms := [name for name in ENROLMENT if name in values]):
        raise InputError("campaign", f"is blank, but the row gives {', '.join(f'`{t}`' for t in terms)}; "
                                     "enrolment terms, codes and links need a campaign", "the campaign's name")
    if "url" in values and "code" not in values:
        raise InputError("code", "is blank, but the row gives a `url`; a tracking link goes with a code",
                         "a discount code for the link")
    return RosterRecord(row=row, handle=handle, **{name: values.get(name) for name in PARSERS})


def read_roster(table: Table) -> Iterator[RosterRecord | Rejected]:
    """The roster rows of the file, in order; InputError at once when the header is not a roster's."""
    require(table.header, "roster")
    columns = index(table.header)
    return _read(table, columns)


def _read(table: Table, columns: dict[str, int]) -> Iterator[RosterRecord | Rejected]:
    """Records, or a Rejected with the parser's message for a bad row."""
    for row, cells in table.rows:
        try:
            yield _record(row, cells, columns)
        except InputError as error:
            yield Rejected(row, error.message)
