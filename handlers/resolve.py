"""Turning plain `#channel` and `@user` names into Slack ids through the Web API, or refusing with a hint."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import InputError
from bot.values import ChannelRef, UserRef, shown
from handlers.deliver import failure

_PAGES = 20  # 20 × 200 = 4,000 channels or members searched before giving up


def _unless_slack_is_at_fault(error: SlackApiError) -> None:
    """A lookup Slack refused for want of a scope or a membership means "not found" to the person typing; one that
    failed for a refused token or trouble on Slack's side is not theirs to fix: it goes up, to be reported as such."""
    found = failure(error)
    if found is not None and found.kind in ("token", "busy"):
        raise error


def channel_id(client: WebClient, ref: ChannelRef, field: str = "channel") -> str:
    """The id of a channel given as a Slack link or as a plain name."""
    if ref.id:
        return ref.id
    wanted = (ref.name or "").lstrip("#").lower()
    try:
        cursor = None
        for _ in range(_PAGES):
            page = client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=200, cursor=cursor
            )
            for chan in page.get("channels", []):
                if chan.get("name", "").lower() == wanted:
                    return chan["id"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except SlackApiError as error:
        _unless_slack_is_at_fault(error)
    raise InputError(
        field,
        f"no channel called {shown('#' + wanted)} that the bot can see",
        "the channel picked from Slack's autocomplete (type `#` and choose it), and invite the bot to private channels",
    )


def user_id(client: WebClient, ref: UserRef, field: str = "manager") -> str:
    """The id of a member given as a mention or as a plain `@name`."""
    if ref.id:
        return ref.id
    wanted = (ref.name or "").lstrip("@").lower()
    try:
        cursor = None
        for _ in range(_PAGES):
            page = client.users_list(limit=200, cursor=cursor)
            for member in page.get("members", []):
                profile = member.get("profile") or {}
                names = {member.get("name", ""), profile.get("display_name", ""), profile.get("real_name", "")}
                if wanted in {n.lower() for n in names if n} and not member.get("deleted"):
                    return member["id"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except SlackApiError as error:
        _unless_slack_is_at_fault(error)
    raise InputError(field, f"no member called {shown('@' + wanted)}", "the person picked from Slack's autocomplete (type `@` and choose them)")
