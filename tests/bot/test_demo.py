"""`roi-bot demo`: runs offline, writes readable text and valid Block Kit for every command, builds the database."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.db import make_engine, make_sessions
from bot.demo import _DIRECTIVE, demo_lines, run_demo
from bot.models import Campaign, Code, EngagementStat, Influencer, Order
from slackschema import assert_valid_message


def test_demo_writes_every_answer_and_a_database(tmp_path):
    out = tmp_path / "roi-demo"
    written = run_demo(out)
    lines = demo_lines()
    texts = sorted((out / "messages").glob("*.txt"))
    assert len(texts) == len(lines) == len(sorted((out / "messages").glob("*.json")))
    assert out / "README.md" in written
    readme = (out / "README.md").read_text()
    for line in lines:
        assert f"`{_DIRECTIVE.match(line).group('line')}`" in readme
    for path in sorted((out / "messages").glob("*.json")):
        messages = json.loads(path.read_text())
        assert messages, f"{path.name}: the command got no answer"
        for message in messages:
            assert_valid_message(message)
    engine = make_engine(f"sqlite:///{out / 'roi.db'}")
    with make_sessions(engine)() as session:
        counts = [session.scalar(select(func.count()).select_from(m)) for m in (Campaign, Influencer, Code, EngagementStat)]
        credited = session.scalar(select(func.count()).select_from(Order).where(Order.attribution.in_(["code", "utm"])))
    engine.dispose()
    assert counts == [2, 5, 6, 7]  # two stats typed as commands, five from the shared stats file
    assert credited > 100  # the shared Shopify export was imported and credited by code and link


def test_demo_imports_results_and_writes_the_charts(tmp_path):
    out = tmp_path / "roi-demo"
    written = run_demo(out)
    charts = sorted((out / "charts").glob("*.png"))
    assert len(charts) >= 5 and all(p.read_bytes().startswith(b"\x89PNG") for p in charts)
    assert set(charts) <= set(written)
    assert (out / "files" / "shopify_orders_export.csv").read_text().startswith("Name,Email,Financial Status")
    answer = next((out / "messages").glob("*-roi-campaign-spring.txt")).read_text()
    assert "Revenue" in answer and "ROI" in answer and "Flagged" in answer and "charts/" in answer


def test_demo_mistakes_are_answered_and_change_nothing(tmp_path):
    out = tmp_path / "demo"
    run_demo(out)
    last = sorted((out / "messages").glob("*.txt"))[-4:]
    for path in last:
        assert "Nothing was changed" in path.read_text(), path.name


def test_demo_is_deterministic(tmp_path):
    run_demo(tmp_path / "a")
    run_demo(tmp_path / "b")
    a = {p.name: p.read_text() for p in (tmp_path / "a" / "messages").iterdir()}
    b = {p.name: p.read_text() for p in (tmp_path / "b" / "messages").iterdir()}
    assert a == b
