"""The rows of the import floor: the export parsed and attributed by the importer's own code, encoded as the
importer hands them to `executemany`, so the floor times only what the database does with them."""

from __future__ import annotations

import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench import world
from bot import attribution
from bot.db import SQLITE_PRAGMAS, make_engine, make_sessions
from bot.imports.orders import OrderRecord, read_orders
from bot.imports.store_orders import INSERTED, Encoder
from bot.imports.text import open_rows
from bot.models import Workspace, utcnow

# What bot.db.make_engine sets on every connection to a SQLite file.
PRAGMAS = ("journal_mode=WAL", *SQLITE_PRAGMAS)


def parsed(database: Path, export: Path, tz: str = "UTC") -> tuple[list[tuple], tuple[str, ...], dict]:
    """(rows, columns, seconds) for an INSERT into `database`'s orders table; `seconds` times the steps before the
    database, each alone: reading the CSV rows, parsing them into orders, encoding (and attributing) those."""
    engine = make_engine(f"sqlite:///{database}")
    with make_sessions(engine)() as session:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == world.TEAM))
        registry = attribution.load_registry(session, ws.id)
    engine.dispose()
    encoder = Encoder("sqlite")
    stamp = encoder.moment(utcnow())
    seconds = {}
    start = time.perf_counter()
    with export.open("rb") as raw:
        for _ in open_rows(raw, name=export.name).rows:
            pass
    seconds["csv_rows"] = time.perf_counter() - start
    start = time.perf_counter()
    with export.open("rb") as raw:
        records = [item for item in read_orders(open_rows(raw, name=export.name), "shopify", ZoneInfo(tz))
                   if isinstance(item, OrderRecord)]
    seconds["parse"] = time.perf_counter() - start
    start = time.perf_counter()
    rows = [(ws.id, "shopify", *encoder.row(record, registry), stamp, stamp) for record in records]
    seconds["encode"] = time.perf_counter() - start
    return rows, INSERTED, seconds
