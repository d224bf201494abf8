"""The `roi-bot` command line (SPEC §1): serve, socket, db upgrade, demo, console."""

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


COMMANDS = {"serve": _serve, "socket": _socket, "db": _db, "demo": _demo, "console": _console}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `roi-bot` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        # The servers log each request; the offline tools keep the terminal for their own output.
        quiet = args.command in ("demo", "console", "db")
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
