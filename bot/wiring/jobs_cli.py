"""`roi-bot scheduler` and `roi-bot jobs list|run …` (SPEC §1, §5, §6)."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from bot.config import Settings
from bot.errors import BotError, InputError
from bot.jobs import alerts, digests
from bot.registry import lookup
from bot.runtime import Runtime
from bot.wiring.app import posting, sending
from bot.wiring.scheduler import Scheduler, last_posted, plan

log = logging.getLogger("roi.scheduler")


def run_scheduler(settings: Settings) -> int:
    """Run only the scheduled jobs until SIGINT/SIGTERM."""
    settings.require("SLACK_BOT_TOKEN")
    runtime = Runtime.build(settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = Scheduler(runtime).start()
    try:
        stop.wait()
    finally:
        scheduler.shutdown()
        runtime.engine.dispose()
    log.info("scheduler stopped")
    return 0


def _when(moment, tz) -> str:
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z") if moment else "–"


def list_jobs(settings: Settings) -> int:
    """Print every scheduled job with its next run time, then the campaigns that have none and why."""
    runtime = Runtime.build(settings)
    try:
        planned, idle = plan(runtime)
        posted = last_posted(runtime)
    finally:
        runtime.engine.dispose()
    tz = settings.tz
    rows = [("JOB", "TEAM", "CAMPAIGN", "SCHEDULE", f"NEXT RUN ({settings.timezone})", "LAST DIGEST")]
    for p in planned:
        kind = "alerts" if p.campaign_id is None else "digest"
        rows.append((kind, p.team or "all", p.campaign or "–", p.schedule, _when(p.next_run, tz),
                     _when(posted.get(p.campaign_id), tz) if p.campaign_id is not None else "–"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if idle:
        print("\nNo scheduled digest:")
        for team, name, why in idle:
            print(f"  {name} ({team}): {why}")
    return 0


def run_job(settings: Settings, args) -> int:
    """`jobs run digest --campaign NAME [--team T] [--force]` and `jobs run alerts [--campaign NAME] [--team T]`."""
    if args.job == "digest" and not args.campaign:
        raise InputError("--campaign", "is required for a digest", "`roi-bot jobs run digest --campaign NAME`")
    if args.job == "alerts" and args.force:
        raise InputError("--force", "only applies to digests", "`roi-bot jobs run alerts [--campaign NAME] [--team T]`")
    settings.require("SLACK_BOT_TOKEN")
    runtime = Runtime.build(settings)
    try:
        with runtime.reads.begin() as session:
            ws = lookup.team_workspace(session, args.team)
            camp = lookup.campaign(session, ws, args.campaign) if args.campaign else None
            camp_id, ws_id = (camp.id if camp else None), ws.id
        if args.job == "digest":
            return _digest(runtime, camp_id, force=args.force)
        return _alerts(runtime, ws_id, camp_id)
    finally:
        runtime.engine.dispose()


def _digest(runtime: Runtime, camp_id: int, *, force: bool) -> int:
    outcome = posting.by_hand(runtime, camp_id, force=force)
    if outcome.status == digests.SKIPPED:
        raise BotError(outcome.detail)
    if outcome.status == digests.FAILED:
        print(f"roi-bot: {outcome.detail}", file=sys.stderr)
        return 1
    print(outcome.detail + ".")
    return 0


def _alerts(runtime: Runtime, ws_id: int, camp_id: int | None) -> int:
    sent = sending.scan(runtime, workspace_id=ws_id, campaign_id=camp_id)
    if not sent:
        print("Nobody is flagged today: no alerts sent.")
        return 0
    for item in sent:
        who = f"{item.handle} in {item.campaign}" if item.handle else f"campaign {item.campaign}"
        print(f"{item.status:8} {who}: {item.detail}")
    counts = {status: sum(1 for s in sent if s.status == status) for status in dict.fromkeys(s.status for s in sent)}
    print("Alerts: " + ", ".join(f"{n} {status}" for status, n in counts.items()) + ".")
    return 1 if any(s.status == alerts.FAILED for s in sent) else 0
