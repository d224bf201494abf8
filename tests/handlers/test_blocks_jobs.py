"""The digest (SPEC §5) and underperformer alert (SPEC §6) views, from reports built by hand.

spring (USD, budget 5,000, 2026-03-01 → 2026-03-31, window 7 days), today 2026-03-16:
- ana: revenue 2,800, fee 1,000, 20 orders -> ROI 180.0%
- ben: revenue 600, fee 500, 5 orders -> ROI 20.0%
- cy: revenue 500, fee 2,000, 4 orders -> ROI -75.0%, flagged
- dee: revenue 0, fee 0 -> ROI n/a
Totals: revenue 3,900, cost 3,500, profit 400, ROI 11.4%, ROAS 1.11x, 29 orders, budget used 70.0%.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from slackschema import assert_valid_message

from bot import alerts as records
from bot.reports import CampaignReport, Row
from handlers.blocks import alerts, fmt
from handlers.blocks.digest import bar, digest, period_text, snapshot
from handlers.blocks.report_campaign import reason_text
from metrics.flags import ENGAGEMENT, GOAL, ROI, Candidate, Reason, Rule, flags
from metrics.roi import Counters, EnrolmentInput, campaign_metrics, enrolment_metrics

TODAY = date(2026, 3, 16)
PARIS = ZoneInfo("Europe/Paris")
CY_REASONS = (
    Reason(ROI, Decimal(-75), Decimal(0)),
    Reason(GOAL, Decimal(500), Decimal(2000) * Decimal(15) / Decimal(30),
           {"goal": Decimal(2000), "elapsed_days": 15, "total_days": 30}),
    Reason(ENGAGEMENT, Decimal("0.5"), Decimal("2.5") / 2, {"median": Decimal("2.5"), "peers": 4}),
)


def row(handle: str, revenue, fee, orders: int, *, status: str = "active", reasons=(), manager: str | None = None,
        likes: int | None = None, started: bool = True) -> Row:
    # `likes` come from one post, to 1,000 followers.
    x = EnrolmentInput(Decimal(revenue), orders, fee=Decimal(fee), followers=1000 if likes is not None else None,
                       counters=Counters(likes=likes, engagement_rows=int(likes is not None)))
    person = SimpleNamespace(id=len(handle), handle=handle, handle_key=handle.lower(), platform="instagram",
                             followers=x.followers, manager_id=manager)
    return Row(enrolment=SimpleNamespace(id=len(handle), status=status), influencer=person, status=status,
               tier="nano", metrics=enrolment_metrics(x), input=x, reasons=tuple(reasons), started=started)


def report(rows: list[Row], *, budget=5000, name: str = "spring", end: date | None = date(2026, 3, 31),
           start: date | None = date(2026, 3, 1)) -> CampaignReport:
    camp = SimpleNamespace(id=7, name=name, currency="USD", budget=Decimal(budget), start=start, end=end,
                           channel_id="C0001", window_days=7, status="active")
    return CampaignReport(campaign=camp, today=TODAY, date_from=None, date_to=None,
                          totals=campaign_metrics([r.input for r in rows], budget=Decimal(budget)), rows=rows)


def spring_rows(**cy) -> list[Row]:
    return [row("ana", 2800, 1000, 20, likes=50), row("ben", 600, 500, 5),
            row("cy", 500, 2000, 4, reasons=CY_REASONS, **cy), row("dee", 0, 0, 0)]


def valid(reply):
    assert_valid_message({"text": reply.text, "blocks": json.dumps(reply.blocks)})
    return reply


def mrkdwn(reply) -> str:
    """Every text Slack parses for mentions: mrkdwn objects and the fallback text."""
    found = [reply.text]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reply.blocks)
    return "\n".join(found)


def field_values(reply) -> dict[str, str]:
    return {f["text"].split("\n")[0].strip("*"): f["text"].split("\n", 1)[1]
            for b in reply.blocks for f in b.get("fields", [])}


def previous_of(rows: list[Row], at: str = "2026-03-09T08:00:00+00:00") -> dict:
    return {**snapshot(report(rows).totals), "at": at}


def spring_digest(**kwargs):
    kwargs.setdefault("previous", None)
    return valid(digest(report(spring_rows()), period_start=datetime(2026, 3, 16, 9, tzinfo=PARIS),
                        period_end=datetime(2026, 3, 23, 9, tzinfo=PARIS), schedule="every Monday at 09:00", **kwargs))


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
