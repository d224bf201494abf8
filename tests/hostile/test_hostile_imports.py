"""Hostile files for the importers (SPEC §3, §1): random bytes, wrong encodings, BOMs, NUL bytes, quoted line
breaks, very long cells, ragged rows, formula cells, and real Shopify exports broken at random places.

Whatever the file, an import ends in a clean summary or in one BotError naming what was wrong (exit code 2
from the command line, never a traceback and exit 1), and a refused file leaves every table as it was. The
corpus files say what they expect by name: `ok-*` is imported, `refused-*` refused whole, `any-*` either."""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sqlalchemy import select

from bot.wiring.cli import main
from bot.errors import BotError
from bot.imports import text as csv_text
from bot.imports.summary import Summary, as_text
from hostile.hostile_support import CSV_CORPUS, FIELD, FUZZ, FUZZ_APP, corpus_lines, stored
from import_support import command_line, register, run, shopify_file
from bot.models import Code, EngagementStat, Order
from order_files import FOREZIA, RAMKUMAR, line_items, shopify_csv
from registry_support import count

KINDS = (None, "orders", "roster", "stats")
HEADERS = {
    "orders": "order_id,date,amount,code,currency,refunded,utm_campaign,utm_content",
    "roster": "handle,platform,followers,manager,campaign,fee,commission,product_cost,goal_revenue,start,code,url",
    "stats": "handle,campaign,date,post,impressions,reach,likes,comments,shares,saves,clicks,views",
    "shopify": "Name,Created at,Subtotal,Currency,Discount Code,Refunded Amount,Financial Status,Cancelled at,"
               "Note Attributes",
    "woocommerce": "Date,Order #,Net sales,Status,Coupon(s)",
}
GOOD_CELLS = ["1", "2026-03-05", "2026-03-05 10:00:00 -0400", "200.00", "ANA10", "USD", "spring", "ana", "instagram",
              "U0BEN00001", "https://shop.example/p", "paid", "-5", "12k", "10%"]
cells = st.one_of(st.sampled_from(GOOD_CELLS), st.sampled_from(corpus_lines("slash_text.jsonl")),
                  st.sampled_from(corpus_lines("numbers.jsonl")),
                  st.lists(st.sampled_from(list(',;"\'\n\r\t =+-@\x00\ufeffé€🎉\u202e<>&|')), max_size=8).map("".join),
                  st.text(max_size=12))


@pytest.fixture
def spring(roi):
    """The workspace T0001 with the spring campaign, ana and ben, and their codes (as the import tests use)."""
    register(roi)
    return "spring"


def check_summary(summary: Summary) -> None:
    """A summary that adds up, whose rejected rows are real rows with a reason that is safe to show in Slack."""
    assert 0 <= summary.rejected_total <= summary.rows_read
    assert len(summary.rejected) == min(summary.rejected_total, 1000)
    if summary.kind == "orders":
        assert summary.orders + summary.rejected_total <= summary.rows_read
        assert summary.new + summary.updated + summary.unchanged == summary.orders
    for row, reason in summary.rejected:
        assert row >= 2 and reason.strip()
        assert "<!" not in reason and "<@" not in reason, reason
    json.dumps(summary.as_json())
    as_text(summary)


def check_refusal(error: BotError) -> None:
    """One line that names the field (`file`, a column, `--team`), with no Slack markup in it."""
    assert "\n" not in error.message and "Traceback" not in error.message, error.message
    assert FIELD.match(error.message) or "`" in error.message, error.message
    assert "<!" not in error.message and "<@" not in error.message, error.message


def outcome(sessions, data: bytes, *, kind: str | None = None, dry_run: bool = False,
            name: str = "orders.csv") -> Summary | BotError:
    """Import `data`: the checked summary, or the checked refusal after which no table changed."""
    before = stored(sessions)
    try:
        summary = run(sessions, data, kind=kind, dry_run=dry_run, name=name)
    except BotError as error:
        check_refusal(error)
        assert stored(sessions) == before, error.message
        return error
    check_summary(summary)
    if dry_run:
        assert stored(sessions) == before
    return summary


# -- the corpus ----------------------------------------------------------------------------------


def test_each_corpus_file_is_imported_or_refused_whole_as_its_name_says(sessions, spring):
    for path in CSV_CORPUS:
        data = path.read_bytes()
        result = outcome(sessions, data, name=path.name)
        if path.name.startswith("ok-"):
            assert isinstance(result, Summary), f"{path.name}: {result}"
        elif path.name.startswith("refused-"):
            assert isinstance(result, BotError), path.name
            assert result.message.startswith("`file`:"), f"{path.name}: {result.message}"
        for kind in KINDS[1:]:  # told what it must be, whatever it is
            outcome(sessions, data, kind=kind, name=path.name)


@pytest.fixture
def cli(monkeypatch, tmp_path, db_url, spring):
    """The command line on the test database, run from a folder of its own."""
    command_line(monkeypatch, tmp_path, db_url)
    yield tmp_path
    logging.getLogger().handlers[:] = []


def test_each_corpus_file_through_the_command_line_exits_0_or_2_never_1(cli, sessions, capsys):
    for path in CSV_CORPUS:
        own = "roster" if "roster" in path.name else "stats" if "stats" in path.name else None
        for kind in ("orders", own) if own else ("orders",):
            before = stored(sessions)
            code = main(["import", kind, str(path), "--json"])
            out, err = capsys.readouterr()
            assert code in (0, 2), f"{kind} {path.name}: exit {code}\n{err}"
            if code == 2:
                assert err.startswith("roi-bot: ") and len(err.strip().splitlines()) == 1, err
                assert stored(sessions) == before, path.name
            else:
                assert json.loads(out)["kind"] == kind and err == ""


# -- generated files -----------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=600))
@example(b"\xff\xfe")
@example(b"\xfe\xff\x00")
@example(b"\xef\xbb\xbf\x00")
@example(b"order_id,date,amount\n\xc3")
def test_random_bytes_are_imported_or_refused_whole(sessions, spring, data):
    outcome(sessions, data)


@FUZZ
@given(shape=st.sampled_from(sorted(HEADERS)), tail=st.binary(max_size=400))
def test_random_bytes_after_a_valid_header_are_imported_or_refused_whole(sessions, spring, shape, tail):
    outcome(sessions, HEADERS[shape].encode() + b"\n" + tail, dry_run=True)


def written(rows: list[list[str]], header: str, *, quoted: bool) -> str:
    """The file's text: rows properly quoted by the csv module, or pasted together raw (ragged, stray quotes)."""
    if not quoted:
        return "\n".join([header] + [",".join(row) for row in rows]) + "\n"
    out = io.StringIO()
    out.write(header + "\r\n")
    csv.writer(out).writerows(rows)
    return out.getvalue()


@FUZZ_APP
@given(shape=st.sampled_from(sorted(HEADERS)), rows=st.lists(st.lists(cells, max_size=14), max_size=6),
       quoted=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_hostile_cells_under_a_valid_header_are_rejected_row_by_row_or_the_file_refused(sessions, spring, shape, rows,
                                                                                        quoted, encoding):
    text = written(rows, HEADERS[shape], quoted=quoted)
    result = outcome(sessions, text.encode(encoding))
    if quoted and "\x00" not in text:
        # A well-quoted file with the right header is never refused whole: bad cells cost only their row.
        assert isinstance(result, Summary), result


ACCENTED = "order_id,date,amount,code\n1,2026-03-05,200.00,CAFÉ\n2,2026-03-06,50.00,ÜBER-€\n"


@pytest.mark.parametrize(("encoding", "named"), [
    ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32"), ("latin-1", "UTF-8"),
    ("cp1252", "UTF-8"), ("mac-roman", "UTF-8"), ("shift-jis", "UTF-8"),
])
def test_a_file_in_another_encoding_is_refused_whole_naming_the_encoding(sessions, spring, encoding, named):
    text = ACCENTED.replace("€", "")
    if encoding == "shift-jis":
        text = text.replace("CAFÉ", "カフェ").replace("ÜBER-", "X")
    data = text.encode(encoding)

    result = outcome(sessions, data)

    assert isinstance(result, BotError) and named in result.message, result


def test_utf8_and_utf16_with_a_bom_import_the_same(sessions, spring):
    for bom, encoding in ((b"", "utf-8"), (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        summary = outcome(sessions, bom + ACCENTED.encode(encoding), dry_run=True)

        assert isinstance(summary, Summary) and (summary.rows_read, summary.orders, summary.rejected) == (2, 2, [])


def test_a_character_or_line_break_split_across_read_chunks_is_read_whole(sessions, spring):
    for encoding, bom, width in (("utf-8", b"", 1), ("utf-16-le", codecs.BOM_UTF16_LE, 2)):
        for shift in range(-3, 4):
            head = "order_id,date,amount,code\r\n1,2026-03-05,1,"
            pad = (csv_text.CHUNK // width) - len(head) + shift - 2
            data = bom + (head + "A" * pad + "é🎉€\r\n2,2026-03-05,2,X\r\n").encode(encoding)

            summary = outcome(sessions, data, dry_run=True)

            assert isinstance(summary, Summary), (encoding, shift, summary)
            assert (summary.rows_read, summary.orders, summary.rejected) == (2, 2, []), (encoding, shift)


# -- bounds (SPEC §7): dates from 2000-01-01 to 2100-12-31, one order at most 1,000,000,000 ------------------


def shopify_bounds() -> bytes:
    good = line_items("#1", Subtotal="1000000000.00")
    return shopify_csv(good, line_items("#2", 2, Created_at="1999-12-31 23:00:00 +0000"),
                       line_items("#3", Subtotal="1000000000.01"), line_items("#4", Refunded_Amount="1000000000.01"))


BOUNDS = {  # each file: order 1 at the most one order may be, then one bad row per bound (Shopify's #2 spans rows 3-4)
    "csv": ("order_id,date,amount,refunded\n1,2100-12-31,1000000000.00,\n2,0001-01-01,5,\n"
            "3,2026-03-05,1000000000.01,\n4,2026-03-05,5,1000000000.01\n").encode(),
    "woocommerce": ("Date,Order #,Status,Net sales\n2000-01-01,1,Completed,1000000000.00\n"
                    "2101-01-01 00:00:00,2,Completed,5\n2026-03-05,3,Completed,1000000000.01\n"
                    "2026-03-05,4,Completed,5\n2026-03-06,4,Refunded,-1000000000.01\n").encode(),
    "shopify": shopify_bounds(),
}
BAD_ROWS = {"csv": [(3, "`date`"), (4, "`amount`"), (5, "`refunded`")],
            "woocommerce": [(3, "`Date`"), (4, "`Net sales`"), (6, "`Net sales`")],
            "shopify": [(3, "`Created at`"), (5, "`Subtotal`"), (6, "`Refunded Amount`")]}


@pytest.mark.parametrize("fmt", sorted(BOUNDS))
def test_order_rows_outside_the_dates_and_amounts_are_rejected_by_row_and_column_and_the_rest_imported(
        sessions, spring, fmt):
    summary = outcome(sessions, BOUNDS[fmt])

    assert isinstance(summary, Summary) and summary.format == fmt
    assert [(row, reason.split(":")[0]) for row, reason in summary.rejected] == BAD_ROWS[fmt], summary.rejected
    for _row, reason in summary.rejected:
        assert "2000-01-01" in reason or "1,000,000,000" in reason, reason
    with sessions() as session:
        stored_orders = [(o.order_id, o.subtotal, o.refunded)
                         for o in session.scalars(select(Order).order_by(Order.id))]
    assert stored_orders[0] == ("#1" if fmt == "shopify" else "1", 1_000_000_000, 0)
    if fmt == "woocommerce":  # only the refund row was bad: its order stands, without that refund
        assert stored_orders[1:] == [("4", 5, 0)]
    else:
        assert len(stored_orders) == 1
    assert summary.orders == summary.new == len(stored_orders)


def test_roster_and_stats_rows_outside_the_dates_or_with_a_link_that_breaks_slack_markup_are_rejected(
        sessions, spring):
    roster = ("handle,campaign,start,code,url\ncy,spring,1999-12-31,,\ndee,spring,,DEE1,https://x.example/a|b\n"
              "eve,spring,,EVE1,https://eve:secret@x.example/\nfay,spring,2026-03-02,FAY1,https://x.example/f\n")
    summary = outcome(sessions, roster.encode(), kind="roster", name="roster.csv")
    assert [(row, reason.split(":")[0]) for row, reason in summary.rejected] == [(2, "`start`"), (3, "`url`"),
                                                                                 (4, "`url`")]
    assert summary.new == 1 and count(sessions, Code) == 3  # ANA10, BEN5 and FAY1
    stats = "handle,campaign,date,likes\nana,spring,2101-01-01,5\nana,spring,2026-03-05,5\n"
    summary = outcome(sessions, stats.encode(), kind="stats", name="stats.csv")
    assert summary.rejected == [(2, "`date`: 2101-01-01 is after 2100-12-31 — use a date like `2026-03-01` "
                                    "(YYYY-MM-DD), from 2000-01-01 to 2100-12-31")]
    assert count(sessions, EngagementStat) == 1


def test_zero_width_characters_in_cells_neither_make_a_second_order_nor_hide_a_code(sessions, spring):
    first = outcome(sessions, "order_id,date,amount,code\n\ufeffbm2,2026-03-05,100,ANA\ufeff10\n".encode())
    again = outcome(sessions, "order_id,date,amount,code\nbm2,2026-03-05,100,ANA10\n".encode())

    assert (first.new, first.attributed, first.rejected) == (1, 1, [])
    assert (again.new, again.unchanged) == (0, 1)
    with sessions() as session:
        assert [(o.order_id, o.codes, o.attribution) for o in session.scalars(select(Order))] == [
            ("bm2", ",ana10,", "code")]


# -- real Shopify exports, broken at random places -----------------------------------------------


@pytest.fixture(params=[FOREZIA, RAMKUMAR])
def export(request) -> bytes:
    """A real Shopify export from ../shared (a clean skip where it is absent)."""
    return shopify_file(request.param).read_bytes()


MUTATIONS = {
    "truncate": lambda data, at: data[:at],
    "nul": lambda data, at: data[:at] + b"\x00" + data[at:],
    "quote": lambda data, at: data[:at] + b'"' + data[at:],
    "bad-byte": lambda data, at: data[:at] + b"\xff" + data[at:],
    "line-break": lambda data, at: data[:at] + b"\r\n" + data[at:],
    "formula": lambda data, at: data[:at] + b'=HYPERLINK("http://evil.example","x")' + data[at:],
    "drop-byte": lambda data, at: data[:at] + data[at + 1:],
}


@FUZZ_APP
@given(mutation=st.sampled_from(sorted(MUTATIONS)), where=st.floats(min_value=0, max_value=1))
def test_a_real_shopify_export_broken_anywhere_is_imported_or_refused_whole(sessions, spring, export, mutation, where):
    data = MUTATIONS[mutation](export, int(len(export) * where))
    outcome(sessions, data, kind="orders", dry_run=True, name="shopify.csv")
