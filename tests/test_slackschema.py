"""The Block Kit checker the other tests use: it passes what Slack takes and names what Slack would refuse."""

import json
import re

import pytest

import slackschema
from slackschema import assert_valid_blocks, assert_valid_message, assert_valid_view, require_shared


def _section(text: str = "*Spring* ROI 42%") -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _cell(text: str) -> dict:
    return {"type": "raw_text", "text": text}


def _table() -> dict:
    return {
        "type": "table",
        "column_settings": [{"align": "left"}, {"align": "right"}],
        "rows": [[_cell("Influencer"), _cell("ROI")], [_cell("ana"), _cell("42%")]],
    }


def _button(**overrides) -> dict:
    text = {"type": "plain_text", "text": "Details"}
    return {"type": "button", "action_id": "roi_details", "text": text, **overrides}


def _actions(*elements) -> dict:
    return {"type": "actions", "block_id": "roi_actions", "elements": list(elements) or [_button()]}


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


@pytest.fixture(params=["with_schemas", "without_schemas"])
def schemas(request, monkeypatch, tmp_path):
    """Run a test with Slack's schemas and again as if ../shared were absent (limits must still apply)."""
    if request.param == "with_schemas":
        require_shared()
    else:
        monkeypatch.setattr(slackschema, "BLOCKS_SCHEMA", tmp_path / "missing.json")
    return request.param


def test_valid_section_table_actions_message_passes(schemas):
    assert_valid_message({"text": "Spring: ROI 42%", "blocks": [_section(), _table(), _actions()]})


def test_blocks_given_as_json_string_are_checked(schemas):
    assert_valid_message({"text": "Spring", "blocks": json.dumps([_section()])})
    with pytest.raises(AssertionError, match="unknown block type 'bogus'"):
        assert_valid_message({"text": "Spring", "blocks": json.dumps([{"type": "bogus"}])})


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        ([_section(), {"type": "bogus"}], "block 1: unknown block type 'bogus'"),
        ([_header("x" * 151)], "block 0 (header) /text/text: header text is 151 characters; Slack allows at most 150"),
        ([{"type": "divider"}] * 51, "message: 51 blocks; a message takes at most 50"),
        ([_section(), _actions({"type": "button", "action_id": "go"})], "block 1 (actions) /elements/0: button has no text"),
        ([_table(), _section(), _table()], "2 table blocks (blocks 0, 2); Slack allows at most 1 per message"),
        ([_section("x" * 3001)], "block 0 (section) /text/text: section text is 3001 characters"),
        ([_actions(_button(text={"type": "plain_text", "text": "x" * 76}))], "button text is 76 characters"),
        ([_actions(_button(action_id="a" * 256))], "/elements/0/action_id: action_id is 256 characters"),
        ([{**_table(), "rows": [[_cell("x")]] * 101}], "block 0 (table) /rows: 101 table rows"),
        ([{**_table(), "rows": [[_cell("x")] * 21]}], "/rows/0: 21 cells in a table row"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}], "11 context elements"),
        ([{**_section(), "fields": [{"type": "mrkdwn", "text": "x"}] * 11}], "/fields: 11 fields"),
        ([{**_section(), "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}], "/fields/0/text: section field text"),
    ],
)
def test_invalid_blocks_fail_naming_the_problem(schemas, blocks, problem):
    with pytest.raises(AssertionError, match=re.escape(problem)):
        assert_valid_blocks(blocks)


def test_every_problem_is_listed_at_once(schemas):
    with pytest.raises(AssertionError) as failure:
        assert_valid_blocks([{"type": "bogus"}, _header("x" * 200), _table(), _table()])
    message = str(failure.value)
    assert "block 0: unknown block type" in message
    assert "block 1 (header) /text/text" in message
    assert "2 table blocks" in message


def test_schema_error_names_the_field():
    require_shared()
    problem = "block 0 (section) /: Additional properties are not allowed ('colour' was unexpected)"
    with pytest.raises(AssertionError, match=re.escape(problem)):
        assert_valid_blocks([{**_section(), "colour": "red"}])


def test_message_needs_fallback_text(schemas):
    with pytest.raises(AssertionError, match="message /text: missing"):
        assert_valid_message({"blocks": [_section()]})
    with pytest.raises(AssertionError, match="non-empty fallback text"):
        assert_valid_message({"text": "  ", "blocks": [_section()]})


def test_home_view_takes_100_blocks_but_not_101(schemas):
    assert_valid_view({"type": "home", "blocks": [_section()] * 100})
    with pytest.raises(AssertionError, match="home: 101 blocks; a Home tab takes at most 100"):
        assert_valid_view({"type": "home", "blocks": [_section()] * 101})


def test_modal_title_is_limited_to_24_characters(schemas):
    title = {"type": "plain_text", "text": "x" * 25}
    with pytest.raises(AssertionError, match="modal title is 25 characters"):
        assert_valid_view({"type": "modal", "title": title, "blocks": [_section()]})


def test_unknown_where_is_a_usage_error():
    with pytest.raises(ValueError, match="where must be one of"):
        assert_valid_blocks([_section()], where="channel")
