"""The Slack app manifest: valid for Slack, and declaring exactly what the app serves and uses."""

import json
from pathlib import Path

import pytest
import yaml

from bot import install

from slackschema import SLACK_DIR, manifest_validator, require_shared

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"
EVENTS_PATH = "/slack/events"
COMMANDS = ["/campaign", "/influencer", "/code", "/roi"]

# Every bot scope the app may ask for, with what uses it. Asking for more than the app uses makes
# admins refuse the install, so a scope only goes into manifest.yml together with a line here.
ALLOWED_BOT_SCOPES = {
    "commands": "the four slash commands",
    "chat:write": "chat.postMessage/chat.update: digests, /roi answers, alerts, import summaries",
    "im:write": "conversations.open: DMs to influencer managers and to askers when a channel refuses",
    "im:history": "message.im events: a CSV shared in the bot's DM is imported; after a crash, whether an alert went out",
    "channels:history": "conversations.history: after a crash mid-post, whether the digest reached the channel",
    "groups:history": "conversations.history: the same, for digests in private channels",
    "files:read": "files.info and download of CSVs shared in DM",
    "files:write": "chart upload via files.getUploadURLExternal/files.completeUploadExternal",
    "channels:read": "conversations.list to resolve a plain #name (public channels)",
    "groups:read": "conversations.list to resolve a plain #name (private channels)",
    "users:read": "users.list/users.info to resolve a plain @name",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    """The parsed manifest.yml."""
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def _errors(instance: dict) -> list[str]:
    found = sorted(manifest_validator().iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return ["/" + "/".join(map(str, e.absolute_path)) + ": " + e.message[:200] for e in found]


def test_manifest_validates_against_slacks_schema(manifest):
    require_shared()
    assert _errors(manifest) == []


def test_slacks_own_invalid_example_is_rejected_and_valid_one_accepted():
    require_shared()
    examples = SLACK_DIR / "manifest-schema" / "tests" / "manifests" / "v1"
    assert _errors(json.loads((examples / "manifest.invalid.json").read_text(encoding="utf-8")))
    assert _errors(json.loads((examples / "manifest.valid.json").read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_declared_escaped_and_served_on_events_url(manifest, command):
    declared = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert command in declared
    entry = declared[command]
    assert entry["should_escape"] is True
    assert entry["url"].endswith(EVENTS_PATH)
    assert entry["description"] and entry["usage_hint"]


def test_only_the_four_commands_are_declared(manifest):
    assert sorted(c["command"] for c in manifest["features"]["slash_commands"]) == sorted(COMMANDS)


def test_events_and_interactivity_go_to_events_url(manifest):
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith(EVENTS_PATH)
    assert settings["socket_mode_enabled"] is False


def test_bot_events_include_home_tab_and_direct_messages(manifest):
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "message.im"} <= events


def test_home_tab_and_writable_messages_tab_are_enabled(manifest):
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    # People share CSV exports in the bot's DM, so the Messages tab must accept messages.
    assert home["messages_tab_enabled"] is True
    assert home["messages_tab_read_only_enabled"] is False


def test_bot_scopes_are_exactly_the_allow_listed_ones(manifest):
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), "duplicate scope"
    unlisted = sorted(set(scopes) - ALLOWED_BOT_SCOPES.keys())
    assert not unlisted, f"scopes not in ALLOWED_BOT_SCOPES (add them there with what uses them): {unlisted}"
    missing = sorted(ALLOWED_BOT_SCOPES.keys() - set(scopes))
    assert not missing, f"scopes the app uses but the manifest does not ask for: {missing}"


def test_no_user_scopes_are_requested(manifest):
    assert not manifest["oauth_config"]["scopes"].get("user")


def test_oauth_redirect_url_matches_the_install_flow(manifest):
    urls = manifest["oauth_config"]["redirect_urls"]
    assert urls and all(u.endswith(install.REDIRECT_PATH) for u in urls)


def test_the_install_flow_asks_for_the_manifests_scopes(manifest):
    assert list(install.BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]
