"""`roi-bot report campaign|influencer …`: reports on the terminal, as JSON (SPEC §4) or as CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from decimal import Decimal

from bot.config import Settings
from bot.errors import InputError
from bot.registry import lookup
from bot.reports import CampaignReport, campaign_report, influencer_report
from bot.runtime import Runtime
from bot.values import parse_date
from metrics.roi import EnrolmentInput, enrolment_json, enrolment_metrics

# What a spreadsheet runs as a formula when a cell starts with it (OWASP's list for CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _date(value: str | None, flag: str):
    return parse_date(value, flag) if value else None


def run(settings: Settings, args) -> int:
    """Print the report; exit 2 for unknown names or bad dates."""
    date_from, date_to = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if date_from and date_to and date_to < date_from:
        raise InputError("--to", f"{date_to} is before --from {date_from}", "a date on or after --from")
    if args.subject == "influencer" and (args.csv or date_from or date_to):
        raise InputError("--csv/--from/--to", "apply to campaign reports", "`roi-bot report campaign NAME …`")
    runtime = Runtime.build(settings)
    try:
        with runtime.reads.begin() as session:
            ws = lookup.team_workspace(session, args.team)
            if args.subject == "campaign":
                report = campaign_report(session, lookup.campaign(session, ws, args.name), today=runtime.today(),
                                         date_from=date_from, date_to=date_to)
            else:
                person = lookup.influencer(session, ws, args.name.lstrip("@"))
                camp = lookup.campaign(session, ws, args.campaign) if args.campaign else None
                report = influencer_report(session, person, today=runtime.today(), campaign=camp)
    finally:
        runtime.engine.dispose()
    if args.csv:
        sys.stdout.write(as_csv(report))
    elif args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(as_text(report.as_json()))
    return 0


def inert(value) -> str:
    """One CSV cell: text a spreadsheet would run as a formula gets a leading `'`; numbers stay as they are."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def as_csv(report: CampaignReport) -> str:
    """`report campaign NAME --csv`: the influencer rows, one line each, with every cell made inert."""
    columns = ["handle", "platform", "tier", "followers", "status",
               *enrolment_json(enrolment_metrics(EnrolmentInput(Decimal(0), 0)))]
    out = io.StringIO()
    # CRLF as RFC 4180 has it; with a bare "\n" terminator the csv module leaves a lone "\r" in a cell unquoted,
    # and a spreadsheet starts a new row there, a row whose first cell nothing made inert.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in report.rows:
        data = row.as_json()
        writer.writerow([inert(data[column]) for column in columns])
    return out.getvalue()


def as_text(data: dict) -> str:
    """A compact terminal rendering of a report's JSON (money to the cent, `n/a` for undefined ratios)."""
    def money(value) -> str:
        return f"{value:,.2f}"

    def ratio(value, suffix: str) -> str:
        return "n/a" if value is None else f"{value:,.2f}{suffix}"

    def row_line(label: str, row: dict, started: bool = True) -> str:
        roi, roas = (ratio(row["roi_pct"], "%"), ratio(row["roas"], "x")) if started else ("not started",) * 2
        return (f"  {label:<24} revenue {money(row['revenue']):>14}  cost {money(row['cost']):>12}  "
                f"ROI {roi:>11}  ROAS {roas:>11}  orders {row['orders']:>7,}  {row['status']}")

    if "totals" in data:
        t, started = data["totals"], data.get("status") != "upcoming"  # a campaign not started yet is no loss
        lines = [f"{data['campaign']} ({data['currency']}, {data.get('status', '')}), "
                 f"{data['from'] or 'start'} → {data['to'] or 'today'}",
                 f"  revenue {money(t['revenue'])}  cost {money(t['cost'])}  profit {money(t['profit'])}  "
                 f"ROI {ratio(t['roi_pct'], '%') if started else 'not started'}  "
                 f"ROAS {ratio(t['roas'], 'x') if started else 'not started'}  orders {t['orders']:,}  "
                 f"budget used {ratio(t['budget_used_pct'], '%')}"]
        lines += [row_line(row["handle"], row, started) for row in data["influencers"]]
    else:
        lines = [f"{data['handle']} ({data['platform']}, {data['tier']})"]
        lines += [row_line(row["campaign"], row) for row in data["campaigns"]]
    return "\n".join(lines)
