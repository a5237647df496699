"""Reaching Teams on Baton's own initiative: proactive messages and member lookups over the
Bot Connector, through the Agents SDK adapter and the conversation references Baton keeps.

The Directory and Notifier ports are synchronous (services run in worker threads), so each
call runs its own short event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ClaimsIdentity, TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from pydantic import ValidationError

from bot.domain.model import Person, Workspace
from bot.messages import Attachment, Message
from bot.ports import DirectoryEntry, DirectoryUnavailableError, NotifyError
from bot.services.addresses import PERSON, AddressBook
from bot.services.context import Caller
from handlers.teams.render import activity_payload

log = logging.getLogger(__name__)

PLATFORM = "teams"
RETRIES = 3
MAX_WAIT = 30.0
"""Seconds: the longest Retry-After Baton waits out before giving up on a send."""

_T = TypeVar("_T")


class TeamsConnector:
    """The adapter's proactive side: continue a stored conversation, or start one."""

    def __init__(
        self,
        adapter: CloudAdapter,
        *,
        app_id: str | None,
        anonymous: bool,
        addresses: AddressBook,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id or ""
        self._anonymous = anonymous
        self._addresses = addresses
        self._sleep = sleep

    def _identity(self) -> ClaimsIdentity:
        if self._anonymous and not self._app_id:
            return ClaimsIdentity()
        return self._adapter.create_claims_identity(self._app_id)

    async def _in_conversation(
        self, reference: ConversationReference, work: Callable[[TurnContext], Awaitable[_T]]
    ) -> _T:
        """Run `work` in a turn continuing the referenced conversation."""
        results: list[_T] = []

        async def callback(context: TurnContext) -> None:
            results.append(await work(context))

        identity = self._identity()
        await self._adapter.continue_conversation_with_claims(
            identity,
            reference.get_continuation_activity(),
            callback,
            AuthenticationConstants.AGENTS_SDK_SCOPE,
        )
        if not results:
            raise NotifyError("Teams did not run the conversation turn")
        return results[0]

    async def _with_retries(self, what: str, attempt: Callable[[], Awaitable[_T]]) -> _T:
        """Retry rate limits (honouring Retry-After) and server errors, then give up with a
        reason."""
        for number in range(1, RETRIES + 1):
            try:
                return await attempt()
            except aiohttp.ClientResponseError as error:
                retryable = error.status == 429 or error.status >= 500
                if not retryable or number == RETRIES:
                    raise NotifyError(f"{what}: Teams answered {error.status}") from error
                await self._sleep(_wait(error, number))
            except (aiohttp.ClientError, TimeoutError) as error:
                if number == RETRIES:
                    raise NotifyError(f"{what}: {type(error).__name__}") from error
                await self._sleep(0.5 * 2**number)
        raise NotifyError(f"{what}: failed")  # pragma: no cover - the loop returns or raises

    async def send(self, address: str, payload: dict[str, Any]) -> None:
        """Send a message into the stored conversation."""
        reference = _reference(address)

        async def send_it(context: TurnContext) -> None:
            await context.send_activity(Activity.model_validate(payload))

        await self._with_retries("sending", lambda: self._in_conversation(reference, send_it))

    async def open_chat(self, team_address: str, user_id: str, tenant_id: str) -> str:
        """Start Baton's private chat with a member of a team it was added to; the new
        chat's address."""
        team = _reference(team_address)

        async def create(context: TurnContext) -> str:
            client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
            if client is None:
                raise NotifyError("no connector client for the team's conversation")
            parameters = ConversationParameters(
                is_group=False,
                agent=team.agent,
                members=[ChannelAccount(id=user_id)],
                tenant_id=tenant_id,
                channel_data={"tenant": {"id": tenant_id}},
            )
            created = await client.conversations.create_conversation(parameters)
            chat = team.model_copy(deep=True)
            chat.conversation = chat.conversation.model_copy(
                update={"id": created.id, "conversation_type": "personal", "is_group": False}
            )
            chat.user = ChannelAccount(id=user_id)
            chat.activity_id = None
            return chat.model_dump_json(by_alias=True, exclude_none=True)

        return await self._with_retries(
            "starting a private chat", lambda: self._in_conversation(team, create)
        )

    async def member(self, address: str, user_id: str) -> dict[str, Any] | None:
        """What Teams says about a member of the referenced conversation; None if they
        aren't in it."""
        reference = _reference(address)

        async def fetch(context: TurnContext) -> dict[str, Any] | None:
            client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
            if client is None:
                raise NotifyError("no connector client")
            async with client.client.get(  # type: ignore[attr-defined]
                f"v3/conversations/{reference.conversation.id}/members/{user_id}"
            ) as response:
                if response.status == 404:
                    return None
                response.raise_for_status()
                found: dict[str, Any] = await response.json()
                return found

        return await self._with_retries(
            "looking a member up", lambda: self._in_conversation(reference, fetch)
        )


def _wait(error: aiohttp.ClientResponseError, number: int) -> float:
    headers = error.headers
    retry_after = headers.get("Retry-After") if isinstance(headers, Mapping) else None
    if retry_after is not None:
        try:
            return min(MAX_WAIT, max(0.0, float(str(retry_after))))
        except ValueError:
            pass
    backoff: float = 0.5 * 2**number
    return min(MAX_WAIT, backoff)


def _reference(address: str) -> ConversationReference:
    try:
        return ConversationReference.model_validate_json(address)
    except ValidationError as error:
        raise NotifyError("the stored Teams conversation can't be read") from error


def _run(coroutine: Awaitable[_T]) -> _T:
    async def wrapped() -> _T:
        return await coroutine

    return asyncio.run(wrapped())


class TeamsNotifier:
    """Direct messages in each person's private chat with Baton; chats are started through a
    team Baton was added to when there is none yet."""

    def __init__(self, connector: TeamsConnector, addresses: AddressBook) -> None:
        self._connector = connector
        self._addresses = addresses

    def send_direct(self, workspace: Workspace, person: Person, message: Message) -> None:
        address = self._addresses.person(workspace, person.external_id) or self._open_chat(
            workspace, person
        )
        _run(self._connector.send(address, activity_payload(message)))

    def _open_chat(self, workspace: Workspace, person: Person) -> str:
        for team in self._addresses.teams(workspace):
            try:
                address = _run(
                    self._connector.open_chat(team, person.external_id, workspace.external_id)
                )
            except NotifyError as error:
                log.warning("could not start a private chat through a team: %s", error.reason)
                continue
            self._addresses.remember(
                Caller(PLATFORM, workspace.external_id, person.external_id),
                PERSON + person.external_id,
                address,
            )
            return address
        raise NotifyError(
            f"Baton can't reach {person.display_name} in Teams yet: they need to open a chat "
            "with Baton (Apps → Baton), or add Baton to a team they are in"
        )

    def send_to_chat_channel(
        self, workspace: Workspace, chat_channel_id: str, message: Message
    ) -> None:
        teams = self._addresses.teams(workspace)
        if not teams:
            raise NotifyError(
                "Baton hasn't been added to a team yet, so it can't post in a channel"
            )
        reference = _reference(teams[0]).model_copy(deep=True)
        reference.conversation = reference.conversation.model_copy(
            update={"id": chat_channel_id, "conversation_type": "channel", "is_group": True}
        )
        reference.activity_id = None
        _run(
            self._connector.send(
                reference.model_dump_json(by_alias=True, exclude_none=True),
                activity_payload(message),
            )
        )

    def attaches_files(self, workspace: Workspace) -> bool:
        """Teams bots can't simply attach a file to a message (only through a consent card
        and the person's OneDrive), so Baton gives a download link instead."""
        del workspace
        return False

    def send_files(
        self,
        workspace: Workspace,
        person: Person,
        message: Message,
        files: Sequence[Attachment],
    ) -> None:
        del workspace, message, files
        raise NotifyError(
            f"Teams bots can't attach files to a message to {person.display_name}; Baton "
            "gives a download link instead"
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """What the activity being handled tells about where people can be looked up: its
    conversations (its chat, and its team), and the sender's timezone from their client."""

    places: tuple[str, ...] = ()
    sender_id: str | None = None
    sender_timezone: str | None = None


TURN: ContextVar[Turn | None] = ContextVar("teams_turn", default=None)


class TeamsDirectory:
    """Looks people up in the conversations of the activity being handled: the private
    chat it came from, or the team of the channel it was said in."""

    def __init__(self, connector: TeamsConnector) -> None:
        self._connector = connector

    def lookup(self, workspace: Workspace, external_id: str) -> DirectoryEntry | None:
        del workspace
        turn = TURN.get()
        if turn is None or not turn.places:
            raise DirectoryUnavailableError("no Teams conversation to look people up in")
        for address in turn.places:
            try:
                member = _run(self._connector.member(address, external_id))
            except NotifyError as error:
                raise DirectoryUnavailableError(f"Teams member lookup: {error.reason}") from error
            if member is not None:
                zone = turn.sender_timezone if external_id == turn.sender_id else None
                return _entry(external_id, member, zone)
        return None


def _entry(external_id: str, member: dict[str, Any], timezone: str | None) -> DirectoryEntry:
    name = (
        member.get("name")
        or " ".join(p for p in (member.get("givenName"), member.get("surname")) if p)
        or external_id
    )
    upn = member.get("userPrincipalName") or member.get("email")
    handle = str(upn).split("@", 1)[0] if upn else None
    return DirectoryEntry(
        external_id=external_id,
        display_name=str(name),
        handle=handle,
        timezone=timezone,
        platform_admin=False,
        deleted=False,
        is_bot=str(member.get("role", "")).lower() == "bot",
    )
