"""Run the benchmarks (issue: "Benchmarks at scale") on SQLite and PostgreSQL and write the figures.

    make bench                                  # everything: generate, both backends, bench/README.md updated
    .venv/bin/python -m bench.run --no-pg --requests 30     # SQLite only, fewer requests

For each backend, on a fresh database holding the generated campaigns, roster and engagement rows:
1. import   `roi-bot import orders` of the 1,000,000-order Shopify export in a child process: wall time, rows/s,
            peak RSS; then the floor, on SQLite: a raw `sqlite3` `executemany` of the same already-parsed rows
            into a copy of the same database taken just before the import, in this same run
2. reimport the same file again (everything unchanged)
3. answer   a real `roi-bot serve` (waitress) pointed at the Web API stand-in; signed `/roi campaign NAME`
            requests over HTTP, one at a time: ack = until the HTTP response, full = until
            `files.completeUploadExternal` (the chart) reached the stand-in
4. digests  all 20 campaigns' digests rendered and posted to the stand-in, the way `roi-bot jobs run digest` does
5. peer     `bench/peer.py` (pandas, from scratch) timed against the answer; every campaign's numbers compared
Results go to `bench/results/<backend>.json` and into the figures section of `bench/README.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import generate, world

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/roi_bench"
BURST, BURST_ROUNDS = 10, 5  # ten people asking at once, five times
# Peak RSS of the child itself: VmHWM on Linux. (ru_maxrss is not: a child forked from this process starts with
# this process's peak, and the floor's million parsed rows made that 1.3 GB.)
_RSS = ("import resource, sys; from bot.wiring.cli import main; code = main(sys.argv[1:]); "
        "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')] "
        "if sys.platform == 'linux' else []; "
        "print('maxrss_kb', hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
        "sys.exit(code)")


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "median": statistics.median(values), "p95": pct(values, 95), "p99": pct(values, 99),
            "min": min(values), "max": max(values)}


def _env(url: str, **extra: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "ROI_TIMEZONE": "UTC", **extra}


def cli(url: str, *args: str, **extra: str) -> tuple[float, int, str]:
    """Run `roi-bot ARGS` in a child process: (seconds, peak RSS in MB, stdout)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _RSS, *args], cwd=ROOT, env=_env(url, **extra),
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"roi-bot {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    rss = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("maxrss_kb"))
    return elapsed, rss // 1024, done.stdout


def import_orders(url: str, data: Path) -> dict:
    elapsed, rss, out = cli(url, "import", "orders", str(data / "orders.csv"), "--team", world.TEAM, "--json")
    result = json.loads(out)
    return {"seconds": elapsed, "rows": result["rows_read"], "orders": result["orders"],
            "rows_per_s": result["rows_read"] / elapsed, "orders_per_s": result["orders"] / elapsed,
            "peak_rss_mb": rss, "summary": {k: result[k] for k in ("new", "updated", "unchanged", "attributed",
                                                                   "unattributed", "outside_window", "other_currency")}}


def floor(before: Path, data: Path) -> dict:
    """A raw sqlite3 executemany of the already-parsed, already-attributed rows into a copy of the database as it
    was before the import (same schema, indexes and PRAGMAs): the least any importer of these rows can cost.

    Also the floor of what our importer does with a bulk load (the secondary indexes dropped, the rows inserted,
    the indexes built again, in one transaction), so both comparisons are on the record."""
    from bench import floor_rows

    rows, columns, steps = floor_rows.parsed(before, data / "orders.csv")
    sql = f"INSERT INTO orders ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    seconds = {}
    for kind in ("plain", "bulk"):
        target = before.with_name("floor.db")
        shutil.copy(before, target)
        con = sqlite3.connect(target, isolation_level=None)
        for pragma in floor_rows.PRAGMAS:
            con.execute(f"PRAGMA {pragma}")
        indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' "
                              "AND sql IS NOT NULL").fetchall() if kind == "bulk" else []
        start = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        for name, _ in indexes:
            con.execute(f"DROP INDEX {name}")
        con.executemany(sql, rows)
        for _, create in indexes:
            con.execute(create)
        con.execute("COMMIT")
        seconds[kind] = time.perf_counter() - start
        con.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    return {"seconds": seconds["plain"], "bulk_seconds": seconds["bulk"], "orders": len(rows), "steps": steps}


def answers(url: str, camps: list[str], requests: int, burst: int = BURST, rounds: int = BURST_ROUNDS) -> dict:
    """Signed `/roi campaign NAME` through a running `roi-bot serve`: ack and full-answer latencies, then `rounds`
    bursts of `burst` people asking at once."""
    from bot.fakeslack.requests import post, slash_command
    from bot.fakeslack.server import FakeSlack

    with FakeSlack(team_id=world.TEAM, team_name="Bench Coffee Co") as slack:
        slack.channels = [{"id": world.CHANNEL, "name": "influencers"}]
        port = _free_port()
        env = _env(url, SLACK_BOT_TOKEN=world.TOKEN, SLACK_SIGNING_SECRET=world.SECRET, SLACK_API_URL=slack.api_url,
                   PORT=str(port))
        log = tempfile.TemporaryFile()  # the server's output, shown if it does not start
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--no-scheduler"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = _wait_healthy(proc, port, log)
            acks, fulls, bytes_ = [], [], []
            for n in range(requests + 3):  # the first three warm the process up and are not counted
                name = camps[n % len(camps)]
                body = slash_command("/roi", f"campaign {name}", response_url=slack.response_url(f"b{n}"),
                                     team_id=world.TEAM, user_id=world.USER, channel_id=world.CHANNEL)
                before = len(slack.calls_to("files.completeUploadExternal"))
                sent = time.time()
                status, _, _ = post(base + "/slack/events", body, secret=world.SECRET)
                acked = time.time()
                if status != 200:
                    raise RuntimeError(f"/roi campaign {name} answered HTTP {status}")
                done = slack.wait_for("files.completeUploadExternal", before + 1, timeout=30)[-1]
                if n >= 3:
                    acks.append(acked - sent)
                    fulls.append(done.at - sent)
                    uploads = [c for c in slack.calls if c.method == "file_upload" and c.at >= sent]
                    bytes_.append(sum(len(c.body) for c in uploads))
            posted = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == world.CHANNEL]
            if len(posted) < requests:
                raise RuntimeError(f"{len(posted)} answers posted for {requests + 3} requests")
            bursts = _bursts(slack, base, camps, burst, rounds)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
            log.close()
    return {"ack": summary(acks), "full": summary(fulls), "chart_bytes_median": statistics.median(bytes_) if bytes_ else 0,
            **bursts}


def _send(args: tuple[str, str]) -> tuple[float, float, int]:
    """POST one signed request (in a sender process); returns (sent, acked, HTTP status)."""
    from bot.fakeslack.requests import post

    url, body = args
    sent = time.time()
    status, _, _ = post(url, body, secret=world.SECRET)
    return sent, time.time(), status


def _bursts(slack, base: str, camps: list[str], burst: int, rounds: int) -> dict:
    """`burst` people asking at the same moment, `rounds` times: each ack, and how long until all were answered.

    The requests go out from `burst` sender processes, so the senders' own waits for this process's GIL (which
    also runs the Web API stand-in, busy receiving charts) are not counted as the app's ack time."""
    import multiprocessing

    from bot.fakeslack.requests import slash_command

    acks, answered = [], []
    with multiprocessing.get_context("spawn").Pool(burst) as senders:
        senders.map(time.sleep, [0] * burst)  # started and idle before the first burst
        for round_ in range(rounds):
            before = len(slack.calls_to("files.completeUploadExternal"))
            bodies = [(base + "/slack/events",
                       slash_command("/roi", f"campaign {camps[(round_ * burst + i) % len(camps)]}",
                                     response_url=slack.response_url(f"burst{round_}-{i}"), team_id=world.TEAM,
                                     user_id=f"UBENCH{i:04d}", channel_id=world.CHANNEL)) for i in range(burst)]
            times = senders.map(_send, bodies, chunksize=1)
            if any(status != 200 for _, _, status in times):
                raise RuntimeError(f"a /roi campaign in a burst was refused: {[t[2] for t in times]}")
            done = slack.wait_for("files.completeUploadExternal", before + burst, timeout=60)
            acks += [acked - sent for sent, acked, _ in times]
            answered.append(max(c.at for c in done[before:]) - min(sent for sent, _, _ in times))
    return {"burst": burst, "burst_ack": summary(acks), "burst_answered": summary(answered)}


def digests(url: str, runs: int) -> dict:
    """Every campaign's digest rendered and posted to the stand-in (as `roi-bot jobs run digest --force`)."""
    from sqlalchemy import select

    from bot.config import Settings
    from bot.fakeslack.server import FakeSlack
    from bot.jobs import digests as jobs
    from bot.models import Campaign
    from bot.runtime import Runtime
    from handlers.jobs import digests as posting

    times = []
    with FakeSlack(team_id=world.TEAM, team_name="Bench Coffee Co") as slack:
        slack.channels = [{"id": world.CHANNEL, "name": "influencers"}]
        settings = Settings(bot_token=world.TOKEN, signing_secret=world.SECRET, slack_api_url=slack.api_url,
                            database_url=url)
        runtime = Runtime.build(settings)
        with runtime.reads.begin() as session:
            ids = list(session.scalars(select(Campaign.id).order_by(Campaign.id)))
        for _ in range(runs):
            start = time.perf_counter()
            outcomes = [posting.by_hand(runtime, camp_id, force=True) for camp_id in ids]
            times.append(time.perf_counter() - start)
            failed = [o for o in outcomes if o.status not in (jobs.POSTED,)]
            if failed:
                raise RuntimeError(f"digests not posted: {failed}")
        charts = len(slack.calls_to("files.completeUploadExternal"))
        runtime.engine.dispose()
    if charts != runs * len(ids):
        raise RuntimeError(f"{charts} charts uploaded for {runs * len(ids)} digests")
    return {"campaigns": len(ids), **summary(times)}


def peer(url: str, data: Path, runs: int) -> dict:
    """The pandas script from scratch, timed; its numbers compared with the app's report for every campaign."""
    from sqlalchemy import select

    from bot.db import make_engine, make_sessions
    from bot.models import Campaign
    from bot.reports import campaign_report

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / "peer.py"), str(data)], cwd=ROOT, capture_output=True,
                              text=True, check=True)
        times.append(time.perf_counter() - start)
    theirs = json.loads(done.stdout)
    engine = make_engine(url)
    keys = ("revenue", "orders", "cost", "profit", "roi_pct", "roas", "cpa", "aov")
    mismatches = []
    with make_sessions(engine)() as session:
        for camp in session.scalars(select(Campaign).order_by(Campaign.id)):
            ours = campaign_report(session, camp, today=datetime.now(timezone.utc).date()).as_json()["influencers"]
            mine = [{"handle": r["handle"], **{k: r[k] for k in keys}} for r in ours]
            other = [{"handle": r["handle"], **{k: r[k] for k in keys}} for r in theirs[camp.name]]
            if mine != other:
                mismatches.append(camp.name)
    engine.dispose()
    return {**summary(times), "campaigns_compared": len(theirs), "mismatches": mismatches}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(proc: subprocess.Popen, port: int, log) -> str:
    import urllib.request

    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as response:
                if response.status == 200:
                    return base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.seek(0)
                raise RuntimeError("roi-bot serve did not start:\n" + log.read().decode()) from None
            time.sleep(0.1)


def backend(name: str, url: str, data: Path, work: Path, args) -> dict:
    print(f"[{name}] building the registrations", flush=True)
    start = time.perf_counter()
    setup = world.build(url, data)
    result: dict = {"backend": name, "setup_seconds": time.perf_counter() - start, "setup": setup}
    before = None
    if name == "sqlite":
        before = work / "before-import.db"
        with sqlite3.connect(Path(url.removeprefix("sqlite:///"))) as src, sqlite3.connect(before) as dst:
            src.backup(dst)
    print(f"[{name}] importing the orders", flush=True)
    result["import"] = import_orders(url, data)
    if before is not None:
        print(f"[{name}] the executemany floor", flush=True)
        result["floor"] = floor(before, data)
        result["import"]["floor_ratio"] = result["import"]["seconds"] / result["floor"]["seconds"]
        result["import"]["bulk_floor_ratio"] = result["import"]["seconds"] / result["floor"]["bulk_seconds"]
        before.unlink()
    print(f"[{name}] re-importing", flush=True)
    result["reimport"] = import_orders(url, data)
    result["reimport"]["vs_first"] = result["reimport"]["seconds"] / result["import"]["seconds"]
    camps = [c["name"] for c in world.campaigns(data)]
    print(f"[{name}] /roi campaign through roi-bot serve ({args.requests} requests, {args.burst_rounds} bursts of "
          f"{args.burst})", flush=True)
    result["answer"] = answers(url, camps, args.requests, args.burst, args.burst_rounds)
    print(f"[{name}] digests of all campaigns ({args.runs} runs)", flush=True)
    result["digests"] = digests(url, args.runs)
    print(f"[{name}] the pandas peer ({args.runs} runs)", flush=True)
    result["peer"] = peer(url, data, args.runs)
    result["peer"]["vs_answer"] = result["peer"]["median"] / result["answer"]["full"]["median"]
    return result


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    import sqlalchemy

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "sqlalchemy": sqlalchemy.__version__, "system": platform.system()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the ROI bot benchmarks.")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where the generated data set lives")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--influencers", type=int, default=1000)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--stats", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=100, help="/roi requests measured per backend")
    parser.add_argument("--burst", type=int, default=BURST, help="people asking at once in each burst")
    parser.add_argument("--burst-rounds", type=int, default=BURST_ROUNDS, help="bursts per backend")
    parser.add_argument("--runs", type=int, default=3, help="runs of the digest batch and of the pandas peer")
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL", PG_URL),
                        help="PostgreSQL URL; its database is dropped and created (default: roi_bench on 127.0.0.1)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite bench/README.md")
    args = parser.parse_args(argv)
    manifest = generate.generate(args.data, orders_count=args.orders, influencers=args.influencers,
                                 campaigns_count=args.campaigns, stats_count=args.stats)
    print(f"data: {args.orders:,} orders in {manifest['order_rows']:,} rows", flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    work = args.results / "work"
    work.mkdir(exist_ok=True)
    runs = {"sqlite": f"sqlite:///{(work / 'bench.db').resolve()}"}
    if not args.no_pg:
        runs["postgresql"] = args.pg
    meta = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
            "data": manifest["args"] | {"order_rows": manifest["order_rows"], "enrolments": manifest["enrolments"]}}
    results = {}
    for name, url in runs.items():
        results[name] = backend(name, url, args.data, work, args)
        (args.results / f"{name}.json").write_text(json.dumps(meta | results[name], indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    from bench import report

    text = report.figures(meta, results)
    print(text)
    if not args.no_readme:
        report.write_readme(HERE / "README.md", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
