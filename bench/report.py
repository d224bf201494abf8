"""The figures section of bench/README.md, from the results of one `bench.run`."""

from __future__ import annotations

from pathlib import Path

START = "<!-- figures:start (written by `make bench`; edit outside these markers) -->"
END = "<!-- figures:end -->"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _s(seconds: float) -> str:
    return f"{seconds:,.1f} s"


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def figures(meta: dict, results: dict) -> str:
    m, d = meta["machine"], meta["data"]
    lines = [
        f"Run of {meta['when']} on {m['cpu']} ({m['cores']} cores, {m['memory_mb']:,} MB), {m['system']}, Python "
        f"{m['python']}, SQLite {m['sqlite']}, SQLAlchemy {m['sqlalchemy']}.",
        f"Data: {d['orders']:,} orders in {d['order_rows']:,} CSV rows, {d['influencers']:,} influencers in "
        f"{d['enrolments']:,} enrolments, {d['campaigns']} campaigns, {d['stats']:,} engagement rows (seed {d['seed']}).",
        "",
        "| measure | target | " + " | ".join(results) + " |",
        "|---|---|" + "---|" * len(results),
    ]

    def row(label: str, target: str, cell) -> None:
        lines.append(f"| {label} | {target} | " + " | ".join(cell(r) for r in results.values()) + " |")

    row("ack p50 / p95 / p99", "p99 < 100 ms", lambda r: (
        f"{_ms(r['answer']['ack']['median'])} / {_ms(r['answer']['ack']['p95'])} / {_ms(r['answer']['ack']['p99'])} "
        f"({_mark(r['answer']['ack']['p99'] < 0.1)})"))
    row("full answer p50 / p95", "< 300 ms / < 600 ms", lambda r: (
        f"{_ms(r['answer']['full']['median'])} / {_ms(r['answer']['full']['p95'])} "
        f"({_mark(r['answer']['full']['median'] < 0.3 and r['answer']['full']['p95'] < 0.6)})"))
    burst = next(iter(results.values()))["answer"]["burst"]
    row(f"a burst of {burst} at once: ack p50 / p99, all answered (median)", "—", lambda r: (
        f"{_ms(r['answer']['burst_ack']['median'])} / {_ms(r['answer']['burst_ack']['p99'])}, "
        f"{_ms(r['answer']['burst_answered']['median'])}"))
    row("import: time, rows/s (orders/s)", "≥ 150,000 rows/s (SQLite)", lambda r: (
        f"{_s(r['import']['seconds'])}, {r['import']['rows_per_s']:,.0f} ({r['import']['orders_per_s']:,.0f})"
        + (f" ({_mark(r['import']['rows_per_s'] >= 150_000)})" if r["backend"] == "sqlite" else "")))
    row("import peak RSS", "< 500 MB", lambda r: f"{r['import']['peak_rss_mb']:,} MB ({_mark(r['import']['peak_rss_mb'] < 500)})")
    row("import ÷ executemany floor", "≤ 3×", lambda r: (
        f"{r['import']['floor_ratio']:.2f}× (floor {_s(r['floor']['seconds'])}) ({_mark(r['import']['floor_ratio'] <= 3)}); "
        f"{r['import']['bulk_floor_ratio']:.2f}× the floor of a bulk load ({_s(r['floor']['bulk_seconds'])}: indexes "
        "dropped, rows inserted, indexes built)" if "floor" in r else "—"))
    row("re-import (all unchanged)", "faster than import", lambda r: (
        f"{_s(r['reimport']['seconds'])}, {r['reimport']['vs_first']:.2f}× the import ({_mark(r['reimport']['vs_first'] < 1)})"))
    row("digests of all campaigns, median", "< 10 s", lambda r: (
        f"{_s(r['digests']['median'])} for {r['digests']['campaigns']} ({_mark(r['digests']['median'] < 10)})"))
    row("pandas peer, median", "—", lambda r: (
        f"{_s(r['peer']['median'])} = {r['peer']['vs_answer']:,.0f}× our answer; "
        + ("same numbers in all " + str(r["peer"]["campaigns_compared"]) + " campaigns" if not r["peer"]["mismatches"]
           else "**numbers differ** in " + ", ".join(r["peer"]["mismatches"]))))
    sqlite = results.get("sqlite")
    if sqlite and "floor" in sqlite:
        steps = sqlite["floor"]["steps"]
        lines += ["", "Where a SQLite import's time goes, each step timed alone in the same run: reading the CSV rows "
                  f"{_s(steps['csv_rows'])} (inside parsing), parsing them into orders {_s(steps['parse'])}, "
                  f"encoding and attributing {_s(steps['encode'])}, the executemany floor "
                  f"{_s(sqlite['floor']['seconds'])}; the import as a whole {_s(sqlite['import']['seconds'])}."]
    n = next(iter(results.values()))["answer"]["ack"]["n"]
    lines += ["", f"Answers: {n} signed `/roi campaign NAME` requests per backend, one at a time, the campaigns in "
              "turn, after 3 warm-up requests. Digests and the peer: medians of the runs; times are wall-clock."]
    return "\n".join(lines)


def write_readme(path: Path, text: str) -> None:
    """Replace the figures between the markers of `path`."""
    readme = path.read_text(encoding="utf-8")
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
