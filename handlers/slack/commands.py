"""The `/duty` slash command: acknowledge at once, run it, answer privately."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.services import Baton, Caller
from handlers.slack.render import blocks, fallback_text

log = logging.getLogger(__name__)

PLATFORM = "slack"


def register(app: AsyncApp, baton: Baton) -> None:
    """Answer `/duty …` with private replies."""

    @app.command("/duty")
    async def duty(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        await ack()
        caller = Caller(
            platform=PLATFORM,
            workspace_external_id=str(command.get("team_id", "")),
            user_external_id=str(command.get("user_id", "")),
            user_name=str(command.get("user_name", "")),
            workspace_name=str(command.get("team_domain", "")),
        )
        reply = await asyncio.to_thread(baton.run_command, caller, str(command.get("text", "")))
        await respond(text=fallback_text(reply), blocks=blocks(reply), response_type="ephemeral")
