"""What one order brings in (SPEC §3/§4): revenue after refunds, and whether it counts as an order."""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal("0.00")


def revenue(subtotal: Decimal, refunded: Decimal, cancelled: bool) -> Decimal:
    """`subtotal − refunded`, never below 0; a cancelled or voided order brings in nothing."""
    if cancelled:
        return ZERO
    return max(subtotal - refunded, ZERO)


def counted(subtotal: Decimal, refunded: Decimal, cancelled: bool) -> bool:
    """False for cancelled, voided and fully refunded orders; an order made free by a 100% code still counts."""
    if cancelled:
        return False
    return not (refunded > 0 and revenue(subtotal, refunded, cancelled) == 0)


def code_keys(codes: tuple[str, ...] | list[str]) -> str | None:
    """Codes as stored on an order: lower-case keys wrapped in commas (`,spring10,ana15,`), None when there are none."""
    if not codes:
        return None
    keys = [c.strip().lower() for c in codes if c and c.strip()]
    return f",{','.join(keys)}," if keys else None


def split_code_keys(stored: str | None) -> tuple[str, ...]:
    """The code keys of a stored `codes` value, in order."""
    return tuple(k for k in (stored or "").split(",") if k)
