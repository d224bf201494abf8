"""Drive a Bolt app the way Slack does: signed slash commands and button clicks, answers read off the stand-in."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from slack_bolt import App

from bot.fakeslack.requests import block_actions, dispatch, event, slash_command
from bot.fakeslack.server import Call, FakeSlack


@dataclass
class Answer:
    """What came back from one request: HTTP status, the ack body, and every Web API call it caused."""

    status: int
    ack: str
    calls: list[Call] = field(default_factory=list)

    @property
    def acked(self) -> dict | None:
        """The message the acknowledgement carried (registration commands answer in it), or None."""
        if not self.ack.startswith("{"):
            return None
        message = json.loads(self.ack)
        return message if isinstance(message, dict) and ("text" in message or "blocks" in message) else None

    @property
    def replies(self) -> list[dict]:
        """Ephemeral answers, as dicts: the one in the acknowledgement, then those sent through response_url."""
        return ([self.acked] if self.acked else []) + [c.params for c in self.calls if c.method == "response_url"]

    @property
    def posts(self) -> list[dict]:
        """Messages posted with chat.postMessage."""
        return [c.params for c in self.calls if c.method == "chat.postMessage"]

    @property
    def reply(self) -> dict:
        """The one response_url answer (fails loudly when there is not exactly one)."""
        assert len(self.replies) == 1, f"expected one reply, got {len(self.replies)}: {self.calls}"
        return self.replies[0]

    @property
    def text(self) -> str:
        """Fallback text plus every text fragment of the reply's blocks, for readable assertions."""
        return message_text(self.reply)


def message_text(message: dict) -> str:
    """All human-readable text in a message: its `text` and the strings inside its blocks."""
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    parts = [message.get("text") or ""]

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)


class SlackDriver:
    """Sends signed requests through `app.dispatch` (the app must be synchronous) and collects what reached Slack."""

    def __init__(self, app: App, slack: FakeSlack, secret: str, *, team_id: str = "T0001", user_id: str = "U0001",
                 channel_id: str = "C0001"):
        self.app, self.slack, self.secret = app, slack, secret
        self.team_id, self.user_id, self.channel_id = team_id, user_id, channel_id
        self._ids = itertools.count(1)

    def _run(self, body: str) -> Answer:
        before = len(self.slack.calls)
        response = dispatch(self.app, body, secret=self.secret)
        return Answer(status=response.status, ack=response.body or "", calls=list(self.slack.calls[before:]))

    def command(self, line: str, *, user: str | None = None, team: str | None = None, channel: str | None = None) -> Answer:
        """Run a slash command typed as `/campaign create spring budget=5000`."""
        command, _, text = line.strip().partition(" ")
        body = slash_command(
            command, text, response_url=self.slack.response_url(f"r{next(self._ids)}"), team_id=team or self.team_id,
            user_id=user or self.user_id, channel_id=channel or self.channel_id,
        )
        return self._run(body)

    def click(self, action_id: str, value: str, *, message: dict | None = None, user: str | None = None,
              team: str | None = None, channel: str | None = None, message_ts: str | None = None) -> Answer:
        """Click a button of a message."""
        body = block_actions(
            action_id, value, team_id=team or self.team_id, user_id=user or self.user_id,
            channel_id=channel or self.channel_id, message_ts=message_ts, message=message,
            response_url=self.slack.response_url(f"a{next(self._ids)}"),
        )
        return self._run(body)

    def event(self, payload: dict, *, team: str | None = None) -> Answer:
        """Deliver an Events API event (wrapped in its `event_callback` envelope)."""
        return self._run(event(payload, team_id=team or self.team_id))

    def share_file(self, file_id: str, *, user: str | None = None, team: str | None = None) -> Answer:
        """The `message` event Slack sends when someone shares a file registered with the stand-in in a DM
        with the bot."""
        user = user or self.user_id
        channel = "D" + user[1:]
        return self.event({"type": "message", "subtype": "file_share", "channel": channel, "channel_type": "im",
                           "user": user, "text": "", "ts": self.slack.next_ts(),
                           "files": [self.slack.file_object(file_id)]}, team=team)
