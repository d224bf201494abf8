"""A benchmark database: the generated campaigns, roster and engagement registered the way a team would.

Campaigns are created with signed `/campaign create` commands through the real app (against the in-process
Web API stand-in), the roster and the engagement rows with the importers `roi-bot import` uses. Orders are
left to the benchmark, which times their import.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.wiring.app import create_app
from bot.config import Settings
from bot.db import make_engine, make_sessions, upgrade
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.server import FakeSlack
from bot.imports.run import Job, run_import
from bot.runtime import Runtime

TEAM = "TBENCH0001"
USER = "UBENCH0001"
CHANNEL = "CBENCH0001"
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-not-a-real-token"


def fresh_database(url: str) -> str:
    """Start from an empty database: the SQLite file removed, or the PostgreSQL database dropped and created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return url
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return url


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def campaigns(data: Path) -> list[dict]:
    """The generated campaigns (`campaigns.csv`)."""
    return _rows(data / "campaigns.csv")


def build(url: str, data: Path) -> dict:
    """Register the data set's campaigns, roster and engagement rows in a fresh database at `url`."""
    fresh_database(url)
    engine = make_engine(url)
    upgrade(engine)
    camps = campaigns(data)
    with FakeSlack(team_id=TEAM, team_name="Bench Coffee Co") as slack:
        slack.channels = [{"id": CHANNEL, "name": "influencers"}]
        settings = Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=slack.api_url, database_url=url)
        runtime = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine))
        driver = SlackDriver(create_app(settings, runtime=runtime, synchronous=True), slack, SECRET,
                             team_id=TEAM, user_id=USER, channel_id=CHANNEL)
        for camp in camps:
            answer = driver.command(
                f"/campaign create {camp['name']} budget={camp['budget']} currency={camp['currency']} "
                f"start={camp['start']} end={camp['end']} window_days={camp['window_days']} "
                f"channel=<#{CHANNEL}|influencers> digest=off"
            )
            if "created" not in answer.text.lower():
                raise RuntimeError(f"/campaign create {camp['name']} was refused: {answer.text}")
        summaries = {}
        for kind, name in (("roster", "roster.csv"), ("stats", "stats.csv")):
            with (data / name).open("rb") as raw:
                summary = run_import(runtime.sessions, TEAM, raw, Job(kind=kind, name=name), tz=settings.tz,
                                     today=runtime.today())
            if summary.rejected:
                raise RuntimeError(f"{name}: {len(summary.rejected)} rows rejected, first: {summary.rejected[0]}")
            summaries[kind] = summary.as_json()
    engine.dispose()
    return {"campaigns": len(camps), **summaries}
