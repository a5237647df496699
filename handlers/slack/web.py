"""Slack's Web API as Baton's Directory and Notifier (synchronous; called from worker threads)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.domain.model import Person, Workspace
from bot.messages import Attachment, Message
from bot.ports import DirectoryEntry, DirectoryUnavailableError, NotifyError
from handlers.slack.files import upload_to_person
from handlers.slack.render import blocks, fallback_text

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"


def web_client(token: str, api_url: str | None = None, timeout: int = 10) -> WebClient:
    """A Web API client that retries rate limits (honouring Retry-After), 5xx and resets."""
    client = WebClient(token=token, base_url=api_base(api_url), timeout=timeout)
    client.retry_handlers.extend(
        [RateLimitErrorRetryHandler(max_retry_count=3), ServerErrorRetryHandler(max_retry_count=2)]
    )
    if not any(isinstance(h, ConnectionErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(ConnectionErrorRetryHandler())
    return client


def api_base(api_url: str | None) -> str:
    url = api_url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


class SlackDirectory:
    """Looks people up with `users.info`."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def lookup(self, workspace: Workspace, external_id: str) -> DirectoryEntry | None:
        try:
            response = self._client.users_info(user=external_id)
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            if code in ("user_not_found", "user_not_visible"):
                return None
            raise DirectoryUnavailableError(f"users.info failed: {code}") from error
        except SlackClientError as error:
            raise DirectoryUnavailableError(f"users.info failed: {type(error).__name__}") from error
        del workspace
        return directory_entry(external_id, response.get("user") or {})


def directory_entry(external_id: str, user: Mapping[str, Any]) -> DirectoryEntry:
    """A Slack user object (from `users.info`, `team_join` or `user_change`) as Baton's
    directory entry. Admins and owners are coordinators; a deactivated account has left."""
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or external_id
    )
    return DirectoryEntry(
        external_id=external_id,
        display_name=str(name),
        handle=user.get("name"),
        timezone=user.get("tz"),
        platform_admin=bool(
            user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
        ),
        deleted=bool(user.get("deleted")),
        is_bot=bool(user.get("is_bot")),
    )


_CHAT_CHANNEL_ERRORS = {
    "not_in_channel": "Baton isn't in that channel yet; invite it there with `/invite @Baton`",
    "channel_not_found": (
        "there is no such channel, or it is a private one Baton isn't in; invite it there "
        "with `/invite @Baton` or choose another channel"
    ),
    "is_archived": "that channel is archived; choose another one",
}
"""Why Slack refused a post in a chat channel, in words that say what to do."""


class SlackNotifier:
    """Sends direct messages with `chat.postMessage` to the person's user id (their DM),
    posts in chat channels with it, and uploads files into a person's DM."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def send_direct(self, workspace: Workspace, person: Person, message: Message) -> None:
        del workspace
        try:
            self._client.chat_postMessage(
                channel=person.external_id, text=fallback_text(message), blocks=blocks(message)
            )
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            raise NotifyError(f"chat.postMessage: {code or 'failed'}") from error
        except SlackClientError as error:
            raise NotifyError(f"chat.postMessage: {type(error).__name__}") from error

    def send_to_chat_channel(
        self, workspace: Workspace, chat_channel_id: str, message: Message
    ) -> None:
        del workspace
        try:
            self._client.chat_postMessage(
                channel=chat_channel_id, text=fallback_text(message), blocks=blocks(message)
            )
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            reason = _CHAT_CHANNEL_ERRORS.get(str(code))
            raise NotifyError(
                reason or f"Slack refused it ({code or 'no reason given'})"
            ) from error
        except SlackClientError as error:
            raise NotifyError(f"chat.postMessage: {type(error).__name__}") from error

    def attaches_files(self, workspace: Workspace) -> bool:
        del workspace
        return True

    def send_files(
        self,
        workspace: Workspace,
        person: Person,
        message: Message,
        files: Sequence[Attachment],
    ) -> None:
        del workspace
        upload_to_person(self._client, person, message, files)
