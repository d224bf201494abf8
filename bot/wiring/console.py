"""`roi-bot console`: type slash commands, see the replies as text; the real app against an in-process stand-in.

The stand-in is a pretend workspace with the demo's channels and people (bot.wiring.demo), so that the demo's own
commands (`channel=#growth`, `manager=@lena`) work as typed there. The console's clock stands at `--today` when
given, else at the moment the database describes when it keeps one (the demo's does, bot.meta), else it is the real
clock: on the demo's database the console answers as of the demo's day, as roi-demo/README.md shows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from bot import meta
from bot.config import Settings
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.render import render_message
from bot.fakeslack.server import FakeSlack
from bot.models import Workspace, utcnow
from bot.runtime import Runtime
from bot.values import esc
from bot.wiring import demo
from bot.wiring.app import create_app

SECRET = "console-signing-secret"
TOKEN = "xoxb-console-not-a-real-token"
COMMANDS = ("/campaign", "/influencer", "/code", "/roi")
QUIT = ("quit", "exit")
HELP = ("help", "?")
YOU = "you"


def _team(runtime: Runtime) -> str:
    with runtime.sessions() as session:
        teams = list(session.scalars(select(Workspace.team_id).limit(2)))
    return teams[0] if len(teams) == 1 else "T0001"


def _clock(runtime: Runtime, today: date | None) -> tuple[Callable[[], datetime], str]:
    """The console's clock, and where its date comes from, in words."""
    if today is not None:
        moment = datetime.combine(today, datetime.now(runtime.settings.tz).timetz())
        return (lambda: moment), "from --today"
    with runtime.reads.begin() as session:
        stored = meta.as_of(session)
    if stored is not None:
        return (lambda: stored), "the day this database describes; `--today DATE` picks another"
    return utcnow, "today; `--today DATE` picks another day"


def _welcome(slack: FakeSlack, user: str, channel: str, today: date, source: str) -> str:
    """What the console says on start and to `help`: the date, the pretend workspace, and what to type."""
    names = slack.names
    people = ", ".join(f"@{u['name']}" + (f" ({u['real_name']})" if u.get("real_name") else "") for u in slack.users)
    return (f"ROI bot console, as of {today:%Y-%m-%d} ({source}).\n"
            f"You are @{names[user]}, typing in #{names[channel]}. "
            f"Channels: {', '.join(sorted('#' + c['name'] for c in slack.channels))}. People: {people}.\n"
            "Type a slash command (/campaign help, /roi campaign spring, …), or `share FILE.csv` to import a file as "
            "if shared in a DM with the bot; `help` shows this again; `quit`, `exit` or Ctrl-D leaves.")


def _share(driver: SlackDriver, slack: FakeSlack, path: str):
    """Hand a local CSV to the app the way Slack delivers a file shared in a DM."""
    file = Path(path).expanduser()
    if not file.is_file():
        return None
    file_id = slack.new_file_id()  # not next_id: that starts again at F0000001 in every session
    slack.add_file(file_id, file.read_bytes(), name=file.name, user=driver.user_id)
    return driver.share_file(file_id)


def _send(driver: SlackDriver, slack: FakeSlack, line: str) -> list[dict] | str:
    """The messages one typed line made Slack show, or why nothing was sent."""
    command, _, text = line.partition(" ")
    if command == "share":
        answer = _share(driver, slack, text.strip())
        if answer is None:
            return f"No such file: {text.strip()}"
    elif command not in COMMANDS:
        return f"Not a ROI bot command: {command}. Try {', '.join(COMMANDS)}, share FILE.csv, help or quit."
    else:
        # Slack escapes what people type before the app sees it; do the same.
        answer = driver.command(f"{command} {esc(text)}")
    return answer.replies + answer.posts


def _write_new(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` into a file that did not exist yet: `name`, else `name` with -2, -3, … before its suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    attempt = 1
    while True:
        path = folder / (name if attempt == 1 else f"{stem}-{attempt}{suffix}")
        try:
            with path.open("xb") as file:  # "x": fails rather than overwrite, even against another session
                file.write(data)
            return path
        except FileExistsError:
            attempt += 1


def _save_charts(slack: FakeSlack, seen: set[str], charts_dir: Path) -> list[str]:
    saved = []
    for file_id, upload in list(slack.uploads.items()):
        if file_id in seen:
            continue
        seen.add(file_id)
        # Named by the real time it was saved: the stand-in's file ids start again at F0000001 in every session.
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = _write_new(charts_dir, f"{stamp}-{Path(upload['filename']).name}", upload["bytes"])
        saved.append(f"[chart: {upload['title']} saved to {path}]")
    return saved


def run_console(settings: Settings, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
                user: str = "U0CONSOLE", charts_dir: Path = Path("roi-charts"), today: date | None = None) -> int:
    """Read commands from `stdin` until `quit` or end of input, print each reply (charts saved as PNG); returns
    the exit code. `today` sets the console's date (default: the database's own, else the real one)."""
    # Looked up when called, not when defined: whoever runs this may have replaced them (a test, a wrapper).
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    runtime = Runtime.build(settings)
    runtime.clock, source = _clock(runtime, today)
    team = _team(runtime)
    user = min(settings.admins, default=user)  # with ROI_ADMINS set, act as an admin, so changes are allowed
    with FakeSlack(team_id=team) as slack:
        slack.channels, slack.users = [dict(c) for c in demo.CHANNELS], [dict(u) for u in demo.USERS]
        slack.add_member(user, YOU, "you, at the console")
        local = Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=slack.api_url,
                         database_url=settings.database_url, timezone=settings.timezone, admins=settings.admins)
        runtime.settings = local
        driver = SlackDriver(create_app(local, runtime=runtime, synchronous=True), slack, SECRET, team_id=team,
                             user_id=user, channel_id=demo.GENERAL)
        welcome = _welcome(slack, user, demo.GENERAL, runtime.today(), source)
        seen: set[str] = set()
        interactive = stdin.isatty()
        if interactive:
            print(welcome, file=stdout)
        while True:
            if interactive:
                stdout.write("roi> ")
                stdout.flush()
            line = stdin.readline()
            if not line:  # end of input: Ctrl-D at the prompt
                if interactive:
                    print(file=stdout)  # the shell's prompt then starts on a line of its own
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.lower() in QUIT:
                break
            if line.lower() in HELP:
                print(welcome, file=stdout)
                continue
            sent = _send(driver, slack, line)
            if isinstance(sent, str):
                print(sent, file=stdout)
                continue
            shown = [render_message(m, slack.names) for m in sent] + _save_charts(slack, seen, charts_dir)
            print("\n\n".join(shown) if shown else "(no reply)", file=stdout)
            print(file=stdout)
    runtime.engine.dispose()
    return 0
