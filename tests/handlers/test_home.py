"""The App Home tab: running campaigns with revenue, cost, ROI, ROAS, budget used and who is flagged, and the
*Full report* button that sends the `/roi campaign` answer (message and charts) to the viewer's DM.

spring (budget 5,000, 2026-03-01 → 2026-03-31), today 2026-03-16:
- ana: fee 1,000, sale 2,500 -> ROI 150.0%
- cy: fee 2,000, goal 4,000, sale 500 -> ROI -75.0%, behind the goal prorated to 2,000: flagged
Totals: revenue 3,000, cost 3,000, ROI 0.0%, ROAS 1.00x, budget used 60.0%.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.fakeslack.requests import block_actions, dispatch, event
from bot.models import Campaign
from conftest import SECRET
from registry_support import answered, seeded

SETUP = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana campaign=spring fee=1000",
    "/influencer add cy campaign=spring fee=2000 goal_revenue=4000",
    "/code add ANA10 ana campaign=spring",
    "/code add CY20 cy campaign=spring",
    "/roi sale ANA10 amount=2500 date=2026-03-05",
    "/roi sale CY20 amount=500 date=2026-03-06",
]


@pytest.fixture
def spring(roi):
    seeded(roi, SETUP)


def open_home(app, slack, *, team: str = "T0001", user: str = "U0001") -> dict:
    before = len(slack.calls_to("views.publish"))
    response = dispatch(app, event({"type": "app_home_opened", "user": user, "tab": "home"}, team_id=team), secret=SECRET)
    assert response.status == 200
    calls = slack.calls_to("views.publish")
    assert len(calls) == before + 1 and calls[-1].params["user_id"] == user
    return calls[-1].json("view")


def click(app, value: str, *, team: str = "T0001", user: str = "U0001"):
    body = block_actions("roi_home_report", value, team_id=team, user_id=user, container_type="view")
    return dispatch(app, body, secret=SECRET)


def campaign_id(sessions, name: str) -> int:
    with sessions() as session:
        return session.scalar(select(Campaign.id).where(Campaign.name_key == name))


def test_home_lists_running_campaigns_with_their_figures_and_who_is_flagged(app, slack, spring, sessions):
    view = open_home(app, slack)

    [card] = [b for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "roi_home_report"]
    text = card["text"]["text"]
    assert text.startswith("*spring* · running · 2026-03-01 → 2026-03-31 · day 16 of 31")
    for figure in ("Revenue *USD 3,000.00*", "Cost USD 3,000.00", "ROI *0.0%*", "ROAS 1.00x",
                   "Budget used 60.0% of USD 5,000.00"):
        assert figure in text
    assert card["accessory"]["value"] == str(campaign_id(sessions, "spring"))
    assert ":warning: Flagged: *cy* (ROI under minimum, behind goal)" in str(view["blocks"])


def test_an_upcoming_campaign_shows_as_not_started_never_as_a_loss(roi, app, slack, spring):
    # summer's fee of 1,800 is agreed, and no sale can come before June: its ROI would read -100%.
    for line in ("/campaign create summer budget=8500 start=2026-06-01 end=2026-06-30",
                 "/influencer add ana campaign=summer fee=1800"):
        answered(roi.command(line))

    view = open_home(app, slack)

    [card] = [b["text"]["text"] for b in view["blocks"] if "*summer*" in b.get("text", {}).get("text", "")]
    assert card.startswith("*summer* · upcoming · 2026-06-01 → 2026-06-30")
    assert "Cost USD 1,800.00 · ROI *not started*" in card
    assert "-100" not in card and "ROAS" not in card


def test_ended_and_past_campaigns_are_not_on_home(roi, app, slack, spring):
    answered(roi.command("/campaign create winter budget=100 start=2025-12-01 end=2026-02-28"))
    answered(roi.command("/campaign create autumn budget=100"))
    answered(roi.command("/campaign end autumn"))

    text = str(open_home(app, slack)["blocks"])

    assert "*spring*" in text
    assert "winter" not in text and "autumn" not in text


def test_home_without_running_campaigns_shows_how_to_get_started(roi, app, slack):
    answered(roi.command("/campaign create winter budget=100 start=2025-12-01 end=2026-02-28"))

    text = str(open_home(app, slack)["blocks"])

    assert "No running campaigns (you have 1 that are not: `/campaign list`)" in text
    assert "Getting started" in text and "/campaign create" in text and "/code add" in text


def test_many_running_campaigns_are_capped_and_counted(roi, app, slack):
    for i in range(17):
        answered(roi.command(f"/campaign create c{i:02d} budget=100"))

    view = open_home(app, slack)

    buttons = [b for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "roi_home_report"]
    assert len(buttons) == 15
    assert len(view["blocks"]) < 100
    assert "…and 2 more running campaigns" in str(view["blocks"])


def test_home_shows_only_the_viewers_workspace(roi, app, slack, spring):
    view = open_home(app, slack, team="T0002")

    text = str(view["blocks"])
    assert "*spring*" not in text and "USD 3,000.00" not in text and "Getting started" in text
    assert "roi_home_report" not in text


def test_full_report_button_sends_message_and_charts_to_the_viewers_dm(app, slack, spring, sessions):
    response = click(app, str(campaign_id(sessions, "spring")), user="U0ANA00001")

    assert response.status == 200
    [post] = [c.params for c in slack.calls_to("chat.postMessage")]
    assert post["channel"] == "D0ANA00001"
    assert post["text"] == "spring: ROI 0.0% on USD 3,000.00 revenue"
    assert "Sent from your ROI bot Home tab" in str(post["blocks"])
    assert len(slack.uploads) == 2
    assert all(u["channel_id"] == "D0ANA00001" and u["bytes"].startswith(b"\x89PNG") for u in slack.uploads.values())


@pytest.mark.parametrize("value", ["foreign", "999999", "not-a-number"])
def test_full_report_button_refuses_campaigns_outside_the_clickers_workspace(roi, app, slack, spring, sessions, value):
    answered(roi.command("/campaign create secret budget=100", team="T0002"))
    if value == "foreign":
        value = str(campaign_id(sessions, "secret"))

    response = click(app, value)

    assert response.status == 200
    [post] = [c.params for c in slack.calls_to("chat.postMessage")]
    assert post["channel"] == "D0001"
    assert "no longer in this workspace" in post["text"] and "secret" not in post["text"]
    assert slack.uploads == {}
