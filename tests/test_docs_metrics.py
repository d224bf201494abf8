"""docs/metrics.md's worked example holds: every number in it, worked out again from the demo database's rows with
the document's own rules and formulas, is the one it states; the app's report and the demo's answer agree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import meta
from bot.db import make_engine, make_sessions
from bot.models import Campaign, Code, Enrolment, Influencer, Order
from bot.reports import campaign_report
from bot.wiring.demo import run_demo

DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"
HANDLE, CAMPAIGN = "skincare.sam", "spring"
BEGIN, END = "<!-- Worked example:", "<!-- End of the worked example. -->"
COLUMNS = ["figure", "what it is", "working", "value", "in Slack"]
# The table's figures that `roi-bot report --json` has for an influencer, by their key there.
JSON_KEYS = {"Orders": "orders", "Revenue": "revenue", "Cost": "cost", "Profit": "profit", "ROI": "roi_pct",
             "ROAS": "roas", "CPA": "cpa", "AOV": "aov"}
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?")
_OPERATORS = {"+": Decimal.__add__, "−": Decimal.__sub__, "×": Decimal.__mul__, "÷": Decimal.__truediv__}


@dataclass(frozen=True)
class Line:
    """One row of the worked example, as the document writes it."""

    working: str
    value: str
    slack: str


def worked_example() -> dict[str, Line]:
    """The worked example's table, by figure."""
    section = DOC.read_text(encoding="utf-8").split(BEGIN, 1)[1].split(END, 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("|")]
    header, _rule, *body = rows
    assert header == COLUMNS
    return {cells[0]: Line(*cells[2:]) for cells in body}


def number(text: str) -> Decimal:
    """`USD 3,223.68` → 3223.68, `8%` → 8, `1.06x` → 1.06: the one number a cell states."""
    (found,) = _NUMBER.findall(text)
    return Decimal(found.rstrip("%").replace(",", ""))


def as_written(value: Decimal, text: str) -> Decimal:
    """`value` rounded half up to as many decimals as `text` shows, as a document rounds it."""
    decimals = max(0, -number(text).as_tuple().exponent)
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def evaluate(expression: str) -> tuple[Decimal, list[Decimal]]:
    """`8% × 3,421.05`, worked left to right as the document writes its sums; returns the result and the operands."""
    tokens = re.findall(r"-?\d[\d,]*(?:\.\d+)?%?|[+−×÷]", expression)
    operands = [number(t) for t in tokens[::2]]
    values = [number(t) / 100 if t.endswith("%") else number(t) for t in tokens[::2]]
    result = values[0]
    for operator, value in zip(tokens[1::2], values[1:]):
        result = _OPERATORS[operator](result, value)
    return result, operands


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's output folder and a session on its database, built once for this module."""
    out = tmp_path_factory.mktemp("demo") / "roi-demo"
    run_demo(out)
    engine = make_engine(f"sqlite:///{out / 'roi.db'}")
    with make_sessions(engine)() as session:
        yield out, session
    engine.dispose()


@dataclass(frozen=True)
class Worked:
    """The example's figures worked out from the database's rows, unrounded, and the rows they came from."""

    figures: dict[str, Decimal]
    credited: set[int]
    cancelled: int


def _revenue(order: Order) -> Decimal:
    # docs/metrics.md: subtotal − refunded, never below 0; a cancelled or voided order brings in 0.
    return Decimal(0) if order.cancelled else max(order.subtotal - order.refunded, Decimal(0))


def work_out(session) -> tuple[Campaign, Worked]:
    """The worked example's figures, from every order in the database and the rules of docs/metrics.md."""
    camp = session.scalar(select(Campaign).where(Campaign.name_key == CAMPAIGN))
    enrolment = session.scalar(select(Enrolment).join(Influencer, Influencer.id == Enrolment.influencer_id)
                               .where(Enrolment.campaign_id == camp.id, Influencer.handle_key == HANDLE))
    registered = {key: eid for key, eid in session.execute(select(Code.code_key, Code.enrolment_id)
                                                           .where(Code.campaign_id == camp.id))}
    first, last = camp.start, camp.end + timedelta(days=camp.window_days)
    by_code, by_link = [], []
    for order in session.scalars(select(Order)):
        if not first <= order.order_date <= last:
            continue
        codes = [key for key in (order.codes or "").split(",") if key in registered]
        if codes:  # the first registered code decides, whoever's it is
            if registered[codes[0]] == enrolment.id:
                by_code.append(order)
        elif (order.utm_campaign or "").lower() == CAMPAIGN and (order.utm_content or "").lower() == HANDLE:
            by_link.append(order)
    credited = by_code + by_link
    same = [o for o in credited if o.currency in (None, camp.currency)]
    not_counted = [o for o in same if o.cancelled or (o.refunded > 0 and _revenue(o) == 0)]
    orders = Decimal(len(same) - len(not_counted))
    revenue = sum((_revenue(o) for o in same), Decimal(0))
    commission = enrolment.commission_pct / 100 * revenue
    cost = enrolment.fee + enrolment.product_cost + commission
    profit = revenue - cost
    figures = {
        "Credited by code": Decimal(len(by_code)), "Credited by link": Decimal(len(by_link)),
        "Credited": Decimal(len(credited)), "In another currency": Decimal(len(credited) - len(same)),
        "Not counted": Decimal(len(not_counted)), "Orders": orders, "Revenue": revenue, "Fee": enrolment.fee,
        "Product cost": enrolment.product_cost, "Commission %": enrolment.commission_pct, "Commission": commission,
        "Cost": cost, "Profit": profit, "ROI": profit / cost * 100, "ROAS": revenue / cost, "CPA": cost / orders,
        "AOV": revenue / orders,
    }
    return camp, Worked(figures, {o.id for o in credited}, sum(o.cancelled for o in not_counted))


def test_the_worked_example_states_the_figures_the_rows_give(demo):
    _out, session = demo
    _camp, worked = work_out(session)
    table = worked_example()

    assert set(table) == set(worked.figures)
    for figure, line in table.items():
        assert number(line.value) == as_written(worked.figures[figure], line.value), figure
    assert worked.cancelled == 0  # the document says none of the orders not counted was cancelled or voided


def test_every_sum_in_the_working_column_is_right_and_uses_the_figures_above(demo):
    _out, session = demo
    _camp, worked = work_out(session)
    known = set(worked.figures.values()) | {Decimal(100)}

    for figure, line in worked_example().items():
        if not line.working:
            continue
        expression, sign, result = re.split(r"\s*([=≈])\s*", line.working)
        value, operands = evaluate(expression)
        assert set(operands) <= known, (figure, operands)
        if sign == "=":
            assert value == number(result) == worked.figures[figure], figure
        else:
            assert as_written(value, result) == number(result) == as_written(worked.figures[figure], result), figure


def test_the_rules_of_the_document_credit_the_orders_the_app_credits(demo):
    _out, session = demo
    camp, worked = work_out(session)
    enrolment_ids = select(Enrolment.id).join(Influencer, Influencer.id == Enrolment.influencer_id).where(
        Enrolment.campaign_id == camp.id, Influencer.handle_key == HANDLE)
    stored = set(session.scalars(select(Order.id).where(Order.enrolment_id.in_(enrolment_ids),
                                                        Order.attribution.in_(["code", "utm"]))))
    assert stored == worked.credited and stored


def test_the_apps_report_agrees_with_the_worked_example(demo):
    _out, session = demo
    camp, _worked = work_out(session)
    table = worked_example()

    report = campaign_report(session, camp, today=meta.as_of(session).date())

    (row,) = [r.as_json() for r in report.rows if r.influencer.handle_key == HANDLE]
    for figure, key in JSON_KEYS.items():
        assert Decimal(str(row[key])) == number(table[figure].value), figure


def test_slack_shows_the_figures_the_worked_example_says_it_shows(demo):
    out, _session = demo
    table = worked_example()
    (answer,) = [text for text in (p.read_text() for p in (out / "messages").glob("*.txt"))
                 if text.startswith(f"> /roi campaign {CAMPAIGN}\n")]
    (row,) = [line for line in answer.splitlines() if re.search(rf"\s{re.escape(HANDLE)}\s", line)]
    cells = re.split(r"\s{2,}", row.strip())

    shown = {figure: line.slack for figure, line in table.items() if line.slack}
    assert len(shown) >= 4
    for figure, text in shown.items():
        assert text in cells, (figure, text, cells)
        assert number(text) == as_written(number(table[figure].value), text), figure


def test_the_example_describes_the_demo_campaign_as_it_is(demo):
    _out, session = demo
    camp, _worked = work_out(session)
    text = " ".join(DOC.read_text(encoding="utf-8").split())  # as read, whatever the line breaks

    assert f"as of {meta.as_of(session):%Y-%m-%d}" in text
    assert f"**{CAMPAIGN}** ({camp.currency}, {camp.start} → {camp.end}, `window_days={camp.window_days}`)" in text
    assert f"orders from {camp.start} to {camp.end + timedelta(days=camp.window_days)} count" in text
    assert f"`min_roi` of {camp.min_roi.normalize():f}%" in text
