"""Doubles that stand in for the outside world: a fake Slack Web API over real HTTP."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from bot.domain.model import Person, Workspace
from bot.messages import Attachment, Message
from bot.ports import DirectoryEntry, NotifyError


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
class Upload:
    """A file sent through `files_upload_v2`: announced (files.getUploadURLExternal), its
    bytes posted to the upload address, then shared (files.completeUploadExternal)."""

    file_id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    comment: str | None = None


def dm_channel(user_id: str) -> str:
    """The id of a person's direct-message conversation with the bot, as the fake opens it."""
    return f"D{user_id}"


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
    uploads: dict[str, Upload] = field(default_factory=dict)
    """Files by id, as `files_upload_v2` announced, sent and shared them."""
    base_url: str = ""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Condition | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
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
        params: dict[str, Any] = {**request.query, **dict(parse_qsl(raw))}
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

    async def _upload(self, request: web.Request) -> web.Response:
        """The address files.getUploadURLExternal gave: takes the file's bytes, as Slack does."""
        upload = self.uploads.get(request.match_info["file_id"])
        data = await request.read()
        if upload is None:
            return web.Response(status=404, text="no such upload")
        if len(data) != upload.length:
            return web.Response(status=400, text=f"expected {upload.length} bytes")
        upload.content = data
        await self._record(Call(f"upload:{upload.file_id}", {"size": len(data)}))
        return web.Response(text=f"OK - {len(data)}")

    def _announce(self, params: dict[str, Any]) -> dict[str, Any]:
        """files.getUploadURLExternal: a file id and where to send the bytes."""
        filename = params.get("filename")
        try:
            length = int(params.get("length", ""))
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        if not filename or length <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = Upload(file_id, str(filename), length)
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _share(self, params: dict[str, Any]) -> dict[str, Any]:
        """files.completeUploadExternal: share uploaded files in a conversation."""
        listed = params.get("files")
        files = json.loads(listed) if isinstance(listed, str) else listed
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        shared = []
        for item in files:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None or upload.content is None:
                return {"ok": False, "error": "file_not_found"}
            upload.title = item.get("title") or upload.filename
            upload.channel = params.get("channel_id")
            upload.comment = params.get("initial_comment")
            shared.append(
                {
                    "id": upload.file_id,
                    "name": upload.filename,
                    "title": upload.title,
                    "size": upload.length,
                }
            )
        return {"ok": True, "files": shared}

    def files_in(self, channel: str) -> list[Upload]:
        """The files shared in a conversation, in the order they were announced."""
        return [upload for upload in self.uploads.values() if upload.channel == channel]

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
        if method == "conversations.open":
            users = str(params.get("users", ""))
            if not users or "," in users:
                return {"ok": False, "error": "invalid_arguments"}
            if users not in self.users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "channel": {"id": dm_channel(users)}}
        if method == "files.getUploadURLExternal":
            return self._announce(params)
        if method == "files.completeUploadExternal":
            return self._share(params)
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
    """Records every direct message, safely from several threads at once. `takes_files` says
    whether it stands for a platform that takes files (else Baton gives a download link)."""

    def __init__(self, *, takes_files: bool = True) -> None:
        self.takes_files = takes_files
        self.files: list[tuple[str, Message, tuple[Attachment, ...]]] = []
        """Files sent, by the person's chat id, with the message that came with them."""
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

    def attaches_files(self, workspace: Workspace) -> bool:
        return self.takes_files

    def send_files(
        self,
        workspace: Workspace,
        person: Person,
        message: Message,
        files: Sequence[Attachment],
    ) -> None:
        if not self.takes_files:
            raise NotifyError("this platform takes no files")
        with self._lock:
            self.files.append((person.external_id, message, tuple(files)))

    def to(self, external_id: str) -> list[Message]:
        return [message for who, message in self.sent if who == external_id]


def staff_entry(external_id: str, name: str, *, admin: bool = False) -> DirectoryEntry:
    return DirectoryEntry(external_id, name, name, "Europe/London", admin, False)
