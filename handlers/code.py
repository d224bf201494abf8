"""`/code`: add, list and remove discount codes and tracking links (SPEC §2); with `discount=`, `add` creates the
code in the workspace's Shopify store first (SPEC §8).

The store is called before the write transaction opens (`Sub.prepare`), never while it holds the database, and
within a budget: `/code` answers in its acknowledgement, which Slack waits 3 s for.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from slack_bolt import App
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import BotError, Conflict, InputError
from bot.models import Campaign, Code, Workspace
from bot.registry import codes, lookup
from bot.registry.links import tracking_url
from bot.values import Discount, esc, parse_code, parse_discount, parse_handle, parse_name, parse_url
from handlers import deliver
from handlers.blocks import codes as code_blocks
from handlers.blocks.kit import Reply
from handlers.commands import Request, Sub, dispatch

log = logging.getLogger("roi.code")
ADD_USAGE = "`/code add CODE HANDLE campaign=NAME`"
STORE_BUDGET = 2.0  # seconds for the store, out of Slack's 3 s for the acknowledgement


@dataclass(frozen=True)
class AddArgs:
    """`/code add` as typed, parsed and checked."""

    code: str
    handle: str
    campaign: str
    url: str | None
    discount: Discount | None


@dataclass(frozen=True)
class InStore:
    """A code created in a store before it was registered here (the reply says so)."""

    store: str
    starts: date
    ends: date | None
    discount: Discount


def _add_args(req: Request) -> AddArgs:
    req.args.unknown_keys({"campaign", "url", "discount"})
    code = parse_code(req.args.word(0, "CODE", ADD_USAGE))
    handle = parse_handle(req.args.word(1, "HANDLE", ADD_USAGE))
    opts = req.args.options
    if "campaign" not in opts:
        raise InputError("campaign", "is required", "`campaign=NAME`")
    url = parse_url(opts["url"]) if "url" in opts else None
    discount = parse_discount(opts["discount"]) if "discount" in opts else None
    return AddArgs(code, handle, parse_name(opts["campaign"]), url, discount)


def _in_time(call: Callable[[], str | None], code: str) -> str | None:
    """`call()` (the store's answer), or a BotError when it fails or takes longer than STORE_BUDGET."""
    from bot.stores.shopify_api import StoreError

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["refused"] = call()
        except StoreError as error:
            outcome["error"] = error.message
        except Exception as error:  # noqa: BLE001 - told to the person below and logged with its trace
            log.exception("creating %s in Shopify failed", code)
            outcome["error"] = f"an unexpected {type(error).__name__}"

    worker = threading.Thread(target=run, name="shopify-code", daemon=True)
    worker.start()
    worker.join(STORE_BUDGET + 0.2)
    if worker.is_alive() or "did not answer" in outcome.get("error", ""):  # it may have arrived all the same
        raise BotError(f"Shopify did not answer in time, so `{esc(code)}` was not registered; it may or may not "
                       "exist in Shopify now. Check there, then register it with `/code add` without `discount=`, "
                       "or try again.")
    if "error" in outcome:
        raise BotError(f"Could not create `{esc(code)}` in Shopify ({esc(outcome['error'])}); nothing was registered.")
    return outcome["refused"]


def create_in_store(req: Request) -> InStore | None:
    """`/code add … discount=`: create the code in the workspace's Shopify store, from the campaign's start to its
    end for all customers, before anything is registered; a refusal is told and nothing is registered."""
    args = _add_args(req)
    if args.discount is None:
        return None
    import httpx

    from bot.stores import clients

    runtime = req.runtime
    with runtime.reading(req.team_id) as (session, ws):
        camp = lookup.campaign(session, ws, args.campaign)
        person = lookup.influencer(session, ws, args.handle)
        codes.check_free(session, lookup.enrolment(session, person, camp), args.code)
        connection = clients.connected_shopify(session, ws.id)
        if connection is None:
            raise InputError("discount", "needs a connected Shopify store to create the code in",
                             "`roi-bot store connect shopify` first, or leave `discount=` out to register a code "
                             "the store already has")
        starts, ends = camp.start or runtime.today(), camp.end
        title = f"{args.code} · {person.handle} in {camp.name} (ROI bot)"
        deadline = time.monotonic() + STORE_BUDGET

        def sleep(seconds: float) -> None:
            if time.monotonic() + seconds > deadline:
                raise clients.StoreError("Shopify did not answer in time")
            time.sleep(seconds)

        admin = clients.shopify(connection, api_version=runtime.settings.shopify_api_version, sleep=sleep,
                                http=httpx.Client(timeout=httpx.Timeout(STORE_BUDGET, connect=1.0)))
    discount = args.discount

    def create() -> str | None:
        try:
            return admin.create_code(args.code, title=title, starts=starts, ends=ends, percent=discount.percent,
                                     amount=discount.amount)
        finally:
            admin.close()

    refused = _in_time(create, args.code)
    if refused:
        raise Conflict(f"Shopify refused `{esc(args.code)}`: {esc(refused)} Nothing was registered.")
    log.info("code %s created in Shopify %s for team %s", args.code, connection.shop, req.team_id)
    return InStore("Shopify", starts, ends, discount)


def add(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/code add CODE HANDLE campaign=NAME [url=URL] [discount=PCT|AMOUNT]`"""
    args = _add_args(req)
    in_store: InStore | None = req.prepared
    try:
        camp = lookup.campaign(session, ws, args.campaign)
        person = lookup.influencer(session, ws, args.handle)
        enrolment = lookup.enrolment(session, person, camp)
        link = (tracking_url(args.url, platform=person.platform, campaign=camp.name, handle=person.handle)
                if args.url else None)
        row = codes.add(session, enrolment, args.code, url=link, user_id=req.user_id)
    except Exception as error:
        if in_store is None:
            raise
        why = error.message if isinstance(error, BotError) else "an error on our side"
        if not isinstance(error, BotError):
            log.exception("code %s was created in Shopify but could not be registered", args.code)
        raise BotError(f"`{esc(args.code)}` was created in {in_store.store}, but registering it here failed: {why} "
                       f"The code exists in {in_store.store}: once this is fixed, register it with `/code add` "
                       "without `discount=`.") from None
    return code_blocks.added(row, person, camp, in_store=in_store)


def list_(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/code list [campaign=NAME]`"""
    req.args.unknown_keys({"campaign"})
    query = select(Code).where(Code.workspace_id == ws.id).join(Campaign, Code.campaign_id == Campaign.id)
    camp = None
    if "campaign" in req.args.options:
        camp = lookup.campaign(session, ws, parse_name(req.args.options["campaign"]))
        query = query.where(Code.campaign_id == camp.id)
    rows = list(session.scalars(query.order_by(Campaign.name_key, Code.code_key)))
    return code_blocks.listing(rows, camp)


def remove(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/code remove CODE [campaign=NAME]`"""
    req.args.unknown_keys({"campaign"})
    code = parse_code(req.args.word(0, "CODE", "`/code remove CODE`"))
    camp = lookup.campaign(session, ws, parse_name(req.args.options["campaign"])) if "campaign" in req.args.options else None
    row = codes.remove(session, ws, code, camp)
    return code_blocks.removed(row)


SUBS = {
    "add": Sub(add, True, "add CODE HANDLE campaign=NAME [url=URL] [discount=PCT|AMOUNT]", words=2,
               prepare=create_in_store),
    "list": Sub(list_, False, "list [campaign=NAME]", words=0),
    "remove": Sub(remove, True, "remove CODE [campaign=NAME]", words=1),
}


def code_command(ack, command, context, client):
    """Listener for `/code`: done, and answered, in the acknowledgement (errors too: handlers.errors)."""
    ack(**deliver.in_ack(dispatch(command, context, client, name="/code", subs=SUBS, usage=code_blocks.usage)))


def register(app: App) -> None:
    """Register the `/code` listener."""
    app.command("/code")(code_command)
