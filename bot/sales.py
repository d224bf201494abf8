"""`/roi sale`: one order recorded or corrected by hand (SPEC §2), a source of its own (`manual`).

The order goes through the same store path as imports (bot.imports.store_orders), so it is attributed by the same
rules. Its date must lie in the window of a campaign the code is registered for; without an id it gets a readable
one (`sale-20260310-3`), and two sales racing for the same generated id do not both pass: the second is refused,
its transaction rolled back untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import queries
from bot.errors import Conflict, InputError, NotFound
from bot.imports.orders import OrderRecord
from bot.imports.store_orders import store_orders
from bot.imports.summary import Summary
from bot.models import Campaign, Enrolment, Order, Workspace
from bot.registry import codes, lookup
from bot.values import esc, shown
from metrics.status import Status
from metrics.windows import contains, describe

SOURCE = "manual"
_ORDER_ID = re.compile(r"[A-Za-z0-9#._-]{1,64}")


@dataclass(frozen=True)
class Sale:
    """What a sale came to: the order, whom it is credited to (or why not: a cut), and what it was before."""

    code: str
    order_id: str
    campaign: Campaign
    revenue: Decimal
    credited: str | None  # the influencer's handle
    cut: tuple[str, date] | None  # the cut influencer and the day, when the cut is why nobody is credited
    before: tuple[date, Decimal, Decimal] | None  # date, amount, refunded of the order it corrected


def parse_order_id(text: str) -> str:
    """An order id as typed with `id=`."""
    if not _ORDER_ID.fullmatch(text):
        raise InputError("id", f"{shown(text)} is not an order id", "1–64 letters, digits, `#`, `.`, `_` or `-`")
    return text


def _stored(session: Session, ws: Workspace, order_id: str) -> Order | None:
    query = select(Order).where(Order.workspace_id == ws.id, Order.source == SOURCE, Order.order_id == order_id)
    return session.scalar(query.execution_options(populate_existing=True))


def _new_order_id(session: Session, ws: Workspace, day: date) -> str:
    """`sale-20260310-3`: readable, easy to type back with `id=`, numbered per day."""
    prefix = f"sale-{day:%Y%m%d}-"
    n = session.scalar(select(func.count()).where(Order.workspace_id == ws.id, Order.source == SOURCE,
                                                  Order.order_id.startswith(prefix, autoescape=True))) + 1
    while _stored(session, ws, f"{prefix}{n}") is not None:
        n += 1
    return f"{prefix}{n}"


def record(session: Session, ws: Workspace, *, code: str, day: date, amount: Decimal, refunded: Decimal,
           order_id: str | None) -> Sale:
    """Record (or, with the id of an earlier one, correct) a sale through `code` on `day`."""
    registrations = lookup.codes_named(session, ws, code)
    if not registrations:
        raise NotFound(f"There is no code {shown(code)} in this workspace. See `/code list`, or register it with "
                       f"`/code add {esc(code)} HANDLE campaign=NAME`.")
    windows = [(reg, session.get(Campaign, reg.campaign_id)) for reg in registrations]
    fitting = [(reg, camp) for reg, camp in windows if contains(codes.campaign_window(camp), day)]
    if not fitting:
        where = "; ".join(f"{esc(c.name)} {describe(codes.campaign_window(c))}" for _, c in windows)
        raise InputError("date", f"{day.isoformat()} is outside the campaign window of code {shown(code)} ({where})",
                         "a date inside one of those windows")
    reg, camp = fitting[0]
    existing = _stored(session, ws, order_id) if order_id else None
    before = (existing.order_date, existing.subtotal, existing.refunded) if existing else None
    generated = order_id is None
    order_id = order_id or _new_order_id(session, ws, day)
    order = OrderRecord(row=1, order_id=order_id, created=None, order_date=day, currency=camp.currency,
                        subtotal=amount, refunded=refunded, cancelled=False, financial_status=None, codes=(reg.code,),
                        utm_campaign=None, utm_content=None)
    summary = store_orders(session, ws.id, SOURCE, [order], Summary(kind="orders", format=SOURCE, file="/roi sale"))
    if generated and summary.new != 1:
        # Someone else's sale took the same id a moment ago; raising rolls this transaction back untouched.
        raise Conflict("Another sale was recorded at the same moment under the same id, so nothing was saved. "
                       "Please run the command again.")
    stored = _stored(session, ws, order_id)
    credited = session.get(Enrolment, stored.enrolment_id) if stored.attribution in queries.CREDITED else None
    enrolment = reg.enrolment
    cut = (enrolment.influencer.handle, enrolment.cut_on) if (
        enrolment.status == Status.CUT and enrolment.cut_on and day > enrolment.cut_on and not credited) else None
    return Sale(code=reg.code, order_id=order_id, campaign=credited.campaign if credited else camp,
                revenue=stored.revenue, credited=credited.influencer.handle if credited else None, cut=cut,
                before=before)
