"""SPEC §7 through the real app, for user text on the way out: whatever was typed, stored as typed, comes
back escaped once, so no reply can mention anyone.
On SQLite only: what depends on the database (text stored as typed, refusals writing nothing) is tested on both in
tests/bot/registry/test_campaign_rules.py and test_influencer_rules.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.fakeslack.driver import Answer
from bot.models import Campaign
from bot.values import esc
from conftest import SQLITE_ONLY
from registry_support import answered_ephemeral, stored

pytestmark = SQLITE_ONLY


def assert_nothing_pings(answer: Answer) -> None:
    """No text of the reply can mention anyone or hold a double escape."""
    text = answer.text
    for markup in ("<!", "<@", "<#"):
        assert markup not in text, text
    assert "&amp;lt;" not in text and "&amp;gt;" not in text and "&amp;amp;" not in text, text


@pytest.mark.parametrize("handle", ["<!channel>", "<!here>", "<!everyone>", "<@U0001>", "<@U0001|ana>",
                                    "<!subteam^S0001|@growth>", "<#C0001|general>"])
def test_a_handle_that_is_slack_markup_is_refused_and_shown_escaped(roi, sessions, handle):
    answer = roi.command(f"/influencer add {handle}")

    assert "`handle`" in answered_ephemeral(answer)
    assert_nothing_pings(answer)
    assert esc(handle) in answer.text
    assert stored(sessions)["influencers"] == []


def test_a_note_with_mentions_is_stored_as_typed_and_shown_escaped(roi, sessions):
    # What Slack sends when someone types: note="ping @channel & @here, cc @ana <3"
    create = roi.command('/campaign create spring budget=1 note="ping <!channel> &amp; <!here>, cc <@U0001> &lt;3"')

    answered_ephemeral(create)
    assert_nothing_pings(create)
    with sessions() as session:
        assert session.scalar(select(Campaign.note)) == "ping <!channel> & <!here>, cc <@U0001> <3"

    show = roi.command("/campaign show spring")

    answered_ephemeral(show)
    assert_nothing_pings(show)
    assert "ping &lt;!channel&gt; &amp; &lt;!here&gt;, cc &lt;@U0001&gt; &lt;3" in show.text


def test_a_changed_note_is_shown_escaped_in_the_confirmation(roi):
    answered_ephemeral(roi.command("/campaign create spring budget=1"))

    answer = roi.command('/campaign set spring note="<!here> Q&amp;A"')

    answered_ephemeral(answer)
    assert_nothing_pings(answer)
    assert "&lt;!here&gt; Q&amp;A" in answer.text


@pytest.mark.parametrize("line", [
    "/campaign <!channel>",
    "/campaign create <!here> budget=1",
    "/campaign create spring budget=<!channel>",
    "/campaign create spring budget=1 currency=<!here>",
    "/campaign create spring budget=1 start=<!channel>",
    '/campaign create spring budget=1 digest="mon <!here>"',
    "/campaign create spring budget=1 channel=<!channel>",
    "/campaign create spring budget=1 <!channel>",
    "/campaign create spring budget=1 <!channel>=1",
    "/campaign show <!channel>",
    "/campaign create spring budget=1 &lt;!channel&gt;",
    "/influencer add ana manager=<!here>",
    "/influencer add ana platform=<!channel>",
    "/influencer add ana followers=<!channel>",
    "/code add <!channel> ana campaign=spring",
    "/code add ANA10 ana campaign=spring url=<!here>",
])
def test_refusals_quote_what_was_typed_escaped_once(roi, sessions, line):
    answer = roi.command(line)

    answered_ephemeral(answer)
    assert_nothing_pings(answer)
    assert stored(sessions)["campaigns"] == []


def test_a_fallback_text_never_carries_markup_either(roi):
    answer = roi.command("/campaign create spring budget=1 currency=<!channel>")

    answered_ephemeral(answer)
    assert "<!" not in answer.reply["text"]
