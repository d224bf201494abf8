"""CSV files shared in a DM with the bot: fetched with files.info, downloaded with the bot token, imported once."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.fakeslack.driver import message_text
from bot.models import EngagementStat, ImportRun, Influencer, Order
from conftest import TOKEN
from import_support import register

ORDERS = b"order_id,date,amount,code\n1,2026-03-05,200.00,ANA10\n2,2026-03-06,50.00,NOPE\n3,2026-03-07,oops,ANA10\n"


@pytest.fixture
def spring(roi):
    register(roi)


def dm_reply(answer) -> str:
    posts = [c for c in answer.calls if c.method == "chat.postMessage"]
    assert len(posts) == 1, answer.calls
    assert posts[0].params["channel"] == "D0001"  # the DM of U0001, where the file was shared
    return message_text(posts[0].params)


def arrived(slack, method: str, timeout: float = 10) -> None:
    """Wait until a call of `method` reached the stand-in (`wait_for` waits until it was answered as well)."""
    deadline = time.monotonic() + timeout
    while not slack.calls_to(method):
        assert time.monotonic() < deadline, f"no call to {method} within {timeout}s"
        time.sleep(0.01)


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_shared_orders_csv_is_imported_and_summarised_in_the_dm(spring, roi, slack, sessions):
    slack.add_file("F0ORDERS", ORDERS, name="march.csv")
    text = dm_reply(roi.share_file("F0ORDERS"))
    assert "march.csv" in text and "rows rejected" in text and "row 4" in text
    assert count(sessions, Order) == 2
    download = slack.calls_to("file_download")
    assert len(download) == 1 and download[0].token == TOKEN  # from the file's own URL, with the bot token


def test_the_same_file_delivered_again_is_imported_once_and_answered_with_what_its_import_did(spring, roi, slack,
                                                                                               sessions):
    slack.add_file("F0ORDERS", ORDERS, name="march.csv")
    roi.share_file("F0ORDERS")
    again = roi.share_file("F0ORDERS")  # Slack redelivering the event, or a second process receiving it
    text = dm_reply(again)
    assert "march.csv* was already imported on 2026-03-16" in text and "did not import it again" in text
    assert "New / updated / unchanged*\n2 / 0 / 0" in text and "row 4" in text  # what that import did
    assert count(sessions, ImportRun) == 1 and count(sessions, Order) == 2
    assert len(slack.calls_to("file_download")) == 1


def test_a_refused_file_delivered_again_is_answered_with_why_it_was_refused(roi, slack, sessions):
    slack.add_file("F0ODD", b"name;email\nana;a@example.com\n", name="people.csv")
    first = dm_reply(roi.share_file("F0ODD"))
    text = dm_reply(roi.share_file("F0ODD"))
    assert "already looked at *people.csv* on 2026-03-16 and did not import it" in text
    why = first.split(":warning: ")[1].split("\n")[0]
    assert why in text and count(sessions, ImportRun) == 1


def test_a_delivery_while_the_first_import_runs_stays_silent_and_the_first_answers(spring, roi, slack, sessions):
    slack.add_file("F0ORDERS", ORDERS, name="march.csv")
    slack.delay("file_download", 1.0, times=1)  # the first import is still downloading when the event comes again
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(roi.share_file, "F0ORDERS")
        arrived(slack, "file_download")
        roi.share_file("F0ORDERS")  # answered by the first import, not by this delivery
        first = first.result(timeout=30)
    # The driver's answers overlap in time, so count what reached Slack: the first import's summary, once.
    [post] = slack.calls_to("chat.postMessage")
    assert "Imported *march.csv*" in message_text(post.params)
    assert count(sessions, ImportRun) == 1 and count(sessions, Order) == 2


def test_roster_and_stats_files_are_told_apart_by_their_header(spring, roi, slack, sessions):
    slack.add_file("F0ROSTER", b"handle,platform,followers\nzoe,tiktok,12000\n", name="roster.csv")
    assert "roster" in dm_reply(roi.share_file("F0ROSTER"))
    slack.add_file("F0STATS", b"handle,campaign,date,likes\nana,spring,2026-03-05,120\n", name="stats.csv")
    assert "stats" in dm_reply(roi.share_file("F0STATS"))
    assert count(sessions, Influencer) == 3 and count(sessions, EngagementStat) == 1


def test_a_shared_stats_file_rejects_rows_dated_after_tomorrow_and_imports_the_rest(spring, roi, slack, sessions):
    # The app's clock says 2026-03-16 (conftest): a row of the 17th may come from a time zone ahead; the 20th may not.
    slack.add_file("F0STATS", b"handle,campaign,date,likes\nana,spring,2026-03-20,5\nana,spring,2026-03-17,7\n",
                   name="stats.csv")

    text = dm_reply(roi.share_file("F0STATS"))

    assert "row 2" in text and "2026-03-20 is in the future (today is 2026-03-16)" in text
    with sessions() as session:
        assert session.scalars(select(EngagementStat.likes)).all() == [7]


def test_a_file_that_is_not_csv_is_refused_without_downloading(roi, slack, sessions):
    slack.add_file("F0PDF", b"%PDF-1.7", name="report.pdf", filetype="pdf", mimetype="application/pdf")
    text = dm_reply(roi.share_file("F0PDF"))
    assert "only import CSV" in text and slack.calls_to("file_download") == []


def test_an_oversized_file_is_refused_without_downloading(roi, slack):
    slack.add_file("F0HUGE", b"order_id,date,amount\n", name="all.csv", size=900 * 1024 * 1024)
    text = dm_reply(roi.share_file("F0HUGE"))
    assert "limit" in text and slack.calls_to("file_download") == []


def test_a_file_of_unknown_shape_or_encoding_is_refused_whole(spring, roi, slack, sessions):
    slack.add_file("F0ODD", b"name;email\nana;a@example.com\n", name="people.csv")
    assert "Nothing was imported" in dm_reply(roi.share_file("F0ODD"))
    slack.add_file("F0LATIN", b"order_id,date,amount,code\n1,2026-03-05,10.00,CAF\xc9\n", name="latin1.csv")
    assert "UTF-8" in dm_reply(roi.share_file("F0LATIN"))
    assert count(sessions, Order) == 0


def test_messages_without_files_and_the_bots_own_messages_are_ignored(roi, slack):
    def answered(event) -> list[str]:
        return [c.method for c in roi.event(event).calls if c.method != "auth.test"]  # Bolt asks who it is once

    assert answered({"type": "message", "channel": "D0001", "channel_type": "im", "user": "U0001", "text": "hi",
                     "ts": "1.1"}) == []
    assert answered({"type": "message", "channel": "D0001", "channel_type": "im", "bot_id": "BBOT", "text": "x",
                     "ts": "1.2", "files": [{"id": "F1"}]}) == []


def test_an_unexpected_failure_is_reported_in_the_dm_with_a_reference(spring, roi, slack, caplog):
    slack.add_file("F0ORDERS", ORDERS, name="march.csv")
    slack.fail("files.info", "internal_error")
    text = dm_reply(roi.share_file("F0ORDERS"))
    assert "reference" in text
    ref = text.split("reference `")[1].split("`")[0]
    assert any(ref in r.getMessage() for r in caplog.records)


HOSTILE = "<!channel> <@U0123ABCD> q1.csv"


def mentions(slack) -> list[str]:
    """The calls that carried a live mention of everyone or of U0123ABCD, anywhere in what they sent."""
    return [c.method for c in slack.calls if "<!channel>" in json.dumps(c.params) or "<@U0123ABCD>" in json.dumps(c.params)]


@pytest.mark.parametrize("content, summarised", [(ORDERS, True), (b"name;email\nana;a@example.com\n", False)],
                         ids=["imported", "refused"])
def test_a_file_name_with_mentions_is_escaped_in_every_answer_its_notification_text_included(spring, roi, slack,
                                                                                              content, summarised):
    slack.add_file("F0HOSTILE", content, name=HOSTILE)

    roi.share_file("F0HOSTILE")
    roi.share_file("F0HOSTILE")  # answered from what was stored: the name comes from the database this time

    assert mentions(slack) == []
    first, again = [p.params["text"] for p in slack.calls_to("chat.postMessage")]
    escaped = "&lt;!channel&gt; &lt;@U0123ABCD&gt; q1.csv"
    assert escaped in again and (escaped in first) is summarised  # a shape refusal does not name the file

