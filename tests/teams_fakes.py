"""A fake Bot Connector (the Teams service URL) over real HTTP on loopback, and the
activities Teams would post to Baton."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TENANT = "72f988bf-0000-4000-8000-00000000cafe"
BOT_ID = "28:baton-bot"
TEAM_ID = "19:team-general@thread.tacv2"


@dataclass
class Sent:
    """An activity Baton sent into a conversation."""

    conversation: str
    activity: dict[str, Any]
    reply_to: str | None = None

    @property
    def card(self) -> dict[str, Any]:
        attachments = self.activity.get("attachments") or []
        return dict(attachments[0]["content"]) if attachments else {}

    @property
    def text(self) -> str:
        """Everything a person would read: the card's text, facts and button titles."""
        return card_text(self.card) or str(self.activity.get("text") or "")

    def buttons(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        _walk(self.card, lambda e: found.append(e) if e.get("type") == "Action.Submit" else None)
        return found


def _walk(element: Any, visit: Callable[[dict[str, Any]], object]) -> None:
    if isinstance(element, dict):
        visit(element)
        for value in element.values():
            _walk(value, visit)
    elif isinstance(element, list):
        for value in element:
            _walk(value, visit)


def shown(markdown: str) -> str:
    """Adaptive Card markdown as a person reads it: no bold marks, no escapes."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def card_text(card: dict[str, Any]) -> str:
    """Everything a person would read on a card: its text, facts and button titles."""
    parts: list[str] = []

    def visit(element: dict[str, Any]) -> None:
        kind = element.get("type")
        if kind == "TextBlock":
            parts.append(shown(str(element.get("text", ""))))
        elif kind == "FactSet":
            parts.extend(f"{f['title']}: {shown(f['value'])}" for f in element.get("facts", []))
        elif kind in ("Action.Submit", "Input.Text", "Input.ChoiceSet"):
            parts.append(str(element.get("title") or element.get("label") or ""))

    _walk(card, visit)
    return "\n".join(parts)


@dataclass
class FakeConnector:
    """The Bot Connector's conversation API: receives Baton's messages, starts private
    chats, answers member lookups from `members`. `fail_next` makes the next sends answer
    with HTTP statuses (429 comes with Retry-After: 0)."""

    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    """People who blocked Baton (or whose Teams policy bars it): chats can't be started."""
    attempts: int = 0
    base_url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Condition | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._arrived = asyncio.Condition()
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def add_member(self, user_id: str, name: str, upn: str | None = None) -> None:
        self.members[user_id] = {
            "id": user_id,
            "name": name,
            "userPrincipalName": upn or f"{name.split()[0].lower()}@library.example",
            "tenantId": TENANT,
            "userRole": "user",
        }

    async def _notify(self) -> None:
        assert self._arrived is not None
        async with self._arrived:
            self._arrived.notify_all()

    async def _send(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.fail_next:
            status = self.fail_next.pop(0)
            headers = {"Retry-After": "0"} if status == 429 else {}
            return web.json_response(
                {"error": {"code": "Throttled"}}, status=status, headers=headers
            )
        body = await request.json()
        self.sent.append(
            Sent(request.match_info["conversation"], body, request.match_info.get("reply_to"))
        )
        await self._notify()
        return web.json_response({"id": f"activity-{next(self._ids)}"})

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.created.append(body)
        member = (body.get("members") or [{}])[0].get("id", "")
        if member in self.blocked:
            return web.json_response({"error": {"code": "BotDisabledByAdmin"}}, status=403)
        if member not in self.members:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        await self._notify()
        return web.json_response({"id": f"a:chat-{member}"})

    async def _member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["member"])
        if member is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation"}}, status=404
            )
        return web.json_response(member)

    async def wait_for(
        self, predicate: Callable[[list[Sent]], bool], timeout: float = 10.0
    ) -> None:
        assert self._arrived is not None

        async def satisfied() -> None:
            assert self._arrived is not None
            async with self._arrived:
                await self._arrived.wait_for(lambda: predicate(self.sent))

        await asyncio.wait_for(satisfied(), timeout)

    def in_conversation(self, conversation: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation == conversation]


def chat_of(user_id: str) -> str:
    """The id of a person's private chat with Baton, in these tests."""
    return f"a:chat-{user_id}"


def activity(
    service_url: str,
    user_id: str,
    name: str,
    *,
    text: str | None = None,
    value: dict[str, Any] | None = None,
    activity_id: str,
    in_team: bool = False,
    mentions: list[tuple[str, str]] = (),  # type: ignore[assignment]
    kind: str = "message",
    tenant: str = TENANT,
) -> dict[str, Any]:
    """A message activity as Teams posts it: in the person's private chat with Baton, or
    as an @mention of Baton in a team's channel."""
    conversation: dict[str, Any] = (
        {
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": tenant,
            "id": f"{TEAM_ID};messageid={activity_id}",
        }
        if in_team
        else {"conversationType": "personal", "tenantId": tenant, "id": chat_of(user_id)}
    )
    channel_data: dict[str, Any] = {"tenant": {"id": tenant}}
    entities: list[dict[str, Any]] = [
        {"type": "clientInfo", "locale": "en-GB", "country": "GB", "timezone": "Europe/London"}
    ]
    if in_team:
        channel_data |= {
            "team": {"id": TEAM_ID, "name": "Library staff"},
            "channel": {"id": TEAM_ID},
        }
        entities.append(
            {
                "type": "mention",
                "text": "<at>Baton</at>",
                "mentioned": {"id": BOT_ID, "name": "Baton"},
            }
        )
    for mentioned_id, mentioned_name in mentions:
        entities.append(
            {
                "type": "mention",
                "text": f"<at>{mentioned_name}</at>",
                "mentioned": {"id": mentioned_id, "name": mentioned_name},
            }
        )
    body: dict[str, Any] = {
        "type": kind,
        "id": activity_id,
        "timestamp": "2026-11-30T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user_id, "name": name, "aadObjectId": f"aad-{user_id}"},
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": "Baton"},
        "locale": "en-GB",
        "channelData": channel_data,
        "entities": entities,
    }
    if text is not None:
        body["text"] = text
        body["textFormat"] = "plain"
    if value is not None:
        body["value"] = value
    return body
