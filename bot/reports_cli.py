"""`roi-bot report campaign|influencer …`: reports on the terminal, as JSON (SPEC §4) or as CSV."""

from __future__ import annotations

import json
import sys

from bot.config import Settings
from bot.errors import InputError
from bot.imports.run import pick_workspace
from bot.registry import lookup
from bot.reports import campaign_report, influencer_report
from bot.runtime import Runtime
from handlers.values import parse_date


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
        with runtime.sessions.begin() as session:
            ws = pick_workspace(session, args.team)
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
        sys.stdout.write(report.as_csv())
    elif args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(as_text(report.as_json()))
    return 0


def as_text(data: dict) -> str:
    """A compact terminal rendering of a report's JSON."""
    def num(value, suffix=""):
        return "n/a" if value is None else f"{value:,}{suffix}"

    if "totals" in data:
        t = data["totals"]
        lines = [f"{data['campaign']} ({data['currency']}) {data['from'] or 'start'} → {data['to'] or 'today'}",
                 f"  revenue {num(t['revenue'])}  cost {num(t['cost'])}  profit {num(t['profit'])}  "
                 f"ROI {num(t['roi_pct'], '%')}  ROAS {num(t['roas'], 'x')}  orders {t['orders']:,}  "
                 f"budget used {num(t['budget_used_pct'], '%')}"]
        rows = data["influencers"]
    else:
        lines = [f"{data['handle']} ({data['platform']}, {data['tier']})"]
        rows = data["campaigns"]
    for row in rows:
        label = row.get("campaign", row["handle"])
        lines.append(f"  {label:<24} revenue {num(row['revenue']):>14}  cost {num(row['cost']):>12}  "
                     f"ROI {num(row['roi_pct'], '%'):>10}  orders {row['orders']:>6,}  {row['status']}")
    return "\n".join(lines)
