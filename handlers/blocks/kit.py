"""Block Kit primitives: small functions that return the JSON dicts Slack expects, within Slack's limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
TABLE_ROWS = 100


@dataclass(frozen=True)
class Reply:
    """A message: fallback `text` for notifications and screen readers, plus its blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> Block:
    """A header block (plain text, clipped to Slack's 150 characters)."""
    return {"type": "header", "text": {"type": "plain_text", "text": _clip(text, HEADER_LIMIT), "emoji": True}}


def section(text: str, *, accessory: Block | None = None) -> Block:
    """A mrkdwn section (the text must already be escaped)."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, SECTION_LIMIT)}}
    if accessory:
        block["accessory"] = accessory
    return block


def fields(pairs: list[tuple[str, str]]) -> list[Block]:
    """Label/value pairs as section fields, two columns, ten fields per section."""
    items = [{"type": "mrkdwn", "text": _clip(f"*{label}*\n{value}", 2000)} for label, value in pairs]
    return [{"type": "section", "fields": items[i : i + 10]} for i in range(0, len(items), 10)]


def context(*texts: str) -> Block:
    """A context block: small grey print under a message."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(t, 2000)} for t in texts[:10]]}


def divider() -> Block:
    """A horizontal rule."""
    return {"type": "divider"}


def table(head: list[str], rows: list[list[Any]], *, align: list[str] | None = None) -> Block:
    """A table block: header row, then up to 99 rows; numbers right-aligned when `align` says so."""
    def cell(value: Any) -> Block:
        return {"type": "raw_text", "text": _clip("–" if value in (None, "") else str(value), 500)}

    block: Block = {"type": "table", "rows": [[cell(h) for h in head]] + [[cell(v) for v in r] for r in rows[: TABLE_ROWS - 1]]}
    if align:
        block["column_settings"] = [{"align": a, "is_wrapped": a == "left"} for a in align]
    return block


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> Block:
    """A button element."""
    element: Block = {"type": "button", "text": {"type": "plain_text", "text": _clip(text, 75), "emoji": True}, "action_id": action_id}
    if value:
        element["value"] = value[:2000]
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """An actions block holding buttons."""
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block
