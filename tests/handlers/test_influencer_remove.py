"""`/influencer remove` of someone with results asks first (SPEC §2, §7): the question in the acknowledgement, then
signed Remove / Cancel clicks through the real app, checked in the database and in what reached Slack.

spring (March 2026); ana enrolled with the code ANA10, one sale through it (a credited order) and one stats row.
On SQLite only: what depends on the database is tested on both in tests/bot/registry/test_influencer_rules.py
(holdings, the confirmed removal and its cascade, gone, changed since, another workspace).
"""

from __future__ import annotations

import pytest
from conftest import SECRET, SQLITE_ONLY
from registry_support import answered, answered_ephemeral, person, spring_campaign, unchanged
from sqlalchemy import select

from bot.fakeslack.driver import SlackDriver, message_text
from bot.models import Code, EngagementStat, Enrolment, Order
from handlers.blocks.influencers import CANCEL, REMOVE

pytestmark = SQLITE_ONLY

ADMIN, MEMBER = "U0ADMIN001", "U0MEMBER01"


def ana_with_results(roi) -> None:
    """spring, with ana, her code, a sale through it and a day of stats; ben (no results) beside her."""
    spring_campaign(roi)
    answered(roi.command("/influencer add ana campaign=spring fee=300"))
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/influencer stats ana campaign=spring date=2026-03-10 likes=40"))
    roi.command("/roi sale ANA10 amount=120 date=2026-03-05 id=phone-1")
    answered(roi.command("/influencer add ben campaign=spring"))


@pytest.fixture
def ana(roi):
    ana_with_results(roi)


def asked(roi, line: str = "/influencer remove ana", **who) -> dict:
    """The question the command answered with, in its acknowledgement, after checking nothing was done yet."""
    answer = roi.command(line, **who)
    answered_ephemeral(answer)
    assert answer.acked is not None and answer.calls == []  # answered in the ack, like every registration command
    return answer.reply


def buttons(reply: dict) -> dict[str, dict]:
    """The reply's buttons, by action id."""
    return {e["action_id"]: e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]}


def click(roi, reply: dict, action_id: str, **who):
    return roi.click(action_id, buttons(reply)[action_id]["value"], **who)


def replaced(answer) -> dict:
    """The one answer a click sent through its response_url, after checking it replaced the question."""
    assert answer.status == 200
    assert answer.reply.get("replace_original") is True
    return answer.reply


def beside(answer) -> str:
    """The text of the one answer a click sent beside the question (which stays as it was)."""
    assert answer.status == 200
    assert answer.reply.get("replace_original") is False and answer.reply.get("response_type") == "ephemeral"
    return answer.text


def ana_gone_as_before(sessions) -> None:
    """What `/influencer remove` has always done: ana, her enrolment, code and stats deleted; orders kept, no
    longer credited; ben untouched."""
    assert person(sessions, "ana") is None and person(sessions, "ben") is not None
    with sessions() as session:
        assert session.scalars(select(Code.code)).all() == []
        assert session.scalars(select(EngagementStat)).all() == []
        assert len(session.scalars(select(Enrolment)).all()) == 1
        [order] = session.scalars(select(Order)).all()
        assert (order.order_id, order.enrolment_id, order.attribution) == ("phone-1", None, None)


def test_someone_with_results_is_not_removed_but_asked_about_with_what_would_be_lost(roi, sessions, ana):
    with unchanged(sessions):
        reply = asked(roi, "/influencer remove ANA")

    text = message_text(reply)
    for lost in ("1 credited order", "1 engagement stats row", "1 enrolment", "1 code", "Nothing is removed until"):
        assert lost in text, lost
    remove, cancel = buttons(reply)[REMOVE], buttons(reply)[CANCEL]
    assert (remove["text"]["text"], remove["style"], cancel["text"]["text"]) == ("Remove ana", "danger", "Cancel")
    assert remove["confirm"]["style"] == "danger" and "cannot be undone" in remove["confirm"]["text"]["text"]
    assert remove["value"].split()[0] == str(person(sessions, "ana").id)


def test_remove_clicked_deletes_as_before_and_replaces_the_question_with_the_confirmation(roi, sessions, ana):
    reply = asked(roi)

    answer = click(roi, reply, REMOVE)

    message = replaced(answer)
    assert "Removed *ana*" in answer.text and "1 enrolment, 1 code and 1 stats row" in answer.text
    assert message.get("response_type") is None  # a replacement keeps the question's place, ephemeral as it was
    ana_gone_as_before(sessions)


def test_cancel_replaces_the_question_and_removes_nothing(roi, sessions, ana):
    reply = asked(roi)

    with unchanged(sessions):
        answer = click(roi, reply, CANCEL)

    replaced(answer)
    assert "Nothing was removed." in answer.text


def test_someone_without_results_is_removed_at_once(roi, sessions, ana):
    answered(roi.command("/code add BEN5 ben campaign=spring"))  # codes and enrolments alone are no results

    answer = roi.command("/influencer remove ben")

    text = answered_ephemeral(answer)
    assert "Removed *ben*" in text and "1 enrolment, 1 code and 0 stats rows" in text
    assert buttons(answer.reply) == {}
    assert person(sessions, "ben") is None and person(sessions, "ana") is not None


def test_a_double_click_removes_once_and_the_second_click_is_told_and_replaces_nothing(roi, sessions, slack, ana):
    reply = asked(roi)

    first = click(roi, reply, REMOVE)
    second = click(roi, reply, REMOVE)

    replaced(first)
    assert "no longer registered in this workspace" in beside(second) and "Nothing was removed." in second.text
    ana_gone_as_before(sessions)
    replacing = [c for c in slack.calls_to("response_url") if c.params.get("replace_original")]
    assert len(replacing) == 1  # the confirmation the first click left is never overwritten


def test_a_click_from_another_workspace_changes_nothing_there_or_here(roi, sessions, ana):
    # T0OTHER uses the bot too, with an ana of its own; the button carries this workspace's ana's id.
    answered(roi.command("/campaign create spring budget=100 start=2026-03-01 end=2026-03-31", team="T0OTHER"))
    answered(roi.command("/influencer add ana campaign=spring", team="T0OTHER"))
    answered(roi.command("/influencer stats ana campaign=spring date=2026-03-10 likes=1", team="T0OTHER"))
    reply = asked(roi)

    with unchanged(sessions):
        answer = click(roi, reply, REMOVE, team="T0OTHER")

    assert "no longer registered in this workspace" in beside(answer)


def test_a_click_from_a_workspace_the_bot_has_never_seen_changes_nothing(roi, sessions, ana):
    reply = asked(roi)

    with unchanged(sessions):
        answer = click(roi, reply, REMOVE, team="T0NEVER")

    assert "no longer registered" in beside(answer)


def test_with_roi_admins_set_a_members_click_is_refused_and_an_admins_removes(make_app, settings, slack, sessions):
    roi = SlackDriver(make_app(settings.with_(admins=frozenset({ADMIN}))), slack, SECRET, user_id=ADMIN)
    ana_with_results(roi)
    reply = asked(roi)

    with unchanged(sessions):
        refused = click(roi, reply, REMOVE, user=MEMBER)

    assert "Only the ROI bot admins" in beside(refused) and "Nothing was removed." in refused.text
    replaced(click(roi, reply, REMOVE, user=ADMIN))
    ana_gone_as_before(sessions)


@pytest.mark.parametrize(("change", "says"), [
    ("/influencer stats ana campaign=spring date=2026-03-11 likes=9", "since you asked: now 1 credited order, 2 stats"),
    ("/roi sale ANA10 amount=80 date=2026-03-06 id=phone-2", "since you asked: now 2 credited orders, 1 stats row"),
    ("/influencer set ana handle=ana.k", "is now called *ana.k*"),
])
def test_an_influencer_changed_since_the_question_is_not_removed(roi, sessions, ana, change, says):
    reply = asked(roi)
    roi.command(change)

    with unchanged(sessions):
        answer = click(roi, reply, REMOVE)

    text = beside(answer)
    assert says in text and "/influencer remove" in text and "Nothing was removed." in text


@pytest.mark.parametrize("value", ["", "abc", "1", "1 ana 1 1 1", "1 ana 1 1 1 x", "-1 ana 1 1 1 1", "1  1 1 1 1"])
def test_a_button_value_this_app_never_wrote_changes_nothing(roi, sessions, ana, value):
    with unchanged(sessions):
        answer = roi.click(REMOVE, value)

    assert "no longer registered" in beside(answer)
