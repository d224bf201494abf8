"""Delivering answers: a channel answer (the message, then its chart images) to its conversation, a reply to the
asker through the response_url, and what a Slack failure was, in a few words.

A report is one message plus zero or more PNG charts. The charts are rendered before anything is sent, so a
chart that cannot be drawn never leaves a message without its picture (or the reverse). When the bot may not
post in the channel (`not_in_channel`, `channel_not_found`), message and charts both go to the asker's direct
message with the bot, and the asker is told why and how to invite the bot.

Every call is retried by the client (`handlers.client.make_client`: 429s waited out, 5xx and timeouts a few times). What
still fails is raised, and `handlers.errors` logs it once and tells the asker. An answer is never left half-sent:
when the charts fail after the message went out, the message is taken back.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.error import HTTPError, URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.webhook import WebhookClient

from bot.logs import Redactor
from handlers import chart_pool
from handlers.blocks import report_misc as misc_blocks
from handlers.blocks.kit import Reply

log = logging.getLogger("roi.deliver")

# The errors that mean "this conversation is closed to the bot", not "something is broken".
NO_ENTRY = ("not_in_channel", "channel_not_found")
# The errors that mean "Slack no longer takes this token": nothing sent with it can work, so nothing is retried.
TOKEN_REFUSED = ("invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive")
# What a Slack call raises once the client's retries are spent.
SLACK_ERRORS = (SlackApiError, URLError, TimeoutError, ConnectionError)
RESPONSE_URL_TIMEOUT = 5  # seconds; Slack itself answers a response_url in well under one


# -- what went wrong --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A Slack call that failed for good: the call (`chat.postMessage`) and why (`invalid_auth`, `ratelimited`,
    `HTTP 503`, `timeout`, `unreachable`)."""

    method: str
    code: str

    @property
    def kind(self) -> str:
        """`token` (refused credentials), `no_entry` (closed conversation), `busy` (worth trying later) or `other`."""
        if self.code in TOKEN_REFUSED:
            return "token"
        if self.code in NO_ENTRY:
            return "no_entry"
        if self.code in ("ratelimited", "timeout", "unreachable") or self.code.startswith("HTTP 5"):
            return "busy"
        return "other"


class Undelivered(Exception):
    """An answer that failed for good and left its message in `kept` without its charts (it could not be taken back)."""

    def __init__(self, failure: Failure, *, kept: str):
        super().__init__(f"{failure.method} failed: {failure.code}")
        self.failure, self.kept = failure, kept


def failure(error: BaseException) -> Failure | None:
    """What `error` says about a Slack call that failed, or None when it is not a Slack failure."""
    if isinstance(error, Undelivered):
        return error.failure
    if isinstance(error, SlackApiError):
        response = error.response
        method = str(getattr(response, "api_url", "") or "").split("?")[0].rsplit("/", 1)[-1] or "Slack"
        status = getattr(response, "status_code", 200)
        code = response.get("error") if hasattr(response, "get") else None
        if status == 429:
            code = "ratelimited"
        elif status >= 500 or not code:
            code = f"HTTP {status}"
        return Failure(method, str(code))
    method = getattr(error, "slack_method", None)  # set by the client's retry handler (handlers.client)
    if method is None or not isinstance(error, (URLError, TimeoutError, ConnectionError)):
        return None
    if isinstance(error, HTTPError):
        return Failure(method, f"HTTP {error.code}")
    timed_out = isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError)
    return Failure(method, "timeout" if timed_out else "unreachable")


def reason(error: Exception) -> str:
    """Why a Web API call failed, in a few words: Slack's error code (with what to do when we know it)."""
    response = getattr(error, "response", None)
    code = response.get("error") if response is not None and hasattr(response, "get") else None
    if code:
        hint = " (invite the bot to the channel)" if code in NO_ENTRY else ""
        return f"Slack answered `{code}`{hint}"
    # Kept in job results and printed by `jobs run`: an exception's own text is scrubbed of anything token-shaped.
    return _SCRUB.redact(getattr(error, "message", None) or f"{type(error).__name__}: {error}")


_SCRUB = Redactor([])


# -- the asker only: the response_url ---------------------------------------------------------------


def in_ack(reply: Reply) -> dict:
    """The reply as the body of a slash command's acknowledgement: shown to the asker only, and there as soon as the
    command returns, so the next command always finds this one applied (SPEC §2)."""
    return {"response_type": "ephemeral", "text": reply.text, "blocks": reply.blocks}


def tell(respond: Callable, reply: Reply, *, client: WebClient | None = None, replace: bool = False) -> bool:
    """Answer the asker only, through the response_url (it needs no token, so it works when the bot's does not),
    retried like the client's calls; `replace` rewrites the message a button was clicked on instead. False, logged
    once, when it could not be done."""
    url = getattr(respond, "response_url", None)
    if url is None:
        log.warning("no response_url to answer through; the reply was dropped")
        return False
    body = {"text": reply.text, "blocks": reply.blocks, "replace_original": replace}
    if not replace:
        body["response_type"] = "ephemeral"
    # A response_url that never answers must not hold a listener thread for the client's full 15 s, three times.
    same = ({"retry_handlers": list(client.retry_handlers or []), "logger": client.logger,
             "timeout": min(client.timeout, RESPONSE_URL_TIMEOUT)}
            if client is not None else {})
    hook = WebhookClient(url=url, proxy=getattr(respond, "proxy", None), ssl=getattr(respond, "ssl", None), **same)
    try:
        status, detail = hook.send_dict(body).status_code, ""
    except SLACK_ERRORS as error:
        status, detail = None, (failure(error) or Failure("response_url", type(error).__name__)).code
    if status == 200:
        return True
    # Never the URL: whoever has it can post as the bot in that conversation.
    log.warning("could not answer through the response_url (%s); the asker did not get %r",
                f"HTTP {status}" if status else detail, reply.text[:80])
    return False


# -- channel answers --------------------------------------------------------------------------------


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
    """Render every chart of `post` into the upload list `upload` (and `files_upload_v2`) takes."""
    pngs = chart_pool.draw_all([c.draw for c in post.charts])
    files = [{"content": png, "filename": c.filename, "title": c.title, "alt_txt": c.alt}
             for c, png in zip(post.charts, pngs)]
    return _Drawn(post.reply, files)


def upload(client: WebClient, channel: str, files: list[dict]) -> None:
    """Share `files` in `channel` with the external upload flow: an upload URL per file, the bytes, one completion
    for all. Like slack_sdk's files_upload_v2, except that the bytes are retried as every Web API call is."""
    done = []
    for f in files:
        slot = client.files_getUploadURLExternal(filename=f["filename"], length=len(f["content"]), alt_txt=f.get("alt_txt"))
        _send_bytes(client, slot["upload_url"], f["content"])
        done.append({"id": slot["file_id"], "title": f.get("title") or f["filename"]})
    client.files_completeUploadExternal(files=done, channel_id=channel)


def _send_bytes(client: WebClient, url: str, data: bytes) -> None:
    """POST one file's bytes to its upload URL (no token: the URL is the permission), with the client's retries."""
    state, request = RetryState(), HttpRequest(method="POST", url=url, headers={}, data=data)
    while True:
        response = None
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=client.timeout) as r:
                r.read()
                return
        except HTTPError as error:
            with error:
                response = HttpResponse(status_code=error.code, headers=dict(error.headers.items()), data=error.read())
            failed: Exception = error
        except (URLError, TimeoutError, ConnectionError) as error:
            failed = error
        retry = next((h for h in client.retry_handlers or []
                      if h.can_retry(state=state, request=request, response=response, error=failed)), None)
        if retry is None:
            failed.slack_method = getattr(failed, "slack_method", None) or "file upload"  # type: ignore[attr-defined]
            raise failed
        retry.prepare_for_next_attempt(state=state, request=request, response=response, error=failed)


def _take_back(client: WebClient, channel: str, ts: str, failed: Failure) -> bool:
    """Delete a message whose charts could not follow it; False when it stays."""
    if failed.kind == "token":
        return False  # Slack takes nothing more with this token, a deletion included
    try:
        client.chat_delete(channel=channel, ts=ts)
        return True
    except SLACK_ERRORS as error:
        gone = failure(error)
        log.warning("could not take back the message %s in %s, left without its charts: %s", ts, channel,
                    f"{gone.method} failed: {gone.code}" if gone else type(error).__name__)
        return False


def _publish(client: WebClient, channel: str, drawn: _Drawn) -> None:
    posted = client.chat_postMessage(channel=channel, text=drawn.reply.text, blocks=drawn.reply.blocks,
                                     unfurl_links=False, unfurl_media=False)
    if not drawn.files:
        return
    try:
        upload(client, channel, drawn.files)
    except SLACK_ERRORS as error:
        failed = failure(error)
        if failed is not None and not _take_back(client, channel, posted["ts"], failed):
            raise Undelivered(failed, kept=channel) from error
        raise


def open_dm(client: WebClient, user_id: str) -> str:
    """The id of the direct message between the bot and `user_id`."""
    return client.conversations_open(users=user_id)["channel"]["id"]


def to_channel(client: WebClient, post: Post, *, channel: str, asker: str, respond: Callable) -> str:
    """Post `post` in `channel`, or in the asker's DM when the bot may not post there; returns where it went."""
    drawn = draw(post)
    try:
        _publish(client, channel, drawn)
        return channel
    except (SlackApiError, Undelivered) as error:
        shut = failure(error)
        if shut is None or shut.kind != "no_entry":
            raise
        log.info("cannot post in %s (%s on %s); sending the answer to %s's DM", channel, shut.code, shut.method, asker)
    dm = open_dm(client, asker)
    _publish(client, dm, drawn)
    tell(respond, misc_blocks.moved_to_dm(channel, shut.code), client=client)
    return dm


def to_dm(client: WebClient, post: Post, *, user: str) -> str:
    """Post `post` in the direct message with `user`; returns the DM's id."""
    dm = open_dm(client, user)
    _publish(client, dm, draw(post))
    return dm
