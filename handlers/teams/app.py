"""The Teams side of Baton: an Agents SDK agent at `/api/messages`.

Commands arrive as messages to the bot (its private chat, or an @mention in a team
channel), with or without the leading `duty`. Card buttons and forms come back as
messages carrying the card's data. Every conversation Baton sees is remembered, so that
handoffs, reminders and digests can reach people later.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import warnings
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import web
from aiohttp.typedefs import Handler
from microsoft_agents.activity import Activity, ActivityTypes, ConversationReference
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    ChannelServiceClientFactoryBase,
    OutboundHostValidator,
    RestChannelServiceClientFactory,
    TurnContext,
)
from microsoft_agents.hosting.core.authorization import AuthTypes, Connections

from bot.messages import Message, Reply
from bot.ports import NotifyError
from bot.services import SORRY, Baton, Caller
from bot.services.addresses import PERSON, TEAM, AddressBook
from handlers.teams.connector import PLATFORM, TURN, TeamsConnector, Turn
from handlers.teams.render import FORM, PRESS, activity_payload

log = logging.getLogger(__name__)

# The SDK keeps its request's identity under a plain string key; that is its business.
warnings.filterwarnings(
    "ignore", message="It is recommended to use web.RequestKey", module=r"microsoft_agents\."
)

PRIVATE_ANSWER = Message.say("I've answered you in our private chat.")
NO_PRIVATE_CHAT = Message.say(
    "I couldn't answer you privately. Open a chat with Baton (Apps → Baton) and send your "
    "command there."
)
TEAM_WELCOME = Message.say(
    "Hello, team! I'm Baton: I share the library's social-media posting duty fairly and "
    "nudge whoever is on duty when a channel goes quiet. Mention me with a command, like "
    "`@Baton join` or `@Baton help`; I answer each of you in a private chat."
)
WELCOME = Message.say(
    "Hello! I'm Baton: I share the library's social-media posting duty fairly. "
    "Send me `help` to see what I can do, or `join` to go on the rota."
)


@dataclass(frozen=True, slots=True)
class TeamsAuth:
    """How Baton proves itself to Teams and checks that requests come from it."""

    app_id: str | None
    app_password: str | None
    tenant_id: str | None
    anonymous: bool

    def configuration(self) -> AgentAuthConfiguration:
        return AgentAuthConfiguration(
            auth_type=AuthTypes.client_secret,
            client_id=self.app_id,
            tenant_id=self.tenant_id,
            client_secret=self.app_password,
            anonymous_allowed=self.anonymous,
        )


class _NoConnections(Connections):
    """For anonymous local testing only: outbound calls carry no token."""

    def get_connection(self, connection_name: str | None) -> Any:
        del connection_name
        raise ValueError("Teams credentials are not configured")

    def get_default_connection(self) -> Any:
        raise ValueError("Teams credentials are not configured")

    def get_token_provider(self, claims_identity: Any, service_url: str) -> Any:
        del claims_identity, service_url
        raise ValueError("Teams credentials are not configured")

    def get_token_provider_from_activity(self, claims_identity: Any, activity: Any) -> Any:
        del claims_identity, activity
        raise ValueError("Teams credentials are not configured")

    def get_default_connection_configuration(self) -> Any:
        return AgentAuthConfiguration(anonymous_allowed=True)


def build_adapter(auth: TeamsAuth) -> CloudAdapter:
    """The SDK's adapter: Entra ID client credentials for outbound calls, or none at all
    when anonymous testing is switched on and no app id is set."""
    factory: ChannelServiceClientFactoryBase
    if auth.app_id and auth.app_password:
        from microsoft_agents.authentication.msal import MsalConnectionManager

        connections = MsalConnectionManager(
            connections_configurations={"SERVICE_CONNECTION": auth.configuration()}
        )
        factory = RestChannelServiceClientFactory(connections)
    else:
        factory = RestChannelServiceClientFactory(_NoConnections())
        # Without an app id the SDK warns on every turn that some operations need one.
        logging.getLogger(
            "microsoft_agents.hosting.core.connector.client.user_token_client"
        ).setLevel(logging.ERROR)
    # With real credentials, Baton only ever sends to Microsoft's own Bot Connector hosts,
    # whatever service URL an activity names.
    validator = OutboundHostValidator(enabled=not auth.anonymous)
    adapter = CloudAdapter(channel_service_client_factory=factory, host_validator=validator)

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        del context
        raise error

    adapter.on_turn_error = on_turn_error
    return adapter


_AT = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)


def command_text(activity: Activity) -> str:
    """The words of a command: the bot's own @mention removed, other people's mentions as
    `<@id|name>` (and channels' as `<#id|name>`), which the command parser understands."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for mention in activity.get_mentions():
        said = mention.text or ""
        who = mention.mentioned
        if not said or who is None or not who.id:
            continue
        if who.id == bot_id:
            replacement = " "
        elif who.id.startswith("19:"):
            replacement = f"<#{who.id}|{_name(said)}>"
        else:
            replacement = f"<@{who.id}|{_name(said)}>"
        text = text.replace(said, replacement, 1)
    text = _AT.sub(lambda m: m.group(1), text)
    return html.unescape(text).replace("\xa0", " ").strip()


def _name(said: str) -> str:
    match = _AT.fullmatch(said.strip())
    name = match.group(1) if match else said
    return re.sub(r"[<>|]", "", name).strip()


def caller_from(activity: Activity) -> Caller | None:
    """Who is asking, as Teams names them; None when the activity names no tenant or user."""
    tenant = _tenant(activity)
    user = activity.from_property
    if not tenant or user is None or not user.id:
        return None
    return Caller(
        platform=PLATFORM,
        workspace_external_id=tenant,
        user_external_id=user.id,
        user_name=user.name or "",
    )


def _tenant(activity: Activity) -> str | None:
    if activity.conversation is not None and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    data = activity.channel_data
    tenant = (data or {}).get("tenant") if isinstance(data, dict) else None
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"])
    return None


def _team_id(activity: Activity) -> str | None:
    data = activity.channel_data
    team = (data or {}).get("team") if isinstance(data, dict) else None
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    return None


def _client_timezone(activity: Activity) -> str | None:
    """The IANA timezone the sender's Teams client reports, if any."""
    for entity in activity.entities or []:
        data = entity.model_dump(by_alias=True) if hasattr(entity, "model_dump") else entity
        if isinstance(data, dict) and data.get("type") == "clientInfo":
            zone = data.get("timezone")
            if isinstance(zone, str) and zone:
                return zone
    return None


def _is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    if conversation is None:
        return False
    kind = (conversation.conversation_type or "").lower()
    return kind == "personal" or (not kind and not conversation.is_group)


def _address(reference: ConversationReference) -> str:
    return reference.model_dump_json(by_alias=True, exclude_none=True)


def reference_json(activity: Activity, team_id: str) -> str:
    """The address of a team (its General channel's conversation), from an activity in it."""
    team = activity.get_conversation_reference()
    team.activity_id = None
    team.conversation = team.conversation.model_copy(
        update={"id": team_id, "conversation_type": "channel", "is_group": True}
    )
    return _address(team)


class TeamsBot:
    """Baton as an Agents SDK agent: one turn per activity Teams sends."""

    def __init__(self, baton: Baton, addresses: AddressBook, connector: TeamsConnector) -> None:
        self._baton = baton
        self._addresses = addresses
        self._connector = connector

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        caller = caller_from(activity)
        if caller is None:
            log.info("ignoring a Teams %s activity with no tenant or user", activity.type)
            return
        await asyncio.to_thread(self._remember_conversation, caller, activity)
        if activity.type == ActivityTypes.conversation_update:
            await self._welcome(context)
        elif activity.type == ActivityTypes.message:
            await self._message(context, caller)

    def _remember_conversation(self, caller: Caller, activity: Activity) -> None:
        reference = activity.get_conversation_reference()
        reference.activity_id = None
        if _is_personal(activity):
            self._addresses.remember(caller, PERSON + caller.user_external_id, _address(reference))
        team_id = _team_id(activity)
        if team_id is not None:
            self._addresses.remember(caller, TEAM + team_id, reference_json(activity, team_id))

    async def _welcome(self, context: TurnContext) -> None:
        """Say hello when Baton is added to a chat or team. Members added or removed are
        left alone: someone removed from a team has not left the organisation, and Teams
        says nothing to bots when an account is disabled."""
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m.id for m in activity.members_added or []]
        if bot_id not in added:
            return
        welcome = WELCOME if _is_personal(activity) else TEAM_WELCOME
        await context.send_activity(Activity.model_validate(activity_payload(welcome)))

    async def _message(self, context: TurnContext, caller: Caller) -> None:
        activity = context.activity
        conversation = activity.conversation.id if activity.conversation else ""
        if activity.id and not await asyncio.to_thread(
            self._baton.first_time, PLATFORM, f"{conversation}:{activity.id}"
        ):
            return
        try:
            reply = await asyncio.to_thread(self._answer, caller, activity)
        except Exception:
            log.exception("a Teams message failed")
            reply = SORRY
        if _is_personal(activity):
            await context.send_activity(Activity.model_validate(activity_payload(reply)))
            return
        privately = await self._tell_privately(caller, activity, reply)
        await context.send_activity(
            Activity.model_validate(
                activity_payload(PRIVATE_ANSWER if privately else NO_PRIVATE_CHAT)
            )
        )

    async def _tell_privately(self, caller: Caller, activity: Activity, reply: Reply) -> bool:
        """Answer a command said in a channel in the person's private chat with Baton (started
        through the team when there is none yet); False if that couldn't be done."""
        address = await asyncio.to_thread(self._addresses.of_caller, caller)
        try:
            if address is None:
                team_id = _team_id(activity)
                team = reference_json(activity, team_id) if team_id else None
                if team is None:
                    return False
                address = await self._connector.open_chat(
                    team, caller.user_external_id, caller.workspace_external_id
                )
                await asyncio.to_thread(
                    self._addresses.remember, caller, PERSON + caller.user_external_id, address
                )
            await self._connector.send(address, activity_payload(reply))
        except NotifyError as error:
            log.warning("could not answer a Teams user privately: %s", error.reason)
            return False
        return True

    def _answer(self, caller: Caller, activity: Activity) -> Reply:
        reference = activity.get_conversation_reference()
        reference.activity_id = None
        places = [_address(reference)]
        team_id = _team_id(activity)
        if team_id is not None:
            places.append(reference_json(activity, team_id))
        turn = Turn(tuple(places), caller.user_external_id, _client_timezone(activity))
        token = TURN.set(turn)
        try:
            return self._reply(caller, activity)
        finally:
            TURN.reset(token)

    def _reply(self, caller: Caller, activity: Activity) -> Reply:
        value = activity.value if isinstance(activity.value, dict) else None
        if value is not None and value.get("baton") == PRESS:
            return self._baton.press(
                caller, str(value.get("action", "")), str(value.get("value", ""))
            )
        if value is not None and value.get("baton") == FORM:
            answers = {
                str(k): "" if v is None else str(v)
                for k, v in value.items()
                if k not in ("baton", "form", "submission")
            }
            submission = value.get("submission")
            return self._baton.submit(
                caller,
                str(value.get("form", "")),
                answers,
                f"teams:{submission}" if submission else None,
            )
        return self._baton.run_command(caller, command_text(activity))


def add_routes(
    web_app: web.Application, adapter: CloudAdapter, bot: TeamsBot, auth: TeamsAuth
) -> None:
    """Serve Teams at `/api/messages`; every request's token is checked unless anonymous
    testing is switched on."""
    # The SDK's token check reads its configuration from this plain key.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        web_app["agent_configuration"] = auth.configuration()

    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            response = await adapter.process(request, bot)
        except Exception:
            log.exception("a Teams activity could not be processed")
            return web.json_response({"error": "Baton could not process the activity"}, status=500)
        return response if response is not None else web.Response(status=202)

    checked = cast(Handler, jwt_authorization_decorator(messages))  # type: ignore[no-untyped-call]
    web_app.router.add_post("/api/messages", checked)
