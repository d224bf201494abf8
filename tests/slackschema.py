"""Check Block Kit payloads the way Slack would, for tests.

Two layers, because neither is enough alone:
- Slack's own types (``../shared/slack/blockkit/*.schema.json``, generated from ``@slack/types``), each block
  validated against its own definition so an error names the field instead of "not valid under anyOf";
- the limits those types do not encode (block counts, text lengths, one table per message, ...), plus
  ``slack_sdk``'s model validation where it knows the block type.

The schemas ship beside the repository only in development. Without them the limit and ``slack_sdk``
checks still run (a payload Slack would reject fails either way); ``require_shared()`` skips tests that
need the files themselves.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import pytest
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

SHARED = Path(os.environ.get("ROI_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
SLACK_DIR = SHARED / "slack"
BLOCKS_SCHEMA = SLACK_DIR / "blockkit" / "SlackBlocks.schema.json"
VIEW_SCHEMA = SLACK_DIR / "blockkit" / "SlackView.schema.json"
MANIFEST_SCHEMA = SLACK_DIR / "manifest-schema" / "schemas" / "manifest.schema.1.0.0.json"

# Slack's documented limits that the generated types leave out.
MAX_BLOCKS = {"message": 50, "home": 100, "modal": 100}
_SURFACE = {"message": "a message", "home": "a Home tab", "modal": "a modal"}
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_ID = 255
MAX_TABLES = 1
MAX_TABLE_ROWS = 100
MAX_TABLE_CELLS = 20
MAX_MODAL_LABEL = 24  # modal title, submit and close
MAX_PRIVATE_METADATA = 3000

_SDK_ERRORS = (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError)


def shared_available() -> bool:
    """True when Slack's schemas (../shared/slack) are present beside the repository."""
    return BLOCKS_SCHEMA.is_file() and VIEW_SCHEMA.is_file() and MANIFEST_SCHEMA.is_file()


def require_shared() -> None:
    """Skip the calling test when ../shared/slack is absent."""
    if not shared_available():
        pytest.skip(
            "reason: ../shared/slack not found (Slack's schemas ship beside the repository only in "
            f"development; looked in {SLACK_DIR}, set ROI_SHARED_DIR to point elsewhere)"
        )


@lru_cache(maxsize=None)
def _definitions(schema: Path) -> dict[str, Any]:
    return json.loads(schema.read_text(encoding="utf-8"))["definitions"]


@lru_cache(maxsize=None)
def _validator(schema: Path, name: str) -> Draft7Validator:
    return Draft7Validator({"$ref": f"#/definitions/{name}", "definitions": _definitions(schema)})


@lru_cache(maxsize=None)
def _by_type(schema: Path, union: str) -> dict[str, str]:
    """Map each member's `type` constant of a union definition (KnownBlock, View) to its definition name."""
    defs = _definitions(schema)
    out: dict[str, str] = {}
    for ref in defs[union]["anyOf"]:
        name = ref["$ref"].split("/")[-1]
        d = defs[name]
        props = d.get("properties") or next(x for x in d["anyOf"] if "properties" in x)["properties"]
        t = props["type"]
        value = t.get("const") or t.get("enum", [None])[0]
        if value:
            out[value] = name
    return out


@lru_cache(maxsize=None)
def manifest_validator() -> Draft7Validator:
    """A cached draft-07 validator for Slack's app manifest schema (call require_shared() first)."""
    return Draft7Validator(json.loads(MANIFEST_SCHEMA.read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def _sdk_block_types() -> frozenset[str]:
    seen, todo = set(), list(Block.__subclasses__())
    while todo:
        cls = todo.pop()
        if isinstance(getattr(cls, "type", None), str):
            seen.add(cls.type)
        todo.extend(cls.__subclasses__())
    return frozenset(seen)


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(p) for p in path)


def _schema_problems(validator: Draft7Validator, instance: Any, label: str) -> list[str]:
    problems = []
    for e in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        msg = f"{label} {_pointer(e.absolute_path)}: {e.message[:200]}"
        if e.context:
            # anyOf/oneOf: say which alternative came closest and why it failed.
            closest: ValidationError = best_match(e.context)
            msg += f" (closest: {_pointer(closest.absolute_path)}: {closest.message[:160]})"
        problems.append(msg)
    return problems


def _walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, path + (i,))


def _text_of(obj: Any) -> str | None:
    return obj.get("text") if isinstance(obj, dict) and isinstance(obj.get("text"), str) else None


def _check_text(obj: Any, path: tuple, limit: int, what: str, label: str) -> list[str]:
    text = _text_of(obj)
    if text is None:
        return []
    where = f"{label} {_pointer(path + ('text',))}"
    if not text:
        return [f"{where}: {what} is empty; Slack needs at least 1 character"]
    if len(text) > limit:
        return [f"{where}: {what} is {len(text)} characters; Slack allows at most {limit}"]
    return []


def _limit_problems(block: dict, label: str) -> list[str]:
    problems: list[str] = []
    btype = block.get("type")

    def too_many(key: str, limit: int, what: str) -> None:
        items = block.get(key)
        if isinstance(items, list) and len(items) > limit:
            problems.append(f"{label} /{key}: {len(items)} {what}; Slack allows at most {limit}")

    if btype == "section":
        problems += _check_text(block.get("text"), ("text",), MAX_SECTION_TEXT, "section text", label)
        too_many("fields", MAX_SECTION_FIELDS, "fields")
        for i, field in enumerate(block.get("fields") or []):
            problems += _check_text(field, ("fields", i), MAX_FIELD_TEXT, "section field text", label)
    elif btype == "header":
        problems += _check_text(block.get("text"), ("text",), MAX_HEADER_TEXT, "header text", label)
    elif btype == "context":
        too_many("elements", MAX_CONTEXT_ELEMENTS, "context elements")
    elif btype == "actions":
        too_many("elements", MAX_ACTIONS_ELEMENTS, "actions elements")
    elif btype == "table":
        too_many("rows", MAX_TABLE_ROWS, "table rows")
        too_many("column_settings", MAX_TABLE_CELLS, "column settings")
        for i, row in enumerate(block.get("rows") or []):
            if isinstance(row, list) and len(row) > MAX_TABLE_CELLS:
                problems.append(
                    f"{label} /rows/{i}: {len(row)} cells in a table row; "
                    f"Slack allows at most {MAX_TABLE_CELLS}"
                )

    for path, node in _walk(block):
        if not isinstance(node, dict):
            continue
        if node.get("type") == "button":
            if _text_of(node.get("text")) is None:
                problems.append(f"{label} {_pointer(path)}: button has no text (a plain_text object)")
            else:
                problems += _check_text(node["text"], path + ("text",), MAX_BUTTON_TEXT, "button text", label)
        for key in ("action_id", "block_id"):
            value = node.get(key)
            if isinstance(value, str) and len(value) > MAX_ID:
                problems.append(
                    f"{label} {_pointer(path + (key,))}: {key} is {len(value)} characters; "
                    f"Slack allows at most {MAX_ID}"
                )
    return problems


def _sdk_problems(block: dict, label: str) -> list[str]:
    if block.get("type") not in _sdk_block_types():
        return []
    try:
        parsed = Block.parse(block)
        if parsed is not None:
            parsed.validate_json()
    except _SDK_ERRORS as e:
        return [f"{label}: slack_sdk: {type(e).__name__}: {e}"]
    return []


def _blocks_problems(blocks: Any, *, where: str, schema: Path) -> list[str]:
    if not isinstance(blocks, list):
        return [f"{where}: blocks must be a list, not {type(blocks).__name__}"]
    limit = MAX_BLOCKS[where]
    problems = []
    if len(blocks) > limit:
        problems.append(f"{where}: {len(blocks)} blocks; {_SURFACE[where]} takes at most {limit}")
    tables = [i for i, b in enumerate(blocks) if isinstance(b, dict) and b.get("type") == "table"]
    if len(tables) > MAX_TABLES:
        problems.append(
            f"{where}: {len(tables)} table blocks (blocks {', '.join(map(str, tables))}); "
            f"Slack allows at most {MAX_TABLES} per message"
        )
    with_schema = shared_available()
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            problems.append(f"block {i}: must be an object, not {type(block).__name__}")
            continue
        problems += [f"block {i}{found}" for found in _block_problems(json.dumps(block, sort_keys=True), schema,
                                                                         with_schema)]
    return problems


@lru_cache(maxsize=20_000)
def _block_problems(block_json: str, schema: Path, with_schema: bool) -> tuple[str, ...]:
    """One block's problems, each after its "block N" label. Kept per distinct block: a suite's thousands of
    messages repeat most of their blocks (headers, context lines, buttons), so most checks were made before."""
    block = json.loads(block_json)
    btype = block.get("type")
    label = f" ({btype})"
    if with_schema:
        if btype not in _by_type(schema, "KnownBlock"):
            return (f": unknown block type {btype!r}",)
        found = _schema_problems(_validator(schema, _by_type(schema, "KnownBlock")[btype]), block, label)
    elif btype not in _sdk_block_types():
        return (f": unknown block type {btype!r}",)
    else:
        found = []
    return tuple(found + _limit_problems(block, label) + _sdk_problems(block, label))


def _fail(problems: list[str], where: str) -> None:
    if problems:
        raise AssertionError(f"{len(problems)} problem(s) in {where}:\n  " + "\n  ".join(problems))


def assert_valid_blocks(blocks: list[dict], *, where: str = "message") -> None:
    """Assert that blocks are valid Block Kit for `where` ("message": ≤ 50 blocks; "home"/"modal": ≤ 100)."""
    if where not in MAX_BLOCKS:
        raise ValueError(f"where must be one of {sorted(MAX_BLOCKS)}, not {where!r}")
    _fail(_blocks_problems(blocks, where=where, schema=BLOCKS_SCHEMA), where)


def assert_valid_view(view: dict) -> None:
    """Assert that a Home tab or modal view (views.publish/views.open `view`) is valid, blocks included."""
    vtype = view.get("type")
    if vtype not in ("home", "modal"):
        _fail([f"view /type: {vtype!r} is neither 'home' nor 'modal'"], "view")
    problems = []
    envelope = {k: v for k, v in view.items() if k != "blocks"}
    if "blocks" not in view:
        problems.append("view /blocks: missing; a view needs its blocks")
    if shared_available():
        name = _by_type(VIEW_SCHEMA, "View")[vtype]
        problems += _schema_problems(_validator(VIEW_SCHEMA, name), {**envelope, "blocks": []}, "view")
    if vtype == "modal":
        for key in ("title", "submit", "close"):
            problems += _check_text(view.get(key), (key,), MAX_MODAL_LABEL, f"modal {key}", "view")
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
        problems.append(
            f"view /private_metadata: {len(metadata)} characters; Slack allows at most {MAX_PRIVATE_METADATA}"
        )
    try:
        sdk_view = View(**envelope)
        sdk_view.blocks = None  # blocks are checked one by one below, with their index in the message
        sdk_view.validate_json()
    except _SDK_ERRORS as e:
        problems.append(f"view: slack_sdk: {type(e).__name__}: {e}")
    if "blocks" in view:
        problems += _blocks_problems(view["blocks"], where=vtype, schema=VIEW_SCHEMA)
    _fail(problems, f"{vtype} view")


def assert_valid_message(params: dict) -> None:
    """Assert that a chat.postMessage/update/postEphemeral or response_url body has text and valid blocks."""
    problems = []
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(
            f"message /text: {'missing' if text is None else repr(text)}; "
            "Slack needs non-empty fallback text for notifications"
        )
    blocks = params.get("blocks")
    if isinstance(blocks, str):  # form-encoded Web API calls carry blocks as a JSON string
        try:
            blocks = json.loads(blocks)
        except json.JSONDecodeError as e:
            problems.append(f"message /blocks: not valid JSON ({e})")
            blocks = None
    if blocks is not None:
        problems += _blocks_problems(blocks, where="message", schema=BLOCKS_SCHEMA)
    _fail(problems, "message")
