"""How values look in Slack: money with currency and thousands separators, percentages, dates, mentions."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bot.values import esc  # noqa: F401 - the one escaper, beside the other formatters of message text

NA = "n/a"


def s(n: int) -> str:
    """The plural ending for a count: `f"{n} order{fmt.s(n)}"`."""
    return "" if n == 1 else "s"


def money(value: Decimal | float | None, currency: str) -> str:
    """`USD 12,345.60`; `n/a` when unknown."""
    if value is None:
        return NA
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{currency} {amount:,.2f}"


def pct(value: Decimal | float | None, places: int = 1) -> str:
    """`54.3%`; `n/a` when unknown."""
    if value is None:
        return NA
    q = Decimal(1).scaleb(-places)
    return f"{Decimal(str(value)).quantize(q, rounding=ROUND_HALF_UP):,}%"


def roas(value: Decimal | float | None) -> str:
    """`1.54x`; `n/a` when unknown."""
    if value is None:
        return NA
    return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}x"


def count(value: int | None) -> str:
    """`12,400`; `n/a` when unknown."""
    return NA if value is None else f"{value:,}"


def day(value: date | None, missing: str = "open") -> str:
    """An ISO date, or `missing`."""
    return value.isoformat() if value else missing


def span(start: date | None, end: date | None) -> str:
    """`2026-03-01 → 2026-03-31`, with open ends shown."""
    if not start and not end:
        return "no dates set"
    return f"{day(start, 'open')} → {day(end, 'open')}"


def channel(channel_id: str | None) -> str:
    """A channel mention (Slack renders the name), or `none`."""
    return f"<#{channel_id}>" if channel_id else "none"


def user(user_id: str | None) -> str:
    """A user mention, or `none`."""
    return f"<@{user_id}>" if user_id else "none"


def number(value: Decimal | None) -> str:
    """A plain decimal without trailing zeros (`12.5`, `15`)."""
    if value is None:
        return NA
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
