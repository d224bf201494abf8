"""Telling a CSV's shape from its header: a Shopify or WooCommerce orders export, our orders CSV, a roster
or engagement stats. Header names match case-insensitively and trimmed; columns are found by name, never
by position. Store exports carry many columns we do not use; our own shapes refuse unknown columns,
because there an unknown column is most likely a typo that would otherwise be dropped silently.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.errors import InputError
from bot.values import shown
from metrics.roi import COUNTERS

KINDS = ("shopify", "woocommerce", "csv", "roster", "stats")


@dataclass(frozen=True)
class Shape:
    """What a kind of file needs (`required`) and may carry (`optional`), in the spelling shown to people."""

    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    strict: bool  # refuse columns outside required + optional
    forbidden: tuple[str, ...] = ()


SHAPES = {
    "shopify": Shape("a Shopify orders export", ("Name", "Created at", "Subtotal"),
                     ("Currency", "Discount Code", "Refunded Amount", "Financial Status", "Cancelled at",
                      "Note Attributes"), strict=False),
    "woocommerce": Shape("a WooCommerce orders export", ("Date", "Order #", "Net sales"), ("Status", "Coupon(s)"),
                         strict=False),
    "csv": Shape("an orders CSV", ("order_id", "date", "amount"),
                 ("code", "currency", "refunded", "utm_campaign", "utm_content"), strict=True),
    "roster": Shape("a roster CSV", ("handle",),
                    ("platform", "followers", "manager", "campaign", "fee", "commission", "product_cost",
                     "goal_revenue", "start", "code", "url"), strict=True, forbidden=("date", "order_id")),
    "stats": Shape("a stats CSV", ("handle", "campaign", "date"), ("post", *COUNTERS), strict=True),
}
ACCEPTED = ("a Shopify *Orders → Export* CSV, a WooCommerce *Analytics → Orders* CSV, or a CSV with the columns "
            "`order_id,date,amount` (orders), `handle,…` (roster) or `handle,campaign,date,…` (stats)")


def _key(name: str) -> str:
    return name.strip().lower()


def index(header: list[str]) -> dict[str, int]:
    """Lower-cased column name → position of its first occurrence."""
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        found.setdefault(_key(name), i)
    return found


def _listed(names) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _missing(header_keys: set[str], shape: Shape) -> list[str]:
    return [name for name in shape.required if _key(name) not in header_keys]


def _typos(missing: list[str], header: list[str], shape: Shape) -> str:
    """` (is `hadle` meant to be `handle`?)` for header names that look like a missing column."""
    known = {_key(name) for name in (*shape.required, *shape.optional)}
    unknown = {_key(name): name for name in header if _key(name) and _key(name) not in known}
    guesses = []
    for name in missing:
        close = difflib.get_close_matches(_key(name), list(unknown), n=1, cutoff=0.6)
        if close:
            guesses.append(f"is {shown(unknown[close[0]])} meant to be `{name}`?")
    return f" ({'; '.join(guesses)})" if guesses else ""


def _matches(header_keys: set[str], kind: str) -> bool:
    shape = SHAPES[kind]
    return not _missing(header_keys, shape) and not any(_key(name) in header_keys for name in shape.forbidden)


def _closest(header_keys: set[str]) -> str | None:
    """The kind whose columns the header has most of (required ones count double), or None for none."""
    def score(kind: str) -> float:
        shape = SHAPES[kind]
        if any(_key(name) in header_keys for name in shape.forbidden):
            return -1
        have = sum(2 for name in shape.required if _key(name) in header_keys)
        have += sum(1 for name in shape.optional if _key(name) in header_keys)
        return have / (2 * len(shape.required) + len(shape.optional))

    best = max(KINDS, key=score)
    return best if score(best) > 0 else None


def require(header: list[str], kind: str) -> None:
    """Check the header has what `kind` needs (and, for our own shapes, nothing unknown); InputError if not."""
    shape = SHAPES[kind]
    keys = [_key(name) for name in header]
    if missing := _missing(set(keys), shape):
        raise InputError("file", f"is missing the column{'s' if len(missing) > 1 else ''} {_listed(missing)} "
                                 f"that {shape.title} needs{_typos(missing, header, shape)}",
                         f"a header with {_listed(shape.required)}")
    known = {_key(name): name for name in (*shape.required, *shape.optional)}
    for key in known:
        if keys.count(key) > 1:
            raise InputError("file", f"has the column `{known[key]}` more than once", "each column once")
    if not shape.strict:
        return
    for name, key in zip(header, keys):
        if key and key not in known:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            hint = f"; did you mean `{known[close[0]]}`?" if close else ""
            raise InputError("file", f"has the column {shown(name)}, which {shape.title} does not have{hint}",
                             f"the columns {_listed(known.values())}")


def detect(header: list[str]) -> str:
    """The kind of file the header belongs to (one of KINDS); InputError naming what is missing when unknown."""
    keys = {_key(name) for name in header}
    for kind in KINDS:
        if _matches(keys, kind):
            require(header, kind)
            return kind
    closest = _closest(keys)
    if closest is None:
        raise InputError("file", "has none of the columns we know in its header", ACCEPTED)
    shape = SHAPES[closest]
    missing = _missing(keys, shape)
    raise InputError("file", f"is closest to {shape.title}, which also needs {_listed(missing)}"
                             f"{_typos(missing, header, shape)}", ACCEPTED)
