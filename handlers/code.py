"""`/code`: add, list and remove discount codes and tracking links (SPEC §2)."""

from __future__ import annotations

from slack_bolt import App
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InputError
from bot.models import Campaign, Code, Workspace
from bot.registry import codes, lookup
from bot.registry.links import tracking_url
from bot.values import parse_code, parse_handle, parse_name, parse_url
from handlers import deliver
from handlers.blocks import codes as code_blocks
from handlers.blocks.kit import Reply
from handlers.commands import Request, Sub, dispatch


def add(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/code add CODE HANDLE campaign=NAME [url=URL]`"""
    req.args.unknown_keys({"campaign", "url"})
    code = parse_code(req.args.word(0, "CODE", "`/code add CODE HANDLE campaign=NAME`"))
    handle = parse_handle(req.args.word(1, "HANDLE", "`/code add CODE HANDLE campaign=NAME`"))
    if "campaign" not in req.args.options:
        raise InputError("campaign", "is required", "`campaign=NAME`")
    url = parse_url(req.args.options["url"]) if "url" in req.args.options else None
    camp = lookup.campaign(session, ws, parse_name(req.args.options["campaign"]))
    person = lookup.influencer(session, ws, handle)
    enrolment = lookup.enrolment(session, person, camp)
    link = tracking_url(url, platform=person.platform, campaign=camp.name, handle=person.handle) if url else None
    row = codes.add(session, enrolment, code, url=link, user_id=req.user_id)
    return code_blocks.added(row, person, camp)


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
    "add": Sub(add, True, "add CODE HANDLE campaign=NAME [url=URL]", words=2),
    "list": Sub(list_, False, "list [campaign=NAME]", words=0),
    "remove": Sub(remove, True, "remove CODE [campaign=NAME]", words=1),
}


def code_command(ack, command, context, client):
    """Listener for `/code`: done, and answered, in the acknowledgement (errors too: handlers.errors)."""
    ack(**deliver.in_ack(dispatch(command, context, client, name="/code", subs=SUBS, usage=code_blocks.usage)))


def register(app: App) -> None:
    """Register the `/code` listener."""
    app.command("/code")(code_command)
