"""Orders into the database: counts of the summary, attribution on write, idempotent re-imports, dry runs."""

import threading
import time
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, text

from bot.imports import store_orders as store_orders_module
from bot.models import ImportRun, Order
from import_support import register, run

HEADER = "order_id,date,amount,code,currency,refunded,utm_campaign,utm_content\n"
ORDERS = HEADER + (
    "1,2026-03-05,200.00,ANA10,USD,,,\n"
    "2,2026-03-06,100.00,ana10,USD,30.00,,\n"      # partly refunded: 70 counts
    "3,2026-03-07,50.00,BEN5,USD,,,\n"
    "4,2026-04-07,80.00,BEN5,,,,\n"                # last day of the window (31 Mar + 7 days)
    "5,2026-04-08,90.00,BEN5,,,,\n"                # one day late: outside the window
    "6,2026-03-08,60.00,ANA10,EUR,,,\n"            # another currency: counted apart
    "7,2026-03-09,40.00,,USD,,spring,ben\n"        # no code, a tracking link
    "8,2026-03-10,25.00,,USD,,,\n"                 # nobody's
    "9,2026-03-11,100.00,ANA10,USD,100.00,,\n"     # fully refunded: no revenue, no order
    "bad,not-a-date,10,,,,,\n"
)


@pytest.fixture
def spring(roi):
    register(roi)


def by_id(sessions) -> dict[str, Order]:
    with sessions() as session:
        return {o.order_id: o for o in session.scalars(select(Order))}


def test_the_summary_counts_every_outcome(spring, sessions):
    summary = run(sessions, ORDERS)
    assert (summary.format, summary.rows_read, summary.orders, summary.new) == ("csv", 10, 9, 9)
    assert (summary.attributed, summary.other_currency, summary.outside_window, summary.unattributed) == (6, 1, 1, 1)
    assert summary.rejected_total == 1 and summary.rejected[0][0] == 11  # the header is row 1


def test_orders_are_stored_with_revenue_and_attribution(spring, sessions):
    run(sessions, ORDERS)
    orders = by_id(sessions)
    assert (orders["2"].revenue, orders["2"].counted, orders["2"].attribution) == (D("70.00"), True, "code")
    assert (orders["9"].revenue, orders["9"].counted) == (D("0.00"), False)
    assert orders["7"].attribution == "utm" and orders["5"].attribution == "outside" and orders["8"].attribution is None
    assert orders["4"].enrolment_id == orders["3"].enrolment_id == orders["7"].enrolment_id != orders["1"].enrolment_id
    assert "bad" not in orders


def test_importing_the_same_file_twice_changes_nothing(spring, sessions):
    run(sessions, ORDERS)
    before = {k: (o.revenue, o.attribution, o.updated_at) for k, o in by_id(sessions).items()}
    again = run(sessions, ORDERS)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 9)
    assert {k: (o.revenue, o.attribution, o.updated_at) for k, o in by_id(sessions).items()} == before


def test_a_changed_refund_updates_the_order(spring, sessions):
    run(sessions, ORDERS)
    summary = run(sessions, ORDERS.replace("3,2026-03-07,50.00,BEN5,USD,,,", "3,2026-03-07,50.00,BEN5,USD,20.00,,"))
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 8)
    assert by_id(sessions)["3"].revenue == D("30.00")


def test_an_overlapping_export_adds_only_the_new_orders(spring, sessions):
    run(sessions, HEADER + "1,2026-03-05,200.00,ANA10,USD,,,\n")
    summary = run(sessions, ORDERS)
    assert (summary.new, summary.unchanged) == (8, 1)


def test_a_dry_run_counts_but_saves_nothing(spring, sessions):
    summary = run(sessions, ORDERS, dry_run=True)
    assert (summary.new, summary.attributed) == (9, 6)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_each_import_is_recorded_with_its_summary(spring, sessions):
    run(sessions, ORDERS, name="march.csv")
    with sessions() as session:
        record = session.scalar(select(ImportRun))
    assert (record.kind, record.source, record.summary["new"], record.summary["rejected_total"]) == ("orders", "march.csv", 9, 1)


def test_the_same_order_id_from_another_source_is_another_order(spring, sessions):
    run(sessions, HEADER + "1001,2026-03-05,10.00,,,,,\n")
    shopify_like = "Name,Created at,Subtotal,Currency\n1001,2026-03-05 10:00:00 +0000,20.00,USD\n"
    assert run(sessions, shopify_like).new == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 2


def test_a_workspace_never_sees_another_workspaces_orders(spring, roi, sessions):
    roi.command("/campaign create spring budget=100", team="T0OTHER")
    run(sessions, ORDERS)
    other = run(sessions, ORDERS, team="T0OTHER")
    assert (other.new, other.attributed, other.unattributed) == (9, 0, 9)  # codes of T0001 mean nothing there


def test_concurrent_imports_of_one_file_store_each_order_once(spring, sessions):
    results, errors = [], []

    def worker():
        try:
            results.append(run(sessions, ORDERS))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(r.new for r in results) == [0, 0, 9]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 9


def test_a_code_added_while_an_import_runs_still_credits_its_orders(spring, roi, sessions):
    # The import holds the workspace's attribution lock; the registration waits and then re-attributes.
    started, finish = threading.Event(), threading.Event()
    original = store_orders_module._store_chunk

    def slow_chunk(*args, **kwargs):
        original(*args, **kwargs)
        started.set()
        finish.wait(10)

    store_orders_module._store_chunk = slow_chunk
    try:
        importer = threading.Thread(target=run, args=(sessions, HEADER + "10,2026-03-12,70.00,CY20,USD,,,\n"))
        importer.start()
        assert started.wait(10)
        registrar = threading.Thread(target=register, args=(roi, ["/influencer add cy campaign=spring fee=1",
                                                                   "/code add CY20 cy campaign=spring"]))
        registrar.start()
        registrar.join(1)  # on PostgreSQL it is now waiting for the import's lock (SQLite: for its write lock)
        finish.set()
        importer.join(30)
        registrar.join(30)
    finally:
        store_orders_module._store_chunk = original
    assert by_id(sessions)["10"].attribution == "code"


def test_imported_rows_are_stored_exactly_as_the_orm_stores_them(spring, sessions):
    # The importer hands pre-encoded rows to the driver (executemany / COPY) and compares raw rows on re-import:
    # an order written through SQLAlchemy's column types must read back raw exactly like the imported one.
    run(sessions, HEADER + "t1,2026-03-05 23:30:15.25 -0400,1234.56,ANA10,USD,34.50,,\n", tz="Europe/Berlin")
    columns = ("created", "order_date", "currency", "subtotal", "refunded", "cancelled", "financial_status", "codes",
               "utm_campaign", "utm_content", "revenue", "counted", "attribution", "campaign_id", "enrolment_id")
    with sessions() as session:
        imported = session.scalar(select(Order).where(Order.order_id == "t1"))
        assert imported.created.isoformat() == "2026-03-06T03:30:15.250000+00:00"
        assert (imported.order_date.isoformat(), imported.revenue, imported.codes) == ("2026-03-06", D("1200.06"), ",ana10,")
        session.add(Order(workspace_id=imported.workspace_id, source="csv", order_id="t2",
                          **{c: getattr(imported, c) for c in columns}))
        session.commit()
        raw = {row[0]: tuple(row[1:]) for row in session.execute(
            text(f"SELECT order_id, {', '.join(columns)} FROM orders WHERE order_id IN ('t1', 't2')"))}
    assert raw["t1"] == raw["t2"]
    again = run(sessions, HEADER + "t1,2026-03-05 23:30:15.25 -0400,1234.56,ANA10,USD,34.50,,\n", tz="Europe/Berlin")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


def _indexes(engine) -> set[str]:
    from sqlalchemy import inspect

    return {ix["name"] for ix in inspect(engine).get_indexes("orders")}


def _many(count: int, *, bad_at: int | None = None) -> str:
    lines = [f"m{n},2026-03-{1 + n % 28:02d},{10 + n % 7}.50,{'ANA10' if n % 3 else 'BEN5'},USD,,,\n" for n in range(count)]
    if bad_at is not None:
        lines[bad_at] = f"m{bad_at},2026-03-05,10.00,ANA10,USD,,,\n"  # an order id used twice: a rejected row
    return HEADER + "".join(lines)


def test_a_bulk_load_builds_the_indexes_again_and_counts_the_same(spring, sessions, engine, monkeypatch):
    monkeypatch.setattr(store_orders_module, "CHUNK", 10)
    monkeypatch.setattr(store_orders_module, "BULK_NEW", 20)
    indexes = _indexes(engine)
    original, dropped = store_orders_module._store_chunk, []
    monkeypatch.setattr(store_orders_module, "_store_chunk",
                        lambda table, *args: (dropped.append(bool(table.dropped)), original(table, *args)))
    bulk = run(sessions, _many(95))
    assert dropped[1] is False and dropped[-1] is (engine.dialect.name == "sqlite")  # SQLite only, past BULK_NEW
    monkeypatch.setattr(store_orders_module, "BULK_NEW", 10**9)
    with sessions() as session:
        stored = {o.order_id: (o.revenue, o.attribution, o.enrolment_id) for o in session.scalars(select(Order))}
        session.execute(text("DELETE FROM orders"))
        session.commit()
    plain = run(sessions, _many(95))
    with sessions() as session:
        assert {o.order_id: (o.revenue, o.attribution, o.enrolment_id) for o in session.scalars(select(Order))} == stored
    assert bulk.as_json() == plain.as_json() and bulk.new == 95
    assert _indexes(engine) == indexes and "ix_orders_campaign_report" in indexes


def test_a_bulk_load_that_fails_leaves_no_order_and_every_index(spring, sessions, engine, monkeypatch):
    monkeypatch.setattr(store_orders_module, "CHUNK", 10)
    monkeypatch.setattr(store_orders_module, "BULK_NEW", 20)
    indexes = _indexes(engine)
    original = store_orders_module._store_chunk
    calls = []

    def failing(table, *args):
        calls.append(table.dropped)
        if len(calls) == 5:
            raise RuntimeError("the disk is full")
        original(table, *args)

    monkeypatch.setattr(store_orders_module, "_store_chunk", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        run(sessions, _many(95))
    assert calls[-1] or engine.dialect.name != "sqlite", "the failure came after the indexes were dropped"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0
    assert _indexes(engine) == indexes


def test_a_big_import_leaves_postgresql_vacuumed_and_analyzed(spring, sessions, engine, monkeypatch):
    # Without it, reports read a fresh table's rows instead of the covering index, until autovacuum came by.
    if engine.dialect.name != "postgresql":
        pytest.skip("VACUUM after a big import is for PostgreSQL; SQLite plans well without statistics")
    monkeypatch.setattr(store_orders_module, "BULK_NEW", 20)
    query = text("SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = 'orders'")
    def stamps():
        with engine.connect() as connection:
            return tuple(connection.execute(query).one())

    before = stamps()  # earlier tests may have left their own
    run(sessions, _many(10))  # small: left to autovacuum
    time.sleep(0.5)
    assert stamps() == before
    run(sessions, _many(30))
    deadline = time.monotonic() + 5  # the statistics reach other sessions a moment later
    while (after := stamps()) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(new is not None and (old is None or new > old) for old, new in zip(before, after))


def test_a_big_import_into_a_big_table_keeps_the_indexes(spring, sessions, monkeypatch):
    # Rebuilding indexes over a table that already holds many orders would cost more than it saves.
    monkeypatch.setattr(store_orders_module, "CHUNK", 10)
    run(sessions, ORDERS)  # 9 orders already there
    monkeypatch.setattr(store_orders_module, "BULK_NEW", 20)
    monkeypatch.setattr(store_orders_module, "BULK_TABLE", 9)
    original, dropped = store_orders_module._store_chunk, []
    monkeypatch.setattr(store_orders_module, "_store_chunk",
                        lambda table, *args: (original(table, *args), dropped.append(bool(table.dropped))))
    assert run(sessions, _many(60)).new == 60
    assert dropped and not any(dropped)
    monkeypatch.setattr(store_orders_module, "BULK_TABLE", 10)  # one more and it counts as small
    dropped.clear()
    with sessions() as session:
        session.execute(text("DELETE FROM orders WHERE order_id LIKE 'm%'"))
        session.commit()
    run(sessions, _many(60))
    assert any(dropped) is (sessions.kw["bind"].dialect.name == "sqlite")
