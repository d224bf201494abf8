"""The `roi-bot` command line (SPEC §1): serve, socket, scheduler, jobs, db upgrade, demo, console, import, report,
store."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from bot import logs
from bot.config import Settings
from bot.errors import BotError

log = logging.getLogger("roi.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roi-bot", description="ROI bot: which influencers make you money, in Slack.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="HTTP mode: POST /slack/events, the store webhooks and GET /health")
    serve.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="interface to listen on (default: all)")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs in this process")

    socket = sub.add_parser("socket", help="Socket Mode, for running without a public URL")
    socket.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs in this process")

    sub.add_parser("scheduler", help="run only the scheduled jobs (digests and the underperformer scan)")

    jobs = sub.add_parser("jobs", help="list the scheduled jobs or run one now")
    jobs_sub = jobs.add_subparsers(dest="action", required=True, metavar="ACTION")
    jobs_sub.add_parser("list", help="every scheduled job with its next run time")
    run = jobs_sub.add_parser("run", help="run a job now: a campaign's digest, or the underperformer scan")
    run.add_argument("job", choices=["digest", "alerts"])
    run.add_argument("--campaign", help="campaign NAME (required for a digest)")
    run.add_argument("--team", help="Slack team id (needed when the database holds several workspaces)")
    run.add_argument("--force", action="store_true", help="post the digest even if this period's was posted already")

    database = sub.add_parser("db", help="database maintenance")
    database.add_argument("action", choices=["upgrade"], help="apply schema migrations")

    demo = sub.add_parser("demo", help="run the offline demo and write what Slack would show")
    demo.add_argument("--out", type=Path, default=Path("roi-demo"), help="output folder (default: ./roi-demo)")

    console = sub.add_parser("console", help="type slash commands and see the replies in the terminal")
    console.add_argument("--today", metavar="DATE", help="answer as of this day, YYYY-MM-DD (default: the day the "
                         "database describes, as the demo's does, else today)")

    imports = sub.add_parser("import", help="import orders, engagement stats or a roster from a CSV file")
    imports.add_argument("kind", choices=["orders", "stats", "roster"])
    imports.add_argument("file", type=Path)
    imports.add_argument("--format", choices=["shopify", "woocommerce", "csv"], help="order export format (default: from the header)")
    imports.add_argument("--team", help="Slack team id (needed when the database holds several workspaces)")
    imports.add_argument("--dry-run", action="store_true", help="check and count, save nothing")
    imports.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    report = sub.add_parser("report", help="a campaign's or an influencer's numbers")
    report.add_argument("subject", choices=["campaign", "influencer"])
    report.add_argument("name", help="campaign NAME or influencer HANDLE")
    report.add_argument("--campaign", help="with `influencer`: only this campaign")
    report.add_argument("--team", help="Slack team id (needed when the database holds several workspaces)")
    report.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (campaign reports)")
    report.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (campaign reports)")
    shape = report.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print one JSON object")
    shape.add_argument("--csv", action="store_true", help="print the influencer rows as CSV")
    _store_parser(sub)
    return parser


def _store_parser(sub) -> None:
    store = sub.add_parser("store", help="connect Shopify or WooCommerce stores, list them, pull their orders now")
    store_sub = store.add_subparsers(dest="action", required=True, metavar="ACTION")
    team = "Slack team id (needed when the database holds several workspaces)"
    for action, text in (("connect", "connect the store the environment or stdin (NAME=value lines) describes"),
                         ("disconnect", "disconnect the workspace's store of that kind (its orders stay)")):
        parser = store_sub.add_parser(action, help=text)
        parser.add_argument("kind", choices=["shopify", "woocommerce"])
        parser.add_argument("--team", help=team)
    listing = store_sub.add_parser("list", help="every connected store, its status, last delivery and last sync")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    pull = store_sub.add_parser("sync", help="pull the orders created or updated since the last sync")
    pull.add_argument("--team", help=team)
    pull.add_argument("--since", metavar="DATE", help="from this day, YYYY-MM-DD (default: since the last sync)")
    pull.add_argument("--json", action="store_true", help="print each store's summary as one JSON object")


def _terminated(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def _with_scheduler(app, args, run) -> int:
    """Run `run()` with the chart workers and, unless --no-scheduler, the scheduled jobs beside it."""
    from bot.wiring.scheduler import Scheduler
    from bot.wiring.app import chart_pool

    # A process manager stops the app with SIGTERM: leave through the `finally` below, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _terminated)
    chart_pool.start(app.roi_runtime.settings.chart_workers)
    scheduler = None if args.no_scheduler else Scheduler(app.roi_runtime).start()
    try:
        run()
    finally:
        if scheduler is not None:
            scheduler.shutdown()
        chart_pool.stop()
    return 0


def _serve(settings: Settings, args) -> int:
    from bot.wiring.app import create_app
    from bot.wiring.web import serve

    settings.require("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
    port = args.port or settings.port
    if not 0 < port < 65536:
        raise BotError(f"--port must be from 1 to 65535, not {port}")
    app = create_app(settings)
    _connect_stores(app.roi_runtime)
    return _with_scheduler(app, args, lambda: serve(app, host=args.host, port=port))


def _connect_stores(runtime) -> None:
    """SPEC §8: with the store variables set and one workspace in the database, that workspace is connected."""
    from bot.stores.connections import configured, connect_configured

    if configured(runtime.settings):
        with runtime.sessions.begin() as session:
            connect_configured(session, runtime.settings)


def _socket(settings: Settings, args) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.wiring.app import create_app

    settings.require("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN")
    app = create_app(settings)
    return _with_scheduler(app, args, lambda: SocketModeHandler(app, settings.app_token).start())


def _scheduler(settings: Settings, args) -> int:
    from bot.wiring.jobs_cli import run_scheduler

    return run_scheduler(settings)


def _jobs(settings: Settings, args) -> int:
    from bot.wiring.jobs_cli import list_jobs, run_job

    return list_jobs(settings) if args.action == "list" else run_job(settings, args)


def _db(settings: Settings, args) -> int:
    from bot.db import make_engine, upgrade

    revision = upgrade(make_engine(settings.database_url))
    print(f"database is at revision {revision}")
    return 0


def _demo(settings: Settings, args) -> int:
    from bot.wiring.demo import run_demo

    written = run_demo(args.out)
    print(f"Demo written to {args.out}/ — open {args.out / 'README.md'} first ({len(written)} files).")
    return 0


def _console(settings: Settings, args) -> int:
    from bot.values import parse_date
    from bot.wiring.console import run_console

    today = parse_date(args.today, "--today") if args.today is not None else None
    return run_console(settings, today=today)


def _import(settings: Settings, args) -> int:
    from bot.wiring.imports_cli import run

    return run(settings, args)


def _report(settings: Settings, args) -> int:
    from bot.wiring.reports_cli import run

    return run(settings, args)


def _store(settings: Settings, args) -> int:
    from bot.wiring.stores_cli import run

    return run(settings, args)


COMMANDS = {"serve": _serve, "socket": _socket, "scheduler": _scheduler, "jobs": _jobs, "db": _db, "demo": _demo,
            "console": _console, "import": _import, "report": _report, "store": _store}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `roi-bot` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    # The servers log each request; the offline tools keep the terminal for their own output.
    quiet = args.command in ("demo", "console", "db", "import", "report", "jobs", "store")
    level = logging.WARNING if quiet else logging.INFO
    secrets: list[str] = []
    try:
        # Redact token shapes from the start: reading the settings can fail too, before their values are known.
        logs.configure(secrets, level=level)
        settings = Settings.from_env()
        secrets = settings.secrets()
        logs.configure(secrets, level=level)
        return COMMANDS[args.command](settings, args)
    except BotError as error:
        # A message may quote what was typed or set, e.g. a token pasted into ROI_ADMINS.
        print(f"roi-bot: {logs.Redactor(secrets).redact(error.message)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("roi-bot %s failed", args.command)
        return 1


if __name__ == "__main__":
    sys.exit(main())
