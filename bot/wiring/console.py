"""`roi-bot console`: type slash commands, see the replies as text; the real app against an in-process stand-in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from bot.config import Settings
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.render import render_message
from bot.fakeslack.server import FakeSlack
from bot.models import Workspace
from bot.runtime import Runtime
from bot.values import esc
from bot.wiring.app import create_app

SECRET = "console-signing-secret"
TOKEN = "xoxb-console-not-a-real-token"
COMMANDS = ("/campaign", "/influencer", "/code", "/roi")
WELCOME = ("ROI bot console: type a slash command (/campaign help, /roi campaign spring, …), or `share FILE.csv` to "
           "import a file as if shared in a DM with the bot; an empty line or Ctrl-D quits.")


def _team(runtime: Runtime) -> str:
    with runtime.sessions() as session:
        teams = list(session.scalars(select(Workspace.team_id).limit(2)))
    return teams[0] if len(teams) == 1 else "T0001"


def _share(driver: SlackDriver, slack: FakeSlack, path: str):
    """Hand a local CSV to the app the way Slack delivers a file shared in a DM."""
    file = Path(path).expanduser()
    if not file.is_file():
        return None
    file_id = slack.new_file_id()  # not next_id: that starts again at F0000001 in every session
    slack.add_file(file_id, file.read_bytes(), name=file.name, user=driver.user_id)
    return driver.share_file(file_id)


def _save_charts(slack: FakeSlack, seen: set[str], charts_dir: Path) -> list[str]:
    saved = []
    for file_id, upload in list(slack.uploads.items()):
        if file_id in seen:
            continue
        seen.add(file_id)
        charts_dir.mkdir(parents=True, exist_ok=True)
        path = charts_dir / f"{file_id}-{Path(upload['filename']).name}"
        path.write_bytes(upload["bytes"])
        saved.append(f"[chart: {upload['title']} saved to {path}]")
    return saved


def run_console(settings: Settings, *, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, user: str = "U0CONSOLE",
                charts_dir: Path = Path("roi-charts")) -> int:
    """Read commands from `stdin` until EOF, print each reply (charts saved as PNG); returns the exit code."""
    runtime = Runtime.build(settings)
    team = _team(runtime)
    with FakeSlack(team_id=team) as slack:
        local = Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=slack.api_url,
                         database_url=settings.database_url, timezone=settings.timezone, admins=settings.admins)
        runtime.settings = local
        driver = SlackDriver(create_app(local, runtime=runtime, synchronous=True), slack, SECRET, team_id=team,
                             user_id=next(iter(settings.admins), user))
        seen: set[str] = set()
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
            if command == "share":
                answer = _share(driver, slack, text.strip())
                if answer is None:
                    print(f"No such file: {text.strip()}", file=stdout)
                    continue
            elif command not in COMMANDS:
                print(f"Not a ROI bot command: {command}. Try {', '.join(COMMANDS)} or share FILE.csv.", file=stdout)
                continue
            else:
                # Slack escapes what people type before the app sees it; do the same.
                answer = driver.command(f"{command} {esc(text)}")
            shown = [render_message(m) for m in answer.replies + answer.posts]
            shown += _save_charts(slack, seen, charts_dir)
            print("\n\n".join(shown) if shown else "(no reply)", file=stdout)
            print(file=stdout)
    runtime.engine.dispose()
    return 0
