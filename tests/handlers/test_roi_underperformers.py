"""`/roi underperformers`: who §6 would flag today, with every reason in words, to the asker only.

spring runs 2026-03-01 → 2026-03-31 (grace 7 days, min ROI 0%); today is 2026-03-16: 15 days since the start,
of the 30 between start and end (SPEC §6 divides days between dates).
- ana: micro, fee 1,000; sale 2,800 -> ROI 180.0%; 400 likes / 20,000 followers = 2.0%
- ben: nano, fee 500; sale 600 -> ROI 20.0%; 150 likes / 5,000 followers = 3.0%
- cy: macro, fee 2,000, goal 4,000; sale 500 -> ROI -75.0%; 400 likes / 200,000 followers = 0.2%
  The median rate is 2.0%, half of it 1.0%; the goal prorated over 15 of those 30 days is 2,000.
"""

from __future__ import annotations

import pytest

from registry_support import answered, answered_ephemeral, seeded

SETUP = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana followers=20000 campaign=spring fee=1000",
    "/influencer add ben followers=5000 campaign=spring fee=500",
    "/influencer add cy followers=200000 campaign=spring fee=2000 goal_revenue=4000",
    "/code add ANA10 ana campaign=spring",
    "/code add BEN5 ben campaign=spring",
    "/code add CY20 cy campaign=spring",
    "/roi sale ANA10 amount=2800 date=2026-03-05",
    "/roi sale BEN5 amount=600 date=2026-03-07",
    "/roi sale CY20 amount=500 date=2026-03-08",
    "/influencer stats ana campaign=spring likes=400",
    "/influencer stats ben campaign=spring likes=150",
    "/influencer stats cy campaign=spring likes=400",
]


@pytest.fixture
def spring(roi):
    seeded(roi, SETUP)


def asker_only(answer) -> str:
    text = answered_ephemeral(answer)
    assert answer.posts == []
    return text


def test_every_reason_is_given_in_plain_words_to_the_asker_only(roi, spring):
    text = asker_only(roi.command("/roi underperformers"))

    assert "*spring*: 1 of 3 influencers flagged" in text
    assert "ROI -75.0% is below this campaign's minimum of 0%" in text
    assert ("USD 500.00 of a USD 4,000.00 goal prorated to USD 2,000.00 for 15 of the 30 days between their start "
            "and the campaign's end") in text
    assert "engagement rate 0.2% is under half the campaign median of 2.0%" in text
    assert "*ana*" not in text and "*ben*" not in text


def test_the_campaigns_minimum_roi_is_the_threshold(roi, spring):
    answered(roi.command("/campaign set spring min_roi=25"))

    text = asker_only(roi.command("/roi underperformers campaign=spring"))

    assert "ROI 20.0% is below this campaign's minimum of 25%" in text
    assert "*spring*: 2 of 3 influencers flagged" in text


def test_influencers_in_their_grace_days_are_not_flagged(roi, spring):
    answered(roi.command("/influencer add dee followers=1000 campaign=spring fee=900 start=2026-03-12"))

    text = asker_only(roi.command("/roi underperformers"))

    assert "dee" not in text
    assert "1 of 4 influencers flagged" in text


def test_nobody_flagged_is_said_plainly(roi, spring):
    answered(roi.command("/influencer set cy campaign=spring status=cut"))

    text = asker_only(roi.command("/roi underperformers"))

    assert "Nobody would be flagged in *spring*." in text
    assert "ROI -75.0%" not in text


def test_a_campaign_that_is_not_running_checks_nobody(roi, spring):
    answered(roi.command("/campaign create autumn budget=100 start=2026-09-01 end=2026-09-30"))

    text = asker_only(roi.command("/roi underperformers campaign=autumn"))

    assert "*autumn* is not running today" in text


def test_without_running_campaigns_nobody_is_checked(roi):
    answered(roi.command("/campaign create winter budget=100 start=2025-12-01 end=2026-02-28"))

    assert "No campaign is running today (2026-03-16)" in asker_only(roi.command("/roi underperformers"))


def test_an_unknown_campaign_is_refused(roi, spring):
    assert "Did you mean `spring`?" in asker_only(roi.command("/roi underperformers campaign=sprin"))


def test_another_workspace_sees_nobody(roi, spring):
    text = asker_only(roi.command("/roi underperformers", team="T0002"))

    assert "No campaign is running today" in text and "cy" not in text


def test_the_manager_is_named_next_to_the_flagged_influencer(roi, spring):
    answered(roi.command("/influencer set cy manager=<@U0001>"))

    assert "*cy* (manager <@U0001>): ROI -75.0%" in asker_only(roi.command("/roi underperformers"))


def test_without_a_manager_the_alert_destination_is_said(roi, spring):
    assert "*cy* (no manager: alerts go to the campaign channel)" in asker_only(roi.command("/roi underperformers"))


def test_many_flagged_campaigns_stay_within_one_message(roi):
    for i in range(50):
        answered(roi.command(f"/campaign create c{i:02d} budget=100 start=2026-03-01 end=2026-03-31"))
        answered(roi.command(f"/influencer add p{i:02d} campaign=c{i:02d} fee=100"))

    answer = roi.command("/roi underperformers")

    text = asker_only(answer)  # the slack fixture checks the 50-block limit on every message
    assert answer.reply["text"] == "50 influencers would be flagged today"
    assert "…and 7 more campaigns with flagged influencers" in text
