"""Block Kit to plain text, roughly as Slack would show it: for the demo's output and the console."""

from __future__ import annotations

import html
import json
import re

_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>|<([^<>]+)>")


def plain(mrkdwn: str, names: dict[str, str] | None = None) -> str:
    """Slack markup made readable: `<#C1>` → `#growth`, `<@U1>` → `@lena` (from `names`), links shown, entities undone."""
    names = names or {}

    def link(m: re.Match) -> str:
        target, label, bare = m.group(1), m.group(2), m.group(3)
        target = target or bare
        if target.startswith(("#", "@")):
            return target[0] + (label or names.get(target[1:], target[1:]))
        if target.startswith("!"):
            return "@" + target[1:].split("^")[0]
        return f"{label} ({target})" if label else target

    return html.unescape(_BOLD.sub(r"\1", _LINK.sub(link, mrkdwn)))


_NAMES: dict[str, str] = {}


def _text(obj: dict | None) -> str:
    return plain((obj or {}).get("text", ""), _NAMES) if obj else ""


def _table(rows: list[list[dict]]) -> list[str]:
    cells = [[plain(c.get("text", ""), _NAMES) if c.get("type") != "rich_text" else "…" for c in row] for row in rows]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in cells) for i in range(max(map(len, cells)))]
    out = []
    for n, row in enumerate(cells):
        out.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def render_blocks(blocks: list[dict], names: dict[str, str] | None = None) -> str:
    """The blocks of a message as lines of text; `names` maps channel and user ids to names."""
    _NAMES.clear()
    _NAMES.update(names or {})
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text(block.get("text"))
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if block.get("text"):
                lines.append(_text(block["text"]))
            for f in block.get("fields", []):
                lines.append("  " + _text(f).replace("\n", ": ", 1))
            if block.get("accessory", {}).get("type") == "button":
                lines.append(f"  [{_text(block['accessory'].get('text'))}]")
        elif kind == "context":
            lines.append("  " + "  ".join(_text(e) if e.get("type") != "image" else "" for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "table":
            lines += _table(block.get("rows", []))
        elif kind == "actions":
            lines.append("  ".join(f"[{_text(e.get('text'))}]" for e in block.get("elements", [])))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        else:
            lines.append(f"[{kind} block]")
    return "\n".join(lines)


def render_message(message: dict, names: dict[str, str] | None = None) -> str:
    """A recorded message (its params) as text; falls back to its `text` when it has no blocks."""
    blocks = message.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return render_blocks(blocks, names) if blocks else plain(message.get("text", ""), names)
