"""Events API: each event acts once, however often Slack retries it; the App Home."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.messages import Message
from bot.services import Baton
from handlers.slack.commands import PLATFORM, caller_from
from handlers.slack.render import blocks


async def publish_home(
    baton: Baton, client: AsyncWebClient, team_id: object, user_id: str, note: Message | None
) -> None:
    """Show a person their App Home, with `note` at the top."""
    view = await asyncio.to_thread(baton.home, caller_from(team_id, user_id), note)
    await client.views_publish(
        user_id=user_id, view={"type": "home", "blocks": blocks(view, limit=100)}
    )


CLAIMED_WITH_THEIR_WORK = frozenset({"team_join", "user_change", "message"})
"""Events whose id is claimed in the transaction that acts on them (`event_id` of the
service call), so a retry of one whose handling failed is acted on, not dropped."""


def register(app: AsyncApp, baton: Baton) -> None:
    """Drop retried events; answer app_home_opened."""

    @app.middleware
    async def once_per_event(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> Any:  # noqa: A002
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        kind = (body.get("event") or {}).get("type")
        if kind in CLAIMED_WITH_THEIR_WORK:
            return await next()
        if event_id and not await asyncio.to_thread(baton.first_time, PLATFORM, str(event_id)):
            return BoltResponse(status=200, body="")
        return await next()

    @app.event("app_home_opened")
    async def home_opened(
        client: AsyncWebClient, event: dict[str, Any], body: dict[str, Any]
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(baton, client, body.get("team_id"), str(event.get("user", "")), None)
