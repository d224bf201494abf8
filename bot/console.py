"""`roi-bot console`: type slash commands, see the replies as text; the real app against an in-process stand-in."""

from __future__ import annotations

import sys
from typing import TextIO

from sqlalchemy import select

from bot.app import create_app
from bot.config import Settings
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.render import render_message
from bot.fakeslack.server import FakeSlack
from bot.models import Workspace
from bot.runtime import Runtime
from handlers.parsing import escape_mrkdwn

SECRET = "console-signing-secret"
TOKEN = "xoxb-console-not-a-real-token"
COMMANDS = ("/campaign", "/influencer", "/code", "/roi")
WELCOME = "ROI bot console: type a slash command (/campaign help, /influencer list, …); an empty line or Ctrl-D quits."


def _team(runtime: Runtime) -> str:
    with runtime.sessions() as session:
        teams = list(session.scalars(select(Workspace.team_id).limit(2)))
    return teams[0] if len(teams) == 1 else "T0001"


def run_console(settings: Settings, *, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, user: str = "U0CONSOLE") -> int:
    """Read commands from `stdin` until EOF, print each reply; returns the exit code."""
    runtime = Runtime.build(settings)
    team = _team(runtime)
    with FakeSlack(team_id=team) as slack:
        local = Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=slack.api_url,
                         database_url=settings.database_url, timezone=settings.timezone, admins=settings.admins)
        runtime.settings = local
        driver = SlackDriver(create_app(local, runtime=runtime, synchronous=True), slack, SECRET, team_id=team,
                             user_id=next(iter(settings.admins), user))
        interactive = stdin.isatty()
        if interactive:
            print(WELCOME, file=stdout)
        while True:
            if interactive:
                stdout.write("roi> ")
                stdout.flush()
            line = stdin.readline()
            if not line or (interactive and not line.strip()):
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            command, _, text = line.partition(" ")
            if command not in COMMANDS:
                print(f"Not a ROI bot command: {command}. Try {', '.join(COMMANDS)}.", file=stdout)
                continue
            # Slack escapes what people type before the app sees it; do the same.
            answer = driver.command(f"{command} {escape_mrkdwn(text)}")
            shown = [render_message(m) for m in answer.replies + answer.posts]
            print("\n\n".join(shown) if shown else "(no reply)", file=stdout)
            print(file=stdout)
    runtime.engine.dispose()
    return 0
