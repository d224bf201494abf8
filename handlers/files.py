"""CSV files shared in a direct message with the bot: imported as orders, roster or stats (SPEC §2/§3).

Only people who may change data (bot.permissions: ROI_ADMINS) have files imported; others are told so in the DM,
before anything is fetched or recorded. The file is claimed in the database first (one import per Slack file id,
however often Slack retries the event or however many processes receive it), fetched with `files.info`,
downloaded from the file's own URL with the bot token, imported exactly as `roi-bot import` would, and the summary
is posted back into the DM. The same file id arriving again is answered with what its import did (or nothing while
that import still runs: it answers itself).

The import itself is one transaction, so a process killed part-way leaves no order behind, only its claim. A
claim whose process is gone (bot.jobs.owners) is taken over by the scheduler of any process (`resume`), which
imports the file again from Slack and tells the person in the DM, so a shared file is never lost.
"""

from __future__ import annotations

import logging
import tempfile
import urllib.error
import urllib.request

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.errors import BotError
from bot.imports.run import Job, import_into
from bot.imports.store_orders import tidy
from bot.jobs import owners
from handlers import tokens
from bot.models import ImportRun, Workspace
from bot.permissions import may_change
from bot.registry import lookup
from bot.runtime import Runtime
from handlers.blocks import imports as import_blocks
from handlers.blocks.errors import internal
from handlers.blocks.kit import context
from handlers.deliver import open_dm, reason
from handlers.errors import reference

log = logging.getLogger("roi.files")

MAX_BYTES = 200 * 1024 * 1024
CSV_TYPES = {"csv", "text", "tsv"}
DOWNLOAD_TIMEOUT = 60


class Refused(BotError):
    """A shared file the bot will not import (not a CSV, too big, unreadable)."""


def _is_csv(info: dict) -> bool:
    name = (info.get("name") or "").lower()
    return info.get("filetype") in CSV_TYPES or name.endswith((".csv", ".tsv", ".txt")) or \
        (info.get("mimetype") or "").startswith("text/")


def check(info: dict) -> None:
    """Refuse files that are not CSV or are too big, before downloading a byte."""
    name = info.get("name") or "the file"
    if not _is_csv(info):
        kind = info.get("pretty_type") or info.get("filetype") or "file"
        raise Refused(f"`{import_blocks.esc(name)}` is a {import_blocks.esc(kind)}, and I can only import CSV files. "
                      "Export the orders, roster or stats as CSV and share that.")
    size = int(info.get("size") or 0)
    if size > MAX_BYTES:
        raise Refused(f"`{import_blocks.esc(name)}` is {size / 1024 / 1024:,.0f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB. "
                      "Split the export by date, or import it with `roi-bot import` on the server.")


def download(url: str, token: str):
    """The file's bytes in a spooled temporary file (memory for small files, disk for big ones)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
            total = 0
            while chunk := response.read(1024 * 1024):
                total += len(chunk)
                if total > MAX_BYTES:
                    raise Refused(f"the file is over {MAX_BYTES // 1024 // 1024} MB")
                spool.write(chunk)
    except urllib.error.HTTPError as error:
        with error:
            spool.close()
            raise Refused(f"Slack would not hand me the file (HTTP {error.code}). Share it again, please.") from None
    except (urllib.error.URLError, TimeoutError) as error:
        spool.close()
        raise Refused("I could not download the file from Slack; share it again in a minute.") from error
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


PENDING = "pending"
FAILED = "something went wrong on our side while reading it"  # shown when the same file id arrives again


def fetch_info(client: WebClient, file_id: str) -> dict:
    """The file object, or Refused when Slack no longer has it (deleted before the bot got to it)."""
    try:
        return client.files_info(file=file_id)["file"]
    except SlackApiError as error:
        if error.response.get("error") in ("file_not_found", "file_deleted"):
            raise Refused("That file is gone from Slack (it was deleted before I could read it). Share it again, please.") \
                from None
        raise


def _claim(runtime: Runtime, team_id: str, file_id: str, user_id: str, name: str) -> bool:
    """Record that this file is being imported; False when another delivery of the event got there first."""
    try:
        with runtime.sessions.begin() as session:
            ws = lookup.workspace(session, team_id)
            session.add(ImportRun(workspace_id=ws.id, kind=PENDING, source=name[:255], file_id=file_id, user_id=user_id,
                                  owner=owners.me(), created_at=runtime.clock()))
    except IntegrityError:
        return False
    return True


def _refuse(runtime: Runtime, team_id: str, file_id: str, summary: dict) -> None:
    """Settle a claimed file as refused, with why (shown when the same file id arrives again)."""
    with runtime.sessions.begin() as session:
        ws = lookup.workspace(session, team_id)
        session.execute(update(ImportRun).where(ImportRun.workspace_id == ws.id, ImportRun.file_id == file_id)
                        .values(kind="refused", summary=summary, owner=None))


def import_shared_file(runtime: Runtime, client: WebClient, *, team_id: str, user_id: str, file_id: str) -> import_blocks.Reply:
    """Claim, fetch, check, download and import one shared file; returns the reply for the DM."""
    info = fetch_info(client, file_id)
    name = info.get("name") or file_id
    check(info)
    if not _claim(runtime, team_id, file_id, user_id, name):
        return _seen_before(runtime, team_id, file_id)
    return _import(runtime, client, info, team_id=team_id, user_id=user_id, file_id=file_id)


def _seen_before(runtime: Runtime, team_id: str, file_id: str) -> import_blocks.Reply | None:
    """The answer to a file id claimed before (Slack redelivering the event, a second process): silence while its
    import runs, since that import answers; once it has finished, when it was imported and what it did."""
    with runtime.reading(team_id) as (session, ws):
        run = session.scalar(select(ImportRun).where(ImportRun.workspace_id == ws.id, ImportRun.file_id == file_id))
        log.info("file %s delivered again; its import is %s", file_id, run.kind if run else "gone")
        if run is None or run.kind == PENDING:
            return None
        return import_blocks.earlier(run.kind, run.summary, name=run.source or file_id,
                            on=run.created_at.astimezone(runtime.settings.tz).date())


def _import(runtime: Runtime, client: WebClient, info: dict, *, team_id: str, user_id: str, file_id: str) -> import_blocks.Reply:
    """Download and import a claimed file in one transaction, which also records the import (the claim filled)."""
    name = info.get("name") or file_id
    try:
        with download(info.get("url_private_download") or info["url_private"], client.token) as raw:
            with runtime.sessions.begin() as session:
                ws = lookup.workspace(session, team_id)
                run = session.scalar(select(ImportRun).where(ImportRun.workspace_id == ws.id, ImportRun.file_id == file_id))
                summary = import_into(session, ws, raw, Job(name=name, user_id=user_id), tz=runtime.settings.tz,
                                      today=runtime.today(), run=run)
                run.owner = None
    except BotError as error:
        _refuse(runtime, team_id, file_id, {"error": error.message})
        raise
    except Exception as error:  # this process lives on: nobody else would take the claim over
        _refuse(runtime, team_id, file_id, {"error": FAILED, "exception": type(error).__name__})
        raise
    if summary.kind == "orders":
        tidy(runtime.engine, summary)
    return import_blocks.summary(summary)


def resume(runtime: Runtime) -> int:
    """Import again every shared file whose importing process is gone (killed, crashed); how many were taken over.

    The person who shared it gets the summary in their DM, as if nothing had happened, with a word on the delay."""
    now = runtime.clock()
    with runtime.reads.begin() as session:
        rows = session.execute(
            select(ImportRun.id, ImportRun.owner, ImportRun.created_at, ImportRun.file_id, ImportRun.user_id,
                   Workspace.team_id)
            .join(Workspace, Workspace.id == ImportRun.workspace_id)
            .where(ImportRun.kind == PENDING, ImportRun.file_id.is_not(None), Workspace.uninstalled_at.is_(None))
        ).all()
    taken = 0
    for run_id, owner, since, file_id, user_id, team_id in rows:
        if not owners.gone(owner, since=since, now=now, lease=owners.IMPORT_LEASE):
            continue
        with runtime.sessions.begin() as session:
            won = session.execute(update(ImportRun).where(ImportRun.id == run_id, ImportRun.kind == PENDING,
                                                          ImportRun.owner.is_not_distinct_from(owner))
                                  .values(owner=owners.me(), created_at=now)).rowcount == 1
        if not won:
            continue  # another process took it over first
        taken += 1
        log.warning("import of shared file %s: its process %s is gone; importing it again", file_id, owner)
        _resume_one(runtime, team_id=team_id, user_id=user_id or "", file_id=file_id)
    return taken


def _resume_one(runtime: Runtime, *, team_id: str, user_id: str, file_id: str) -> None:
    """Import one taken-over file and tell whoever shared it; whatever fails, the claim is settled (never left
    pending in a process that lives on) and the failure logged once."""
    client = None
    try:
        client = tokens.client_for(runtime, team_id)
        reply = _import(runtime, client, fetch_info(client, file_id), team_id=team_id, user_id=user_id, file_id=file_id)
    except BotError as error:
        _refuse(runtime, team_id, file_id, {"error": error.message})
        reply = import_blocks.refused(error.message)
    except Exception:  # noqa: BLE001 - the person who shared the file must hear that it failed
        ref = reference()
        log.exception("import of shared file %s failed again ref=%s", file_id, ref)
        _refuse(runtime, team_id, file_id, {"error": f"{FAILED} (reference `{ref}`)"})
        reply = internal(ref)
    if not user_id or client is None:
        return
    late = context("_ROI bot restarted while it was reading this file, so this answer comes late._")
    try:
        client.chat_postMessage(channel=open_dm(client, user_id), text=reply.text, blocks=[*reply.blocks, late])
    except Exception as error:  # noqa: BLE001 - the import itself is done (or refused) and recorded
        log.warning("could not tell %s about their re-imported file %s: %s", user_id, file_id, reason(error))


def message(event, context, client, logger):
    """A message in a DM with the bot: import each CSV it shares; other messages need no answer."""
    if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype") not in ("file_share", None):
        return
    shared = event.get("files")
    channel = event.get("channel")
    if not shared or not isinstance(shared, list) or not isinstance(channel, str):
        return  # no files, or not the shape Slack sends: nothing to import and nowhere to answer
    runtime: Runtime = context["roi"]
    if not may_change(runtime.settings, event.get("user")):
        # Checked before Slack is asked for a byte, and before any claim: a refused share leaves no import run
        # behind, so an admin sharing the same file afterwards has it imported.
        log.info("files shared by %s not imported: not in ROI_ADMINS", event.get("user"))
        reply = import_blocks.not_allowed([item.get("name") if isinstance(item, dict) else None for item in shared])
        client.chat_postMessage(channel=channel, text=reply.text, blocks=reply.blocks)
        return
    for item in shared[:5]:
        file_id = item.get("id") if isinstance(item, dict) else None
        try:
            if not isinstance(file_id, str) or not file_id:
                raise Refused("I could not tell which file that was. Share it again, please.")
            reply = import_shared_file(runtime, client, team_id=context["team_id"], user_id=event.get("user", ""),
                                       file_id=file_id)
        except BotError as error:
            reply = import_blocks.refused(error.message)
        except Exception:  # noqa: BLE001 - the person who shared the file must hear that it failed
            ref = reference()
            log.exception("import of shared file %s failed ref=%s", file_id, ref)
            reply = internal(ref)
        if reply is not None:
            client.chat_postMessage(channel=channel, text=reply.text, blocks=reply.blocks)
    if len(shared) > 5:
        client.chat_postMessage(channel=channel, text=f"I imported the first 5 files; share the other {len(shared) - 5} again.")


def register(app: App) -> None:
    """Register the DM listener."""
    app.event("message")(message)
