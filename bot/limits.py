"""The bounds on what the app accepts (SPEC §7), defined once for every entry: slash commands, CSV imports, and
the store webhooks and syncs.

A value inside these bounds can be used by everything downstream: a date stays a valid date after a campaign's
attribution window and a digest's period are added to it, an amount added up over any number of orders stays
exact, and a chart over the widest accepted range is drawn in a bounded number of points. Each check returns
the value it was given, or raises an InputError naming the field and the accepted form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.errors import InputError

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
DATE_FORM = f"a date like `2026-03-01` (YYYY-MM-DD), from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"
# One order's subtotal and refunded amount, in its currency.
MAX_ORDER_AMOUNT = Decimal("1000000000")
# A budget, fee, product cost or revenue goal: far above any real one, and 10**14 cents fit a BIGINT with room to
# spare, so the Python sums over a campaign's enrolments (exact Decimals) never come near the column's limit.
MAX_MONEY = Decimal("1000000000000")
# `grace_days` and `window_days`: MAX_DATE plus a year is still a date (and a digest period after it).
MAX_DAYS = 365
MAX_FOLLOWERS = 10_000_000_000
MAX_COUNTER = 10**15  # impressions, likes, … of one stats row


def check_date(day: date, field: str) -> date:
    """`day` when it lies from MIN_DATE to MAX_DATE; InputError naming `field` otherwise."""
    if day < MIN_DATE:
        raise InputError(field, f"{day.isoformat()} is before {MIN_DATE.isoformat()}", DATE_FORM)
    if day > MAX_DATE:
        raise InputError(field, f"{day.isoformat()} is after {MAX_DATE.isoformat()}", DATE_FORM)
    return day


def check_amount(amount: Decimal, field: str, *, maximum: Decimal = MAX_ORDER_AMOUNT, accepted: str | None = None
                 ) -> Decimal:
    """`amount` when it is at most `maximum` (one order's amount unless told); InputError naming `field` otherwise."""
    if abs(amount) > maximum:
        accepted = accepted or f"an amount from 0 to {maximum:,}"
        raise InputError(field, f"{abs(amount):,} is more than {maximum:,}", accepted)
    return amount
