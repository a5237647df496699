"""Socket Mode: Baton connects out to Slack and answers `/duty` over the socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import Running, build_parts, build_web_app, start
from bot.clock import FixedClock
from bot.settings import Settings
from storage.migrate import upgrade
from tests.fakes import FakeSlack, message_text, slack_user
from tests.handlers.conftest import START, TEAM


@pytest.fixture
async def socket_world(tmp_path: Path) -> AsyncIterator[tuple[FakeSlack, Running]]:
    fake = FakeSlack()
    await fake.start()
    fake.users["U0ADA"] = slack_user("U0ADA", "ada", admin=True)
    database_url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(database_url)
    settings = Settings.model_validate(
        {
            "DATABASE_URL": database_url,
            "BATON_PORT": 0,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_APP_TOKEN": "xapp-test-token",
            "SLACK_API_URL": fake.api_url,
            "BATON_RUN_JOBS": False,
        }
    )
    running = await start(settings, FixedClock(START))
    yield fake, running
    await running.stop()
    await fake.stop()


async def test_duty_is_answered_over_the_socket_when_an_app_token_is_set(
    socket_world: tuple[FakeSlack, Running],
) -> None:
    fake, _ = socket_world
    payload = {
        "team_id": TEAM,
        "team_domain": "library",
        "channel_id": "C0GENERAL",
        "user_id": "U0ADA",
        "user_name": "ada",
        "command": "/duty",
        "text": "channel add Twitter kind=twitter",
        "api_app_id": "A0BATON",
        "response_url": fake.response_url("s1"),
        "trigger_id": "trigger-s1",
    }
    await fake.send_envelope("slash_commands", payload, "env-1")
    calls = await fake.wait_for(lambda calls: any(c.method == "respond:s1" for c in calls))
    acks = [c for c in calls if c.method == "socket:ack"]
    assert [a.params["envelope_id"] for a in acks] == ["env-1"]
    assert "Added the outreach channel *Twitter*" in message_text(fake.responses["s1"][0])


async def test_no_http_endpoint_for_slack_when_in_socket_mode(
    socket_world: tuple[FakeSlack, Running],
) -> None:
    _, running = socket_world
    async with aiohttp.ClientSession() as http:
        base = f"http://127.0.0.1:{running.port}"
        async with http.post(f"{base}/slack/events", data=b"x") as response:
            assert response.status in (404, 405)
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ok"


def test_http_mode_refuses_to_start_when_it_has_no_signing_secret(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'baton.db'}",
            "SLACK_BOT_TOKEN": "xoxb-test-token",
        }
    )
    parts = build_parts(settings)
    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET"):
        build_web_app(settings, parts)
    parts.engine.dispose()
