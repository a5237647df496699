"""The Slack app manifests in manifests/ are valid and ask for no more than Baton needs."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from handlers.slack.watch import RECORD_POST

REPO = Path(__file__).resolve().parents[2]
MANIFESTS = REPO / "manifests"
# The shared reference folder sits beside the repository checkout.
SCHEMA_DIR = REPO.parent / "shared" / "reference" / "slack" / "slack-manifest-schema"
# The v1 schema is self-contained: every $ref points into its own #/definitions.
V1_SCHEMA = SCHEMA_DIR / "schemas_manifest.schema.1.0.0.json"

HTTP = "slack-http.json"
SOCKET = "slack-socket.json"
VARIANTS = [HTTP, SOCKET]
EVENTS_URL_PATH = "/slack/events"

# Adding a scope is a deliberate change: it makes every workspace re-approve the app.
EXPECTED_BOT_SCOPES = {
    "commands",  # /duty
    "chat:write",  # replies and direct messages
    "im:write",  # direct messages to people whose shift moved or was passed to them
    "users:read",  # names, timezones, and admins/owners as coordinators
    "files:write",  # `/duty export` uploads its CSV files to the person who asked
    "channels:history",  # messages in the watched chat channel, when it is public
    "groups:history",  # and when it is private
    "reactions:write",  # a ✅ on a watched message whose posts were recorded
}


# Each has a listener in handlers/slack/.
EXPECTED_BOT_EVENTS = {
    "app_home_opened",  # the Home tab
    "team_join",  # someone new is known to Baton at once
    "user_change",  # someone deactivated leaves the rotas; someone reactivated is back
    "message.channels",  # links shared in the watched chat channel become posts
    "message.groups",  # the same, when that channel is private
}


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_manifest(name: str) -> dict[str, Any]:
    manifest: dict[str, Any] = load_json(MANIFESTS / name)
    return manifest


def urls_in(value: Any) -> Iterator[str]:
    """Every string in a manifest that looks like a URL, wherever it is nested."""
    if isinstance(value, dict):
        for item in value.values():
            yield from urls_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from urls_in(item)
    elif isinstance(value, str) and re.match(r"^https?://", value):
        yield value


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = load_json(V1_SCHEMA)
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@pytest.mark.parametrize("name", VARIANTS)
def test_manifest_validates_when_checked_against_the_v1_schema(
    validator: Draft7Validator, name: str
) -> None:
    manifest = load_manifest(name)

    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]

    assert errors == []
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}


def test_validation_fails_when_the_manifest_has_an_unknown_setting(
    validator: Draft7Validator,
) -> None:
    invalid = load_json(SCHEMA_DIR / "tests_manifests_v1_manifest.invalid.json")

    messages = [error.message for error in validator.iter_errors(invalid)]

    assert len(messages) == 1
    assert "'bad_param' was unexpected" in messages[0]


def test_validation_passes_when_the_manifest_is_the_upstream_valid_example(
    validator: Draft7Validator,
) -> None:
    valid = load_json(SCHEMA_DIR / "tests_manifests_v1_manifest.valid.json")

    assert validator.is_valid(valid)


@pytest.mark.parametrize("name", VARIANTS)
def test_background_colour_is_a_hex_colour_when_set(name: str) -> None:
    # The schema spells this check "regex", which JSON Schema ignores, so check it here.
    colour = load_manifest(name)["display_information"]["background_color"]

    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", colour)


@pytest.mark.parametrize("name", VARIANTS)
def test_slash_command_is_duty_with_escaping_when_installed(name: str) -> None:
    commands = load_manifest(name)["features"]["slash_commands"]

    assert [c["command"] for c in commands] == ["/duty"]
    assert commands[0]["should_escape"] is True


def test_every_url_points_at_slack_events_when_http_variant() -> None:
    manifest = load_manifest(HTTP)
    expected = "https://baton.example.org" + EVENTS_URL_PATH

    assert manifest["features"]["slash_commands"][0]["url"] == expected
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": expected}
    assert manifest["settings"]["event_subscriptions"]["request_url"] == expected
    assert set(urls_in(manifest)) == {expected}
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_socket_mode_is_on_and_no_url_is_set_when_socket_variant() -> None:
    manifest = load_manifest(SOCKET)

    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    assert list(urls_in(manifest)) == []


def test_variants_differ_only_in_transport_when_compared() -> None:
    http, socket = load_manifest(HTTP), load_manifest(SOCKET)
    for manifest in (http, socket):
        manifest["features"]["slash_commands"][0].pop("url", None)
        manifest["settings"]["interactivity"].pop("request_url", None)
        manifest["settings"]["event_subscriptions"].pop("request_url", None)
        manifest["settings"].pop("socket_mode_enabled")

    assert http == socket


@pytest.mark.parametrize("name", VARIANTS)
def test_bot_scopes_are_the_least_privilege_set_when_installed(name: str) -> None:
    scopes = load_manifest(name)["oauth_config"]["scopes"]

    assert set(scopes) == {"bot"}
    assert len(scopes["bot"]) == len(set(scopes["bot"]))
    assert set(scopes["bot"]) == EXPECTED_BOT_SCOPES


@pytest.mark.parametrize("name", VARIANTS)
def test_nothing_is_switched_on_that_baton_does_not_answer_when_installed(name: str) -> None:
    manifest = load_manifest(name)

    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == EXPECTED_BOT_EVENTS
    assert [shortcut["callback_id"] for shortcut in manifest["features"]["shortcuts"]] == [
        RECORD_POST
    ]
    assert manifest["settings"]["org_deploy_enabled"] is False


@pytest.mark.parametrize("name", VARIANTS)
def test_home_tab_and_read_only_messages_tab_are_on_when_installed(name: str) -> None:
    features = load_manifest(name)["features"]

    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": True,
    }
    assert features["bot_user"] == {"display_name": "Baton", "always_online": True}


@pytest.mark.parametrize("name", VARIANTS)
def test_record_post_is_a_message_shortcut_when_installed(name: str) -> None:
    (shortcut,) = load_manifest(name)["features"]["shortcuts"]

    assert shortcut["type"] == "message"
    assert shortcut["name"] == "Record as outreach post"
