"""The underperformer alert views (SPEC §6), from reports built by hand (tests/blocks_support.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from blocks_support import CY_REASONS, TODAY, field_values, mrkdwn, report, row, spring_rows, valid

from bot import alerts as records
from handlers.blocks import alerts, fmt
from handlers.blocks.report_campaign import reason_text
from metrics.flags import GOAL, Candidate, Reason, Rule, flags


# -- alerts ---------------------------------------------------------------------------------------------


def cy_info(manager: str | None = "UMAN1", handle: str = "cy") -> dict:
    rows = spring_rows(manager=manager)
    rows[2] = row(handle, 500, 2000, 4, reasons=CY_REASONS, manager=manager, likes=5)
    rep = report(rows)
    return json.loads(json.dumps(records.alert_info(rep, rows[2])))  # as stored and read back


def test_alert_info_is_json_safe_and_complete():
    info = cy_info()

    assert {k: info[k] for k in ("campaign", "campaign_id", "currency", "handle", "platform", "manager", "channel", "day")} == {
        "campaign": "spring", "campaign_id": 7, "currency": "USD", "handle": "cy", "platform": "instagram",
        "manager": "UMAN1", "channel": "C0001", "day": "2026-03-16"}
    assert info["metrics"] == {"revenue": "500", "cost": "2000", "profit": "-1500", "roi_pct": "-75", "roas": "0.25",
                               "orders": 4, "engagement_rate_pct": "0.5"}
    assert info["reasons"][1] == {"kind": "goal", "actual": "500", "threshold": "1000",
                                  "detail": {"goal": "2000", "elapsed_days": 15, "total_days": 30}}


@pytest.mark.parametrize(("start", "today", "words", "due"), [
    # March has 31 days, but 30 lie between the 1st and the 31st: SPEC §6 divides (today − start) by (end − start).
    (date(2026, 3, 1), date(2026, 3, 16), "for 15 of the 30 days between their start and the campaign's end",
     "USD 2,000.00"),
    (date(2026, 3, 9), date(2026, 3, 16), "for 7 of the 22 days between their start and the campaign's end",
     "USD 1,272.73"),
    (date(2026, 3, 31), date(2026, 3, 31), "(all of it: they started on the campaign's last day)", "USD 4,000.00"),
])
def test_goal_reason_words_the_days_the_prorated_goal_divides(start, today, words, due):
    rule = Rule(start=date(2026, 3, 1), end=date(2026, 3, 31), min_roi=Decimal(-100), grace_days=0)
    cy = Candidate(key="cy", status="active", start=start, cost=Decimal(2000), revenue=Decimal(500),
                   roi_pct=Decimal(-75), goal_revenue=Decimal(4000), engagement_rate_pct=None)
    [reason] = flags([cy], rule, today)["cy"]

    text = reason_text(reason, "USD")

    assert text == f"USD 500.00 of a USD 4,000.00 goal prorated to {due} {words}"
    assert " of 30 days" not in text and " of 31 days" not in text


def test_reasons_round_trip_through_the_stored_info():
    rebuilt = records.reasons_of(cy_info())

    assert rebuilt == list(CY_REASONS)
    assert [reason_text(r, "USD") for r in rebuilt] == [reason_text(r, "USD") for r in CY_REASONS]
    assert isinstance(rebuilt[1].detail["goal"], Decimal) and rebuilt[2].detail["peers"] == 4


def test_reasons_round_trip_keeps_an_unrounded_threshold():
    reason = Reason(GOAL, Decimal(10), Decimal(2000) * (Decimal(14) / Decimal(30)),
                    {"goal": Decimal(2000), "elapsed_days": 14, "total_days": 30})
    rep = report([row("cy", 10, 100, 1, reasons=[reason])])

    [rebuilt] = records.reasons_of(json.loads(json.dumps(records.alert_info(rep, rep.rows[0]))))

    assert rebuilt == reason and reason_text(rebuilt, "USD") == reason_text(reason, "USD")


def test_alert_has_figures_reasons_and_three_buttons():
    reply = valid(alerts.alert(cy_info(), alert_id=42))
    text = mrkdwn(reply)

    assert reply.blocks[0]["text"]["text"] == ":warning: cy is underperforming in spring"
    assert field_values(reply) == {"Revenue": "USD 500.00", "Cost": "USD 2,000.00", "ROI": "-75.0%", "ROAS": "0.25x",
                                   "Orders": "4", "Engagement rate": "0.5%"}
    assert text.count("\n• ") == 3 and "• ROI -75.0% is below this campaign's minimum of 0%" in text
    assert "Only <@UMAN1> (the manager of cy) or a ROI bot admin can decide." in text
    assert reply.text == "cy is underperforming in spring: ROI -75.0%. Cut, keep or snooze?"
    [block] = [b for b in reply.blocks if b["type"] == "actions"]
    assert block["block_id"] == "roi_alert"
    cut, keep, snooze = block["elements"]
    assert [(b["action_id"], b["value"], b.get("style")) for b in (cut, keep, snooze)] == [
        ("roi_cut", "42", "danger"), ("roi_keep", "42", "primary"), ("roi_snooze", "42", None)]
    assert snooze["text"]["text"] == "Snooze 7 days"
    confirm = cut["confirm"]
    assert (confirm["title"]["text"], confirm["confirm"]["text"], confirm["deny"]["text"]) == ("Cut cy?", "Cut", "Cancel")
    assert "Orders from today on no longer count for cy in spring" in confirm["text"]["text"]
    assert "no alerts for 14 days" in text
    assert "confirm" not in keep and "confirm" not in snooze


def test_alert_without_manager_says_it_went_to_the_channel():
    text = mrkdwn(valid(alerts.alert(cy_info(manager=None), alert_id=1)))

    assert "Posted in <#C0001> because cy has no manager" in text and "<@" not in text


def test_constants_match_the_spec():
    assert alerts.DECISIONS == {"roi_cut": "cut", "roi_keep": "keep", "roi_snooze": "snooze"}
    assert records.QUIET_DAYS == {"keep": 14, "snooze": 7}


@pytest.mark.parametrize("decision, quiet_until, words", [
    ("cut", None, ":scissors: Cut by <@U123> on 2026-03-16: orders from that day on no longer count for *cy* in "
                  "*spring*; no more alerts."),
    ("keep", date(2026, 3, 30), ":+1: Kept by <@U123> on 2026-03-16: no alerts about *cy* until 2026-03-30."),
    ("snooze", date(2026, 3, 23), ":zzz: Snoozed by <@U123> on 2026-03-16 until 2026-03-23"),
])
def test_decided_alert_has_no_buttons_and_names_the_decider(decision, quiet_until, words):
    reply = valid(alerts.decided(cy_info(), decision=decision, user_id="U123", on=TODAY, quiet_until=quiet_until))

    assert all(b["type"] != "actions" for b in reply.blocks)
    assert words in mrkdwn(reply)
    assert reply.blocks[0]["text"]["text"] == ":warning: cy is underperforming in spring"
    assert field_values(reply)["ROI"] == "-75.0%" and "• ROI -75.0%" in mrkdwn(reply)


def test_already_decided_names_who_and_changes_nothing():
    reply = valid(alerts.already_decided(cy_info(), decision="keep", user_id="U9", on=TODAY))

    assert "already decided: Kept by <@U9> on 2026-03-16. Nothing changed." in mrkdwn(reply)


@pytest.mark.parametrize("manager, admins, words", [
    ("UMAN1", True, "Only <@UMAN1> (the manager of *cy*) or a ROI bot admin can decide"),
    ("UMAN1", False, "Only <@UMAN1>, the manager of *cy*, can decide"),
    (None, True, "*cy* has no manager, so only a ROI bot admin can decide"),
])
def test_not_allowed_says_who_may_decide(manager, admins, words):
    text = mrkdwn(valid(alerts.not_allowed(cy_info(manager=manager), manager=manager, admins=admins)))

    assert words in text and "Nothing changed." in text


def test_gone_and_already_cut_change_nothing():
    gone = mrkdwn(valid(alerts.gone()))
    cut = mrkdwn(valid(alerts.already_cut(cy_info(), on=date(2026, 3, 10))))

    assert "no longer exists in this workspace" in gone and "Nothing changed." in gone
    assert "*cy* was already cut from *spring* on 2026-03-10" in cut and "Nothing changed." in cut
    assert "*cy* was already cut from *spring*, so" in mrkdwn(valid(alerts.already_cut(cy_info(), on=None)))


@pytest.mark.parametrize("handle", ["<!channel>", "<!here>", "<@U0001>", "@here & co"])
def test_alert_views_escape_the_handle(handle):
    info = cy_info(handle=handle)
    replies = [alerts.alert(info, alert_id=1),
               alerts.decided(info, decision="cut", user_id="U1", on=TODAY, quiet_until=None),
               alerts.already_decided(info, decision="cut", user_id="U1", on=TODAY),
               alerts.not_allowed(info, manager=None, admins=True), alerts.already_cut(info, on=None)]

    for reply in replies:
        text = mrkdwn(valid(reply))
        assert handle not in text and fmt.esc(handle) in text
        assert "&amp;lt;" not in text
