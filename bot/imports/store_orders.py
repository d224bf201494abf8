"""Writing imported orders: upsert by (workspace, source, order id) in chunks, attribute each, and count.

Orders stream in from the parser and are written a chunk at a time inside the caller's transaction, so a
million-row export never sits in memory and a failure leaves nothing behind. Each chunk costs one SELECT of
the orders already known, one multi-row INSERT of the new ones and one executemany UPDATE of the changed ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot import attribution
from bot.imports.orders import OrderRecord, Rejected
from bot.imports.summary import Summary
from bot.models import Campaign, Order, utcnow
from metrics import orders as order_math
from metrics.attribution import Registry, attribute

CHUNK = 2000
# The columns that come from the file: a re-import that changes none of them is "unchanged".
DATA = ("created", "order_date", "currency", "subtotal", "refunded", "cancelled", "financial_status", "codes",
        "utm_campaign", "utm_content")
STORED = ("revenue", "counted", "attribution", "campaign_id", "enrolment_id")


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _values(record: OrderRecord, registry: Registry) -> dict:
    outcome = attribute(record.order_date, record.codes, record.utm_campaign, record.utm_content, registry)
    return {
        "order_id": record.order_id, "created": record.created, "order_date": record.order_date,
        "currency": record.currency, "subtotal": record.subtotal, "refunded": record.refunded,
        "cancelled": record.cancelled, "financial_status": record.financial_status,
        "codes": order_math.code_keys(record.codes), "utm_campaign": record.utm_campaign,
        "utm_content": record.utm_content,
        "revenue": order_math.revenue(record.subtotal, record.refunded, record.cancelled),
        "counted": order_math.counted(record.subtotal, record.refunded, record.cancelled),
        **attribution.as_values(outcome),
    }


def store_orders(session: Session, workspace_id: int, source: str, items: Iterable[OrderRecord | Rejected],
                 summary: Summary) -> Summary:
    """Upsert parsed orders (and note rejected rows) into `summary`; the caller owns the transaction."""
    attribution.lock(session, workspace_id)
    registry = attribution.load_registry(session, workspace_id)
    currencies = dict(session.execute(select(Campaign.id, Campaign.currency).where(Campaign.workspace_id == workspace_id)).all())
    for chunk in _chunks(items, CHUNK):
        records = []
        for item in chunk:
            if isinstance(item, Rejected):
                summary.reject(item.row, item.reason)
            else:
                records.append(item)
        if records:
            _store_chunk(session, workspace_id, source, [_values(r, registry) for r in records], summary, currencies)
    return summary


def _store_chunk(session: Session, workspace_id: int, source: str, rows: list[dict], summary: Summary,
                 currencies: dict[int, str]) -> None:
    cols = [getattr(Order, c) for c in ("id", "order_id", *DATA, *STORED)]
    known = {
        row.order_id: row
        for row in session.execute(
            select(*cols).where(Order.workspace_id == workspace_id, Order.source == source,
                                Order.order_id.in_([r["order_id"] for r in rows]))
        )
    }
    now = utcnow()
    fresh, changed = [], []
    for values in rows:
        _count(values, summary, currencies)
        old = known.get(values["order_id"])
        if old is None:
            fresh.append({**values, "workspace_id": workspace_id, "source": source, "imported_at": now, "updated_at": now})
            summary.new += 1
        elif any(getattr(old, c) != values[c] for c in DATA):
            changed.append({**values, "id": old.id, "updated_at": now})
            summary.updated += 1
        else:
            summary.unchanged += 1
            if any(getattr(old, c) != values[c] for c in STORED):
                changed.append({"id": old.id, **{c: values[c] for c in STORED}})
    if fresh:
        session.execute(insert(Order), fresh)
    if changed:
        session.execute(update(Order), changed)


def _count(values: dict, summary: Summary, currencies: dict[int, str]) -> None:
    summary.orders += 1
    kind = values["attribution"]
    if kind in ("code", "utm"):
        currency = values["currency"]
        if currency and currency != currencies.get(values["campaign_id"]):
            summary.other_currency += 1
        else:
            summary.attributed += 1
    elif kind == "outside":
        summary.outside_window += 1
    else:
        summary.unattributed += 1
