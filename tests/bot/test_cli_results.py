"""`roi-bot import` and `roi-bot report` from the terminal: summaries, JSON, CSV and exit codes (SPEC §1)."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import date, timedelta

import pytest

from bot.wiring.cli import main
from import_support import command_line, register

ORDERS = ("order_id,date,amount,code\n1,2026-03-05,200.00,ANA10\n2,2026-03-06,50.00,BEN5\n"
          "3,2026-03-07,12x,ANA10\n4,2026-03-08,30.00,\n")


@pytest.fixture
def cli(monkeypatch, tmp_path, db_url, roi):
    """The command line on the test database, after the spring campaign was registered through Slack."""
    command_line(monkeypatch, tmp_path, db_url)
    register(roi)
    (tmp_path / "orders.csv").write_text(ORDERS)
    yield tmp_path
    logging.getLogger().handlers[:] = []


def test_import_prints_the_summary_and_succeeds_despite_rejected_rows(cli, capsys):
    assert main(["import", "orders", "orders.csv"]) == 0
    out = capsys.readouterr().out
    assert "orders 3: new 3" in out and "attributed 2" in out and "row 4:" in out and "`amount`" in out


def test_import_json_is_one_object_with_every_count(cli, capsys):
    assert main(["import", "orders", "orders.csv", "--json", "--team", "T0001"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("rows_read", "orders", "new", "updated", "unchanged", "attributed", "unattributed",
                                 "outside_window", "other_currency")} == {
        "rows_read": 4, "orders": 3, "new": 3, "updated": 0, "unchanged": 0, "attributed": 2, "unattributed": 1,
        "outside_window": 0, "other_currency": 0}
    assert [r["row"] for r in data["rejected"]] == [4]


def test_dry_run_then_real_run(cli, capsys):
    main(["import", "orders", "orders.csv", "--dry-run", "--json"])
    assert json.loads(capsys.readouterr().out)["new"] == 3
    main(["import", "orders", "orders.csv", "--json"])
    assert json.loads(capsys.readouterr().out)["new"] == 3  # the dry run saved nothing


@pytest.mark.parametrize("argv, named", [
    (["import", "orders", "missing.csv"], "FILE"),
    (["import", "orders", "orders.csv", "--team", "T0NOPE"], "--team"),
    (["import", "roster", "orders.csv"], "file"),  # an orders file is not a roster
    (["import", "stats", "orders.csv", "--format", "shopify"], "--format"),
    (["report", "campaign", "sprong"], "spring"),  # did you mean
    (["report", "campaign", "spring", "--from", "2026-13-01"], "--from"),
    (["report", "influencer", "ana", "--csv"], "--csv"),
])
def test_bad_input_exits_2_with_one_line_naming_it(cli, capsys, argv, named):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert named in err and len(err.strip().splitlines()) == 1


def test_a_file_of_unknown_shape_is_refused_whole(cli, capsys):
    (cli / "people.csv").write_text("name,email\nana,a@example.com\n")
    assert main(["import", "orders", "people.csv"]) == 2
    assert "order_id" in capsys.readouterr().err  # says what an orders file needs


def test_report_json_matches_the_imported_orders(cli, capsys):
    main(["import", "orders", "orders.csv"])
    capsys.readouterr()
    assert main(["report", "campaign", "spring", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["revenue"] == 250.0 and data["totals"]["orders"] == 2
    assert {r["handle"]: r["revenue"] for r in data["influencers"]} == {"ana": 200.0, "ben": 50.0}


def test_report_csv_makes_formula_cells_inert(cli, roi, capsys):
    register(roi, ["/influencer add -cmd campaign=spring fee=1"])  # a handle a spreadsheet would run
    assert main(["report", "campaign", "spring", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["handle"] for r in rows} == {"ana", "ben", "'-cmd"}
    assert rows[0]["roi_pct"] != "" and "followers" in rows[0]


def test_report_influencer_json(cli, capsys):
    main(["import", "orders", "orders.csv"])
    capsys.readouterr()
    assert main(["report", "influencer", "@ana", "--campaign", "spring", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["handle"] == "ana" and [c["campaign"] for c in data["campaigns"]] == ["spring"]
    assert data["campaigns"][0]["revenue"] == 200.0


def test_report_without_a_workspace_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["report", "campaign", "spring"]) == 2
    assert "no workspace" in capsys.readouterr().err
    logging.getLogger().handlers[:] = []


def test_report_json_and_the_slack_answer_show_the_same_numbers(cli, roi, slack, capsys):
    main(["import", "orders", "orders.csv"])
    main(["report", "campaign", "spring", "--json"])
    data = json.loads(capsys.readouterr().out.splitlines()[-1])
    [post] = roi.command("/roi campaign spring").posts
    blocks = json.loads(post["blocks"]) if isinstance(post["blocks"], str) else post["blocks"]
    fields = {f["text"].split("\n")[0].strip("*"): f["text"].split("\n")[1] for b in blocks for f in b.get("fields", [])}
    totals = data["totals"]
    assert fields["Revenue"] == f"USD {totals['revenue']:,.2f}" == "USD 250.00"
    assert fields["Cost"] == f"USD {totals['cost']:,.2f}" == "USD 1,620.00"  # 1000 + 100 + 10% of 200, and 500
    assert fields["Profit"] == f"USD {totals['profit']:,.2f}"
    assert fields["ROI · ROAS"] == f"{totals['roi_pct']:.1f}% · {totals['roas']:.2f}x" == "-84.6% · 0.15x"
    assert fields["Orders"] == str(totals["orders"]) == "2"
    [table] = [b for b in blocks if b["type"] == "table"]
    rows = [[c["text"] for c in row] for row in table["rows"][1:]]
    assert [(r[1], r[3], r[4], r[7]) for r in rows] == [
        (i["handle"], f"USD {i['revenue']:,.2f}", f"USD {i['cost']:,.2f}", str(i["orders"])) for i in data["influencers"]]


def test_report_json_reconciles_with_the_import_summary(cli, capsys):
    # Order 2 is credited to ben and refunded in full: attributed by the import, no order in the report.
    (cli / "refunds.csv").write_text("order_id,date,amount,code,refunded\n"
                                     "1,2026-03-05,200.00,ANA10,\n2,2026-03-06,50.00,BEN5,50.00\n3,2026-03-07,40.00,BEN5,10.00\n")
    assert main(["import", "orders", "refunds.csv", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert main(["report", "campaign", "spring", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (summary["attributed"], data["totals"]["orders"], data["excluded"]["not_counted"]) == (3, 2, {"orders": 1})
    assert summary["attributed"] == data["totals"]["orders"] + data["excluded"]["not_counted"]["orders"]


def test_report_json_says_a_campaign_not_started_is_upcoming(cli, roi, capsys):
    # The command line's today is the real one: a campaign a month ahead of it has not started, whenever this runs.
    start = date.today() + timedelta(days=30)
    register(roi, [f"/campaign create later budget=1000 start={start.isoformat()}", "/influencer add ana campaign=later fee=300"])
    assert main(["report", "campaign", "later", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "upcoming"
    assert list(data)[:3] == ["campaign", "currency", "status"]


def test_report_text_shows_a_campaign_not_started_as_such_not_as_a_loss(cli, roi, capsys):
    start = date.today() + timedelta(days=30)
    register(roi, [f"/campaign create later budget=1000 start={start.isoformat()}", "/influencer add ana campaign=later fee=300"])
    assert main(["report", "campaign", "later"]) == 0
    text = capsys.readouterr().out

    assert "upcoming" in text.splitlines()[0]
    assert "not started" in text and "-100" not in text
