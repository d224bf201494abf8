"""Turning plain `#channel` and `@user` names into Slack ids through the Web API, or refusing with a hint.

Names are resolved before a command opens its write transaction (handlers.commands), never inside it, and within
a budget: a registration command answers in its acknowledgement, which Slack waits 3 s for. A lookup Slack does
not finish in time is refused with the picker form (`<#C…>`, `<@U…>`), which needs no lookup at all.
"""

from __future__ import annotations

import time
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from bot.errors import InputError
from bot.values import ChannelRef, UserRef, parse_channel, parse_user, shown
from handlers.deliver import failure

_PAGES = 20  # 20 × 200 = 4,000 channels or members searched before giving up
BUDGET = 1.5  # seconds for all of a command's lookups: the rest of Slack's 3 s is the command's own work
CHANNEL_HINT = "the channel picked from Slack's autocomplete (type `#` and choose it), and invite the bot to private channels"
USER_HINT = "the person picked from Slack's autocomplete (type `@` and choose them)"


def _unless_slack_is_at_fault(error: SlackApiError) -> None:
    """A lookup Slack refused for want of a scope or a membership means "not found" to the person typing; one that
    failed for a refused token or trouble on Slack's side is not theirs to fix: it goes up, to be reported as such."""
    found = failure(error)
    if found is not None and found.kind in ("token", "busy"):
        raise error


def _pages(client: WebClient, method: str, items: str, deadline: float, field: str, typed: str, hint: str):
    """Every item of a paged Web API list, asked with no more time than is left before `deadline`."""
    cursor = None
    for _ in range(_PAGES):
        left = deadline - time.monotonic()
        if left <= 0.05:
            raise InputError(field, f"Slack took too long to look up {shown(typed)}", hint)
        # As long as is left, and no retry after a timeout (it would overrun the acknowledgement) nor a 429's wait;
        # a 5xx is retried like any call, and the next page or retry again gets only what is left.
        quick = WebClient(token=client.token, base_url=client.base_url, timeout=left, logger=client.logger,
                          retry_handlers=[h for h in client.retry_handlers or [] if isinstance(h, ServerErrorRetryHandler)])
        try:
            page = getattr(quick, method.replace(".", "_"))(limit=200, cursor=cursor, **_EXTRA.get(method, {}))
        except (TimeoutError, URLError) as error:
            if isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError):
                raise InputError(field, f"Slack took too long to look up {shown(typed)}", hint) from None
            raise
        yield from page.get(items, [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


_EXTRA = {"conversations.list": {"types": "public_channel,private_channel", "exclude_archived": True}}


def channel_id(client: WebClient | None, ref: ChannelRef, field: str = "channel", *, deadline: float | None = None) -> str:
    """The id of a channel given as a Slack link or as a plain name (looked up within `deadline`)."""
    if ref.id:
        return ref.id
    wanted = (ref.name or "").lstrip("#").lower()
    deadline = deadline if deadline is not None else time.monotonic() + BUDGET
    try:
        for chan in _pages(client, "conversations.list", "channels", deadline, field, "#" + wanted, CHANNEL_HINT):
            if chan.get("name", "").lower() == wanted:
                return chan["id"]
    except SlackApiError as error:
        _unless_slack_is_at_fault(error)
    raise InputError(field, f"no channel called {shown('#' + wanted)} that the bot can see", CHANNEL_HINT)


def user_id(client: WebClient | None, ref: UserRef, field: str = "manager", *, deadline: float | None = None) -> str:
    """The id of a member given as a mention or as a plain `@name` (looked up within `deadline`)."""
    if ref.id:
        return ref.id
    wanted = (ref.name or "").lstrip("@").lower()
    deadline = deadline if deadline is not None else time.monotonic() + BUDGET
    try:
        for member in _pages(client, "users.list", "members", deadline, field, "@" + wanted, USER_HINT):
            profile = member.get("profile") or {}
            names = {member.get("name", ""), profile.get("display_name", ""), profile.get("real_name", "")}
            if wanted in {n.lower() for n in names if n} and not member.get("deleted"):
                return member["id"]
    except SlackApiError as error:
        _unless_slack_is_at_fault(error)
    raise InputError(field, f"no member called {shown('@' + wanted)}", USER_HINT)


LOOKUPS = {"channel": (parse_channel, channel_id, "<#{}>"), "manager": (parse_user, user_id, "<@{}>")}


def names_first(client: WebClient, options: dict[str, str], keys: tuple[str, ...]) -> None:
    """Resolve the `keys` options that name a channel or a member into Slack's id form, in place, within BUDGET:
    done before the write transaction opens, so no Slack call ever happens while the database is locked."""
    deadline = time.monotonic() + BUDGET
    for key in keys:
        if key in options:
            parse, look_up, form = LOOKUPS[key]
            ref = parse(options[key])
            if not ref.id:
                options[key] = form.format(look_up(client, ref, key, deadline=deadline))
