"""Registration commands through a real `roi-bot serve` (SPEC §2): applied by the time their acknowledgement
returns, and answered in it, so a person or a script sending the next command right after always finds the
previous one applied; and Slack lookups never hold the database while they wait."""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.fakeslack.requests import post, slash_command
from conftest import SECRET
from server_support import running_server

ROUNDS = 8


@pytest.fixture
def server(slack, db_url, tmp_path):
    """A real `roi-bot serve` subprocess on 127.0.0.1, pointed at the stand-in and this test's database."""
    with running_server(slack, db_url, tmp_path) as base:
        yield base


def command(server: str, slack, line: str, *, team: str = "T0001") -> dict:
    """Send a slash command as Slack would and return the message its acknowledgement carried."""
    name, _, text = line.partition(" ")
    body = slash_command(name, text, team_id=team, response_url=slack.response_url("r"))
    status, _, acked = post(server + "/slack/events", body, secret=SECRET)
    assert status == 200, acked
    message = json.loads(acked)
    assert message["response_type"] == "ephemeral"
    return message


def test_registration_commands_sent_back_to_back_always_find_the_previous_one_applied(server, slack):
    assert "created" in command(server, slack, "/campaign create spring budget=5000 start=2026-03-01")["text"]
    for n in range(ROUNDS):
        added = command(server, slack, f"/influencer add bob{n} campaign=spring fee=100")
        # Sent the moment the previous acknowledgement arrived: the enrolment must already be there.
        code = command(server, slack, f"/code add BOB{n}X bob{n} campaign=spring")

        assert f"bob{n}" in added["text"], added
        assert f"BOB{n}X" in code["text"] and "no influencer" not in code["text"].lower(), code
    listed = command(server, slack, "/code list campaign=spring")
    assert all(f"BOB{n}X" in json.dumps(listed) for n in range(ROUNDS))
    assert slack.calls_to("response_url") == []  # every answer was in its acknowledgement


def test_a_refusal_is_answered_in_the_acknowledgement_too(server, slack):
    refused = command(server, slack, "/code add NOPE ghost campaign=nowhere")

    assert "nowhere" in refused["text"] and "Nothing was changed" in json.dumps(refused)
    assert slack.calls_to("response_url") == []


def test_a_slow_channel_lookup_does_not_hold_up_another_workspaces_write(server, slack):
    # Workspace A names its channel by name, and Slack takes a second to list channels; workspace B writes meanwhile.
    slack.delay("conversations.list", 1.0)
    finished: list[str] = []

    def create(team: str, line: str) -> None:
        command(server, slack, line, team=team)
        finished.append(team)

    slow = threading.Thread(target=create, args=("TSLOW", "/campaign create a budget=1 channel=#general"))
    slow.start()
    deadline = time.monotonic() + 5
    while not slack.calls_to("conversations.list") and time.monotonic() < deadline:
        time.sleep(0.01)  # the stand-in records a call as it arrives: A is waiting on Slack now
    assert slack.calls_to("conversations.list") and slow.is_alive()
    create("TFAST", "/campaign create b budget=1")
    slow.join(10)

    # Before, A held the write transaction (SQLite: the whole database) across the lookup, so B waited for it.
    assert finished == ["TFAST", "TSLOW"]
