"""Shopify-shaped, WooCommerce and our own order files for the parser tests: builders and readers."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

from import_support import shopify_file

from bot.imports.orders import OrderRecord, Rejected, read_orders
from bot.imports.text import open_rows
from bot.shopify_export import SHOPIFY_EXPORT_HEADER, export_csv

UTC = ZoneInfo("UTC")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14: a morning in New York is already tomorrow there
FOREZIA = "shopify_devstore_forezia_orders_export.csv"
RAMKUMAR = "shopify_devstore_ramkumar_orders_export_1.csv"
SHOPIFY_HEADER = list(SHOPIFY_EXPORT_HEADER)  # a test checks it against the real exports
WHEN = "2025-05-11 09:55:16 -0400"


def real(name: str) -> Path:
    """A real export from ../shared, or a clean skip where it is absent."""
    return shopify_file(name)


def parse(data: bytes | str, kind: str, tz: ZoneInfo = UTC) -> list[OrderRecord | Rejected]:
    raw = io.BytesIO(data.encode() if isinstance(data, str) else data)
    return list(read_orders(open_rows(raw), kind, tz))


def parse_file(path: Path, tz: ZoneInfo = UTC) -> list[OrderRecord | Rejected]:
    with path.open("rb") as raw:
        return list(read_orders(open_rows(raw, name=path.name), "shopify", tz))


def orders(items) -> dict[str, OrderRecord]:
    return {item.order_id: item for item in items if isinstance(item, OrderRecord)}


def rejected(items) -> list[Rejected]:
    return [item for item in items if isinstance(item, Rejected)]


def line_items(name: str, items: int = 1, **order: str) -> list[dict[str, str]]:
    """The rows of one Shopify order: order-level columns (given by header name, `_` for spaces) on the first
    row only, as Shopify exports them; `Name` and `Created at` on every row."""
    first = {"Financial Status": "paid", "Currency": "USD", "Subtotal": "10.00", "Refunded Amount": "0.00",
             **{key.replace("_", " "): value for key, value in order.items()}}
    created = first.pop("Created at", WHEN)
    rows = [{"Name": name, "Created at": created, "Lineitem quantity": "1", "Lineitem price": "5.00"}
            for _ in range(items)]
    rows[0].update(first)
    return rows


def shopify_csv(*orders_rows: list[dict[str, str]], header: list[str] = SHOPIFY_HEADER) -> bytes:
    """A Shopify-shaped export: the real header, the given columns filled, every other cell blank."""
    return export_csv(orders_rows, header).encode()
