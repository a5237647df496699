"""`python -m bot serve`, as `make run` starts it: migrates, listens, answers Slack."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fakes import FakeSlack, message_text, slack_user
from tests.handlers.conftest import SIGNING_SECRET, SlackDriver

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[FakeSlack, str]]:
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BATON_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "BATON_PORT": str(port),
            "SLACK_BOT_TOKEN": "xoxb-serve-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        while True:  # the server says when it listens
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line, "the server stopped before listening"
            if b"listening on" in line:
                break
        yield fake, base
    finally:
        process.terminate()
        await process.wait()
        await fake.stop()


async def test_serve_answers_duty_and_health_when_started_as_make_run_does(
    served: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    fake, base = served
    fake.users["U0ADA"] = slack_user("U0ADA", "ada", admin=True)
    assert (tmp_path / "baton.db").exists()  # migrated on start
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
        reply = await SlackDriver(fake, base, http).duty("U0ADA", "channel add Twitter")
    assert "Added the outreach channel *Twitter*" in reply
    assert message_text(fake.responses["r1"][0]) == reply
