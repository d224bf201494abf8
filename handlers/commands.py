"""The shape every slash command shares: parse, check rights, look up Slack names, run in one transaction, reply."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.errors import BotError, Forbidden, InputError
from bot.models import Workspace
from bot.permissions import may_change
from bot.registry import lookup
from bot.runtime import Runtime
from bot.values import shown
from handlers import resolve
from handlers.blocks.kit import Reply
from handlers.parsing import Args, parse_args

log = logging.getLogger("roi.commands")
MAX_ID = 32  # Slack's team, user and channel ids, as the database stores them


@dataclass
class Request:
    """One slash command as the sub-command functions see it."""

    runtime: Runtime
    client: WebClient
    team_id: str
    user_id: str
    channel_id: str
    args: Args
    prepared: Any = None  # what the sub-command's `prepare` did before the transaction opened


@dataclass(frozen=True)
class Sub:
    """A sub-command: its function, whether it changes data (ROI_ADMINS applies), its usage line, how many
    positional words it takes (more are refused: `create spring sale` must not quietly create `spring`), and which
    options name Slack channels or members."""

    run: Callable[[Request, Session, Workspace], Reply]
    changes: bool
    usage: str
    words: int | None = None
    names: tuple[str, ...] = ()  # options naming a channel or a member: resolved before the transaction opens
    # Work with a network call in it (a store's API), done after the Slack lookups and before the write transaction
    # opens, in reads of its own; what it returns is the request's `prepared`.
    prepare: Callable[[Request], Any] | None = None


def dispatch(command: dict, context: dict, client: WebClient, *, name: str, subs: dict[str, Sub],
             usage: Callable[[], Reply]) -> Reply:
    """Run one slash command through its sub-command table and return the reply (errors propagate)."""
    runtime: Runtime = context["roi"]
    args = parse_args(command.get("text") or "")
    if not args.words or args.words[0].lower() == "help":
        return usage()
    sub_name = args.words[0].lower()
    sub = subs.get(sub_name)
    if sub is None:
        known = ", ".join(f"`{k}`" for k in subs)
        raise InputError("sub-command", f"{shown(args.words[0])} is not a sub-command of {name}", f"one of {known} (see `{name} help`)")
    user_id = command.get("user_id", "")
    if sub.changes and not may_change(runtime.settings, user_id):
        raise Forbidden(
            f"Only the ROI bot admins can run `{name} {sub_name}` in this workspace; nothing was changed. "
            "Ask one of them, or read with the list and show commands."
        )
    request = Request(
        runtime=runtime,
        client=client,
        team_id=command.get("team_id") or context.get("team_id") or "",
        user_id=user_id,
        channel_id=command.get("channel_id", ""),
        args=Args(words=args.words[1:], options=args.options),
    )
    if not request.team_id or max(len(request.team_id), len(user_id), len(request.channel_id)) > MAX_ID:
        # Slack always sends short ids; without a workspace there is nowhere to read or write (nor to create one).
        raise BotError("Slack sent this command without usable workspace, user or channel ids, so nothing was done. "
                       "Please try again.")
    if sub.words is not None:
        request.args.no_words_after(sub.words, f"`{name} {sub.usage}`")
    # Slack lookups first, within their budget, and never while the transaction below holds the database.
    resolve.names_first(client, request.args.options, sub.names)
    if sub.prepare is not None:
        request.prepared = sub.prepare(request)
    started = time.perf_counter()
    outcome = "failed"
    try:
        if sub.changes:
            with runtime.sessions.begin() as session:
                ws = lookup.workspace(session, request.team_id, name=command.get("team_domain"))
                reply = sub.run(request, session, ws)
        else:
            with runtime.reading(request.team_id, name=command.get("team_domain")) as (session, ws):
                reply = sub.run(request, session, ws)
        outcome = "ok"
        return reply
    finally:
        log.info("%s %s team=%s user=%s %s in %.0f ms", name, sub_name, request.team_id, user_id, outcome,
                 (time.perf_counter() - started) * 1000)
