"""The `/duty` slash command: acknowledge at once, run it, answer privately."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.messages import Form, Message, Reply
from bot.services import Baton, Caller
from handlers.slack.render import blocks, fallback_text, form_view

log = logging.getLogger(__name__)

PLATFORM = "slack"


def caller_from(team_id: object, user_id: object, user_name: object = "") -> Caller:
    """Who is asking, as Slack names them."""
    return Caller(
        platform=PLATFORM,
        workspace_external_id=str(team_id or ""),
        user_external_id=str(user_id or ""),
        user_name=str(user_name or ""),
    )


async def show(
    reply: Reply, respond: AsyncRespond, client: AsyncWebClient, trigger_id: str | None
) -> None:
    """Show a reply privately: a form opens as a modal, a message answers in place."""
    if isinstance(reply, Form) and trigger_id:
        await client.views_open(trigger_id=trigger_id, view=form_view(reply))
    elif isinstance(reply, Message):
        await respond(text=fallback_text(reply), blocks=blocks(reply), response_type="ephemeral")


def register(app: AsyncApp, baton: Baton) -> None:
    """Answer `/duty …` with private replies."""

    @app.command("/duty")
    async def duty(
        ack: AsyncAck, respond: AsyncRespond, client: AsyncWebClient, command: dict[str, Any]
    ) -> None:
        await ack()
        caller = caller_from(
            command.get("team_id"), command.get("user_id"), command.get("user_name")
        )
        reply = await asyncio.to_thread(baton.run_command, caller, str(command.get("text", "")))
        await show(reply, respond, client, command.get("trigger_id"))
