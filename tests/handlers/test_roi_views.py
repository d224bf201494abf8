"""`/roi influencer`, `compare`, `tiers` and `top`: channel answers, figures worked out by hand.

spring (USD, March 2026), today 2026-03-16:
- ana: micro (20,000), cost 1,000 + 100 + 10% of 2,800 = 1,380; revenue 2,800, 2 orders -> ROI 102.9%, ROAS 2.03x
- ben: nano (5,000), cost 500; revenue 600, 1 order -> ROI 20.0%, ROAS 1.20x
- cy: macro (200,000), cost 2,000; revenue 500, 1 order -> ROI -75.0%, ROAS 0.25x
autumn (USD, no dates): ana with a fee of 100 and no sales -> revenue 0, ROI -100.0%, ROAS 0.00x.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Influencer
from bot.reports import influencer_report
from handlers.charts import influencer_chart
from metrics import charts as metrics_charts
from registry_support import answered, answered_ephemeral, only_post, refused, seeded, table_rows

SETUP = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana followers=20000 campaign=spring fee=1000 commission=10 product_cost=100",
    "/influencer add ben followers=5000 campaign=spring fee=500",
    "/influencer add cy followers=200000 campaign=spring fee=2000",
    "/code add ANA10 ana campaign=spring",
    "/code add BEN5 ben campaign=spring",
    "/code add CY20 cy campaign=spring",
    "/roi sale ANA10 amount=2000 date=2026-03-05",
    "/roi sale ANA10 amount=1000 refunded=200 date=2026-03-06",
    "/roi sale BEN5 amount=600 date=2026-03-07",
    "/roi sale CY20 amount=500 date=2026-03-08",
    "/campaign create autumn budget=1000",
    "/influencer add ana campaign=autumn fee=100",
]


@pytest.fixture
def data(roi):
    seeded(roi, SETUP)


def one_png(slack) -> dict:
    [upload] = slack.uploads.values()
    assert upload["bytes"].startswith(b"\x89PNG") and upload["channel_id"] == "C0001"
    return upload


def nothing_posted(answer, slack) -> None:
    assert answer.posts == [] and slack.uploads == {}


# -- influencer ---------------------------------------------------------------------------------------


def test_influencer_shows_each_campaign_with_a_chart(roi, data, slack):
    post = only_post(roi.command("/roi influencer ana"))

    # Oldest first: spring started on March 1, ana joined autumn (no dates) the day she was added, March 16.
    assert table_rows(post)[1:] == [
        ["spring", "active", "USD 2,800.00", "USD 1,380.00", "USD 1,420.00", "102.9%", "2.03x", "2", "n/a"],
        ["autumn", "active", "USD 0.00", "USD 100.00", "USD -100.00", "-100.0%", "0.00x", "0", "n/a"],
    ]
    assert post["text"] == "ana: spring ROI 102.9%, autumn ROI -100.0%"
    assert "20,000 followers · micro tier" in str(post["blocks"])
    chart = one_png(slack)
    assert (chart["filename"], chart["title"]) == ("ana-by-campaign.png", "ana: revenue and cost by campaign")


def test_influencer_can_be_limited_to_one_campaign(roi, data):
    post = only_post(roi.command("/roi influencer @ana campaign=autumn"))

    assert [r[0] for r in table_rows(post)[1:]] == ["autumn"]


def test_influencer_not_in_the_named_campaign_is_refused(roi, data, slack):
    answer = roi.command("/roi influencer ben campaign=autumn")

    assert "`ben` is not in campaign `autumn`" in answered_ephemeral(answer)
    nothing_posted(answer, slack)


def test_unknown_influencer_gets_a_did_you_mean(roi, data, slack):
    answer = roi.command("/roi influencer bem")

    assert "Did you mean `ben`?" in answered_ephemeral(answer)
    nothing_posted(answer, slack)


def test_influencer_without_campaigns_is_told_plainly_without_a_chart(roi, data, slack):
    answered(roi.command("/influencer add dee"))

    post = only_post(roi.command("/roi influencer dee"))

    assert "is not in any campaign yet" in post["text"]
    assert slack.uploads == {}


# -- compare ------------------------------------------------------------------------------------------


def test_compare_puts_two_campaigns_side_by_side_with_a_chart(roi, data, slack):
    post = only_post(roi.command("/roi compare spring autumn"))

    rows = {r[0]: r[1:] for r in table_rows(post)}
    assert rows["Campaign"] == ["spring", "autumn"]
    assert rows["Revenue"] == ["USD 3,900.00", "USD 0.00"]
    assert rows["Cost"] == ["USD 3,880.00", "USD 100.00"]
    assert rows["ROI"] == ["0.5%", "-100.0%"]
    assert rows["Influencers"] == ["3", "1"]
    assert post["text"] == "spring vs autumn: ROI 0.5% vs -100.0%"
    assert "*spring* has the better return: ROI 0.5% against -100.0% for *autumn*." in str(post["blocks"])
    assert one_png(slack)["filename"] == "spring-vs-autumn.png"


@pytest.mark.parametrize("line", ["/roi compare spring spring", "/roi compare spring SPRING", "/roi compare spring"])
def test_compare_needs_two_different_campaigns(roi, data, slack, line):
    answer = roi.command(line)

    refused(answer, "NAME")
    nothing_posted(answer, slack)


def test_compare_with_an_unknown_campaign_is_refused(roi, data, slack):
    answer = roi.command("/roi compare spring autum")

    assert "Did you mean `autumn`?" in answered_ephemeral(answer)
    nothing_posted(answer, slack)


def test_compare_across_currencies_warns_that_amounts_differ(roi, data):
    answered(roi.command("/campaign create eu budget=100 currency=EUR"))

    post = only_post(roi.command("/roi compare spring eu"))

    assert "Different currencies (USD and EUR)" in str(post["blocks"])


# -- tiers --------------------------------------------------------------------------------------------


def test_tiers_add_up_each_tier_of_one_campaign(roi, data, slack):
    answered(roi.command("/influencer add dan followers=8000 campaign=spring fee=100"))

    post = only_post(roi.command("/roi tiers campaign=spring"))

    # nano: ben (600 in, 500 out) and dan (0 in, 100 out) -> 600 against 600.
    assert table_rows(post)[1:] == [
        ["nano (<10k)", "2", "USD 600.00", "USD 600.00", "USD 0.00", "0.0%", "1.00x", "1", "n/a"],
        ["micro (10k–100k)", "1", "USD 2,800.00", "USD 1,380.00", "USD 1,420.00", "102.9%", "2.03x", "2", "n/a"],
        ["macro (100k–1M)", "1", "USD 500.00", "USD 2,000.00", "USD -1,500.00", "-75.0%", "0.25x", "1", "n/a"],
    ]
    # micro's best ROI is one influencer's: the count goes with the claim, in the text and on the chart.
    assert post["text"] == "Tiers (spring): best ROI micro at 102.9% (n=1)"
    assert ("Best return: *micro* tier (1 influencer), ROI 102.9% on USD 2,800.00 revenue. A single influencer: "
            "too few to judge a tier by.") in str(post["blocks"])
    chart = one_png(slack)
    assert chart["filename"] == "spring-revenue-and-cost-by-tier.png"
    assert chart["title"] == "spring: revenue and cost by follower tier"  # what it draws: ROI is written, not drawn


def test_tiers_without_a_campaign_cover_every_campaign(roi, data):
    post = only_post(roi.command("/roi tiers"))

    # micro: ana in spring (2,800 / 1,380) and in autumn (0 / 100).
    micro = [r for r in table_rows(post) if r[0].startswith("micro")][0]
    assert micro[1:5] == ["2", "USD 2,800.00", "USD 1,480.00", "USD 1,320.00"]
    assert post["text"] == "Tiers (all campaigns): best ROI micro at 89.2% (n=2)"
    blocks = str(post["blocks"])
    assert "Best return: *micro* tier (2 influencers), ROI 89.2%" in blocks and "single influencer" not in blocks


def test_tiers_chart_of_every_campaign_is_named_for_them(roi, data, slack):
    only_post(roi.command("/roi tiers"))

    chart = one_png(slack)
    assert (chart["filename"], chart["title"]) == ("all-campaigns-revenue-and-cost-by-tier.png",
                                                   "all campaigns: revenue and cost by follower tier")


def test_tiers_across_currencies_ask_for_a_campaign(roi, data, slack):
    answered(roi.command("/campaign create eu budget=100 currency=EUR"))

    answer = roi.command("/roi tiers")

    assert "EUR and USD" in refused(answer, "campaign")
    nothing_posted(answer, slack)


# -- top ----------------------------------------------------------------------------------------------


def test_top_ranks_by_roas_and_keeps_n(roi, data, slack):
    post = only_post(roi.command("/roi top campaign=spring by=roas n=2"))

    rows = table_rows(post)
    assert rows[0] == ["#", "Influencer", "ROI", "ROAS", "Revenue", "Orders", "Eng. rate"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [("1", "ana", "2.03x"), ("2", "ben", "1.20x")]
    assert post["blocks"][0]["text"]["text"] == "Top 2 by ROAS · spring"
    assert slack.uploads == {}


def test_top_by_orders_breaks_ties_by_revenue(roi, data):
    post = only_post(roi.command("/roi top campaign=spring by=orders"))

    assert [r[1] for r in table_rows(post)[1:]] == ["ana", "ben", "cy"]


def test_top_defaults_to_roi_over_every_campaign_with_the_campaign_shown(roi, data):
    post = only_post(roi.command("/roi top"))

    rows = table_rows(post)
    assert rows[0][2] == "Campaign"
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("ana", "spring", "102.9%"), ("ben", "spring", "20.0%"), ("cy", "spring", "-75.0%"), ("ana", "autumn", "-100.0%")]


def test_top_by_engagement_rate_leaves_out_those_without_one(roi, data):
    answered(roi.command("/influencer stats ben campaign=spring likes=100 comments=50"))

    post = only_post(roi.command("/roi top campaign=spring by=engagement_rate"))

    # 150 engagements / 5,000 followers
    assert [(r[1], r[6]) for r in table_rows(post)[1:]] == [("ben", "3.0%")]
    assert "Left out: 2 influencers with no engagement rate yet." in str(post["blocks"])


@pytest.mark.parametrize(("options", "field"), [
    ("by=roii", "by"),
    ("by=profit", "by"),
    ("n=0", "n"),
    ("n=26", "n"),
    ("n=five", "n"),
    ("limit=3", "limit"),
])
def test_top_refuses_bad_options_naming_the_field(roi, data, slack, options, field):
    answer = roi.command(f"/roi top campaign=spring {options}")

    refused(answer, field)
    nothing_posted(answer, slack)


def test_top_suggests_the_closest_ranking(roi, data):
    assert "did you mean `roi`?" in refused(roi.command("/roi top by=roii"), "by")


def test_another_workspace_sees_none_of_these_campaigns(roi, data, slack):
    for line in ("/roi tiers", "/roi top", "/roi compare spring autumn", "/roi influencer ana"):
        answer = roi.command(line, team="T0002")
        text = answered_ephemeral(answer)
        assert "There is no" in text or "no campaigns" in text
        nothing_posted(answer, slack)


# -- campaigns and enrolments that have not started --------------------------------------------------

SUMMER = ["/campaign create summer budget=8500 start=2026-06-01 end=2026-06-30",
          "/influencer add ana campaign=summer fee=1800"]  # a fee agreed, no sale possible before June


@pytest.fixture
def summer(roi, data):
    for line in SUMMER:
        answered(roi.command(line))


def test_influencer_in_a_campaign_not_started_shows_not_started_not_a_loss(roi, summer, slack):
    post = only_post(roi.command("/roi influencer ana"))

    rows = {r[0]: r[1:] for r in table_rows(post)[1:]}
    assert rows["summer"] == ["active", "USD 0.00", "USD 1,800.00", "not started", "not started", "not started", "0", "n/a"]
    assert rows["autumn"][4] == "-100.0%"  # autumn has started (no dates: it runs), so its loss is a real one
    assert list(rows) == ["spring", "autumn", "summer"]  # in the order ana started in them, as the chart draws them
    assert post["text"] == "ana: spring ROI 102.9%, autumn ROI -100.0%, summer not started"
    assert one_png(slack)["filename"] == "ana-by-campaign.png"


def test_influencer_chart_draws_campaigns_in_the_order_they_started(roi, summer, sessions, clock, monkeypatch):
    monkeypatch.setattr(metrics_charts, "_png", lambda fig: fig)  # the figure itself, to look at what is drawn
    with sessions() as session:
        ana = session.scalar(select(Influencer).where(Influencer.handle_key == "ana"))
        chart = influencer_chart(influencer_report(session, ana, today=clock.now.date()))
    (ax,) = chart.draw().axes

    # autumn has no dates: ana's start in it, the day she was added, places it.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["spring\nMar 2026", "autumn\nMar 2026", "summer\nJun 2026"]


def test_compare_does_not_crown_a_campaign_over_one_not_started(roi, summer):
    post = only_post(roi.command("/roi compare spring summer"))

    rows = {r[0]: r[1:] for r in table_rows(post)}
    assert (rows["Profit"], rows["ROI"], rows["ROAS"]) == (["USD 20.00", "not started"], ["0.5%", "not started"],
                                                           ["1.01x", "not started"])
    assert rows["Cost"] == ["USD 3,880.00", "USD 1,800.00"]
    blocks = str(post["blocks"])
    assert "*summer* has not started yet (it starts 2026-06-01)" in blocks and "better return" not in blocks
    assert post["text"] == "spring vs summer: ROI 0.5% vs not started"


def test_compare_of_two_campaigns_not_started_says_neither_has(roi, summer):
    answered(roi.command("/campaign create winter budget=100 start=2026-12-01"))

    post = only_post(roi.command("/roi compare winter summer"))

    assert "Neither campaign has started yet" in str(post["blocks"])


def test_tiers_leave_out_enrolments_not_started_and_say_so(roi, summer):
    post = only_post(roi.command("/roi tiers"))

    # micro is still ana in spring (2,800 / 1,380) and in autumn (0 / 100): summer's 1,800 fee is not in it.
    micro = [r for r in table_rows(post) if r[0].startswith("micro")][0]
    assert micro[1:5] == ["2", "USD 2,800.00", "USD 1,480.00", "USD 1,320.00"]
    assert "Left out: 1 influencer whose campaign or enrolment has not started yet." in str(post["blocks"])


def test_top_by_roi_leaves_out_enrolments_not_started_but_revenue_shows_them_as_such(roi, summer):
    by_roi = only_post(roi.command("/roi top"))

    assert ("ana", "summer") not in [(r[1], r[2]) for r in table_rows(by_roi)[1:]]
    assert "Left out: 1 influencer with no ROI yet." in str(by_roi["blocks"])

    by_revenue = only_post(roi.command("/roi top by=revenue n=25"))
    summer_row = [r for r in table_rows(by_revenue)[1:] if r[2] == "summer"][0]
    assert summer_row[3:5] == ["not started", "not started"]
