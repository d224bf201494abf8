"""What the import tests share: running an import the way the CLI does, the command line on the test database,
and a registered spring campaign."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.imports.run import Job, run_import
from bot.imports.summary import Summary

SHOPIFY_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "shopify"
TODAY = date(2026, 3, 16)


def shopify_file(name: str) -> Path:
    """One of the real Shopify exports in ../shared, or a clean skip where it is absent (a user's machine)."""
    path = SHOPIFY_DIR / name
    if not path.exists():
        pytest.skip(f"{path.name} not found: the shared Shopify exports are not available here")
    return path


def run(sessions, data: bytes | str, *, kind: str | None = None, fmt: str | None = None, dry_run: bool = False,
        tz: str = "UTC", name: str = "orders.csv", team: str = "T0001") -> Summary:
    """Import `data` into the workspace `team`, as `roi-bot import` does."""
    raw = io.BytesIO(data.encode() if isinstance(data, str) else data)
    job = Job(kind=kind, fmt=fmt, name=name, dry_run=dry_run)
    return run_import(sessions, team, raw, job, tz=ZoneInfo(tz), today=TODAY)


SPRING = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31 window_days=7",
    "/influencer add ana followers=20000 campaign=spring fee=1000 commission=10 product_cost=100",
    "/influencer add ben followers=5000 campaign=spring fee=500",
    "/code add ANA10 ana campaign=spring",
    "/code add BEN5 ben campaign=spring",
]


def register(roi, lines=SPRING) -> None:
    """Type the registration commands and check each was accepted."""
    for line in lines:
        answer = roi.command(line)
        assert answer.status == 200 and ":warning:" not in answer.text, answer.text


# Settings a developer's shell may hold that would change what the command line does in a test.
CLI_ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PORT", "ROI_ADMINS", "ROI_TIMEZONE",
           "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")


def command_line(monkeypatch, tmp_path: Path, db_url: str) -> Path:
    """Point `roi-bot` (bot.wiring.cli.main) at the test database, run from `tmp_path`, with none of CLI_ENV set."""
    for name in CLI_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    return tmp_path
