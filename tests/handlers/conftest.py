"""End to end over HTTP: the real app on a free loopback port, a fake Slack Web API."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.app import Running, start
from bot.clock import FixedClock
from bot.jobs import Job
from bot.settings import Settings
from storage.migrate import upgrade
from tests.fakes import FakeSlack, message_text, slack_user
from tests.teams_fakes import FakeConnector, activity, chat_of

SIGNING_SECRET = "test-signing-secret-for-loopback"
TEAM = "T0LIBRARY"
# Monday 30 November 2026, 10:00 in London.
START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@dataclass
class SlackDriver:
    """Types `/duty` into a fake Slack that forwards it, signed, to a running Baton."""

    fake: FakeSlack
    base_url: str
    http: aiohttp.ClientSession
    _sent: int = field(default=0)

    def add_user(self, user_id: str, name: str, **options: Any) -> None:
        self.fake.users[user_id] = slack_user(user_id, name, **options)

    def form(self, user_id: str, text: str, key: str) -> str:
        user = self.fake.users.get(user_id, {})
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "team_domain": "library",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user.get("name", "someone"),
                "command": "/duty",
                "text": text,
                "api_app_id": "A0BATON",
                "response_url": self.fake.response_url(key),
                "trigger_id": f"trigger-{key}",
            }
        )

    def signed_headers(
        self, body: str, *, secret: str = SIGNING_SECRET, stamp: str | None = None
    ) -> dict[str, str]:
        """Slack's signature headers for a body."""
        # Slack signs with the real time, and Bolt checks it against the real time too.
        stamp = stamp or str(int(time.time()))  # noqa: TID251
        base = f"v0:{stamp}:{body}".encode()
        digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest}",
        }

    async def post(
        self,
        body: str,
        *,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        signed: bool = True,
    ) -> aiohttp.ClientResponse:
        """POST a form body to /slack/events, signed as Slack signs it."""
        # Slack signs with the real time, and Bolt checks it against the real time too.
        now = int(time.time())  # noqa: TID251
        stamp = str(timestamp if timestamp is not None else now)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers.update(self.signed_headers(body, secret=secret, stamp=stamp))
        async with self.http.post(
            f"{self.base_url}/slack/events", data=body.encode(), headers=headers
        ) as response:
            await response.read()
            return response

    async def duty(self, user_id: str, text: str) -> str:
        """Run `/duty text` as `user_id`; what they see in the private reply."""
        self._sent += 1
        key = f"r{self._sent}"
        response = await self.post(self.form(user_id, text, key))
        assert response.status == 200, f"/duty {text!r} answered HTTP {response.status}"
        await self.fake.wait_for(lambda calls: any(c.method == f"respond:{key}" for c in calls))
        replies = self.fake.responses[key]
        assert len(replies) == 1
        assert replies[0].get("response_type") == "ephemeral"
        return message_text(replies[0])

    def dms(self, user_id: str) -> list[str]:
        return self.fake.direct_messages(user_id)

    async def post_event(
        self, event: dict[str, Any], event_id: str, retry: int = 0
    ) -> aiohttp.ClientResponse:
        """Deliver an Events API event, signed, as Slack does (a retry carries its number)."""
        body = json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "api_app_id": "A0BATON",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": 1764496800,
                "event": event,
            }
        )
        headers = {**self.signed_headers(body), "Content-Type": "application/json"}
        if retry:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        async with self.http.post(
            f"{self.base_url}/slack/events", data=body.encode(), headers=headers
        ) as response:
            await response.read()
            return response

    async def post_payload(self, payload: dict[str, Any]) -> aiohttp.ClientResponse:
        """POST an interactivity payload (buttons, modals) as Slack does: a form field."""
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def start_command(self, user_id: str, text: str) -> str:
        """Send `/duty text` without waiting for the reply; the request's key."""
        self._sent += 1
        key = f"r{self._sent}"
        response = await self.post(self.form(user_id, text, key))
        assert response.status == 200
        return key

    async def opened_form(self, key: str) -> dict[str, Any]:
        """The modal Baton opened for the request `key` (its trigger id names it)."""
        calls = await self.fake.wait_for(
            lambda calls: any(
                c.method == "views.open" and c.params.get("trigger_id") == f"trigger-{key}"
                for c in calls
            )
        )
        call = next(
            c
            for c in calls
            if c.method == "views.open" and c.params.get("trigger_id") == f"trigger-{key}"
        )
        view = call.params["view"]
        opened = dict(json.loads(view) if isinstance(view, str) else view)
        return {**opened, "id": f"V0{key.upper()}", "hash": "1"}  # as Slack gives each view

    async def press(self, user_id: str, message_blocks: list[dict[str, Any]], label: str) -> str:
        """Press the button labelled `label` in a message; the request's key."""
        button = next(
            element
            for block in message_blocks
            if block.get("type") == "actions"
            for element in block["elements"]
            if element["text"]["text"] == label
        )
        self._sent += 1
        key = f"r{self._sent}"
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "library"},
            "user": {"id": user_id, "team_id": TEAM, "username": user_id.lower()},
            "api_app_id": "A0BATON",
            "trigger_id": f"trigger-{key}",
            "response_url": self.fake.response_url(key),
            "container": {"type": "message", "channel_id": "D0BATON"},
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "buttons",
                    "value": button.get("value", ""),
                    "text": button["text"],
                }
            ],
        }
        response = await self.post_payload(payload)
        assert response.status == 200
        return key

    async def answer(self, key: str) -> str:
        """The private reply to request `key`."""
        await self.fake.wait_for(lambda calls: any(c.method == f"respond:{key}" for c in calls))
        return message_text(self.fake.responses[key][0])

    async def submit(
        self, user_id: str, view: dict[str, Any], values: dict[str, str]
    ) -> dict[str, Any]:
        """Submit a modal with `values` by field name (a field left out keeps what the form
        opened with); Slack's HTTP reply, as JSON or {}."""
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element = block["element"]
            name = block["block_id"]
            if element["type"] == "static_select":
                initial = (element.get("initial_option") or {}).get("value")
                value = values.get(name, initial)
                option = next((o for o in element["options"] if o["value"] == value), None)
                state[name] = {name: {"type": "static_select", "selected_option": option}}
            else:
                typed = values.get(name, element.get("initial_value"))
                state[name] = {name: {"type": "plain_text_input", "value": typed or None}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "library"},
            "user": {"id": user_id, "team_id": TEAM},
            "api_app_id": "A0BATON",
            "view": {**view, "id": view.get("id", f"V0FORM{id(view)}"), "state": {"values": state}},
        }
        async with self.http.post(
            f"{self.base_url}/slack/events",
            data=urlencode({"payload": json.dumps(payload)}).encode(),
            headers=self.signed_headers(urlencode({"payload": json.dumps(payload)})),
        ) as response:
            assert response.status == 200
            body = await response.text()
        return dict(json.loads(body)) if body.strip() else {}


@dataclass
class SlackWorld(SlackDriver):
    """A Baton started in this process on a FixedClock, and its SQLite database."""

    clock: FixedClock = field(default_factory=lambda: FixedClock(START))
    database_url: str = ""
    jobs: dict[str, Job] = field(default_factory=dict)

    async def run_job(self, name: str) -> int:
        """Run a scheduled job once at the clock's now, as the scheduler would."""
        return await asyncio.to_thread(self.jobs[name].run, self.clock.now())


@pytest.fixture
async def slack(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[SlackWorld]:
    """The world; parametrise it indirectly with a dict to add settings, like
    `{"BATON_COORDINATORS": "U0CAT"}`."""
    extra_settings: dict[str, Any] = getattr(request, "param", {})
    fake = FakeSlack()
    await fake.start()
    database_url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(database_url)
    settings = Settings.model_validate(
        {
            "DATABASE_URL": database_url,
            "BATON_HOST": "127.0.0.1",
            "BATON_PORT": 0,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "BATON_RUN_JOBS": False,  # tests run jobs themselves, at the FixedClock's now
            **extra_settings,
        }
    )
    clock = FixedClock(START)
    running: Running = await start(settings, clock)
    async with aiohttp.ClientSession() as http:
        yield SlackWorld(
            fake=fake,
            base_url=f"http://127.0.0.1:{running.port}",
            clock=clock,
            http=http,
            database_url=database_url,
            jobs=running.parts.jobs,
        )
    await running.stop()
    await fake.stop()


@dataclass
class TeamsWorld:
    """A Baton serving Teams (anonymous requests allowed, as for local testing) on a
    FixedClock, with a fake Bot Connector on loopback as every activity's service URL."""

    connector: FakeConnector
    base_url: str
    http: aiohttp.ClientSession
    clock: FixedClock
    jobs: dict[str, Job]
    database_url: str = ""
    _ids: int = 0

    def next_id(self) -> str:
        self._ids += 1
        return f"1732{self._ids:09d}"

    async def post(self, body: dict[str, Any], **headers: str) -> aiohttp.ClientResponse:
        async with self.http.post(f"{self.base_url}/api/messages", json=body, headers=headers) as r:
            await r.read()
            return r

    async def say(
        self, user_id: str, name: str, text: str, *, in_team: bool = False, **options: Any
    ) -> str:
        """Send Baton a message and return what it answers privately."""
        conversation = chat_of(user_id)
        before = len(self.connector.in_conversation(conversation))
        response = await self.post(
            activity(
                self.connector.base_url,
                user_id,
                name,
                text=text,
                activity_id=self.next_id(),
                in_team=in_team,
                **options,
            )
        )
        assert response.status in (200, 202), response.status
        await self.connector.wait_for(
            lambda _: len(self.connector.in_conversation(conversation)) > before
        )
        return self.connector.in_conversation(conversation)[before].text

    async def press(self, user_id: str, name: str, data: dict[str, Any], **inputs: str) -> str:
        """Press a card's button (with what was typed in its inputs); the answer."""
        conversation = chat_of(user_id)
        before = len(self.connector.in_conversation(conversation))
        response = await self.post(
            activity(
                self.connector.base_url,
                user_id,
                name,
                value={**data, **inputs},
                activity_id=self.next_id(),
            )
        )
        assert response.status in (200, 202), response.status
        await self.connector.wait_for(
            lambda _: len(self.connector.in_conversation(conversation)) > before
        )
        return self.connector.in_conversation(conversation)[before].text

    async def run_job(self, name: str) -> int:
        return await asyncio.to_thread(self.jobs[name].run, self.clock.now())


@pytest.fixture
async def teams(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[TeamsWorld]:
    """The world; parametrise it indirectly with a dict to add settings, like
    `{"BATON_PUBLIC_URL": "https://baton.library.example"}`."""
    extra_settings: dict[str, Any] = getattr(request, "param", {})
    connector = FakeConnector()
    await connector.start()
    database_url = f"sqlite:///{tmp_path / 'baton-teams.db'}"
    upgrade(database_url)
    settings = Settings.model_validate(
        {
            "DATABASE_URL": database_url,
            "BATON_HOST": "127.0.0.1",
            "BATON_PORT": 0,
            "TEAMS_ALLOW_ANONYMOUS": True,
            "BATON_RUN_JOBS": False,
            **extra_settings,
        }
    )
    clock = FixedClock(START)
    running: Running = await start(settings, clock)
    async with aiohttp.ClientSession() as http:
        yield TeamsWorld(
            connector=connector,
            base_url=f"http://127.0.0.1:{running.port}",
            http=http,
            clock=clock,
            jobs=running.parts.jobs,
            database_url=database_url,
        )
    await running.stop()
    await connector.stop()
