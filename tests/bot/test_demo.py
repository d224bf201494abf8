"""`roi-bot demo`: runs offline, writes readable text and valid Block Kit for every command, builds the database.

The tests only read what the demo wrote, so one run serves the module (`demo`); the determinism test runs it once
more."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.db import make_engine, make_sessions
from bot.wiring.demo import _DIRECTIVE, demo_lines, run_demo
from bot.models import Alert, Campaign, Code, Enrolment, EngagementStat, Influencer, Order
from slackschema import assert_valid_blocks, assert_valid_message

# Under pytest-xdist (`make test`) the module's tests run in one worker, so its shared fixtures are built once.
pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The output directory of one `roi-bot demo` run, and the files it says it wrote."""
    out = tmp_path_factory.mktemp("demo") / "roi-demo"
    return out, run_demo(out)


def test_demo_writes_every_answer_and_a_database(demo):
    out, written = demo
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


def test_demo_imports_results_and_writes_the_charts(demo):
    out, written = demo
    charts = sorted((out / "charts").glob("*.png"))
    assert len(charts) >= 5 and all(p.read_bytes().startswith(b"\x89PNG") for p in charts)
    assert set(charts) <= set(written)
    assert (out / "files" / "shopify_orders_export.csv").read_text().startswith("Name,Email,Financial Status")
    answer = next((out / "messages").glob("*-roi-campaign-spring.txt")).read_text()
    assert "Revenue" in answer and "ROI" in answer and "Flagged" in answer and "charts/" in answer


def _one(out, pattern):
    found = sorted((out / "messages").glob(pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


def _action_ids(message):
    return [[e["action_id"] for e in b["elements"]] for b in message.get("blocks", []) if b["type"] == "actions"]


def test_demo_posts_the_scheduled_digest_with_its_chart(demo):
    out, written = demo
    text = _one(out, "*-job-digest-spring.txt").read_text()
    assert "digest" in text and "spring" in text and "→ #growth" in text
    assert "Top influencers" in text and "Flagged today" in text
    (message,) = json.loads(_one(out, "*-job-digest-spring.json").read_text())
    assert message["channel"] == "C0GROWTH"
    chart = text.split("→ charts/")[1].split("]")[0]
    png = out / "charts" / chart
    assert png in written and png.read_bytes().startswith(b"\x89PNG")


def test_demo_alerts_go_to_the_manager_with_three_buttons(demo):
    out, _written = demo
    messages = json.loads(_one(out, "*-job-alerts.json").read_text())
    assert [m["channel"] for m in messages] == ["D0MANAGER", "C0GROWTH", "D0MANAGER"]  # theglowedit has no manager
    for message in messages:
        assert _action_ids(message) == [["roi_cut", "roi_keep", "roi_snooze"]]
    text = _one(out, "*-job-alerts.txt").read_text()
    assert "→ DM to @lena" in text and "→ #growth" in text and "[Cut]  [Keep]  [Snooze 7 days]" in text


def test_demo_decision_updates_the_alert_and_a_refused_click_changes_nothing(demo):
    out, _written = demo
    (refusal,) = json.loads(_one(out, "*-click-roi-cut.json").read_text())
    assert refusal["response_type"] == "ephemeral" and refusal.get("replace_original") is False
    assert "Nothing changed" in _one(out, "*-click-roi-cut.txt").read_text()
    (updated,) = json.loads(_one(out, "*-click-roi-keep.json").read_text())
    first_alert = json.loads(_one(out, "*-job-alerts.json").read_text())[0]
    assert (updated["channel"], _action_ids(updated)) == (first_alert["channel"], [])
    shown = _one(out, "*-click-roi-keep.txt").read_text()
    assert "Kept by @lena on 2026-03-16" in shown and "[Keep]" not in shown
    engine = make_engine(f"sqlite:///{out / 'roi.db'}")
    with make_sessions(engine)() as session:
        alerts = session.scalars(select(Alert).order_by(Alert.id)).all()
        decided = [(a.decision, a.decided_by) for a in alerts]
        statuses = set(session.scalars(select(Enrolment.status)))
    engine.dispose()
    assert decided == [("keep", "U0MANAGER"), (None, None), (None, None)]  # Sam's Cut was not recorded
    assert "cut" not in statuses


def test_demo_mistakes_are_answered_and_change_nothing(demo):
    out, _written = demo
    last = sorted((out / "messages").glob("*.txt"))[-4:]
    for path in last:
        assert "Nothing was changed" in path.read_text(), path.name


def test_demo_writes_each_messages_blocks_for_the_block_kit_builder_beside_messages(demo):
    out, written = demo
    expected = {}
    for path in sorted((out / "messages").glob("*.json")):
        with_blocks = [m for m in json.loads(path.read_text()) if m.get("blocks")]
        names = ([path.name] if len(with_blocks) == 1
                 else [f"{path.stem}-{i}.json" for i in range(1, len(with_blocks) + 1)])
        expected.update({name: {"blocks": m["blocks"]} for name, m in zip(names, with_blocks)})
    builder = sorted((out / "block-kit-builder").iterdir())
    assert {p.name: json.loads(p.read_text()) for p in builder} == expected  # exactly what Builder takes, no more
    for payload in expected.values():
        assert_valid_blocks(payload["blocks"])
    assert set(builder) <= set(written)
    alerts = _one(out, "*-job-alerts.json").stem  # the scan sent three alerts: one file each
    assert [p.name for p in builder if p.name.startswith(alerts)] == [f"{alerts}-{i}.json" for i in (1, 2, 3)]
    assert [p.name for p in (out / "messages").iterdir() if p.name.endswith("-1.json")] == []
    assert "`block-kit-builder/`" in (out / "README.md").read_text()


def test_demo_is_deterministic(demo, tmp_path):
    first, _written = demo
    run_demo(tmp_path / "again")
    a = {p.name: p.read_text() for p in (first / "messages").iterdir()}
    b = {p.name: p.read_text() for p in (tmp_path / "again" / "messages").iterdir()}
    assert a == b
