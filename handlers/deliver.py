"""Delivering a channel answer: the message, then its chart images, to the same conversation.

A report is one message plus zero or more PNG charts. The charts are rendered before anything is sent, so a
chart that cannot be drawn never leaves a message without its picture (or the reverse). When the bot may not
post in the channel (`not_in_channel`, `channel_not_found`), message and charts both go to the asker's direct
message with the bot, and the asker is told why and how to invite the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import chart_pool
from handlers.blocks import report_misc as view
from handlers.blocks.kit import Reply
from handlers.commands import send

log = logging.getLogger("roi.deliver")

# The errors that mean "this conversation is closed to the bot", not "something is broken".
NO_ENTRY = ("not_in_channel", "channel_not_found")


@dataclass(frozen=True)
class Chart:
    """A chart to upload: file name, title shown in Slack, alt text, and how to draw it (PNG bytes)."""

    filename: str
    title: str
    alt: str
    draw: Callable[[], bytes]


@dataclass(frozen=True)
class Post:
    """A channel answer: the message and the charts that go with it."""

    reply: Reply
    charts: tuple[Chart, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Drawn:
    reply: Reply
    files: list[dict]


def draw(post: Post) -> _Drawn:
    """Render every chart of `post` into the upload list `files_upload_v2` takes."""
    pngs = chart_pool.draw_all([c.draw for c in post.charts])
    files = [{"content": png, "filename": c.filename, "title": c.title, "alt_txt": c.alt}
             for c, png in zip(post.charts, pngs)]
    return _Drawn(post.reply, files)


def _publish(client: WebClient, channel: str, drawn: _Drawn) -> None:
    client.chat_postMessage(channel=channel, text=drawn.reply.text, blocks=drawn.reply.blocks,
                            unfurl_links=False, unfurl_media=False)
    if drawn.files:
        # One call for all charts: getUploadURLExternal per file, the uploads, one completeUploadExternal.
        client.files_upload_v2(channel=channel, file_uploads=drawn.files, request_file_info=False)


def _no_entry(error: SlackApiError) -> str | None:
    code = error.response.get("error") if error.response is not None else None
    return code if code in NO_ENTRY else None


def reason(error: Exception) -> str:
    """Why a Web API call failed, in a few words: Slack's error code (with what to do when we know it)."""
    response = getattr(error, "response", None)
    code = response.get("error") if response is not None and hasattr(response, "get") else None
    if code:
        hint = " (invite the bot to the channel)" if code in NO_ENTRY else ""
        return f"Slack answered `{code}`{hint}"
    return getattr(error, "message", None) or f"{type(error).__name__}: {error}"


def open_dm(client: WebClient, user_id: str) -> str:
    """The id of the direct message between the bot and `user_id`."""
    return client.conversations_open(users=user_id)["channel"]["id"]


def to_channel(client: WebClient, post: Post, *, channel: str, asker: str, respond: Callable) -> str:
    """Post `post` in `channel`, or in the asker's DM when the bot may not post there; returns where it went."""
    drawn = draw(post)
    try:
        _publish(client, channel, drawn)
        return channel
    except SlackApiError as error:
        reason = _no_entry(error)
        if reason is None:
            raise
        log.info("cannot post in %s (%s); sending the answer to %s's DM", channel, reason, asker)
    dm = open_dm(client, asker)
    _publish(client, dm, drawn)
    send(respond, view.moved_to_dm(channel, reason))
    return dm


def to_dm(client: WebClient, post: Post, *, user: str) -> str:
    """Post `post` in the direct message with `user`; returns the DM's id."""
    dm = open_dm(client, user)
    _publish(client, dm, draw(post))
    return dm
