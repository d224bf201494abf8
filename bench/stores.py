"""Live-store benchmarks (SPEC §8): signed Shopify webhooks through a real `roi-bot serve`, and a sync against the
Shopify stand-in with its cost-based throttle on, on SQLite and PostgreSQL.

- Webhooks: `--deliveries` signed `orders/create` deliveries (distinct orders from bot.fakestores' generator) sent
  by `--senders` threads at once; the ack of each is timed, then the run waits until every order is stored. The
  sustained rate is orders stored per second from the first send to the last order stored; "lost" counts deliveries
  acknowledged 200 whose order never appeared.
- Sync: `--sync-orders` orders pulled by `bot.stores.sync` from FakeShopify with throttling on; the stand-in counts
  requests it would have refused (violations, which must stay 0).

    .venv/bin/python -m bench.stores                 # both backends, figures printed and written to results/
    .venv/bin/python -m bench.stores --no-pg --deliveries 500
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, make_url, select, text

from bot.db import make_engine, make_sessions, upgrade
from bot.fakeslack.server import FakeSlack
from bot.fakestores.shopify import FakeShopify
from bot.models import Order
from bot.registry import campaigns, codes, influencers, lookup
from bot.stores import connections
from bot.stores.sync import sync

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/roi_bench_stores"
SECRET = "bench-shopify-client-secret"
TEAM = "TBENCH0001"


def _database(backend: str, pg: str, work: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / 'stores.db'}"
    url = make_url(pg)
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return pg


def _prepare(url: str, shop: str, *, api_url: str | None = None) -> int:
    """The workspace with a March-to-December campaign and four influencers whose codes the generator uses."""
    engine = make_engine(url)
    upgrade(engine)
    with make_sessions(engine).begin() as session:
        ws = lookup.workspace(session, TEAM)
        camp = campaigns.create(session, ws, {"name": "live", "budget": Decimal(50_000), "start": date(2020, 1, 1),
                                              "end": date(2030, 12, 31)})
        for handle, code in (("ana", "ANA10"), ("ben", "BEN15"), ("carla", "CARLA20"), ("dev", "DEV5")):
            row = influencers.enrol(session, influencers.create(session, ws, handle, {}), camp, {},
                                    today=date(2026, 3, 1))
            codes.add(session, row, code, url=None, user_id=None)
        found = connections.connect(session, ws, "shopify", shop, webhook_secret=SECRET, api_url=api_url,
                                    api_key="fake-client-id-0001", access_token="shpat_test_fake_admin_token_0001")
        connection_id = found.id
    engine.dispose()
    return connection_id


def _orders(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Order))
    engine.dispose()
    return count


def _signed(raw: bytes, shop: str, n: int) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json", "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Hmac-Sha256": digest, "X-Shopify-API-Version": "2025-10", "X-Shopify-Webhook-Id": f"wh-{n}",
            "X-Shopify-Event-Id": f"ev-{n}"}


def _post(args: tuple[str, bytes, dict[str, str]]) -> tuple[float, float, int]:
    url, raw, headers = args
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=raw, headers=headers, method="POST"),
                                    timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return started, time.perf_counter(), status


def _quantiles(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"n": len(ordered), "p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, "max_ms": ordered[-1] * 1000}


def webhooks(url: str, work: Path, deliveries: int, senders: int) -> dict:
    fake = FakeShopify()
    _prepare(url, fake.shop)
    fake.add_orders(deliveries, seed=7)
    bodies = [json.dumps(fake.rest_order(order_id)).encode() for order_id in list(fake.orders)]
    expected = sum(1 for order in fake.orders.values() if not order.test)  # test orders are ignored (SPEC §8)
    with FakeSlack() as slack:
        port = _free_port()
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROI_", "SHOPIFY_", "WOO"))},
               "DATABASE_URL": url, "PORT": str(port), "SLACK_BOT_TOKEN": "xoxb-bench-0000",
               "SLACK_SIGNING_SECRET": "bench-signing-secret", "SLACK_API_URL": slack.api_url,
               "SHOPIFY_SHOP": fake.shop, "SHOPIFY_CLIENT_SECRET": SECRET, "ROI_CHART_WORKERS": "0"}
        log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--no-scheduler"],
                                cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _healthy(base, proc, log)
            target = base + "/shopify/webhooks"
            work_items = [(target, raw, _signed(raw, fake.shop, n)) for n, raw in enumerate(bodies)]
            first = time.perf_counter()
            with ThreadPoolExecutor(senders) as pool:
                sent = list(pool.map(_post, work_items))
            acked = sum(1 for _, _, status in sent if status == 200)
            deadline = time.perf_counter() + 300
            while (stored := _orders(url)) < expected and time.perf_counter() < deadline:
                time.sleep(0.05)
            done = time.perf_counter()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    acks = [end - start for start, end, _ in sent]
    return {"deliveries": deliveries, "senders": senders, "acked": acked, "stored": stored,
            "lost": expected - stored + (deliveries - acked),
            "ack": _quantiles(acks), "send_seconds": max(end for _, end, _ in sent) - first,
            "stored_per_second": stored / (done - first)}


def sync_rate(url: str, orders: int) -> dict:
    with FakeShopify(throttle=True, bucket_size=2000, restore_rate=20_000) as fake:
        connection_id = _prepare(url, fake.shop, api_url=fake.base_url)
        fake.add_orders(orders, seed=11)
        engine = make_engine(url)
        started = time.perf_counter()
        summary = sync(make_sessions(engine), connection_id, tz=ZoneInfo("UTC"), now=datetime.now(timezone.utc),
                       since=date(2020, 1, 1))
        seconds = time.perf_counter() - started
        engine.dispose()
        return {"orders": orders, "read": summary.rows_read, "seconds": seconds, "orders_per_second": orders / seconds,
                "violations": fake.violations, "throttled": fake.throttled,
                "graphql_requests": len(fake.calls_to("graphql"))}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base: str, proc: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    log.seek(0)
    raise RuntimeError("roi-bot serve did not start:\n" + log.read().decode(errors="replace"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark store webhooks and the sync.")
    parser.add_argument("--deliveries", type=int, default=2000, help="webhook deliveries per backend")
    parser.add_argument("--senders", type=int, default=8, help="deliveries sent at once")
    parser.add_argument("--sync-orders", type=int, default=20_000, help="orders pulled by the sync per backend")
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL", PG_URL),
                        help="PostgreSQL URL; THE DATABASE NAMED THERE IS DROPPED AND CREATED AGAIN")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    results = {}
    for backend in ("sqlite",) if args.no_pg else ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            print(f"[{backend}] {args.deliveries} webhooks from {args.senders} senders", flush=True)
            hooks = webhooks(_database(backend, args.pg, work), work, args.deliveries, args.senders)
            print(f"[{backend}] sync of {args.sync_orders} orders, throttle on", flush=True)
            (work / "sync").mkdir()
            pulled = sync_rate(_database(backend, args.pg, work / "sync"), args.sync_orders)
        results[backend] = {"webhooks": hooks, "sync": pulled}
        h, s = hooks, pulled
        print(f"[{backend}] ack p50 {h['ack']['p50_ms']:.1f} ms, p99 {h['ack']['p99_ms']:.1f} ms; "
              f"{h['stored_per_second']:.0f} orders/s stored; lost {h['lost']}; sync {s['orders_per_second']:.0f} "
              f"orders/s, {s['violations']} throttle violations", flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "stores.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
