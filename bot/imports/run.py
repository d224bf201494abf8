"""One import from start to finish: read the file, tell its shape, store it in one transaction, record it.

Used by `roi-bot import …` and by CSV files shared with the bot in Slack. A file of unknown shape or
encoding is refused whole; bad rows are reported and skipped; `dry_run` does everything but commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InputError
from bot.imports import detect as shapes
from bot.imports.orders import read_orders
from bot.imports.roster import read_roster
from bot.imports.stats import read_stats
from bot.imports.store_orders import store_orders, tidy
from bot.imports.store_roster import store_roster
from bot.imports.store_stats import store_stats
from bot.imports.summary import Summary
from bot.imports.text import open_rows
from bot.models import ImportRun, Workspace
from bot.registry import lookup

ORDER_FORMATS = ("shopify", "woocommerce", "csv")
KIND_OF = {"shopify": "orders", "woocommerce": "orders", "csv": "orders", "roster": "roster", "stats": "stats"}


@dataclass(frozen=True)
class Job:
    """What to import: `kind` orders/roster/stats or None to tell from the header; `fmt` forces an order format."""

    kind: str | None = None
    fmt: str | None = None
    name: str = "the file"
    dry_run: bool = False
    user_id: str | None = None


def _counting(rows: Iterator, summary: Summary) -> Iterator:
    for item in rows:
        summary.rows_read += 1
        yield item


def _shape(header: list[str], job: Job) -> str:
    if job.fmt:
        shapes.require(header, job.fmt)
        return job.fmt
    shape = shapes.detect(header)
    if job.kind and KIND_OF[shape] != job.kind:
        found = KIND_OF[shape]
        raise InputError("file", f"looks like {'an' if found == 'orders' else 'a'} {found} file ({shape} columns), not {job.kind}",
                         f"`roi-bot import {found}` for it, or a {job.kind} file here")
    return shape


def import_into(session: Session, ws: Workspace, raw: BinaryIO, job: Job, *, tz: ZoneInfo, today: date,
                run: ImportRun | None = None) -> Summary:
    """Import one file inside the caller's transaction (which it never commits); `run` is a claimed record to fill."""
    table = open_rows(raw, name=job.name)
    shape = _shape(table.header, job)
    kind = KIND_OF[shape]
    summary = Summary(kind=kind, format=shape, file=job.name, dry_run=job.dry_run)
    table.rows = _counting(table.rows, summary)
    if kind == "orders":
        store_orders(session, ws.id, shape, read_orders(table, shape, tz), summary)
    elif kind == "stats":
        store_stats(session, ws.id, read_stats(table, today=today), summary)
    else:
        store_roster(session, ws, read_roster(table), summary, today=today, user_id=job.user_id)
    if not job.dry_run:
        run = run or ImportRun(workspace_id=ws.id, source=job.name[:255], user_id=job.user_id)
        run.kind, run.summary = kind, summary.as_json()
        session.add(run)
    return summary


def run_import(sessions: sessionmaker[Session], team_id: str | None, raw: BinaryIO, job: Job, *, tz: ZoneInfo,
               today: date) -> Summary:
    """Import one file in its own transaction: committed when it succeeds (rolled back on dry runs and errors)."""
    with sessions() as session:
        session.begin()
        try:
            ws = lookup.team_workspace(session, team_id)
            summary = import_into(session, ws, raw, job, tz=tz, today=today)
        except BaseException:
            session.rollback()
            raise
        if job.dry_run:
            session.rollback()
        else:
            session.commit()
        engine = session.get_bind()
    if summary.kind == "orders":
        tidy(engine, summary)
    return summary
