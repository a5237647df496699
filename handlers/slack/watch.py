"""Posts from chat: the message shortcut "Record as outreach post", and the watched chat
channel's messages (sent, edited, deleted), each marked with a reaction once recorded."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Baton
from bot.services.watch import ChatMessage, WatchOutcome
from handlers.slack.commands import PLATFORM, caller_from, show

log = logging.getLogger(__name__)

RECORD_POST = "record_post"
"""The message shortcut's callback id (manifests/slack-*.json)."""

RECORDED_REACTION = "white_check_mark"
"""The reaction on a watched message whose posts are recorded (✅)."""

_PEOPLES_MESSAGES = frozenset({"", "thread_broadcast", "file_share", "me_message"})
"""Message subtypes a person sends; the rest (joins, topics, apps' messages) say nothing of
posts."""


def _moment(ts: object) -> datetime | None:
    """A Slack timestamp (`1764496800.000100`) as a moment."""
    try:
        return datetime.fromtimestamp(float(str(ts)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _by_a_person(message: dict[str, Any]) -> bool:
    return (
        str(message.get("subtype") or "") in _PEOPLES_MESSAGES
        and not message.get("bot_id")
        and bool(message.get("user"))
    )


def _chat_message(
    chat_channel_id: str, message: dict[str, Any], when: object, *, edited: bool = False
) -> ChatMessage | None:
    ts = str(message.get("ts") or "")
    sent_at = _moment(when) or _moment(ts)
    if not chat_channel_id or not ts or sent_at is None:
        return None
    return ChatMessage(
        chat_channel_id=chat_channel_id,
        message_id=ts,
        author_external_id=str(message.get("user") or "") if _by_a_person(message) else "",
        text=str(message.get("text") or ""),
        sent_at=sent_at,
        edited=edited,
    )


async def _mark(
    client: AsyncWebClient, chat_channel_id: str, ts: str, outcome: WatchOutcome
) -> None:
    """React to a message whose posts were recorded; take the reaction off when it no longer
    stands for any."""
    try:
        if outcome.recorded:
            await client.reactions_add(
                channel=chat_channel_id, name=RECORDED_REACTION, timestamp=ts
            )
        elif outcome.withdrawn and not outcome.standing:
            await client.reactions_remove(
                channel=chat_channel_id, name=RECORDED_REACTION, timestamp=ts
            )
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        if code not in ("already_reacted", "no_reaction", "message_not_found"):
            log.warning("could not mark a watched message: reactions: %s", code or "failed")
    except SlackClientError as error:
        log.warning("could not mark a watched message: %s", type(error).__name__)


def register(app: AsyncApp, baton: Baton) -> None:
    """Answer the message shortcut and follow messages in the watched chat channel."""

    @app.shortcut(RECORD_POST)
    async def record_post(
        ack: AsyncAck, respond: AsyncRespond, client: AsyncWebClient, body: dict[str, Any]
    ) -> None:
        await ack()
        user = body.get("user") or {}
        caller = caller_from(
            (body.get("team") or {}).get("id") or user.get("team_id"),
            user.get("id"),
            user.get("username") or user.get("name"),
        )
        message = body.get("message") or {}
        chat_channel_id = str((body.get("channel") or {}).get("id") or "")
        chat_message = _chat_message(chat_channel_id, message, message.get("ts"))
        if chat_message is None:
            await respond(
                text="I couldn't read that message. Record the post with `/duty posted`.",
                response_type="ephemeral",
            )
            return
        reply = await asyncio.to_thread(baton.message_post_form, caller, chat_message)
        await show(reply, respond, client, body.get("trigger_id"))

    @app.event("message")
    async def message(client: AsyncWebClient, event: dict[str, Any], body: dict[str, Any]) -> None:
        team_id = str(body.get("team_id") or "")
        chat_channel_id = str(event.get("channel") or "")
        subtype = event.get("subtype")
        event_id = str(body["event_id"]) if body.get("event_id") else None
        if subtype == "message_deleted":
            await asyncio.to_thread(
                baton.chat_message_deleted,
                PLATFORM,
                team_id,
                chat_channel_id,
                str(event.get("deleted_ts") or ""),
                event_id,
            )
            return
        if subtype == "message_changed":
            current = event.get("message") or {}
            if current.get("subtype") == "tombstone":  # a thread's first message, deleted
                await asyncio.to_thread(
                    baton.chat_message_deleted,
                    PLATFORM,
                    team_id,
                    chat_channel_id,
                    str(current.get("ts") or ""),
                    event_id,
                )
                return
            when = (current.get("edited") or {}).get("ts") or event.get("event_ts")
        else:
            current, when = event, event.get("ts")
        if not _by_a_person(current):
            return
        chat_message = _chat_message(
            chat_channel_id, current, when, edited=subtype == "message_changed"
        )
        if chat_message is None:
            return
        outcome = await asyncio.to_thread(
            baton.chat_message, PLATFORM, team_id, chat_message, event_id
        )
        await _mark(client, chat_channel_id, chat_message.message_id, outcome)
