"""`/roi campaign`: posted in the channel with two charts; figures worked out by hand from the orders below.

spring (budget 5,000, March 2026, window to 2026-04-07, min ROI 0%), today 2026-03-16:
- ana: 20,000 followers (micro), fee 1,000 + product 100 + 10% commission; sales 2,000 and 1,000 with 200
  refunded -> revenue 2,800, 2 orders, cost 1,380, profit 1,420, ROI 102.9%, ROAS 2.03x
- ben: 5,000 followers (nano), fee 500; one sale of 600 -> cost 500, profit 100, ROI 20.0%, ROAS 1.20x
- cy: 200,000 followers (macro), fee 2,000, goal 4,000; one sale of 500 -> ROI -75.0%, ROAS 0.25x, flagged:
  ROI under 0%, and 500 short of the goal prorated to 4,000 x 15/30 = 2,000 (SPEC §6: 15 days since the 1st, of
  the 30 between March 1 and March 31)
Totals: revenue 3,900, cost 3,880, profit 20, ROI 0.5%, ROAS 1.01x, 4 orders, AOV 975, CPA 970, budget 77.6%.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.imports.orders import OrderRecord
from bot.imports.store_orders import store_orders
from bot.imports.summary import Summary
from bot.models import Campaign, Workspace
from bot.reports import campaign_report
from handlers.blocks import fmt
from handlers.charts import revenue_chart
from metrics import charts as metrics_charts
from registry_support import answered, answered_ephemeral, only_post, refused, seeded, table_rows

SPRING = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31 channel=<#C0001|general>",
    "/influencer add ana followers=20000 campaign=spring fee=1000 commission=10 product_cost=100",
    "/influencer add ben followers=5000 campaign=spring fee=500",
    "/influencer add cy followers=200000 campaign=spring fee=2000 goal_revenue=4000",
    "/code add ANA10 ana campaign=spring",
    "/code add BEN5 ben campaign=spring",
    "/code add CY20 cy campaign=spring",
    "/roi sale ANA10 amount=2000 date=2026-03-05",
    "/roi sale ANA10 amount=1000 refunded=200 date=2026-03-06",
    "/roi sale BEN5 amount=600 date=2026-03-07",
    "/roi sale CY20 amount=500 date=2026-03-08",
]


@pytest.fixture
def spring(roi):
    seeded(roi, SPRING)
    return "spring"


def blocks_text(post: dict) -> str:
    return str(post["blocks"])


def field_values(post: dict) -> dict[str, str]:
    """The headline figures: each field's label and value."""
    return {f["text"].split("\n")[0].strip("*"): f["text"].split("\n", 1)[1]
            for b in post["blocks"] for f in b.get("fields", [])}


def put_orders(sessions, *rows: tuple[str, str, str, str, str]) -> None:
    """Import orders (id, date, amount, code, currency) as an orders CSV would."""
    with sessions.begin() as session:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == "T0001"))
        records = [OrderRecord(row=i + 2, order_id=oid, created=None, order_date=date.fromisoformat(day), currency=cur,
                               subtotal=Decimal(amount), refunded=Decimal(0), cancelled=False, financial_status=None,
                               codes=(code,), utm_campaign=None, utm_content=None)
                   for i, (oid, day, amount, code, cur) in enumerate(rows)]
        store_orders(session, ws.id, "csv", records, Summary(kind="orders", format="csv", file="orders.csv"))


def test_report_is_posted_in_the_channel_with_totals_and_influencers_best_roi_first(roi, spring):
    answer = roi.command("/roi campaign spring")

    post = only_post(answer)
    assert answer.ack == ""
    assert post["channel"] == "C0001"
    assert post["text"] == "spring: ROI 0.5% on USD 3,900.00 revenue"
    text = blocks_text(post)
    for figure in ("USD 3,900.00", "USD 3,880.00", "USD 20.00", "0.5% · 1.01x", "77.6% of USD 5,000.00",
                   "USD 975.00", "USD 970.00"):
        assert figure in text
    assert post["blocks"][0]["text"]["text"] == "spring · 2026-03-01 → 2026-03-31"
    assert table_rows(post) == [
        ["#", "Influencer", "Tier", "Revenue", "Cost", "ROI", "ROAS", "Orders"],
        ["1", "ana", "micro", "USD 2,800.00", "USD 1,380.00", "102.9%", "2.03x", "2"],
        ["2", "ben", "nano", "USD 600.00", "USD 500.00", "20.0%", "1.20x", "1"],
        ["3", "cy", "macro", "USD 500.00", "USD 2,000.00", "-75.0%", "0.25x", "1"],
    ]


def test_flagged_influencers_are_called_out_with_every_reason(roi, spring):
    post = only_post(roi.command("/roi campaign spring"))

    [flagged] = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section" and "Flagged" in b.get("text", {}).get("text", "")]
    assert flagged.startswith(":warning: *Flagged today (1)*")
    assert "*cy*: ROI -75.0% is below this campaign's minimum of 0%" in flagged
    assert ("USD 500.00 of a USD 4,000.00 goal prorated to USD 2,000.00 for 15 of the 30 days between their start "
            "and the campaign's end") in flagged
    assert "ana" not in flagged and "ben" not in flagged


def test_both_charts_are_uploaded_as_png_into_the_command_channel_after_the_message(roi, spring, slack):
    answer = roi.command("/roi campaign spring")

    methods = [c.method for c in answer.calls]
    assert methods.index("chat.postMessage") < methods.index("files.getUploadURLExternal")
    [complete] = [c for c in answer.calls if c.method == "files.completeUploadExternal"]
    assert complete.params["channel_id"] == "C0001"
    assert len(complete.json("files")) == 2
    uploads = list(slack.uploads.values())
    assert len(uploads) == 2
    assert all(u["bytes"].startswith(b"\x89PNG") and u["channel_id"] == "C0001" for u in uploads)
    assert [u["filename"] for u in uploads] == ["spring-roi-by-influencer.png", "spring-revenue-vs-cost.png"]
    assert [u["title"] for u in uploads] == ["spring: ROI by influencer", "spring: cumulative revenue vs cost"]


@pytest.mark.parametrize(("today", "end_marked"), [
    (date(2026, 3, 16), False),   # running: the chart stops at today, before the end on March 31
    (date(2026, 4, 10), True),    # the chart runs to the window's end, April 7, past the campaign's
])
def test_the_revenue_chart_marks_the_budget_and_the_campaign_end_once_it_is_drawn(spring, sessions, monkeypatch,
                                                                                    today, end_marked):
    monkeypatch.setattr(metrics_charts, "_png", lambda fig: fig)  # the figure itself, to look at what is drawn
    with sessions() as session:
        camp = session.scalar(select(Campaign).where(Campaign.name_key == "spring"))
        chart = revenue_chart(session, campaign_report(session, camp, today=today))
    fig = chart.draw()

    texts = [t.get_text() for t in fig.axes[0].texts]
    assert chart.title == fig.get_suptitle() == "spring: cumulative revenue vs cost"
    assert "Budget" in texts  # 5,000, against a cost of 3,880
    assert ("Campaign end Mar 31" in texts) is end_marked


def test_the_message_says_who_asked_and_what_they_typed(roi, spring):
    post = only_post(roi.command("/roi campaign spring", user="U0ANA00001"))

    assert post["blocks"][-1] == {"type": "context", "elements": [
        {"type": "mrkdwn", "text": "Asked by <@U0ANA00001> · `/roi campaign spring`"}]}


def test_slack_shows_the_same_figures_as_the_json_report(roi, spring, sessions, clock):
    post = only_post(roi.command("/roi campaign spring"))

    with sessions() as session:
        camp = session.scalar(select(Campaign).where(Campaign.name_key == "spring"))
        data = campaign_report(session, camp, today=clock.now.date()).as_json()
    rows = table_rows(post)[1:]
    assert [r[1] for r in rows] == [i["handle"] for i in data["influencers"]]
    for row, person in zip(rows, data["influencers"]):
        assert row[3] == f"USD {person['revenue']:,.2f}" and row[4] == f"USD {person['cost']:,.2f}"
        assert row[7] == str(person["orders"])
    assert f"USD {data['totals']['profit']:,.2f}" in blocks_text(post)


def test_orders_outside_the_window_or_in_another_currency_are_mentioned_not_counted(roi, spring, sessions):
    put_orders(sessions, ("late-1", "2026-04-10", "90.00", "BEN5", "USD"), ("eur-1", "2026-03-09", "60.00", "ANA10", "EUR"))

    post = only_post(roi.command("/roi campaign spring"))

    assert post["text"] == "spring: ROI 0.5% on USD 3,900.00 revenue"
    assert ("Not counted: 1 order (USD 90.00) outside the campaign window · 1 order in a currency other than USD."
            in blocks_text(post))


def test_refunded_voided_or_cancelled_orders_are_counted_in_the_not_counted_line(roi, spring):
    # Credited to ben, then refunded in full: its revenue is 0 and it is no order, but it is not lost from sight.
    answered(roi.command("/roi sale BEN5 amount=80 refunded=80 date=2026-03-09"))

    post = only_post(roi.command("/roi campaign spring"))

    assert field_values(post)["Orders"] == "4"  # as before the refunded sale
    assert "Not counted: 1 order refunded, voided or cancelled." in blocks_text(post)


def test_a_campaign_not_started_shows_not_started_never_a_loss(roi, spring, slack):
    # summer starts in June; mia's fee of 1,800 is agreed, so revenue 0 against cost 1,800 would read ROI -100%.
    for line in ("/campaign create summer budget=8500 start=2026-06-01 end=2026-06-30",
                 "/influencer add mia followers=48200 campaign=summer fee=1800"):
        answered(roi.command(line))

    post = only_post(roi.command("/roi campaign summer"))

    text = blocks_text(post)
    assert post["text"] == "summer: not started (starts 2026-06-01)"
    assert "Not started yet: it starts 2026-06-01." in text
    figures = field_values(post)
    assert (figures["Profit"], figures["ROI · ROAS"]) == ("not started", "not started")
    assert figures["Cost"] == "USD 1,800.00"
    assert figures["Budget used"] == f"{fmt.pct(Decimal(1800) * 100 / 8500)} of USD 8,500.00"
    assert table_rows(post)[1] == ["1", "mia", "micro", "USD 0.00", "USD 1,800.00", "not started", "not started", "0"]
    assert "-100" not in text and "0.00x" not in text


def test_an_influencer_not_started_in_a_running_campaign_shows_not_started(roi, spring):
    answered(roi.command("/influencer add dee followers=900 campaign=spring fee=300 start=2026-03-20"))

    post = only_post(roi.command("/roi campaign spring"))

    rows = {r[1]: r for r in table_rows(post)[1:]}
    assert rows["dee"][5:7] == ["not started", "not started"]
    assert rows["cy"][5] == "-75.0%"  # a real loss still shows as one
    # The campaign runs: its ROI is a result, fees agreed with dee included, (3,900 − 4,180) / 4,180.
    assert post["text"] == f"spring: ROI {fmt.pct(Decimal(3900 - 4180) * 100 / 4180)} on USD 3,900.00 revenue"


def test_engagement_results_add_impressions_rate_ctr_and_cpm(roi, spring):
    answered(roi.command("/influencer stats ana campaign=spring impressions=10000 likes=300 comments=100 clicks=200"))

    post = only_post(roi.command("/roi campaign spring"))

    # 400 engagements / 20,000 followers; 200 clicks / 10,000 impressions; 3,880 cost per 10 thousand impressions.
    assert "Impressions 10,000 · engagement rate 2.0% · CTR 2.0% · CPM USD 388.00" in blocks_text(post)


def test_no_engagement_line_without_stats(roi, spring):
    assert "Impressions" not in blocks_text(only_post(roi.command("/roi campaign spring")))


def test_from_and_to_limit_the_orders_while_fees_count_in_full(roi, spring):
    post = only_post(roi.command("/roi campaign spring from=2026-03-06 to=2026-03-07"))

    # ana 800 (fee 1,000 + 100 + 80 commission), ben 600 (500), cy nothing (2,000): 1,400 against 3,680.
    assert post["text"] == "spring: ROI -62.0% on USD 1,400.00 revenue"
    assert post["blocks"][0]["text"]["text"] == "spring · 2026-03-06 → 2026-03-07"
    assert table_rows(post)[1] == ["1", "ben", "nano", "USD 600.00", "USD 500.00", "20.0%", "1.20x", "1"]


@pytest.mark.parametrize(("options", "field"), [
    ("from=2026-13-01", "from"),
    ("to=yesterday", "to"),
    ("from=2026-03-10 to=2026-03-01", "to"),
    ("since=2026-03-01", "since"),
])
def test_bad_dates_are_refused_naming_the_field_and_nothing_is_posted(roi, spring, slack, options, field):
    answer = roi.command(f"/roi campaign spring {options}")

    refused(answer, field)
    assert answer.reply["response_type"] == "ephemeral"
    assert answer.posts == [] and slack.uploads == {}


def test_an_unknown_campaign_gets_a_did_you_mean_and_nothing_is_posted(roi, spring, slack):
    answer = roi.command("/roi campaign sprng")

    assert "There is no campaign `sprng`. Did you mean `spring`?" in answered_ephemeral(answer)
    assert answer.posts == [] and slack.uploads == {}


def test_a_missing_name_is_refused(roi, spring):
    refused(roi.command("/roi campaign"), "NAME")


def test_another_workspace_cannot_see_the_campaign(roi, spring, slack):
    answer = roi.command("/roi campaign spring", team="T0002")

    text = answered_ephemeral(answer)
    assert "There is no campaign `spring`" in text and "3,900" not in text
    assert answer.posts == [] and slack.uploads == {}


def test_roi_alone_in_the_campaigns_channel_shows_that_campaign(roi, spring):
    answered(roi.command("/campaign create winter budget=100 start=2025-12-01 end=2026-02-28 channel=<#C0001|general>"))

    post = only_post(roi.command("/roi"))

    assert post["text"] == "spring: ROI 0.5% on USD 3,900.00 revenue"
    assert post["blocks"][-1]["elements"][0]["text"] == "Asked by <@U0001> · `/roi`"


def test_roi_alone_elsewhere_shows_the_usage_to_the_asker_only(roi, spring):
    answer = roi.command("/roi", channel="C0ELSEWHERE")

    text = answered_ephemeral(answer)
    assert "/roi campaign NAME" in text and "/roi sale CODE" in text
    assert answer.posts == []


def test_help_shows_the_usage_even_in_the_campaigns_channel(roi, spring):
    answer = roi.command("/roi help")

    assert "/roi underperformers" in answered_ephemeral(answer)
    assert answer.posts == []


def test_an_unknown_sub_command_is_refused(roi):
    assert "`nope` is not a sub-command of /roi" in refused(roi.command("/roi nope"), "sub-command")


def test_a_campaign_without_influencers_says_how_to_enrol_them(roi, slack):
    answered(roi.command("/campaign create autumn budget=3000"))

    post = only_post(roi.command("/roi campaign autumn"))

    assert post["text"] == "autumn: ROI n/a on USD 0.00 revenue"
    assert "/influencer add HANDLE campaign=autumn" in blocks_text(post)
    assert len(slack.uploads) == 2


def test_a_long_line_up_is_cut_to_fit_with_a_count_of_the_rest(roi):
    answered(roi.command("/campaign create big budget=100000"))
    for i in range(30):
        answered(roi.command(f"/influencer add p{i:02d} campaign=big fee={100 + i}"))

    post = only_post(roi.command("/roi campaign big"))

    rows = table_rows(post)
    assert len(rows) == 26  # header and the top 25
    assert "…and 5 more influencers ranked below these." in blocks_text(post)


def test_cut_and_ended_influencers_show_their_status_in_the_table(roi, spring, clock):
    answered(roi.command("/influencer set ben campaign=spring status=cut"))

    post = only_post(roi.command("/roi campaign spring"))
    assert table_rows(post)[2][1] == "ben (cut)"

    clock.now = clock.now.replace(month=5)
    post = only_post(roi.command("/roi campaign spring"))
    assert [r[1] for r in table_rows(post)[1:]] == ["ana (ended)", "ben (cut)", "cy (ended)"]
    assert "Flagged" not in str(post["blocks"])
