"""Roster rows into records, with the same rules and messages as `/influencer add` and `/code add`."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D

import pytest

from bot.errors import InputError
from bot.imports.orders import Rejected
from bot.imports.roster import RosterRecord, read_roster
from bot.imports.text import open_rows

HEADER = "handle,platform,followers,manager,campaign,fee,commission,product_cost,goal_revenue,start,code,url\n"


def parse(text: str) -> list[RosterRecord | Rejected]:
    return list(read_roster(open_rows(io.BytesIO(text.encode()))))


def test_a_full_row_and_a_bare_handle():
    full, bare = parse(HEADER + "@Ana.Makes,IG,\"12,000\",U0123ABCD,spring,\"1,000\",12.5%,50,5000,2026-03-01,ANA10,"
                                "https://shop.example/p?ref=1\nben,,,,,,,,,,,\n")
    assert full == RosterRecord(row=2, handle="Ana.Makes", platform="instagram", followers=12000, manager="U0123ABCD",
                                campaign="spring", fee=D("1000.00"), commission=D("12.5"), product_cost=D("50.00"),
                                goal_revenue=D("5000.00"), start=date(2026, 3, 1), code="ANA10",
                                url="https://shop.example/p?ref=1")
    assert bare == RosterRecord(3, "ben", *[None] * 11)


def test_only_the_columns_the_file_has_are_read():
    (row,) = parse("Handle,Followers\nana,12k\n")
    assert (row.handle, row.followers, row.platform, row.campaign) == ("ana", 12000, None, None)


@pytest.mark.parametrize("manager, expected", [
    ("U0123ABCD", "U0123ABCD"), ("u0123abcd", "U0123ABCD"), ("<@U0123ABCD>", "U0123ABCD"),
    ("<@W0123ABCD|ana>", "W0123ABCD"),
])
def test_managers_are_slack_user_ids(manager, expected):
    (row,) = parse(f"handle,manager\nana,{manager}\n")
    assert row.manager == expected


@pytest.mark.parametrize("line, says", [
    ("ana,,,@ana,,,,,,,,", "`manager`: `@ana` is not a Slack user id"),
    ("ana,,,<!channel>,,,,,,,,", "`manager`: `&lt;!channel&gt;` is not a Slack user id"),
    (",tiktok,,,,,,,,,,", "`handle`: is empty"),
    ("ana bee,,,,,,,,,,,", "`handle`: `ana bee` has characters other than"),
    ("ana,myspace,,,,,,,,,,", "`platform`: `myspace` is not a choice"),
    ("ana,,lots,,,,,,,,,", "`followers`: `lots` is not a number"),
    ("ana,,,,spring,-5,,,,,,", "`fee`: `-5` is negative"),
    ("ana,,,,spring,,150,,,,,", "`commission`: `150` is above the maximum of 100%"),
    ("ana,,,,spring,,,,,2026-02-30,,", "`start`: `2026-02-30` is not a date"),
    ("ana,,,,spring,,,,,,AN A,", "`code`: `AN A` has characters other than"),
    ("ana,,,,spring,,,,,,ANA10,ftp://x", "`url`: `ftp://x` is not an http(s) link"),
    ("ana,,,,spring,,,,,,ANA10,https://x.example/a|b", "`url`: `https://x.example/a|b` contains `|`"),
    ("ana,,,,spring,,,,,,ANA10,https://me:pw@x.example/", "has a `user:password@` part"),
    ("ana,,,,spring,,,,,1999-12-31,,", "`start`: 1999-12-31 is before 2000-01-01"),
    ("ana,,,,spring,,,,,9999-12-31,,", "`start`: 9999-12-31 is after 2100-12-31"),
    ("ana,,,,spring fling,,,,,,,", "`campaign`: `spring fling` has characters other than"),
    ("ana,,,,,100,,,,2026-03-01,,", "`campaign`: is blank, but the row gives `fee`, `start`"),
    ("ana,,,,,,,,,,ANA10,", "`campaign`: is blank, but the row gives `code`"),
    ("ana,,,,spring,,,,,,,https://x.example", "`code`: is blank, but the row gives a `url`"),
])
def test_bad_rows_are_rejected_with_the_slash_command_message(line, says):
    items = parse(HEADER + line + "\nok,,,,,,,,,,,\n")
    assert items[1] == RosterRecord(3, "ok", *[None] * 11)
    assert isinstance(items[0], Rejected) and items[0].row == 2 and says in items[0].reason


def test_a_header_that_is_not_a_roster_is_refused_at_once():
    with pytest.raises(InputError, match="does not have; did you mean `followers`"):
        read_roster(open_rows(io.BytesIO(b"handle,folowers\nana,10\n")))
