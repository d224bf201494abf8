"""The benchmark data set, generated deterministically: the same arguments always write the same bytes.

    python bench/generate.py --out bench/data            # 1,000,000 orders, 1,000 influencers, 20 campaigns
    python bench/generate.py --out small-set --orders 2000 --influencers 40 --campaigns 4 --stats 500

Writes four files a team would have:
- `campaigns.csv`  name,start,end,window_days,currency,budget (what `/campaign create` is given)
- `roster.csv`     the roster import (`roi-bot import roster`): one row per enrolment, with its discount code
- `stats.csv`      engagement rows (`roi-bot import stats`)
- `orders.csv`     Shopify's 79-column Orders export, one row per line item, order columns on the first row

The orders mix what real exports hold: most carry a registered code (some dated outside its campaign's
window, some with a second, unregistered code first), some are credited by `utm_campaign`/`utm_content` in
Note Attributes, some by nobody; refunds (partial and full), voided and cancelled orders, a few in another
currency. `manifest.json` records the arguments and a digest of each file, so a run can tell it is current.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.shopify_export import SHOPIFY_EXPORT_HEADER

VERSION = 2  # bump when the generated content changes
SEED = 20261128
YEAR_START = date(2025, 1, 1)
DAYS = 365
CURRENCY = "USD"
HEADER = list(SHOPIFY_EXPORT_HEADER)
COL = {name: i for i, name in enumerate(HEADER)}
SEASONS = ["winter", "newyear", "valentine", "spring", "easter", "mothers", "summer", "festival", "backtoschool",
           "autumn", "halloween", "blackfriday", "cybermonday", "holiday", "glow", "detox", "outdoor", "gift",
           "launch", "clearance"]
PLATFORMS = ["instagram", "tiktok", "youtube"]
PRODUCTS = [("Organic Coffee Beans", "CB-500", "12.99"), ("Ceramic Pour-over", "PO-01", "34.00"),
            ("Travel Mug", "TM-12", "19.50"), ("Grinder Pro", "GR-PRO", "89.00"), ("Filter Papers x100", "FP-100", "5.99"),
            ("Gift Card", "GC-25", "25.00"), ("Cold Brew Kit", "CBK-1", "42.00"), ("Espresso Cups x2", "EC-2", "15.00")]
OFFSETS = ["-0400", "-0500", "+0000", "+0100", "+0200"]


def campaigns(count: int, rng: random.Random) -> list[dict]:
    """`count` campaigns spread over the year, each 28–42 days with a 7–14 day attribution window after."""
    out = []
    step = max(1, (DAYS - 42) // max(1, count))
    for i in range(count):
        name = SEASONS[i % len(SEASONS)] + (f"-{i // len(SEASONS) + 1}" if i >= len(SEASONS) else "")
        start = YEAR_START + timedelta(days=i * step + rng.randrange(0, 5))
        end = start + timedelta(days=rng.randrange(28, 43))
        out.append({"name": name, "start": start, "end": end, "window_days": rng.choice([7, 10, 14]),
                    "currency": CURRENCY, "budget": rng.randrange(20, 200) * 1000})
    return out


def roster(influencers: int, camps: list[dict], rng: random.Random) -> list[dict]:
    """Every influencer in one campaign, half of them in a second one; one discount code per enrolment."""
    rows = []
    for i in range(influencers):
        handle = f"creator{i:04d}"
        followers = int(10 ** rng.uniform(3, 6.7))
        platform = rng.choice(PLATFORMS)
        first = i % len(camps)
        joined = [first] + ([(first + 1 + i * 7) % len(camps)] if i % 2 and len(camps) > 1 else [])
        for c in dict.fromkeys(joined):
            camp = camps[c]
            rows.append({
                "handle": handle, "platform": platform, "followers": followers, "campaign": camp["name"],
                "fee": rng.randrange(1, 40) * 50, "commission": rng.choice([0, 5, 10, 15]),
                "product_cost": rng.randrange(0, 10) * 25, "start": camp["start"],
                "code": f"{handle.upper()}{c:02d}",
            })
    return rows


def stats(count: int, enrolments: list[dict], camps: dict[str, dict], rng: random.Random) -> list[dict]:
    """`count` engagement rows: posts of enrolled influencers during their campaigns."""
    rows = []
    for n in range(count):
        e = enrolments[n % len(enrolments)]
        camp = camps[e["campaign"]]
        day = camp["start"] + timedelta(days=rng.randrange(0, (camp["end"] - camp["start"]).days + 1))
        reach = int(e["followers"] * rng.uniform(0.05, 0.6))
        likes = int(reach * rng.uniform(0.01, 0.08))
        rows.append({"handle": e["handle"], "campaign": e["campaign"], "date": day, "post": f"https://www.instagram.com/p/bench{n}",
                     "impressions": int(reach * rng.uniform(1.1, 2.0)), "reach": reach, "likes": likes,
                     "comments": likes // rng.randrange(5, 30), "shares": likes // rng.randrange(10, 60),
                     "saves": likes // rng.randrange(8, 40), "clicks": int(reach * rng.uniform(0.002, 0.02)),
                     "views": int(reach * rng.uniform(0.5, 1.5))})
    return rows


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _stamp(day: date, rng: random.Random) -> str:
    moment = datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randrange(3 * 3600, 21 * 3600))
    return f"{moment:%Y-%m-%d %H:%M:%S} {rng.choice(OFFSETS)}"


def orders(count: int, enrolments: list[dict], camps: dict[str, dict], rng: random.Random, out) -> int:
    """Write `count` orders to the csv writer `out`; returns the number of rows written."""
    written = 0
    blank = [""] * len(HEADER)
    for n in range(count):
        kind = rng.random()
        codes: list[str] = []
        notes = ""
        if kind < 0.55:  # a registered code, mostly inside its campaign's window
            e = enrolments[rng.randrange(len(enrolments))]
            camp = camps[e["campaign"]]
            if rng.random() < 0.9:
                span = (camp["end"] - camp["start"]).days + camp["window_days"]
                day = camp["start"] + timedelta(days=rng.randrange(0, span + 1))
            else:
                day = YEAR_START + timedelta(days=rng.randrange(DAYS))
            codes = [e["code"] if rng.random() < 0.8 else e["code"].lower()]
            if rng.random() < 0.05:
                codes.insert(0, "WELCOME10")  # an unregistered shop code first
        elif kind < 0.63:  # a tracking link
            e = enrolments[rng.randrange(len(enrolments))]
            camp = camps[e["campaign"]]
            day = camp["start"] + timedelta(days=rng.randrange(0, (camp["end"] - camp["start"]).days + 1))
            notes = f"utm_source: {e['platform']}\nutm_campaign: {e['campaign']}\nutm_content: {e['handle']}"
        else:
            day = YEAR_START + timedelta(days=rng.randrange(DAYS))
            if rng.random() < 0.1:
                codes = ["WELCOME10"]
        items = 1 + (rng.random() < 0.4) + (rng.random() < 0.15)
        lines = [(PRODUCTS[rng.randrange(len(PRODUCTS))], rng.randrange(1, 4)) for _ in range(items)]
        gross = sum(int(price.replace(".", "")) * qty for (_, _, price), qty in lines)
        discount = gross // 10 if codes else 0
        subtotal = gross - discount
        status, refunded, cancelled = "paid", 0, ""
        fate = rng.random()
        created = _stamp(day, rng)
        if fate < 0.03:
            status, refunded = "refunded", subtotal
        elif fate < 0.07:
            status, refunded = "partially_refunded", subtotal * rng.randrange(10, 60) // 100
        elif fate < 0.08:
            status = "voided"
        elif fate < 0.09:
            cancelled = created
        currency = "EUR" if rng.random() < 0.02 else CURRENCY
        name = f"#{100001 + n}"
        email = f"customer{rng.randrange(200000):06d}@example.com"
        for i, ((product, sku, price), qty) in enumerate(lines):
            row = blank.copy()
            row[COL["Name"]], row[COL["Email"]], row[COL["Created at"]] = name, email, created
            row[COL["Lineitem quantity"]], row[COL["Lineitem name"]] = str(qty), product
            row[COL["Lineitem price"]], row[COL["Lineitem sku"]] = price, sku
            row[COL["Lineitem requires shipping"]] = row[COL["Lineitem taxable"]] = "true"
            row[COL["Lineitem fulfillment status"]], row[COL["Lineitem discount"]] = "fulfilled", "0.00"
            if i == 0:
                shipping = 0 if subtotal >= 5000 else 499
                row[COL["Financial Status"]], row[COL["Paid at"]] = status, created
                row[COL["Fulfillment Status"]], row[COL["Accepts Marketing"]] = "fulfilled", rng.choice(("yes", "no"))
                row[COL["Currency"]], row[COL["Subtotal"]] = currency, _money(subtotal)
                row[COL["Shipping"]], row[COL["Taxes"]] = _money(shipping), "0.00"
                row[COL["Total"]] = _money(subtotal + shipping)
                row[COL["Discount Code"]] = ", ".join(codes)
                row[COL["Discount Amount"]] = _money(discount)
                row[COL["Shipping Method"]] = "Standard"
                row[COL["Billing Name"]] = row[COL["Shipping Name"]] = f"Customer {n % 9973}"
                row[COL["Billing Country"]] = row[COL["Shipping Country"]] = "US"
                row[COL["Note Attributes"]], row[COL["Cancelled at"]] = notes, cancelled
                row[COL["Payment Method"]], row[COL["Refunded Amount"]] = "shopify_payments", _money(refunded)
                row[COL["Outstanding Balance"]], row[COL["Id"]] = "0.00", str(5_000_000_000 + n)
                row[COL["Risk Level"]], row[COL["Source"]] = "Low", "web"
            out.writerow(row)
            written += 1
    return written


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def generate(out: Path, *, orders_count: int = 1_000_000, influencers: int = 1000, campaigns_count: int = 20,
             stats_count: int = 50_000, seed: int = SEED) -> dict:
    """Write the data set into `out` (skipped when `out/manifest.json` already records these arguments)."""
    args = {"version": VERSION, "orders": orders_count, "influencers": influencers, "campaigns": campaigns_count,
            "stats": stats_count, "seed": seed}
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("args") == args and all((out / name).exists() for name in manifest["files"]):
            return manifest
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    camps = campaigns(campaigns_count, rng)
    by_name = {c["name"]: c for c in camps}
    enrolments = roster(influencers, camps, rng)
    _write(out / "campaigns.csv", list(camps[0]), camps)
    _write(out / "roster.csv", list(enrolments[0]), enrolments)
    _write(out / "stats.csv", ["handle", "campaign", "date", "post", "impressions", "reach", "likes", "comments",
                               "shares", "saves", "clicks", "views"], stats(stats_count, enrolments, by_name, rng))
    with (out / "orders.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        rows = orders(orders_count, enrolments, by_name, rng, writer)
    files = {name: _digest(out / name) for name in ("campaigns.csv", "roster.csv", "stats.csv", "orders.csv")}
    manifest = {"args": args, "files": files, "order_rows": rows, "enrolments": len(enrolments)}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--influencers", type=int, default=1000)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--stats", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=SEED)
    a = parser.parse_args(argv)
    manifest = generate(a.out, orders_count=a.orders, influencers=a.influencers, campaigns_count=a.campaigns,
                        stats_count=a.stats, seed=a.seed)
    print(f"{a.out}: {a.orders:,} orders in {manifest['order_rows']:,} rows, {a.influencers:,} influencers in "
          f"{manifest['enrolments']:,} enrolments, {a.campaigns} campaigns, {a.stats:,} engagement rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
