"""Buttons and modals: the buttons on reminders and the post form."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.messages import FormErrors, Message
from bot.services import Baton
from bot.services.home import HOME_JOIN, HOME_LEAVE
from bot.services.interactive import HAND_ON, LOG_POST, POST_FORM, SNOOZE
from bot.services.swaps import SWAP_ACCEPT, SWAP_DECLINE
from handlers.slack.commands import caller_from, show
from handlers.slack.events import publish_home
from handlers.slack.render import blocks, fallback_text, form_answers

BUTTONS = re.compile(
    f"^({LOG_POST}|{SNOOZE}|{HAND_ON}|{HOME_JOIN}|{HOME_LEAVE}|{SWAP_ACCEPT}|{SWAP_DECLINE})$"
)


def register(app: AsyncApp, baton: Baton) -> None:
    """Answer Baton's buttons and forms."""

    @app.action(BUTTONS)
    async def pressed(
        ack: AsyncAck, respond: AsyncRespond, client: AsyncWebClient, body: dict[str, Any]
    ) -> None:
        await ack()
        user = body.get("user") or {}
        action = (body.get("actions") or [{}])[0]
        caller = caller_from(
            (body.get("team") or {}).get("id") or user.get("team_id"),
            user.get("id"),
            user.get("username") or user.get("name"),
        )
        reply = await asyncio.to_thread(
            baton.press, caller, str(action.get("action_id", "")), str(action.get("value", ""))
        )
        on_home = (body.get("view") or {}).get("type") == "home"
        if on_home and isinstance(reply, Message):
            await publish_home(
                baton, client, caller.workspace_external_id, caller.user_external_id, reply
            )
        else:
            await show(reply, respond, client, body.get("trigger_id"))

    @app.view(POST_FORM)
    async def submitted(ack: AsyncAck, client: AsyncWebClient, body: dict[str, Any]) -> None:
        user = body.get("user") or {}
        caller = caller_from(
            (body.get("team") or {}).get("id") or user.get("team_id"), user.get("id")
        )
        view = body.get("view") or {}
        answers = form_answers(view)
        submission = f"{view.get('id', '')}:{view.get('hash', '')}" if view.get("id") else None
        reply = await asyncio.to_thread(baton.submit, caller, POST_FORM, answers, submission)
        if isinstance(reply, FormErrors):
            await ack(response_action="errors", errors=reply.errors)
            return
        await ack()
        if isinstance(reply, Message):
            await client.chat_postMessage(
                channel=str(user.get("id", "")), text=fallback_text(reply), blocks=blocks(reply)
            )
