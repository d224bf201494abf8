"""The digest view (SPEC §5), from reports built by hand (tests/blocks_support.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from blocks_support import (CY_REASONS, PARIS, field_values, mrkdwn, previous_of, report, row, spring_digest,
                            spring_rows, valid)

from handlers.blocks import fmt
from handlers.blocks.digest import bar, digest, period_text, snapshot


# -- digest ---------------------------------------------------------------------------------------------


def test_snapshot_keeps_unrounded_figures_as_json():
    snap = snapshot(report(spring_rows()).totals)

    assert json.loads(json.dumps(snap)) == snap
    assert snap["revenue"] == "3900" and snap["orders"] == 29 and snap["budget_used_pct"] == "70"
    assert Decimal(snap["roi_pct"]) == Decimal(400) * 100 / Decimal(3500)


def test_snapshot_of_a_campaign_without_cost_keeps_none():
    snap = snapshot(report([row("dee", 0, 0, 0)], budget=0).totals)

    assert (snap["roi_pct"], snap["roas"], snap["budget_used_pct"]) == (None, None, None)


def test_snapshot_before_the_start_keeps_no_return_to_compare_the_next_digest_with():
    snap = snapshot(report(spring_rows()).totals, started=False)

    assert (snap["profit"], snap["roi_pct"], snap["roas"]) == (None, None, None)
    assert snap["revenue"] == "3900" and snap["cost"] is not None  # what happened so far is kept


def test_first_digest_shows_figures_period_and_schedule():
    reply = spring_digest()

    assert reply.blocks[0]["text"]["text"] == ":bar_chart: spring — digest"
    assert "Mon 16 Mar 09:00 → Mon 23 Mar 09:00 CET · digest every Monday at 09:00" in mrkdwn(reply)
    assert field_values(reply) == {"Revenue": "USD 3,900.00", "Cost": "USD 3,500.00", "Profit": "USD 400.00",
                                   "ROI": "11.4%", "ROAS": "1.11x", "Orders": "29"}
    assert "First digest of *spring*" in mrkdwn(reply)
    assert reply.text == "spring digest: ROI 11.4% on USD 3,900.00 revenue"
    assert "`/roi campaign spring` for the full report" in reply.blocks[-1]["elements"][0]["text"]


def test_changes_since_the_previous_digest_go_up_down_or_stay():
    before = [row("ana", 2200, 1000, 8), row("ben", 600, 500, 9), row("cy", 500, 2000, 4), row("dee", 0, 0, 0)]

    values = field_values(spring_digest(previous=previous_of(before)))

    # Before: revenue 3,300, cost 3,500, profit -200, ROI -5.7%, ROAS 0.94x, 21 orders.
    assert values["Revenue"] == "USD 3,900.00 (▲ USD 600.00)"
    assert values["Cost"] == "USD 3,500.00 (no change)"
    assert values["Profit"] == "USD 400.00 (▲ USD 600.00)"
    assert values["ROI"] == "11.4% (▲ 17.1 pts)"
    assert values["ROAS"] == "1.11x (▲ 0.17x)"
    assert values["Orders"] == "29 (▲ 8)"


def test_falling_figures_point_down_and_name_when_the_previous_was_posted():
    before = [row("ana", 4000, 1000, 40), row("ben", 600, 500, 5), row("cy", 500, 2000, 4), row("dee", 0, 0, 0)]

    reply = spring_digest(previous=previous_of(before))
    values = field_values(reply)

    assert values["Revenue"] == "USD 3,900.00 (▼ USD 1,200.00)"
    assert values["ROI"] == "11.4% (▼ 34.3 pts)"  # 45.714… → 11.428…
    assert values["Orders"] == "29 (▼ 20)"
    assert "First digest" not in mrkdwn(reply)
    assert "since the previous digest, posted Mon 9 Mar 09:00 CET." in mrkdwn(reply)


def test_no_change_text_when_a_ratio_was_or_is_unknown():
    previous = {**previous_of(spring_rows()), "roi_pct": None, "roas": None}

    values = field_values(spring_digest(previous=previous))

    assert values["ROI"] == "11.4%" and values["ROAS"] == "1.11x"
    assert values["Revenue"] == "USD 3,900.00 (no change)" and values["Orders"] == "29 (no change)"


def test_budget_used_with_a_bar():
    text = mrkdwn(spring_digest())

    assert "*Budget used*: USD 3,500.00 of USD 5,000.00 (70.0%)\n▓▓▓▓▓▓▓░░░" in text
    assert "over budget" not in text


def test_over_budget_fills_the_bar_and_says_so():
    reply = valid(digest(report(spring_rows(), budget=2000), previous=None, period_start=None, period_end=None,
                         schedule="off"))
    text = mrkdwn(reply)

    assert "USD 3,500.00 of USD 2,000.00 (175.0%)\n▓▓▓▓▓▓▓▓▓▓" in text
    assert "*over budget* by USD 1,500.00" in text
    assert "posted by hand (no schedule)" in text


@pytest.mark.parametrize("used, cells", [(0, 0), (4, 0), (5, 1), (70, 7), (99, 10), (100, 10), (250, 10)])
def test_budget_bar_has_ten_cells(used, cells):
    assert bar(Decimal(used)) == "▓" * cells + "░" * (10 - cells)


def test_top_three_only_in_report_order_with_status():
    rows = [row("ana", 2800, 1000, 20), row("ben", 600, 500, 5, status="cut"), row("cy", 500, 2000, 4), row("dee", 0, 0, 0)]

    text = mrkdwn(valid(digest(report(rows), previous=None, period_start=None, period_end=None, schedule="off")))

    assert ("1. *ana* · ROI 180.0% · USD 2,800.00 revenue\n2. *ben (cut)* · ROI 20.0% · USD 600.00 revenue\n"
            "3. *cy* · ROI -75.0% · USD 500.00 revenue") in text
    assert "dee" not in text


def test_flagged_influencers_are_listed_with_every_reason():
    text = mrkdwn(spring_digest())

    assert ":warning: *Flagged today (1)*" in text
    assert ("• *cy*: ROI -75.0% is below this campaign's minimum of 0%; USD 500.00 of a USD 2,000.00 goal "
            "prorated to USD 1,000.00 for 15 of the 30 days between their start and the campaign's end; "
            "engagement rate 0.5% is under half the campaign median of 2.5% (4 influencers with a rate)") in text
    assert "Nobody is flagged" not in text


def test_nobody_flagged_is_said():
    rows = [row("ana", 2800, 1000, 20), row("ben", 600, 500, 5)]

    text = mrkdwn(valid(digest(report(rows), previous=None, period_start=None, period_end=None, schedule="off")))

    assert "Nobody is flagged today." in text and "Flagged today" not in text


def test_empty_campaign_still_renders():
    reply = valid(digest(report([]), previous=None, period_start=None, period_end=None, schedule="every day at 18:30"))
    text = mrkdwn(reply)

    assert "No influencers enrolled yet in *spring*" in text
    assert "Top influencers" not in text and "Flagged" not in text
    assert field_values(reply)["ROI"] == "n/a" and field_values(reply)["Orders"] == "0"
    assert reply.text == "spring digest: ROI n/a on USD 0.00 revenue"


def test_digest_of_a_campaign_not_started_shows_no_loss_and_no_change():
    # summer starts in June; ana's fee of 1,800 is booked against no sales yet: ROI would read -100%.
    rows = [row("ana", 0, 1800, 0, started=False)]
    before = previous_of([row("ana", 0, 1500, 0, started=False)])

    reply = valid(digest(report(rows, name="summer", start=date(2026, 6, 1), end=date(2026, 6, 30)), previous=before,
                         period_start=None, period_end=None, schedule="off"))
    values, text = field_values(reply), mrkdwn(reply)

    assert (values["Profit"], values["ROI"], values["ROAS"]) == ("not started",) * 3
    assert values["Cost"] == "USD 1,800.00 (▲ USD 300.00)"  # what was agreed still shows, and how it moved
    assert "*summer* has not started yet: it starts 2026-06-01." in text
    assert "1. *ana* · ROI not started · USD 0.00 revenue" in text
    assert reply.text == "summer digest: ROI not started on USD 0.00 revenue"
    assert "-100" not in text and "0.00x" not in text


def test_an_influencer_not_started_in_a_running_campaign_is_not_a_loss_in_the_top_three():
    rows = [row("ana", 2800, 1000, 20), row("eve", 0, 700, 0, started=False)]

    text = mrkdwn(valid(digest(report(rows), previous=None, period_start=None, period_end=None, schedule="off")))

    assert "2. *eve* · ROI not started · USD 0.00 revenue" in text
    # The campaign has started: its totals carry eve's fee, (2,800 − 1,700) / 1,700.
    assert f"ROI {fmt.pct(Decimal(2800 - 1700) * 100 / 1700)}" in text


def test_final_digest_says_when_the_attribution_window_closed():
    reply = spring_digest(last=True)

    assert "*Final digest*: the attribution window of *spring* closed on 2026-04-07" in mrkdwn(reply)
    assert reply.text.startswith("spring final digest:")


def test_final_digest_of_a_campaign_without_end():
    reply = valid(digest(report(spring_rows(), end=None), previous=None, period_start=None, period_end=None,
                         schedule="off", last=True))

    assert "This is the final digest of *spring*." in mrkdwn(reply)


def test_forced_digest_carries_a_note():
    assert "`--force`" in mrkdwn(spring_digest(forced=True))
    assert "`--force`" not in mrkdwn(spring_digest())


@pytest.mark.parametrize("start, end, shown", [
    (datetime(2026, 3, 16, 9, tzinfo=PARIS), datetime(2026, 3, 23, 9, tzinfo=PARIS), "Mon 16 Mar 09:00 → Mon 23 Mar 09:00 CET"),
    (datetime(2025, 12, 29, 9, tzinfo=PARIS), datetime(2026, 1, 5, 9, tzinfo=PARIS),
     "Mon 29 Dec 2025 09:00 → Mon 5 Jan 2026 09:00 CET"),
    (datetime(2026, 3, 23, 9, tzinfo=PARIS), datetime(2026, 3, 30, 9, tzinfo=PARIS),
     "Mon 23 Mar 09:00 CET → Mon 30 Mar 09:00 CEST"),
    (None, datetime(2026, 3, 23, 9, tzinfo=PARIS), "until Mon 23 Mar 09:00 CET"),
    (None, None, None),
])
def test_period_is_shown_with_its_time_zone_once(start, end, shown):
    assert period_text(start, end) == shown


@pytest.mark.parametrize("handle", ["<!channel>", "<!here>", "<@U0001>", "@here & co"])
def test_digest_escapes_handles_and_names(handle):
    rows = [row(handle, 500, 2000, 4, reasons=CY_REASONS)]

    reply = valid(digest(report(rows, name="<!everyone>"), previous=None, period_start=None, period_end=None,
                         schedule="cron `0 9 * * 1-5` <!here>"))
    text = mrkdwn(reply)

    for raw in (handle, "<!everyone>", "<!here>"):
        if "<" in raw or "&" in raw:
            assert raw not in text
    assert f"*{fmt.esc(handle)}*" in text and "&lt;!everyone&gt;" in text
    assert "&amp;lt;" not in text
