"""How an import's outcome looks in Slack: the counts, the rejected rows, refusals, and files seen before.

A file's name is the sharer's text: it is escaped wherever it goes, the notification `text` included.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import date

from bot.imports.summary import Summary
from handlers.blocks import fmt
from handlers.blocks.kit import Reply, context, fields, section

esc = fmt.esc
SHOWN_REJECTS = 10
KINDS = {"orders": "orders", "roster": "roster", "stats": "engagement stats"}
FORMATS = {"shopify": "Shopify export", "woocommerce": "WooCommerce export", "csv": "orders CSV",
           "roster": "roster", "stats": "stats"}


def summary(s: Summary) -> Reply:
    """The import summary of SPEC §3, with the first rejected rows and their reasons."""
    title = f"Imported *{esc(s.file)}* ({FORMATS.get(s.format, s.format)}): {s.rows_read:,} row{'' if s.rows_read == 1 else 's'} read."
    if s.kind == "orders":
        pairs = [("Orders", f"{s.orders:,}"), ("New / updated / unchanged", f"{s.new:,} / {s.updated:,} / {s.unchanged:,}"),
                 ("Attributed", f"{s.attributed:,}"), ("Unattributed", f"{s.unattributed:,}"),
                 ("Outside window", f"{s.outside_window:,}"), ("Other currency", f"{s.other_currency:,}")]
        text = (f"{esc(s.file)}: {s.orders:,} orders ({s.new:,} new, {s.updated:,} updated), {s.attributed:,} attributed, "
                f"{s.rejected_total:,} rows rejected")
    else:
        pairs = [("New", f"{s.new:,}"), ("Updated", f"{s.updated:,}"), ("Unchanged", f"{s.unchanged:,}")]
        pairs += [(f"{k.capitalize()} added", f"{n:,}") for k, n in s.added.items()]
        text = f"{esc(s.file)}: {KINDS[s.kind]} — {s.new:,} new, {s.updated:,} updated, {s.rejected_total:,} rows rejected"
    blocks = [section(f":white_check_mark: {title}"), *fields(pairs)]
    if s.rejected_total:
        # Reasons are already safe mrkdwn: every value from the file in them went through `shown()`.
        lines = [f"• row {row}: {reason}" for row, reason in s.rejected[:SHOWN_REJECTS]]
        more = s.rejected_total - len(lines)
        blocks.append(section(f":warning: *{s.rejected_total:,} rows rejected* (the rest were imported):\n" + "\n".join(lines)
                              + (f"\n…and {more:,} more." if more > 0 else "")))
    if s.kind == "orders" and s.unattributed and s.orders:
        blocks.append(context("Unattributed orders carry no registered code or link. Register codes with `/code add`: "
                              "orders already imported are credited as soon as you do."))
    return Reply(text=text, blocks=blocks)


def refused(message: str) -> Reply:
    """A file that was not imported, and why: nothing was saved."""
    return Reply(text=f"Not imported: {message}", blocks=[section(f":warning: {message}"),
                                                           context("Nothing was imported from this file.")])


def not_allowed(names: list[object]) -> Reply:
    """Files shared by someone outside ROI_ADMINS (their names as the event gave them): not imported, and what to do."""
    names = [n if isinstance(n, str) and n else "your file" for n in names]
    listed = ", ".join(f"*{esc(n)}*" for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return Reply(text="Not imported: only the ROI bot admins can import files in this workspace.",
                 blocks=[section(f":no_entry: Only the ROI bot admins can import files in this workspace, so I did not "
                                 f"import {listed}. Nothing was changed."),
                         context("Ask one of the admins to share the file with me, or to add you to `ROI_ADMINS`.")])


def earlier(kind: str, stored: dict | None, *, name: str, on: date) -> Reply:
    """A file Slack delivered again after its import finished: when, and what that import did or why it was refused."""
    stored = stored or {}
    if kind == "refused":
        # Refusal messages are stored as they were shown: already safe mrkdwn.
        why = stored.get("error") or "it could not be read"
        return Reply(text=f"Already seen on {on.isoformat()}, not imported: {esc(name)}",
                     blocks=[section(f":information_source: I already looked at *{esc(name)}* on {on.isoformat()} and did "
                                     f"not import it: {why}"),
                             context("Nothing was imported from this file. Fix it and share it again as a new file.")])
    then = summary(_restored(stored, name=name, kind=kind))
    return Reply(text=f"Already imported on {on.isoformat()}: {then.text}",
                 blocks=[section(f":information_source: *{esc(name)}* was already imported on {on.isoformat()}; "
                                 "I did not import it again. That import:"), *then.blocks])


def _restored(stored: dict, *, name: str, kind: str) -> Summary:
    """A Summary back from what `Summary.as_json` stored with the import run."""
    known = {f.name for f in dataclass_fields(Summary)} - {"rejected"}
    restored = Summary(**{"kind": kind, "format": kind, "file": name,
                          **{k: v for k, v in stored.items() if k in known}})
    restored.rejected = [(r.get("row"), r.get("reason")) for r in stored.get("rejected") or [] if isinstance(r, dict)]
    return restored
