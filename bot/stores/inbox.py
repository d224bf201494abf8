"""Processing the kept webhook deliveries (SPEC §8): each one maps its payload and stores the order through the
importers' own path (bot.imports.store_orders), so attribution, idempotency and refunds are the imports' rules.

A delivery is claimed by one process at a time (bot.jobs.owners: a holder that died is taken over at once on its
machine, elsewhere when the lease runs out). Processing fails as a whole or succeeds as a whole; a failure keeps
the delivery with its error and tries it again later, backing off, also after a restart. Processed ones are marked.

Shopify `refunds/create` carries no order totals: the `orders/updated` that Shopify sends after a refund carries the
order's new `current_subtotal_price`. A refund whose order is not stored yet, or only in a version older than the
refund, waits here (unprocessed, saying so) until a version at least as new is stored, which wakes it at once.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.imports.orders import OrderRecord
from bot.imports.store_orders import store_orders
from bot.imports.summary import Summary
from bot.jobs import owners
from bot.models import Order, StoreConnection, StoreDelivery
from bot.stores import payloads
from metrics.orders import split_code_keys

log = logging.getLogger("roi.stores")
LEASE = timedelta(minutes=5)  # a delivery takes well under a second; a holder silent this long is gone
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
REFUND_RECHECK = timedelta(hours=6)  # a waiting refund is woken by its order; this is only the safety net
BATCH = 100
ORDER_TOPICS = {"shopify": ("orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
                            "orders/partially_fulfilled"),
                "woocommerce": ("order.created", "order.updated", "order.restored")}
DELETED_TOPICS = {"shopify": ("orders/delete",), "woocommerce": ("order.deleted",)}


class Waiting(Exception):
    """A delivery that cannot be settled yet (a refund before its order): kept, not counted as a failure."""

    def __init__(self, why: str, store_order_id: str):
        super().__init__(why)
        self.why, self.store_order_id = why, store_order_id


def backoff(attempts: int) -> timedelta:
    """How long to wait before trying a delivery again after its `attempts`-th failure."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _same(column, value):
    return column.is_(None) if value is None else column == value


def due(session: Session, now: datetime, *, limit: int = BATCH) -> list[int]:
    """Deliveries to process now, oldest first: never tried, or due again, or held by a process that is gone."""
    c = StoreDelivery
    rows = session.execute(
        select(c.id, c.owner, c.next_attempt_at).where(
            c.processed_at.is_(None), or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now, c.owner.is_not(None)))
        .order_by(c.id).limit(limit)
    ).all()
    return [id_ for id_, owner, next_at in rows
            if owner is None or owner != owners.me() and (next_at <= now or owners.alive(owner) is False)]


def _claim(sessions: sessionmaker[Session], delivery_id: int, now: datetime) -> bool:
    """Take the delivery for this process, unless another took it since it was found due."""
    with sessions.begin() as session:
        found = session.execute(select(StoreDelivery.owner, StoreDelivery.next_attempt_at, StoreDelivery.processed_at)
                                .where(StoreDelivery.id == delivery_id)).one_or_none()
        if found is None or found.processed_at is not None:
            return False
        c = StoreDelivery
        taken = session.execute(
            update(c).where(c.id == delivery_id, c.processed_at.is_(None), _same(c.owner, found.owner),
                            _same(c.next_attempt_at, found.next_attempt_at))
            .values(owner=owners.me(), next_attempt_at=now + LEASE))
        return taken.rowcount == 1


def process(sessions: sessionmaker[Session], delivery_id: int, *, tz: ZoneInfo, now: datetime) -> str | None:
    """Process one delivery if this process can claim it: "done", "waiting" or "failed" (None when not claimed)."""
    if not _claim(sessions, delivery_id, now):
        return None
    try:
        with sessions.begin() as session:
            delivery = session.get(StoreDelivery, delivery_id)
            connection = session.get(StoreConnection, delivery.connection_id)
            delivery.attempts += 1
            delivery.owner = None
            try:
                _handle(session, connection, delivery, tz)
            except Waiting as waiting:
                delivery.last_error, delivery.store_order_id = waiting.why, waiting.store_order_id
                delivery.next_attempt_at = now + REFUND_RECHECK
                return "waiting"
            # The raw body (with the buyer's details) is kept only until it is processed: no customer data stays.
            delivery.processed_at, delivery.last_error, delivery.next_attempt_at, delivery.body = now, None, None, b""
        return "done"
    except Exception as error:  # noqa: BLE001 - any failure keeps the delivery to try again; none is lost
        why = f"{type(error).__name__}: {error}"[:1000]
        with sessions.begin() as session:
            delivery = session.get(StoreDelivery, delivery_id)
            delivery.attempts += 1
            delivery.owner, delivery.last_error = None, why
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            attempts, topic = delivery.attempts, delivery.topic
        log.warning("store delivery %s (%s) failed, attempt %d; tried again later: %s", delivery_id, topic, attempts,
                    type(error).__name__)
        return "failed"


def process_due(sessions: sessionmaker[Session], *, tz: ZoneInfo, now: datetime) -> dict[str, int]:
    """Process every delivery due now (one transaction each); how many ended how."""
    counts: dict[str, int] = {}
    passed: set[int] = set()  # failed or held elsewhere: not again in this round (a waiting refund its order woke is)
    while True:
        with sessions() as session:
            batch = [id_ for id_ in due(session, now) if id_ not in passed]
        if not batch:
            return counts
        for delivery_id in batch:
            outcome = process(sessions, delivery_id, tz=tz, now=now)
            if outcome in (None, "failed"):
                passed.add(delivery_id)
            if outcome is not None:
                counts[outcome] = counts.get(outcome, 0) + 1


def _handle(session: Session, connection: StoreConnection, delivery: StoreDelivery, tz: ZoneInfo) -> None:
    kind, topic = connection.kind, delivery.topic
    if topic in ORDER_TOPICS[kind]:
        body = json.loads(delivery.body)
        record = payloads.shopify_order(body, tz) if kind == "shopify" else payloads.woocommerce_order(body, tz)
        if record is not None:  # None: a Shopify test order, ignored
            _store(session, connection, record)
    elif topic in DELETED_TOPICS[kind]:
        _take_out(session, connection, payloads.deleted_id(json.loads(delivery.body)), delivery.received_at)
    elif kind == "shopify" and topic == "refunds/create":
        _refund(session, connection, payloads.shopify_refund(json.loads(delivery.body)))
    elif kind == "shopify" and topic == "app/uninstalled":
        connection.uninstalled_at = connection.uninstalled_at or delivery.received_at
        log.info("shopify store %s uninstalled the app; its order webhooks are ignored from now on", connection.shop)
    # Anything else (the compliance topics, orders/edited, …) is kept as a delivery record and nothing more: the app
    # stores no customer data, and the order's own update follows an edit.


def _store(session: Session, connection: StoreConnection, record: OrderRecord) -> None:
    """Store one order as an import does, then wake the refunds that waited for it."""
    summary = Summary(kind="orders", format=connection.kind, file=f"{connection.kind} webhook")
    store_orders(session, connection.workspace_id, connection.kind, [record], summary)
    c = StoreDelivery
    session.execute(update(c).where(c.connection_id == connection.id, c.store_order_id == record.store_order_id,
                                    c.processed_at.is_(None), c.owner.is_(None)).values(next_attempt_at=None))


def _stored(session: Session, connection: StoreConnection, store_order_id: str) -> Order | None:
    return session.scalar(select(Order).where(Order.workspace_id == connection.workspace_id,
                                              Order.source == connection.kind, Order.store_order_id == store_order_id))


def _refund(session: Session, connection: StoreConnection, refund: payloads.Refund) -> None:
    order = _stored(session, connection, refund.store_order_id)
    if order is None:
        raise Waiting(f"waiting for order {refund.store_order_id}: not stored yet", refund.store_order_id)
    if order.store_updated_at is None or order.store_updated_at < refund.created_at:
        raise Waiting(f"waiting for order {refund.store_order_id}: the version stored predates the refund",
                      refund.store_order_id)


def _take_out(session: Session, connection: StoreConnection, store_order_id: str, when: datetime) -> None:
    """A deleted order stays stored as not counted (what the store's CSV would show for a cancelled one), so a
    restore brings it back as the same order."""
    order = _stored(session, connection, store_order_id)
    if order is None:
        return
    stamp = max(order.store_updated_at, when) if order.store_updated_at else when
    record = OrderRecord(row=1, order_id=order.order_id, created=order.created, order_date=order.order_date,
                         currency=order.currency, subtotal=order.subtotal, refunded=order.refunded, cancelled=True,
                         financial_status="deleted", codes=split_code_keys(order.codes),
                         utm_campaign=order.utm_campaign, utm_content=order.utm_content, store_order_id=store_order_id, store_updated_at=stamp)
    store_orders(session, connection.workspace_id, connection.kind, [record],
                 Summary(kind="orders", format=connection.kind, file=f"{connection.kind} webhook"))
