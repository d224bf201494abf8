"""The `roi-bot` command line (SPEC §1): serve, socket, db upgrade, demo, console, import, report."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot import logs
from bot.config import Settings
from bot.errors import BotError

log = logging.getLogger("roi.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roi-bot", description="ROI bot: which influencers make you money, in Slack.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="HTTP mode: POST /slack/events and GET /health")
    serve.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="interface to listen on (default: all)")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs in this process")

    socket = sub.add_parser("socket", help="Socket Mode, for running without a public URL")
    socket.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs in this process")

    database = sub.add_parser("db", help="database maintenance")
    database.add_argument("action", choices=["upgrade"], help="apply schema migrations")

    demo = sub.add_parser("demo", help="run the offline demo and write what Slack would show")
    demo.add_argument("--out", type=Path, default=Path("roi-demo"), help="output folder (default: ./roi-demo)")

    sub.add_parser("console", help="type slash commands and see the replies in the terminal")

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
    return parser


def _serve(settings: Settings, args) -> int:
    from bot.app import create_app
    from bot.web import serve

    settings.require("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
    port = args.port or settings.port
    if not 0 < port < 65536:
        raise BotError(f"--port must be from 1 to 65535, not {port}")
    serve(create_app(settings), host=args.host, port=port)
    return 0


def _socket(settings: Settings, args) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    settings.require("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN")
    app = create_app(settings)
    SocketModeHandler(app, settings.app_token).start()
    return 0


def _db(settings: Settings, args) -> int:
    from bot.db import make_engine, upgrade

    revision = upgrade(make_engine(settings.database_url))
    print(f"database is at revision {revision}")
    return 0


def _demo(settings: Settings, args) -> int:
    from bot.demo import run_demo

    written = run_demo(args.out)
    print(f"Demo written to {args.out}/ — open {args.out / 'README.md'} first ({len(written)} files).")
    return 0


def _console(settings: Settings, args) -> int:
    from bot.console import run_console

    return run_console(settings)


def _import(settings: Settings, args) -> int:
    from bot.imports.cli import run

    return run(settings, args)


def _report(settings: Settings, args) -> int:
    from bot.reports_cli import run

    return run(settings, args)


COMMANDS = {"serve": _serve, "socket": _socket, "db": _db, "demo": _demo, "console": _console,
            "import": _import, "report": _report}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `roi-bot` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        # The servers log each request; the offline tools keep the terminal for their own output.
        quiet = args.command in ("demo", "console", "db", "import", "report")
        logs.configure(settings.secrets(), level=logging.WARNING if quiet else logging.INFO)
        return COMMANDS[args.command](settings, args)
    except BotError as error:
        print(f"roi-bot: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("roi-bot %s failed", args.command)
        return 1


if __name__ == "__main__":
    sys.exit(main())
