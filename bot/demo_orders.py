"""The demo's results: a deterministic Shopify-shaped orders export and an engagement stats CSV.

Seeded, so every run writes the same files and the demo's numbers never drift. The export has what real ones
have: several line items per order (order-level columns on the first row only), discount codes, UTM values in
`Note Attributes`, partial and full refunds, a cancelled order, a few orders in another currency, and plenty of
orders no influencer brought in.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.shopify_export import export_csv

PRODUCTS = (("Glow Serum 30ml", Decimal("48.00")), ("Dew Cream", Decimal("34.00")), ("Night Oil", Decimal("62.00")),
            ("Cleansing Balm", Decimal("29.50")))
# (handle, code, share of all orders, first day they can sell)
SELLERS = (("glowwithmia", "MIA10", 0.22, date(2026, 3, 2)), ("skincare.sam", "SAMSPRING", 0.20, date(2026, 3, 3)),
           ("ritualbeauty", "RITUAL15", 0.04, date(2026, 3, 9)), ("dewdrop_daily", "DEWDROP", 0.07, date(2026, 3, 2)),
           ("theglowedit", "GLOWEDIT", 0.05, date(2026, 3, 4)))
FIRST_DAY, LAST_DAY = date(2026, 3, 1), date(2026, 3, 15)


def orders_csv(seed: int = 2026) -> str:
    """The demo's orders export, as Shopify writes it."""
    rng = random.Random(seed)
    orders = []
    number = 2000
    day = FIRST_DAY
    while day <= LAST_DAY:
        for _ in range(rng.randint(16, 26)):
            number += 1
            orders.append(_order(rng, f"#{number}", day))
        day += timedelta(days=1)
    return export_csv(orders)


def _order(rng: random.Random, name: str, day: date) -> list[dict[str, str]]:
    created = datetime(day.year, day.month, day.day, rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59))
    stamp = created.strftime("%Y-%m-%d %H:%M:%S -0400")
    items = [rng.choice(PRODUCTS) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
    gross = sum((price for _, price in items), Decimal(0))
    code, notes = "", ""
    pick = rng.random()
    for handle, seller_code, share, since in SELLERS:
        if pick < share and day >= since:
            if rng.random() < 0.8:
                code = seller_code
            else:
                notes = f"utm_campaign: spring\nutm_content: {handle}"
            break
        pick -= share
    discount = (gross * Decimal("0.10")).quantize(Decimal("0.01")) if code else Decimal(0)
    subtotal = gross - discount
    roll = rng.random()
    refunded, status, cancelled = Decimal(0), "paid", ""
    if roll < 0.03:
        refunded, status = subtotal, "refunded"
    elif roll < 0.06:
        refunded, status = items[0][1], "partially_refunded"
    elif roll < 0.07:
        status, cancelled = "voided", stamp
    currency = "EUR" if rng.random() < 0.03 else "USD"
    rows = [{"Name": name, "Financial Status": status, "Currency": currency, "Subtotal": f"{subtotal:.2f}",
                    "Total": f"{subtotal + Decimal('4.95'):.2f}", "Shipping": "4.95", "Discount Code": code,
                    "Discount Amount": f"{discount:.2f}", "Created at": stamp, "Paid at": stamp,
                    "Refunded Amount": f"{refunded:.2f}", "Cancelled at": cancelled, "Note Attributes": notes,
                    "Lineitem quantity": "1", "Lineitem name": items[0][0], "Lineitem price": f"{items[0][1]:.2f}",
                    "Source": "web"}]
    for item, price in items[1:]:
        rows.append({"Name": name, "Created at": stamp, "Lineitem quantity": "1", "Lineitem name": item,
                     "Lineitem price": f"{price:.2f}"})
    return rows


# (handle, date, post, impressions, reach, likes, comments, shares, saves, clicks, views)
STATS = (
    ("skincare.sam", "2026-03-10", "https://www.tiktok.com/@skincare.sam/video/2", 380000, 250000, 18400, 960, 1900, 2100, 2600, 365000),
    ("ritualbeauty", "2026-03-09", "https://www.youtube.com/watch?v=ritual-serum", 91000, 70000, 1100, 140, 60, 90, 700, 88000),
    ("dewdrop_daily", "2026-03-06", "https://www.instagram.com/p/dewdrop1", 12400, 9100, 870, 96, 40, 130, 310, ""),
    ("theglowedit", "2026-03-07", "https://theglowedit.example.com/spring-serum-review", 8800, 7000, 95, 12, 8, 20, 640, ""),
    ("glowwithmia", "2026-03-12", "https://www.instagram.com/p/mia-reel-2", 72000, 51000, 4600, 380, 410, 720, 2100, 69000),
)


def stats_csv() -> str:
    """The demo's engagement results for the spring campaign."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["handle", "campaign", "date", "post", "impressions", "reach", "likes", "comments", "shares",
                     "saves", "clicks", "views"])
    for handle, day, post, *counters in STATS:
        writer.writerow([handle, "spring", day, post, *counters])
    return out.getvalue()
