"""`roi-bot demo`: run a built-in workspace through the real app against an in-process Slack stand-in, offline,
and write what Slack would show (readable text plus Block Kit JSON) into a folder.

`messages/` keeps each exchange's Web API calls as sent; `block-kit-builder/` holds each message's blocks alone, the
`{"blocks": [...]}` that Slack's Block Kit Builder takes when pasted in."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select

from bot import demo_orders, meta
from bot.config import Settings
from bot.db import make_engine, make_sessions, upgrade
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.render import render_message
from bot.fakeslack.server import Call, FakeSlack
from bot.jobs import alerts, digests
from bot.models import Alert, Campaign, Workspace
from bot.runtime import Runtime
from bot.wiring.app import create_app, posting, sending

SECRET = "demo-signing-secret"
TOKEN = "xoxb-demo-not-a-real-token"
TEAM = "T0DEMO"
MARKETER = "U0MARKETER"
DEMO_NOW = datetime(2026, 3, 16, 9, 30, tzinfo=timezone.utc)
# The demo workspace's channels and people; `roi-bot console` has them too, so the demo's commands work there.
GENERAL = "C0GENERAL"
CHANNELS = ({"id": "C0GROWTH", "name": "growth"}, {"id": GENERAL, "name": "general"})
USERS = ({"id": "U0MANAGER", "name": "lena", "real_name": "Lena Park"},
         {"id": MARKETER, "name": "sam", "real_name": "Sam Ortiz"})
# A slash command or a shared file (typed by the marketer unless "as Uxxx:", from #general unless "in Cxxx:"),
# a scheduled job run now ("job digest NAME", "job alerts"), or a click on the first alert the last scan sent.
_DIRECTIVE = re.compile(r"^(?:as (?P<user>[UW]\w+):\s*)?(?:in (?P<channel>[CDG]\w+):\s*)?"
                        r"(?P<line>/.+|share \S+|job digest \S+|job alerts|click roi_(?:cut|keep|snooze))$")
# The files the demo shares with the bot, generated from a seed (bot.demo_orders) so numbers never drift.
DEMO_FILES = {"shopify_orders_export.csv": demo_orders.orders_csv, "engagement_stats.csv": demo_orders.stats_csv}
_BUTTONS = {"roi_cut": "Cut", "roi_keep": "Keep", "roi_snooze": "Snooze"}
BUILDER = "block-kit-builder"  # beside messages/, never in it: tests and CI count one messages/*.json per exchange
BUILDER_URL = "https://app.slack.com/block-kit-builder"


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


@dataclass
class _Shown:
    """What one directive made Slack show: the messages (for the JSON) and their readable text."""

    messages: list[dict] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def render(self, message: dict, names: dict[str, str], heading: str | None = None) -> None:
        text = render_message(message, names)
        self.messages.append(message)
        self.parts.append(f"{heading}\n\n{text}" if heading else text)


def _message(call: Call) -> dict:
    """A recorded chat.postMessage / chat.update as the message dict Slack got (blocks decoded)."""
    keep = {k: call.params[k] for k in ("channel", "ts") if call.params.get(k)}
    blocks = call.json("blocks")
    return {**keep, "text": call.params.get("text", ""), **({"blocks": blocks} if blocks else {})}


def _posted(calls: list[Call], *methods: str) -> list[Call]:
    """The calls of `methods` Slack accepted."""
    return [c for c in calls if c.method in methods and c.status == 200 and c.error is None]


class _Demo:
    """The demo's workspace in the stand-in, the app, and the jobs, with what the last alert scan sent."""

    def __init__(self, slack: FakeSlack, runtime: Runtime, driver: SlackDriver, out: Path):
        self.slack, self.runtime, self.driver, self.out = slack, runtime, driver, out
        self.names = slack.names
        self.alert: dict | None = None  # id, channel, ts, message and handle of the first alert the scan sent

    def where(self, channel: str | None) -> str:
        """`#growth` or `DM to @lena`: where a message went, for the reader."""
        if channel and channel.startswith("D") and "U" + channel[1:] in self.names:
            return f"DM to @{self.names['U' + channel[1:]]}"
        return f"#{self.names.get(channel, channel)}"

    def run(self, match: re.Match) -> tuple[_Shown, str | None]:
        """Run one directive; returns what Slack showed and a line saying what happened, when useful."""
        line, user, channel = match.group("line"), match.group("user"), match.group("channel")
        before = len(self.slack.calls)
        shown = _Shown()
        if line.startswith("share "):
            answer = _share(self.driver, self.slack, self.out, line.split()[1])
        elif line.startswith("/"):
            answer = self.driver.command(line, user=user, channel=channel)
        elif line.startswith("job digest "):
            return shown, self._digest(line.split()[2], shown, before)
        elif line == "job alerts":
            return shown, self._alerts(shown, before)
        else:
            return shown, self._click(line.split()[1], user or MARKETER, shown)
        for message in answer.replies + answer.posts:
            shown.render(message, self.names)
        return shown, None

    def _campaign_id(self, name: str) -> int:
        with self.runtime.reads.begin() as session:
            return session.scalar(select(Campaign.id).join(Workspace, Workspace.id == Campaign.workspace_id)
                                  .where(Workspace.team_id == TEAM, Campaign.name_key == name.lower()))

    def _digest(self, name: str, shown: _Shown, before: int) -> str:
        outcome = posting.by_hand(self.runtime, self._campaign_id(name))
        for call in _posted(self.slack.calls[before:], "chat.postMessage"):
            shown.render(_message(call), self.names, f"→ {self.where(call.params.get('channel'))}")
        if outcome.status == digests.POSTED:
            return f"The scheduler's digest of {name}, posted now (`roi-bot jobs run digest --campaign {name}`)."
        return f"No digest: {outcome.status}: {outcome.detail}"

    def _alerts(self, shown: _Shown, before: int) -> str:
        with self.runtime.reads.begin() as session:
            ws_id = session.scalar(select(Workspace.id).where(Workspace.team_id == TEAM))
        sent = sending.scan(self.runtime, workspace_id=ws_id)
        posts = _posted(self.slack.calls[before:], "chat.postMessage")
        for call in posts:
            shown.render(_message(call), self.names, f"→ {self.where(call.params.get('channel'))}")
        told = []
        for item in sent:
            if item.status != alerts.SENT or item.alert_id is None:
                detail = f" ({item.detail})" if item.detail else ""
                told.append(f"{item.handle or item.campaign}: {item.status}{detail}")
                continue
            with self.runtime.reads.begin() as session:
                row = session.get(Alert, item.alert_id)
                channel, ts = row.channel_id, row.message_ts
            told.append(f"{item.handle} → {self.where(channel)}")
            if self.alert is None:  # the buttons clicked next are this first alert's
                post = next(c for c in posts if c.response.get("ts") == ts)
                self.alert = {"id": item.alert_id, "channel": channel, "ts": ts, "handle": item.handle,
                              "message": {"text": post.params.get("text", ""), "blocks": post.json("blocks") or []}}
        return ("The daily underperformer scan (`roi-bot jobs run alerts`), one alert per flagged influencer: "
                + ("; ".join(told) if told else "nobody flagged") + ".")

    def _click(self, action_id: str, user: str, shown: _Shown) -> str:
        alert = self.alert
        if alert is None:
            return "(no alert to click: the scan sent none)"
        answer = self.driver.click(action_id, str(alert["id"]), user=user, channel=alert["channel"],
                                   message_ts=alert["ts"], message=alert["message"])
        who = f"@{self.names.get(user, user)}"
        for message in answer.replies:
            shown.render(message, self.names, f"→ only {who} sees this")
        for call in _posted(answer.calls, "chat.update"):
            where = self.where(call.params.get("channel"))
            shown.render(_message(call), self.names, f"→ the alert in {where}, updated")
        if not answer.replies and not _posted(answer.calls, "chat.update"):
            shown.parts.append(f"(no answer: HTTP {answer.status})")
        return (f"{who} clicks “{_BUTTONS[action_id]}” on the alert about {alert['handle']} "
                f"({self.where(alert['channel'])}).")


def _for_builder(folder: Path, stem: str, messages: list[dict]) -> list[Path]:
    """Write each message's blocks as Block Kit Builder takes them, `NN-name.json` (`NN-name-1.json`, `-2`, … when
    the exchange sent several messages with blocks); returns the files written."""
    payloads = []
    for message in messages:
        blocks = message.get("blocks")
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        if blocks:
            payloads.append({"blocks": blocks})
    names = [f"{stem}.json"] if len(payloads) == 1 else [f"{stem}-{i}.json" for i in range(1, len(payloads) + 1)]
    written = []
    for name, payload in zip(names, payloads):
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def run_demo(out: Path) -> list[Path]:
    """Build the demo database in `out`, run every demo command, and write the answers; returns the files written."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "messages").mkdir(parents=True)
    engine = make_engine(f"sqlite:///{(out / 'roi.db').resolve()}")
    upgrade(engine)
    # The database remembers the demo's "now": `roi-bot console` on it then answers as of the same day.
    with make_sessions(engine).begin() as session:
        meta.remember_as_of(session, DEMO_NOW)
    written: list[Path] = []
    index = ["# ROI bot demo", "",
             f"What Slack would show, as of {DEMO_NOW:%Y-%m-%d %H:%M} UTC: each exchange as text below and as the "
             "Web API calls the bot made (Block Kit JSON) in `messages/`, the charts the bot uploads in `charts/`, "
             "the files shared with it in `files/`, and the database in `roi.db`.", "",
             (f"To see a message as Slack draws it, paste its file from `{BUILDER}/` into Slack's Block Kit Builder "
              f"({BUILDER_URL}): one file per message, `{{\"blocks\": [...]}}`, named like the exchange in "
              "`messages/` (`-1`, `-2`, … when one exchange sent several)."), "",
             f"Try your own commands on it: `DATABASE_URL=sqlite:///{out.as_posix()}/roi.db roi-bot console`. The "
             f"database remembers the demo's date, so the console answers as of {DEMO_NOW:%Y-%m-%d} too.", ""]
    with FakeSlack(team_id=TEAM, team_name="Glow & Co") as slack:
        slack.channels, slack.users = [dict(c) for c in CHANNELS], [dict(u) for u in USERS]
        settings = Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=slack.api_url, database_url=str(engine.url))
        runtime = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine), clock=lambda: DEMO_NOW)
        driver = SlackDriver(create_app(settings, runtime=runtime, synchronous=True), slack, SECRET,
                             team_id=TEAM, user_id=MARKETER, channel_id=GENERAL)
        demo = _Demo(slack, runtime, driver, out)
        charts = 0
        for n, raw in enumerate(demo_lines(), start=1):
            match = _DIRECTIVE.match(raw)
            line = match.group("line")
            seen_uploads = set(slack.uploads)
            result, note = demo.run(match)
            stem = out / "messages" / f"{n:02d}-{_slug(line)}"
            shown = "\n\n".join(([note] if note else []) + result.parts) or "(no answer)"
            for file_id in [f for f in slack.uploads if f not in seen_uploads]:
                charts += 1
                upload = slack.uploads[file_id]
                png = out / "charts" / f"{n:02d}-{charts}-{Path(upload['filename']).name}"
                png.parent.mkdir(exist_ok=True)
                png.write_bytes(upload["bytes"])
                written.append(png)
                shown += f"\n[chart: {upload['title']} → charts/{png.name}]"
            stem.with_suffix(".txt").write_text(f"> {line}\n\n{shown}\n", encoding="utf-8")
            stem.with_suffix(".json").write_text(json.dumps(result.messages, indent=2, ensure_ascii=False) + "\n",
                                                 encoding="utf-8")
            written += [stem.with_suffix(".txt"), stem.with_suffix(".json")]
            written += _for_builder(out / BUILDER, stem.name, result.messages)
            index += [f"## {n}. `{line}`", "", "```", shown, "```", ""]
    engine.dispose()
    (out / "README.md").write_text("\n".join(index), encoding="utf-8")
    return [out / "README.md", *written]
