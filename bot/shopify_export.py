"""Writing files shaped like Shopify's admin *Orders → Export* CSV: the demo's orders, the tests' and the
benchmark's. The importer (bot.imports.orders) finds its columns by name and needs none of this.

One row per line item; the order-level columns are filled on an order's first row only, as Shopify writes them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

# The whole header of Shopify's 79-column export, in its order (a test holds it to the real exports in
# shared/data/shopify).
SHOPIFY_EXPORT_HEADER = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
    "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Billing Name", "Billing Street", "Billing Address1", "Billing Address2", "Billing Company", "Billing City",
    "Billing Zip", "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes", "Cancelled at",
    "Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Outstanding Balance", "Employee",
    "Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name",
    "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
    "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
    "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
)


def export_csv(orders: Iterable[Iterable[Mapping[str, str]]], header: Iterable[str] = SHOPIFY_EXPORT_HEADER) -> str:
    """An export with `header` and, for each order, its line-item rows (columns by name; every other cell blank)."""
    columns = list(header)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for rows in orders:
        writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return out.getvalue()
