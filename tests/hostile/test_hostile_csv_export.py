"""Formula injection in `roi-bot report campaign NAME --csv` (SPEC §4, OWASP's CSV injection advice).

Two layers: at entry, handles and names only take letters, digits and `._-`, so `=HYPERLINK(…)`, `+cmd` or
`@SUM(…)` is refused in Slack and rejected in a roster import; at the exit, any text cell that starts with `=`,
`+`, `-`, `@`, a tab or a carriage return (a handle like `-cmd` is valid, and older rows may hold anything) is
written with a leading `'`, while numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import update

from bot.wiring.cli import main
from bot.models import Influencer
from bot.registry import lookup
from bot.reports import campaign_report
from bot.wiring.reports_cli import FORMULA_START, as_csv, inert
from conftest import SQLITE_ONLY
from hostile.hostile_support import FUZZ, FUZZ_APP, answer_text, is_refusal, stored
from import_support import command_line, TODAY, register, run
from registry_support import person

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0", "+SUM(1+1)", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1", "-cmd", "=1", "+", "-", "@"]
TEXT_COLUMNS = ("handle", "platform", "tier", "status")
NUMBER_COLUMNS = ("followers", "revenue", "cost", "profit", "roi_pct", "roas", "orders")


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_inert(cell: str) -> None:
    """What a spreadsheet would not run: a cell that starts like a formula is a number or starts with `'`."""
    assert not cell.startswith(FORMULA_START) or is_number(cell), repr(cell)


def rows_of(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output, newline="")))


# -- the exit: the CSV writer ---------------------------------------------------------------------


@FUZZ
@given(st.one_of(st.sampled_from(PAYLOADS), st.text(), st.text(st.sampled_from(list("=+-@\t\r\n 01.eE'\"")))))
@example("-1")
@example("-1e5")
@example("-1-1")
def test_a_text_cell_is_written_inert_and_otherwise_unchanged(text):
    cell = inert(text)

    assert_inert(cell)
    assert cell in (text, "'" + text)
    assert (cell == text) == (not text.startswith(FORMULA_START) or is_number(text))


@FUZZ
@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.none()))
def test_numbers_are_written_as_numbers_negative_ones_included(value):
    cell = inert(value)

    assert cell == ("" if value is None else str(value))
    assert value is None or type(value)(cell) == value  # int(), not float(): integers past 2**53 stay exact


@pytest.fixture
def spring(roi, sessions):
    """Spring with ana and ben: fees and no revenue, so profit and ROI are negative numbers."""
    register(roi)
    return "spring"


def report_csv(sessions) -> str:
    """Spring's `--csv` output, as the command line writes it."""
    with sessions() as session:
        ws = lookup.team_workspace(session, "T0001")
        return as_csv(campaign_report(session, lookup.campaign(session, ws, "spring"), today=TODAY))


@FUZZ_APP
@given(handle=st.one_of(st.sampled_from(PAYLOADS),  # PostgreSQL cannot store NUL, whatever the column
                        st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=64)))
@example(handle='ok\r=HYPERLINK("http://evil.example","x")')  # a line break must not start a row of its own
@example(handle="ok\n=1+1")
def test_a_stored_handle_that_looks_like_a_formula_is_made_inert_and_numbers_stay_numbers(sessions, spring, handle):
    # Stored directly: rows written before today's validation, or by another tool, may hold anything.
    with sessions.begin() as session:
        session.execute(update(Influencer).where(Influencer.handle_key == "ana").values(handle=handle))

    rows = rows_of(report_csv(sessions))

    assert len(rows) == 2
    assert handle in {row["handle"].removeprefix("'") for row in rows}
    for row in rows:
        for column in TEXT_COLUMNS:
            assert_inert(row[column])
        for column in NUMBER_COLUMNS:
            assert is_number(row[column]) or row[column] == "", (column, row[column])
    assert any(float(row["profit"]) < 0 for row in rows)  # fees, no revenue: negative numbers, not made text


# -- the entry: what can become a handle or a name ------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS[:5] + ["@=1+1", "@@SUM(A1)"])
@SQLITE_ONLY  # refused by the parser, before anything is read
def test_a_formula_is_refused_as_a_handle_or_a_campaign_name_and_nothing_is_stored(roi, sessions, payload):
    for line in (f"/influencer add {payload}", f"/campaign create {payload} budget=1",
                 f"/influencer add ana campaign={payload}"):
        before = stored(sessions)

        text = answer_text(roi.command(line))

        assert is_refusal(text), (line, text)
        assert stored(sessions) == before


def test_a_roster_row_with_a_formula_handle_is_rejected_naming_the_handle(sessions, spring):
    rows = "".join(f'"{p.replace(chr(34), chr(34) * 2)}",instagram\n' for p in PAYLOADS[:5] + ["@=1+1"])

    summary = run(sessions, "handle,platform\n" + rows + "@-cmd,tiktok\n", kind="roster")

    assert [row for row, _ in summary.rejected] == list(range(2, 8))
    assert all(reason.startswith("`handle`:") for _, reason in summary.rejected)
    assert person(sessions, "-cmd") is not None  # a leading `@` is dropped; `-cmd` is a valid handle


@pytest.fixture
def cli(monkeypatch, tmp_path, db_url, spring):
    """The command line on the test database."""
    command_line(monkeypatch, tmp_path, db_url)
    yield tmp_path
    logging.getLogger().handlers[:] = []


def test_report_csv_from_the_command_line_defuses_hostile_handles_and_keeps_negative_numbers(cli, roi, sessions,
                                                                                              capsys):
    register(roi, ["/influencer add -cmd campaign=spring fee=5", "/influencer add -2-3 campaign=spring fee=5"])
    with sessions.begin() as session:  # and rows no command would write today
        session.execute(update(Influencer).where(Influencer.handle_key == "ana")
                        .values(handle='=HYPERLINK("http://evil.example","x")', platform="@SUM(1)"))
        session.execute(update(Influencer).where(Influencer.handle_key == "ben").values(handle="\t=1+1"))

    assert main(["report", "campaign", "spring", "--csv"]) == 0

    rows = rows_of(capsys.readouterr().out)
    assert {row["handle"] for row in rows} == {"'-cmd", "'-2-3", "'=HYPERLINK(\"http://evil.example\",\"x\")",
                                               "'\t=1+1"}
    assert {row["platform"] for row in rows} >= {"'@SUM(1)", "other"}
    for row in rows:
        assert float(row["roi_pct"]) == -100.0 and float(row["profit"]) < 0 and row["roi_pct"].startswith("-")
