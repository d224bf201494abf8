"""SPEC §7: ROI_ADMINS guards CSV files shared in a DM exactly as it guards changing commands: a member's share
is refused in the DM before anything is fetched or written, and the same file shared by an admin is imported.
On SQLite only, except the admin's share that is imported (its claim lives in handlers/files.py): the refusals come
before anything is read or written, and who may decide is tested on both in tests/bot/registry/test_alert_rules.py."""

from __future__ import annotations

import json

import pytest

from bot.fakeslack.driver import SlackDriver, message_text
from bot.permissions import may_change, may_decide
from conftest import SECRET, SQLITE_ONLY
from import_support import register
from registry_support import stored, unchanged

ADMIN = "UADMIN0001"
MEMBER = "UMEMBER001"

FILES = {
    "roster": b"handle,platform,followers,campaign,fee\nzoe,tiktok,12000,spring,300\nana,instagram,20000,spring,1\n",
    "orders": b"order_id,date,amount,code\n1,2026-03-05,200.00,ANA10\n",
    "stats": b"handle,campaign,date,likes\nana,spring,2026-03-05,120\n",
}


@pytest.fixture
def guarded(make_app, settings, slack):
    """A driver for an app whose ROI_ADMINS names only ADMIN, with spring, ana and ben registered by ADMIN."""
    driver = SlackDriver(make_app(settings.with_(admins=frozenset({ADMIN}))), slack, SECRET, user_id=ADMIN)
    register(driver)
    return driver


def dm_posts(answer, user: str) -> list[dict]:
    """The messages the answer posted, after checking each went to `user`'s DM with the bot."""
    posts = answer.posts
    assert posts and all(p["channel"] == "D" + user[1:] for p in posts), answer.calls
    return posts


@SQLITE_ONLY
@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_member_outside_roi_admins_sharing_a_csv_is_refused_in_the_dm_and_nothing_is_written(guarded, slack, sessions,
                                                                                                 kind):
    slack.add_file("F0SHARED", FILES[kind], name=f"{kind}.csv", user=MEMBER)
    slack.reset()

    with unchanged(sessions):
        answer = guarded.share_file("F0SHARED", user=MEMBER)

    [post] = dm_posts(answer, MEMBER)
    text = message_text(post)
    assert "Only the ROI bot admins" in text and f"{kind}.csv" in text and "Ask one of the admins" in text
    # Refused before Slack was asked for the file: not its object, not a byte of it.
    assert [c.method for c in slack.calls if c.method not in ("auth.test", "chat.postMessage")] == []


@pytest.mark.parametrize("kind", sorted(FILES))
def test_after_a_members_refused_share_an_admin_sharing_the_same_file_has_it_imported(guarded, slack, sessions, kind):
    slack.add_file("F0SHARED", FILES[kind], name=f"{kind}.csv", user=MEMBER)
    guarded.share_file("F0SHARED", user=MEMBER)
    before = stored(sessions)

    [post] = dm_posts(guarded.share_file("F0SHARED", user=ADMIN), ADMIN)

    assert f"Imported *{kind}.csv*" in message_text(post)
    after = stored(sessions)
    assert len(after["import_runs"]) == 1 and after != before
    if kind == "orders":
        assert len(after["orders"]) == 1
    elif kind == "stats":
        assert len(after["engagement_stats"]) == len(before["engagement_stats"]) + 1
    else:
        assert len(after["influencers"]) == len(before["influencers"]) + 1


@SQLITE_ONLY
def test_a_members_share_of_several_files_is_refused_once_naming_them(guarded, slack, sessions):
    for n in range(2):
        slack.add_file(f"F0PART{n}", FILES["orders"], name=f"part{n}.csv", user=MEMBER)
    event = {"type": "message", "subtype": "file_share", "channel": "D" + MEMBER[1:], "channel_type": "im",
             "user": MEMBER, "text": "", "ts": slack.next_ts(),
             "files": [slack.file_object("F0PART0"), slack.file_object("F0PART1")]}

    with unchanged(sessions):
        [post] = dm_posts(guarded.event(event), MEMBER)

    assert "*part0.csv*, *part1.csv*" in message_text(post)


@SQLITE_ONLY
def test_a_refused_share_names_the_file_escaped_so_it_mentions_nobody(guarded, slack, sessions):
    slack.add_file("F0HOSTILE", FILES["orders"], name="<!channel> <@U0123ABCD> q1.csv", user=MEMBER)

    with unchanged(sessions):
        [post] = dm_posts(guarded.share_file("F0HOSTILE", user=MEMBER), MEMBER)

    sent = json.dumps(post)
    assert "<!channel>" not in sent and "<@U0123ABCD>" not in sent
    assert "*&lt;!channel&gt; &lt;@U0123ABCD&gt; q1.csv*" in message_text(post)


@pytest.mark.parametrize("admins, user, changes", [
    (frozenset(), "U1", True),
    (frozenset({"U1"}), "U1", True),
    (frozenset({"U1"}), "U2", False),
    (frozenset({"U1"}), None, False),
])
def test_may_change_is_everyone_without_admins_and_only_the_admins_with_them(admins, user, changes):
    assert may_change(admins, user) is changes


@pytest.mark.parametrize("admins, manager, user, decides", [
    (frozenset(), None, "U3", True),  # neither set: any member
    (frozenset(), "UM", "UM", True),
    (frozenset(), "UM", "U3", False),  # a manager and no admins: only the manager
    (frozenset({"U1"}), None, "U1", True),
    (frozenset({"U1"}), None, "U3", False),
    (frozenset({"U1"}), "UM", "UM", True),  # the manager decides though not an admin
    (frozenset({"U1"}), "UM", "U1", True),
    (frozenset({"U1"}), "UM", "U3", False),
])
def test_may_decide_is_the_manager_or_whoever_may_change_data(admins, manager, user, decides):
    assert may_decide(admins, manager, user) is decides


@SQLITE_ONLY
def test_the_rules_read_roi_admins_from_the_settings(settings):
    guarded = settings.with_(admins=frozenset({ADMIN}))

    assert may_change(guarded, ADMIN) and not may_change(guarded, MEMBER)
    assert may_decide(guarded, None, ADMIN) and not may_decide(guarded, None, MEMBER)
