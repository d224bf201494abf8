"""Where the figures come from and how fresh they are (SPEC §8 "Freshness"), as `/roi` answers and the Home tab say it.

spring (2026-03-01 → 2026-03-31): ana with ANA10, ben with BEN5; the clock reads Monday 2026-03-16 12:00 UTC.
On SQLite only, except the Home tab and the other `/roi` answers (their campaign queries live in handlers/): what
depends on the database is tested on both in tests/bot/registry/test_freshness_rules.py (sources, newest order, stores).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.fakeslack.driver import message_text
from bot.fakeslack.requests import block_actions, dispatch, event
from conftest import NOW, SECRET, SQLITE_ONLY
from freshness_support import connect_store, csv_import, live_order
from handlers.blocks.freshness import ago, moment
from import_support import register
from registry_support import answered, only_post

UTC = timezone.utc


@pytest.fixture
def spring(roi):
    register(roi)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def freshness_line(text: str) -> str:
    [line] = [x for x in text.splitlines() if x.startswith(("Orders from", "No orders yet"))]
    return line


def campaign_answer(roi, line: str = "/roi campaign spring") -> str:
    return message_text(only_post(roi.command(line)))


@SQLITE_ONLY
def test_the_campaign_answer_names_each_source_with_its_delivery_and_the_newest_order(roi, sessions, spring):
    connect_store(sessions, delivered=NOW - timedelta(minutes=5))
    live_order(sessions, "#1001", "ANA10", at(16, 11, 2))
    csv_import(sessions, "A1,2026-03-14,200,BEN5\n", at(15, 10))

    line = freshness_line(campaign_answer(roi))

    assert line == ("Orders from Shopify (live, last delivery 5 min ago) and a CSV import of Mar 15 · "
                    "newest order Mar 16 11:02")


@SQLITE_ONLY
def test_a_campaign_without_orders_says_so(roi, spring):
    assert freshness_line(campaign_answer(roi)) == "No orders yet"


@SQLITE_ONLY
def test_a_connected_store_that_sent_nothing_for_the_campaign_is_named(roi, sessions, spring):
    connect_store(sessions, delivered=NOW - timedelta(hours=3), synced=NOW - timedelta(minutes=40))
    csv_import(sessions, "A1,2026-03-14,200,BEN5\n", at(14, 18))

    assert freshness_line(campaign_answer(roi)) == (
        "Orders from a CSV import of Mar 14 · newest order Mar 14 · Shopify connected (last delivery 3 h ago, "
        "last sync 40 min ago)")


@SQLITE_ONLY
def test_hand_recorded_sales_are_named_with_their_day(roi, spring):
    answered(roi.command("/roi sale ANA10 amount=120"))

    assert freshness_line(campaign_answer(roi)) == "Orders from sales recorded by hand · newest order Mar 16"


@SQLITE_ONLY
def test_every_store_is_named_and_an_uninstalled_one_says_since_when(roi, sessions, spring):
    connect_store(sessions, synced=NOW - timedelta(days=2))
    connect_store(sessions, kind="woocommerce", uninstalled=at(10, 8))
    live_order(sessions, "#1001", "ANA10", at(12, 9, 30))
    live_order(sessions, "#2001", "BEN5", at(9, 9, 30), kind="woocommerce")

    assert freshness_line(campaign_answer(roi)) == (
        "Orders from Shopify (live, last sync 2 days ago) and WooCommerce (live, app uninstalled Mar 10) · "
        "newest order Mar 12 09:30")


@SQLITE_ONLY
def test_another_workspaces_stores_and_imports_are_never_shown(roi, sessions, spring):
    connect_store(sessions, team="T0OTHER01", delivered=NOW - timedelta(minutes=5))
    csv_import(sessions, "A1,2026-03-14,200,BEN5\n", at(15, 10), team="T0OTHER01")

    assert freshness_line(campaign_answer(roi)) == "No orders yet"


@pytest.mark.parametrize("line", [
    "/roi compare spring autumn", "/roi influencer ana", "/roi tiers", "/roi top campaign=spring",
])
def test_the_other_answers_with_campaign_figures_say_it_too(roi, sessions, spring, line):
    answered(roi.command("/campaign create autumn budget=100"))
    live_order(sessions, "#1001", "ANA10", at(16, 11, 2))

    assert freshness_line(campaign_answer(roi, line)) == "Orders from Shopify (live) · newest order Mar 16 11:02"


def test_the_home_tab_card_and_its_full_report_say_it(app, slack, sessions, spring):
    live_order(sessions, "#1001", "ANA10", at(16, 11, 2))
    expected = "Orders from Shopify (live) · newest order Mar 16 11:02"

    dispatch(app, event({"type": "app_home_opened", "user": "U0001", "tab": "home"}, team_id="T0001"), secret=SECRET)
    [publish] = slack.calls_to("views.publish")
    view = publish.json("view")
    assert freshness_line(message_text({"blocks": view["blocks"]})) == expected

    [card] = [b for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "roi_home_report"]
    dispatch(app, block_actions("roi_home_report", card["accessory"]["value"], team_id="T0001", user_id="U0001",
                                container_type="view"), secret=SECRET)
    [report] = [c for c in slack.calls_to("chat.postMessage") if "ROI" in (c.params.get("text") or "")]
    assert freshness_line(message_text({"blocks": report.json("blocks")})) == expected


@pytest.mark.parametrize(("before", "said"), [
    (timedelta(seconds=20), "just now"),
    (timedelta(seconds=-30), "just now"),  # a store's clock a little ahead of ours
    (timedelta(minutes=5, seconds=59), "5 min ago"),
    (timedelta(hours=3, minutes=59), "3 h ago"),
    (timedelta(days=1, hours=2), "1 day ago"),
    (timedelta(days=7), "7 days ago"),
    (timedelta(days=10), "on Mar 6"),
    (timedelta(days=100), "on Dec 6 2025"),
])
def test_how_long_ago_reads(before, said):
    assert ago(NOW - before, NOW) == said


def test_moments_are_shown_in_the_apps_time_zone():
    from zoneinfo import ZoneInfo

    berlin = NOW.astimezone(ZoneInfo("Europe/Berlin"))
    assert moment(at(16, 23, 30), berlin) == "Mar 17 00:30"
    assert moment(at(16, 23, 30), berlin, timed=False) == "Mar 17"
