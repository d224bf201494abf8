"""`roi-bot demo`: run a built-in workspace through the real app against an in-process Slack stand-in, offline,
and write what Slack would show (readable text plus Block Kit JSON) into a folder."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path

from bot.app import create_app
from bot.config import Settings
from bot import demo_orders
from bot.db import make_engine, make_sessions, upgrade
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.render import render_message
from bot.fakeslack.server import FakeSlack
from bot.runtime import Runtime

SECRET = "demo-signing-secret"
TOKEN = "xoxb-demo-not-a-real-token"
TEAM = "T0DEMO"
MARKETER = "U0MARKETER"
DEMO_NOW = datetime(2026, 3, 16, 9, 30, tzinfo=timezone.utc)
_DIRECTIVE = re.compile(r"^(?:as (?P<user>[UW]\w+):\s*)?(?:in (?P<channel>[CDG]\w+):\s*)?(?P<line>/.+|share \S+)$")
# The files the demo shares with the bot, generated from a seed (bot.demo_orders) so numbers never drift.
DEMO_FILES = {"shopify_orders_export.csv": demo_orders.orders_csv, "engagement_stats.csv": demo_orders.stats_csv}


def demo_lines(name: str = "registration.txt") -> list[str]:
    """The demo's commands, without comments and blank lines."""
    text = files("bot.demo_data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _slug(line: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", line.lower()).strip("-").split("-")
    return "-".join(words[:5])[:48]


def _share(driver: SlackDriver, slack: FakeSlack, out: Path, name: str):
    """Share one of the demo's files in the marketer's DM with the bot, as someone would drag it into Slack."""
    data = DEMO_FILES[name]().encode()
    (out / "files").mkdir(exist_ok=True)
    (out / "files" / name).write_bytes(data)
    file_id = slack.next_id("F")
    slack.add_file(file_id, data, name=name, user=driver.user_id)
    return driver.share_file(file_id)


def run_demo(out: Path) -> list[Path]:
    """Build the demo database in `out`, run every demo command, and write the answers; returns the files written."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "messages").mkdir(parents=True)
    engine = make_engine(f"sqlite:///{(out / 'roi.db').resolve()}")
    upgrade(engine)
    written: list[Path] = []
    index = ["# ROI bot demo", "",
             f"What Slack would show, as of {DEMO_NOW:%Y-%m-%d %H:%M} UTC: each exchange as text below and as Block Kit "
             "JSON in `messages/`, the charts the bot uploads in `charts/`, the files shared with it in `files/`, "
             "and the database in `roi.db`.", ""]
    with FakeSlack(team_id=TEAM, team_name="Glow & Co") as slack:
        slack.channels = [{"id": "C0GROWTH", "name": "growth"}, {"id": "C0GENERAL", "name": "general"}]
        slack.users = [{"id": "U0MANAGER", "name": "lena", "real_name": "Lena Park"}, {"id": MARKETER, "name": "sam", "real_name": "Sam Ortiz"}]
        names = {c["id"]: c["name"] for c in slack.channels + slack.users}
        settings = Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=slack.api_url, database_url=str(engine.url))
        runtime = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine), clock=lambda: DEMO_NOW)
        driver = SlackDriver(create_app(settings, runtime=runtime, synchronous=True), slack, SECRET,
                             team_id=TEAM, user_id=MARKETER, channel_id="C0GENERAL")
        charts = 0
        for n, raw in enumerate(demo_lines(), start=1):
            match = _DIRECTIVE.match(raw)
            line = match.group("line")
            seen_uploads = set(slack.uploads)
            if line.startswith("share "):
                answer = _share(driver, slack, out, line.split()[1])
            else:
                answer = driver.command(line, user=match.group("user"), channel=match.group("channel"))
            stem = out / "messages" / f"{n:02d}-{_slug(line)}"
            messages = answer.replies + answer.posts
            shown = "\n\n".join(render_message(m, names) for m in messages) or "(no answer)"
            for file_id in [f for f in slack.uploads if f not in seen_uploads]:
                charts += 1
                upload = slack.uploads[file_id]
                png = out / "charts" / f"{n:02d}-{charts}-{Path(upload['filename']).name}"
                png.parent.mkdir(exist_ok=True)
                png.write_bytes(upload["bytes"])
                written.append(png)
                shown += f"\n[chart: {upload['title']} → charts/{png.name}]"
            stem.with_suffix(".txt").write_text(f"> {line}\n\n{shown}\n", encoding="utf-8")
            stem.with_suffix(".json").write_text(json.dumps(messages, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            written += [stem.with_suffix(".txt"), stem.with_suffix(".json")]
            index += [f"## {n}. `{line}`", "", "```", shown, "```", ""]
    engine.dispose()
    (out / "README.md").write_text("\n".join(index), encoding="utf-8")
    return [out / "README.md", *written]
