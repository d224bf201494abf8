"""The peer baseline of the benchmarks: the influencer ROI tables a team computes without the app, in pandas.

What a marketing team does instead of using the app: a script that computes every campaign's per-influencer
table from scratch, from the store's export and their own registration sheets.

    python bench/peer.py DATA_DIR [--tz UTC] [--campaign NAME]

Reads what `bench/generate.py` writes: `campaigns.csv`, `roster.csv` (one row per enrolment, with its code) and
Shopify's Orders export `orders.csv` (one row per line item; the order columns on the first row of each order).
The orders are read a chunk at a time and only the columns the rules use, so the 1,000,000-order export stays
well within memory; each chunk is attributed and summed per enrolment with vectorised pandas.

The rules are SPEC §3 (attribution) and §4 (figures), as the app applies them: an order's date is its timestamp's
date in `tz`; the first code registered for a campaign whose window [start, end + window_days] contains that date
wins, otherwise `utm_content` names an influencer enrolled in the campaign `utm_campaign` names (or, without one,
in the only campaign whose window contains the date), again inside that window; orders in another currency than
the campaign's are left out. Money is summed in integer cents and the figures are computed unrounded in `Decimal`,
then rounded once, half up, exactly as `metrics.roi.enrolment_json` does, so the two answers can be compared for
equality. The export is taken as well-formed: rows the app would reject are not looked for.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

CHUNK = 250_000  # export rows per chunk
ORDER_COLUMNS = ["Name", "Created at", "Currency", "Subtotal", "Discount Code", "Refunded Amount",
                 "Financial Status", "Cancelled at", "Note Attributes"]
CREATED_FORMAT = "%Y-%m-%d %H:%M:%S %z"  # Shopify's `2025-05-11 09:55:16 -0400`
UTM = re.compile(r"^\s*(utm_campaign|utm_content)\s*[:=]\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)
CODE_SEPARATOR = r"\s*,\s*"
KEYS = ("handle", "revenue", "orders", "cost", "profit", "roi_pct", "roas", "cpa", "aov")
MONEY = ("revenue", "cost", "profit", "cpa", "aov")
RATIOS = ("roi_pct", "roas")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def _text(column: pd.Series) -> pd.Series:
    """Cells trimmed, blanks as `""`."""
    return column.fillna("").astype(str).str.strip()


def _cents(column: pd.Series, blank: int | None = 0) -> pd.Series:
    """Plain amounts (`1234.5`, `1,234.50`) as integer cents; a blank cell is `blank` (NaN when None)."""
    text = _text(column).str.replace(",", "", regex=False)
    cents = (pd.to_numeric(text.where(text.ne(""))) * 100).round()
    return cents if blank is None else cents.fillna(blank).astype("int64")


def _read(path: Path, **options) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", **options)


def _campaigns(data_dir: Path) -> pd.DataFrame:
    """One row per campaign, in file order: name, its lower-case key, window (first, last day) and currency."""
    c = _read(data_dir / "campaigns.csv")
    name = _text(c["name"])
    start, end = _text(c["start"]), _text(c["end"])
    first = pd.to_datetime(start.where(start.ne("")), format="%Y-%m-%d")
    end = pd.to_datetime(end.where(end.ne("")), format="%Y-%m-%d")
    days = pd.to_numeric(_text(c["window_days"]).replace("", "0")).astype("int64")
    return pd.DataFrame({"campaign": name, "campaign_key": name.str.lower(), "first": first,
                         "last": end + pd.to_timedelta(days, unit="D"), "currency": _text(c["currency"]).str.upper()})


def _roster(data_dir: Path, campaigns: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The enrolments (one row each, numbered `eid` in roster order, with terms and campaign window) and the
    registered codes (`code_key` → `eid`, numbered `reg` in registration order, the first per campaign kept)."""
    r = _read(data_dir / "roster.csv")
    handle = _text(r["handle"]).str.removeprefix("@")
    rows = pd.DataFrame({
        "handle": handle, "handle_key": handle.str.lower(), "campaign_key": _text(r["campaign"]).str.lower(),
        "fee": _cents(r["fee"], None), "product_cost": _cents(r["product_cost"], None),
        "commission": _cents(_text(r["commission"]).str.removesuffix("%"), None),  # in hundredths of a percent
        "code_key": _text(r["code"]).str.lower(),
    })
    # A person keeps the spelling of their first row; a later row of the same enrolment changes the terms it
    # gives (`last` skips blanks), as a roster re-import does.
    rows["handle"] = rows.groupby("handle_key")["handle"].transform("first")
    rows = rows[rows["campaign_key"].ne("")]
    terms = ["fee", "product_cost", "commission"]
    enrolments = rows.groupby(["campaign_key", "handle_key"], sort=False).agg(
        handle=("handle", "first"), **{t: (t, "last") for t in terms}).reset_index()
    enrolments[terms] = enrolments[terms].fillna(0).astype("int64")
    enrolments = enrolments.merge(campaigns, on="campaign_key", how="inner", validate="many_to_one")
    enrolments = enrolments.reset_index(drop=True).rename_axis("eid").reset_index()
    codes = rows[rows["code_key"].ne("")].drop_duplicates(["code_key", "campaign_key"])
    codes = codes.merge(enrolments[["eid", "campaign_key", "handle_key", "first", "last"]],
                        on=["campaign_key", "handle_key"])[["code_key", "eid", "first", "last"]]
    codes = codes.rename_axis("reg").reset_index()
    return enrolments, codes


def _inside(day: pd.Series, first: pd.Series, last: pd.Series) -> pd.Series:
    """True where `day` is inside the window [first, last]; a missing end is open."""
    return (first.isna() | (first <= day)) & (last.isna() | (day <= last))


def _orders(path: Path, tz: str):
    """The export's orders a chunk at a time: the first row of each order (its order columns), by `Name`."""
    previous = None
    for rows in _read(path, usecols=ORDER_COLUMNS, chunksize=CHUNK):
        name = _text(rows["Name"])
        starts = name.ne(name.shift())
        starts.iloc[0] = name.iloc[0] != previous  # an order may run on from the previous chunk
        previous = name.iloc[-1]
        yield _order_values(rows[starts & name.ne("")], tz)


def _order_values(o: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Date in `tz`, currency, revenue in cents and whether the order counts (SPEC §4); codes and UTM text."""
    created = pd.to_datetime(_text(o["Created at"]), format=CREATED_FORMAT, utc=True)
    subtotal, refunded = _cents(o["Subtotal"]), _cents(o["Refunded Amount"])
    void = _text(o["Cancelled at"]).ne("") | _text(o["Financial Status"]).str.lower().eq("voided")
    revenue = (subtotal - refunded).clip(lower=0).where(~void, 0)
    return pd.DataFrame({
        "day": created.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize(),
        "currency": _text(o["Currency"]).str.upper(),
        "revenue": revenue,
        "counted": ~void & ~((refunded > 0) & (revenue == 0)),
        "codes": _text(o["Discount Code"]),
        "notes": o["Note Attributes"].fillna("").astype(str),
    }).reset_index(drop=True)


def _by_code(orders: pd.DataFrame, codes: pd.DataFrame) -> pd.Series:
    """eid of the orders credited by a code: the first of the order's codes registered for a campaign whose window
    contains the order's date (the first registration of that code, if several campaigns' windows do)."""
    carried = orders.loc[orders["codes"].ne(""), "codes"].str.lower().str.split(CODE_SEPARATOR, regex=True)
    each = carried.explode().rename("code_key").rename_axis("order").reset_index()
    each["position"] = each.groupby("order").cumcount()
    hits = each.merge(codes, on="code_key")
    hits = hits[_inside(orders["day"].to_numpy()[hits["order"]], hits["first"], hits["last"])]
    first = hits.sort_values(["order", "position", "reg"]).drop_duplicates("order")
    return first.set_index("order")["eid"]


def _utms(notes: pd.Series) -> pd.DataFrame:
    """`utm_campaign` and `utm_content` from Note Attributes lines (`key: value` or `key=value`); the last
    non-blank value of each key counts."""
    found = notes.str.extractall(UTM)
    found = found[found[1].ne("")]
    found = pd.DataFrame({"order": found.index.get_level_values(0), "key": found[0].str.lower().to_numpy(),
                          "value": found[1].str.strip().to_numpy()})
    last = found.groupby(["order", "key"])["value"].last().unstack("key")
    return last.reindex(columns=["utm_campaign", "utm_content"]).fillna("").astype(str)


def _by_utm(orders: pd.DataFrame, enrolments: pd.DataFrame) -> pd.Series:
    """eid of the orders credited by their UTM values; the caller passes only orders no code credited."""
    utm = _utms(orders.loc[orders["notes"].str.strip().ne(""), "notes"])
    utm = utm[utm["utm_content"].ne("")]
    utm = utm.assign(handle_key=utm["utm_content"].str.lstrip("@").str.lower(),
                     campaign_key=utm["utm_campaign"].str.lower(),
                     day=orders["day"].reindex(utm.index)).reset_index()
    people = enrolments[["eid", "campaign_key", "handle_key", "first", "last"]]
    named = utm[utm["campaign_key"].ne("")].merge(people, on=["campaign_key", "handle_key"])
    named = named[_inside(named["day"], named["first"], named["last"])]
    # Without utm_campaign: the handle's one enrolment whose window contains the date; none when several do.
    unnamed = utm[utm["campaign_key"].eq("")].drop(columns="campaign_key").merge(people, on="handle_key")
    unnamed = unnamed[_inside(unnamed["day"], unnamed["first"], unnamed["last"])]
    unnamed = unnamed[unnamed.groupby("order")["eid"].transform("size").eq(1)]
    return pd.concat([named, unnamed]).set_index("order")["eid"]


def _sums(orders: pd.DataFrame, enrolments: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """Revenue (cents) and counted orders per eid from one chunk of orders: credited, in the campaign's currency."""
    by_code = _by_code(orders, codes)
    by_utm = _by_utm(orders.drop(index=by_code.index), enrolments)
    credited = orders.join(pd.concat([by_code, by_utm]).rename("eid"), how="inner")
    credited = credited.merge(enrolments[["eid", "currency"]], on="eid", suffixes=("", "_campaign"))
    credited = credited[credited["currency"].eq("") | credited["currency"].eq(credited["currency_campaign"])]
    return credited.groupby("eid").agg(revenue=("revenue", "sum"), orders=("counted", "sum"))


def _decimal(cents: pd.Series) -> pd.Series:
    return cents.map(lambda v: Decimal(int(v)) / HUNDRED)


def _ratio(numerator: pd.Series, denominator: pd.Series, scale: int = 1) -> pd.Series:
    """numerator × scale / denominator, elementwise in Decimal; None where the denominator is 0."""
    out = pd.Series([None] * len(numerator), index=numerator.index, dtype=object)
    ok = denominator.map(bool).astype(bool)
    out[ok] = [Decimal(n) * scale / Decimal(d) for n, d in zip(numerator[ok], denominator[ok])]
    return out


def _rounded(value: Decimal | None) -> float | None:
    # As metrics.roi: round half up to 2 decimals, then float (which prints as the rounded decimal).
    return None if value is None else float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _figures(table: pd.DataFrame) -> pd.DataFrame:
    """SPEC §4 per enrolment, unrounded `Decimal`: cost = fee + product cost + commission % × revenue."""
    revenue = _decimal(table["revenue"])
    commission = _decimal(table["commission"])  # hundredths of a percent → percent
    cost = _decimal(table["fee"]) + _decimal(table["product_cost"]) + commission / HUNDRED * revenue
    orders = table["orders"].astype(object)
    return pd.DataFrame({
        "campaign": table["campaign"], "handle": table["handle"], "handle_key": table["handle_key"],
        "revenue": revenue, "orders": orders, "cost": cost, "profit": revenue - cost,
        "roi_pct": _ratio(revenue - cost, cost, 100), "roas": _ratio(revenue, cost),
        "cpa": _ratio(cost, orders), "aov": _ratio(revenue, orders),
    })


def roi_tables(data_dir: Path, tz: str = "UTC") -> dict[str, list[dict]]:
    """Campaign name → its influencer rows, ranked by ROI (None last), then revenue, then handle."""
    data_dir = Path(data_dir)
    campaigns = _campaigns(data_dir)
    enrolments, codes = _roster(data_dir, campaigns)
    parts = [_sums(orders, enrolments, codes) for orders in _orders(data_dir / "orders.csv", tz)]
    sums = pd.concat(parts).groupby(level=0).sum() if parts else pd.DataFrame(columns=["revenue", "orders"])
    table = enrolments.join(sums.reindex(enrolments["eid"]).fillna(0).astype("int64").set_axis(enrolments.index))
    figures = _figures(table)
    missing = figures["roi_pct"].isna()
    figures = figures.assign(
        _missing=missing, _roi=figures["roi_pct"].where(~missing, Decimal(0))
    ).sort_values(["_missing", "_roi", "revenue", "handle_key"], ascending=[True, False, False, True], kind="stable")
    for key in MONEY + RATIOS:
        figures[key] = figures[key].map(_rounded).astype(object)
    figures["orders"] = figures["orders"].map(int).astype(object)
    out: dict[str, list[dict]] = {name: [] for name in campaigns["campaign"]}
    for name, rows in figures.groupby("campaign", sort=False):
        rows = rows[list(KEYS)]
        out[name] = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    parser.add_argument("--tz", default="UTC", help="time zone whose dates orders are counted in (default UTC)")
    parser.add_argument("--campaign", help="print only this campaign's table")
    a = parser.parse_args(argv)
    tables = roi_tables(a.data_dir, a.tz)
    if a.campaign is not None:
        chosen = {name: rows for name, rows in tables.items() if name.lower() == a.campaign.strip().lower()}
        if not chosen:
            parser.error(f"no campaign {a.campaign!r} in {a.data_dir / 'campaigns.csv'}")
        tables = chosen
    json.dump(tables, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
