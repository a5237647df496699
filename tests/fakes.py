"""Doubles that stand in for the outside world: a fake Slack Web API over real HTTP."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from bot.domain.model import Person, Workspace
from bot.messages import Message
from bot.ports import DirectoryEntry


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]


def slack_user(
    user_id: str,
    name: str,
    *,
    real_name: str | None = None,
    tz: str = "Europe/London",
    admin: bool = False,
    owner: bool = False,
    deleted: bool = False,
) -> dict[str, Any]:
    """A `users.info` user object, shaped as Slack sends it."""
    return {
        "id": user_id,
        "team_id": "T0LIBRARY",
        "name": name,
        "deleted": deleted,
        "real_name": real_name or name.title(),
        "tz": tz,
        "tz_label": tz,
        "tz_offset": 0,
        "profile": {"display_name": name, "real_name": real_name or name.title()},
        "is_admin": admin,
        "is_owner": owner,
        "is_primary_owner": owner,
        "is_bot": False,
    }


@dataclass
class FakeSlack:
    """Slack's Web API and response URLs on loopback, recording every call.

    Accepts JSON and form bodies, as slack_sdk sends both. `fail_next` makes the next
    calls of a method fail with an HTTP status: 429 (with Retry-After) and 5xx, which
    clients retry, or 200 with `ok: false`, which they don't. `outside_channels` holds
    chat channels the bot is not in: `chat.postMessage` there answers `not_in_channel`.
    """

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail_next: dict[str, list[int]] = field(default_factory=dict)
    outside_channels: set[str] = field(default_factory=set)
    base_url: str = ""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Condition | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._arrived = asyncio.Condition()
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for socket in self.sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/respond/{key}"

    async def _body(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        if request.content_type == "application/json":
            loaded = json.loads(raw or "{}")
            return dict(loaded)
        params: dict[str, Any] = dict(parse_qsl(raw))
        for key in ("blocks", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _record(self, call: Call) -> None:
        assert self._arrived is not None
        async with self._arrived:
            self.calls.append(call)
            self._arrived.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        failures = self.fail_next.get(method)
        if failures:
            status = failures.pop(0)
            headers = {"Retry-After": "1"} if status == 429 else {}
            error = {429: "ratelimited", 200: "fatal_error"}.get(status, "internal_error")
            return web.json_response({"ok": False, "error": error}, status=status, headers=headers)
        params = await self._body(request)
        if method == "chat.postMessage" and params.get("channel") in self.outside_channels:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        await self._record(Call(method, params))
        return web.json_response(self._answer(method, params))

    async def _respond(self, request: web.Request) -> web.Response:
        params = await self._body(request)
        key = request.match_info["key"]
        self.responses.setdefault(key, []).append(params)
        await self._record(Call(f"respond:{key}", params))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record every acknowledgement the app sends."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await self._record(Call("socket:open", {}))
        await socket.send_json({"type": "hello", "num_connections": 1})
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                await self._record(Call("socket:ack", json.loads(message.data)))
        return socket

    async def send_envelope(self, kind: str, payload: dict[str, Any], envelope_id: str) -> None:
        """Push a Socket Mode envelope (`slash_commands`, `interactive`, `events_api`)."""
        await self.wait_for(lambda calls: any(c.method == "socket:open" for c in calls))
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
            }
        )

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return {"ok": True, "url": f"{self.base_url.replace('http', 'ws', 1)}/socket"}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://library.slack.com/",
                "team": "Library",
                "user": "baton",
                "team_id": "T0LIBRARY",
                "user_id": "UBATON",
                "bot_id": "BBATON",
            }
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method == "chat.postMessage":
            return {"ok": True, "channel": params.get("channel"), "ts": f"{len(self.calls)}.0001"}
        return {"ok": True}

    async def wait_for(
        self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0
    ) -> list[Call]:
        """Wait until the calls so far satisfy `predicate` (the app answers after its 200)."""
        assert self._arrived is not None

        async def satisfied() -> None:
            assert self._arrived is not None
            async with self._arrived:
                await self._arrived.wait_for(lambda: predicate(self.calls))

        await asyncio.wait_for(satisfied(), timeout)
        return self.calls

    def direct_messages(self, user_id: str) -> list[str]:
        """The texts (blocks flattened) of every chat.postMessage to a user."""
        return [
            message_text(call.params)
            for call in self.calls
            if call.method == "chat.postMessage" and call.params.get("channel") == user_id
        ]


def message_text(params: dict[str, Any]) -> str:
    """Everything a person would read in a Slack message payload, as one string."""
    parts: list[str] = []
    for block in params.get("blocks") or []:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"].get("text", ""))
        for item in block.get("fields", []) or []:
            parts.append(item.get("text", ""))
        for element in block.get("elements", []) or []:
            label = element.get("text")
            if isinstance(label, dict):
                parts.append(label.get("text", ""))
    if not parts:
        parts.append(str(params.get("text", "")))
    return "\n".join(parts)


class FakeDirectory:
    """A chat platform's directory held in memory: `users` maps ids to entries."""

    def __init__(self, users: dict[str, DirectoryEntry] | None = None) -> None:
        self.users = users or {}

    def lookup(self, workspace: Workspace, external_id: str) -> DirectoryEntry | None:
        return self.users.get(external_id)


class FakeNotifier:
    """Records every direct message, safely from several threads at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Message]] = []
        self.posted: list[tuple[str, Message]] = []
        """Messages posted in chat channels, by chat channel id."""
        self._lock = threading.Lock()

    def send_direct(self, workspace: Workspace, person: Person, message: Message) -> None:
        with self._lock:
            self.sent.append((person.external_id, message))

    def send_to_chat_channel(
        self, workspace: Workspace, chat_channel_id: str, message: Message
    ) -> None:
        with self._lock:
            self.posted.append((chat_channel_id, message))

    def to(self, external_id: str) -> list[Message]:
        return [message for who, message in self.sent if who == external_id]


def staff_entry(external_id: str, name: str, *, admin: bool = False) -> DirectoryEntry:
    return DirectoryEntry(external_id, name, name, "Europe/London", admin, False)
