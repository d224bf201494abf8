"""Writing imported orders: upsert by (workspace, source, order id) in chunks, attribute each, and count.

Orders stream in from the parser and are written a chunk at a time inside the caller's transaction, so a
million-row export never sits in memory and a failure leaves nothing behind. Rows are encoded once, the way
the database stores them (money in cents, SQLite's date and time text), and handed to the driver as they are:
new orders go in with one `executemany` (SQLite) or `COPY` (PostgreSQL) per chunk, and a re-import compares
the encoded file columns with the stored ones as read back raw, so an unchanged order costs a tuple comparison
and no attribution (registration changes keep stored attributions current).
Each chunk also costs one SELECT of the orders already known (skipped when the source held none at the start).

A bulk load on SQLite (the first big export into a small table) writes without the orders table's secondary
indexes and builds them again at the end, inside the same transaction: inserting into three indexes in random
order cost more than the rows themselves, and building an index from sorted rows is cheap. Readers are not
affected (under WAL they see the committed table, indexes included) and a failure rolls the indexes back too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from itertools import islice

from sqlalchemy import Engine, exists, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, DropIndex

from bot import attribution
from bot.imports.orders import OrderRecord, Rejected
from bot.imports.summary import Summary
from bot.models import Campaign, Order, utcnow
from metrics import orders as order_math
from metrics.attribution import Attribution, Registry, attribute

CHUNK = 5000
# Bulk load (SQLite): drop the secondary indexes once an import has this many new orders, if the table held
# fewer than BULK_TABLE orders when it started; rebuilding them then costs less than keeping them up to date.
BULK_NEW = 20_000
BULK_TABLE = 200_000
# The columns that come from the file: a re-import that changes none of them is "unchanged".
DATA = ("created", "order_date", "currency", "subtotal", "refunded", "cancelled", "financial_status", "codes",
        "utm_campaign", "utm_content", "store_order_id", "store_updated_at")
STORED = ("revenue", "counted", "attribution", "campaign_id", "enrolment_id")
ROW = ("order_id", *DATA, *STORED)  # the order of an encoded row
INSERTED = ("workspace_id", "source", *ROW, "imported_at", "updated_at")
_CURRENCY, _ATTRIBUTION, _CAMPAIGN = ROW.index("currency"), ROW.index("attribution"), ROW.index("campaign_id")
_STORE_UPDATED = ROW.index("store_updated_at")


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class Encoder:
    """Python values as the orders table stores them on one database, identical to what SQLAlchemy's column
    types write (a test holds the two equal), so rows can go to the driver and be compared raw."""

    CACHE = 100_000  # attributions remembered per import (orders repeat a code on the same day a lot)

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"
        self._outcomes: dict[tuple, Attribution] = {}
        self._registry: Registry | None = None

    def moment(self, value: datetime | None):
        if value is None:
            return None
        if value.tzinfo is not timezone.utc:
            value = value.astimezone(timezone.utc)
        if self.sqlite:  # SQLAlchemy's SQLite DATETIME storage format: `2025-05-11 13:55:16.000000`
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return value

    def day(self, value: date):
        return value.isoformat() if self.sqlite else value

    def flag(self, value: bool):
        return int(value) if self.sqlite else bool(value)

    @staticmethod
    def cents(value: Decimal) -> int:
        return int((value * 100).to_integral_value())  # as the Cents column type does

    def data(self, record: OrderRecord) -> tuple:
        """The order id and the encoded DATA columns of a parsed order: what a re-import compares."""
        return (record.order_id, self.moment(record.created), self.day(record.order_date), record.currency,
                self.cents(record.subtotal), self.cents(record.refunded), self.flag(record.cancelled),
                record.financial_status, order_math.code_keys(record.codes), record.utm_campaign, record.utm_content,
                record.store_order_id, self.moment(record.store_updated_at))

    def derived(self, record: OrderRecord, registry: Registry) -> tuple:
        """The encoded STORED columns: revenue, whether it counts, and the attribution `registry` gives."""
        if registry is not self._registry:
            self._registry, self._outcomes = registry, {}
        key = (record.order_date, record.codes, record.utm_campaign, record.utm_content)
        outcome = self._outcomes.get(key)
        if outcome is None:
            if len(self._outcomes) >= self.CACHE:
                self._outcomes.clear()
            outcome = self._outcomes[key] = attribute(*key, registry)
        subtotal, refunded, cancelled = record.subtotal, record.refunded, record.cancelled
        return (self.cents(order_math.revenue(subtotal, refunded, cancelled)),
                self.flag(order_math.counted(subtotal, refunded, cancelled)),
                outcome.kind, outcome.campaign_id, outcome.enrolment_id)

    def row(self, record: OrderRecord, registry: Registry) -> tuple:
        """The encoded ROW of a parsed order, attributed with `registry`."""
        return self.data(record) + self.derived(record, registry)


class _Table:
    """Raw reads and writes of the orders table on the session's connection."""

    _UPDATE_ALL = text(f"UPDATE orders SET {', '.join(f'{c} = :{c}' for c in (*DATA, *STORED))}, "
                       "updated_at = :updated_at WHERE id = :oid")

    def __init__(self, session: Session, workspace_id: int, source: str):
        self.session, self.workspace_id, self.source = session, workspace_id, source
        self.dialect = session.get_bind().dialect.name
        self.encoder = Encoder(self.dialect)
        self.empty = not session.scalar(
            select(exists().where(Order.workspace_id == workspace_id, Order.source == source)))
        self.inserted = 0
        self.bulk_decided = self.dialect != "sqlite"
        self.dropped: list = []  # secondary indexes dropped for a bulk load, to build again in `finish`

    def known(self, order_ids: list[str]) -> dict[str, tuple]:
        """The stored rows among `order_ids`: order id -> (id, ROW), raw from the driver's own cursor (SQLAlchemy's
        rows cost more than the lookup on a re-import of a big export)."""
        if self.empty:
            return {}
        mark = "?" if self.dialect == "sqlite" else "%s"
        sql = (f"SELECT id, {', '.join(ROW)} FROM orders WHERE workspace_id = {mark} AND source = {mark} "
               f"AND order_id IN ({', '.join([mark] * len(order_ids))})")
        cursor = self.session.connection().connection.driver_connection.cursor()
        try:
            cursor.execute(sql, (self.workspace_id, self.source, *order_ids))
            return {row[1]: (row[0], row[1:]) for row in cursor.fetchall()}
        finally:
            cursor.close()

    def insert(self, rows: list[tuple], now: datetime) -> None:
        if not self.bulk_decided and self.inserted + len(rows) >= BULK_NEW:
            # Decided once, when the import turns out big (a one-order `/roi sale` never counts the table).
            self.bulk_decided = True
            limited = select(Order.id).limit(BULK_TABLE + self.inserted).subquery()
            if self.session.scalar(select(func.count()).select_from(limited)) - self.inserted < BULK_TABLE:
                self.dropped = [ix for ix in sorted(Order.__table__.indexes, key=lambda ix: ix.name) if not ix.unique]
                for ix in self.dropped:
                    self.session.execute(DropIndex(ix))
        self.inserted += len(rows)
        stamp = self.encoder.moment(now)
        head, tail = (self.workspace_id, self.source), (stamp, stamp)
        connection = self.session.connection()
        if self.dialect == "postgresql":
            with connection.connection.driver_connection.cursor() as cursor:
                with cursor.copy(f"COPY orders ({', '.join(INSERTED)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(head + row + tail)
            return
        marks = ", ".join("?" * len(INSERTED))
        connection.exec_driver_sql(f"INSERT INTO orders ({', '.join(INSERTED)}) VALUES ({marks})",
                                   [head + row + tail for row in rows])

    def finish(self) -> None:
        """Build again the indexes a bulk load dropped."""
        for ix in self.dropped:
            self.session.execute(CreateIndex(ix))
        self.dropped = []

    def update(self, rows: list[tuple[int, tuple]], now: datetime) -> None:
        stamp = self.encoder.moment(now)
        params = [{"oid": oid, **dict(zip(ROW[1:], row[1:])), "updated_at": stamp} for oid, row in rows]
        self.session.execute(self._UPDATE_ALL, params)


def store_orders(session: Session, workspace_id: int, source: str, items: Iterable[OrderRecord | Rejected],
                 summary: Summary) -> Summary:
    """Upsert parsed orders (and note rejected rows) into `summary`; the caller owns the transaction."""
    attribution.lock(session, workspace_id)
    registry = attribution.load_registry(session, workspace_id)
    currencies = dict(session.execute(select(Campaign.id, Campaign.currency).where(Campaign.workspace_id == workspace_id)).all())
    table = _Table(session, workspace_id, source)
    for chunk in _chunks(items, CHUNK):
        records = []
        for item in chunk:
            if isinstance(item, Rejected):
                summary.reject(item.row, item.reason)
            else:
                records.append(item)
        if records:
            _store_chunk(table, records, registry, summary, currencies)
    table.finish()
    return summary


def tidy(engine: Engine, summary: Summary) -> None:
    """After a big import has committed, on PostgreSQL: VACUUM (ANALYZE) the orders table.

    Right after a COPY of 1,000,000 orders the table had no statistics and no visibility map: the next re-import's
    lookups of 5,000 ids were planned as full scans (over 90 s each), and reports read the table's rows instead
    of the covering index alone (62 ms instead of 5 ms a query). Autovacuum would get there, minutes later.
    """
    if engine.dialect.name != "postgresql" or summary.dry_run or summary.new + summary.updated < BULK_NEW:
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE) orders")


def _store_chunk(table: _Table, records: list[OrderRecord], registry: Registry, summary: Summary,
                 currencies: dict[int, str]) -> None:
    encoder = table.encoder
    datas = [encoder.data(record) for record in records]
    known = table.known([data[0] for data in datas])
    now = utcnow()
    fresh, changed = [], []
    for record, data in zip(records, datas):
        oid, old = known.get(data[0], (None, None))
        if old is not None and (old[: len(data)] == data or _superseded(old, data)):
            # Unchanged, or a store's newer version: its stored revenue and attribution are current (registration
            # changes re-attribute).
            summary.unchanged += 1
            _count(old, summary, currencies)
            continue
        row = data + encoder.derived(record, registry)
        _count(row, summary, currencies)
        if old is None:
            fresh.append(row)
            summary.new += 1
        else:
            changed.append((oid, row))
            summary.updated += 1
    if fresh:
        table.insert(fresh, now)
    if changed:
        table.update(changed, now)


def _superseded(old: tuple, data: tuple) -> bool:
    """Whether the stored order is a store's version that `data` must not overwrite: a newer one (deliveries come
    unordered), or any one when `data` comes from a file (the store's own record is the later word on its order)."""
    stored = old[_STORE_UPDATED]
    if stored is None:
        return False
    given = data[_STORE_UPDATED]
    return given is None or given < stored


def _count(row: tuple, summary: Summary, currencies: dict[int, str]) -> None:
    summary.orders += 1
    kind = row[_ATTRIBUTION]
    if kind in ("code", "utm"):
        currency = row[_CURRENCY]
        if currency and currency != currencies.get(row[_CAMPAIGN]):
            summary.other_currency += 1
        else:
            summary.attributed += 1
    elif kind == "outside":
        summary.outside_window += 1
    else:
        summary.unattributed += 1
