"""The Slack side of Baton: a Bolt app and its aiohttp route."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Baton
from handlers.slack import commands, events, interactivity, members, watch
from handlers.slack.web import api_base

log = logging.getLogger(__name__)


def build_bolt_app(
    baton: Baton,
    *,
    bot_token: str,
    signing_secret: str | None,
    socket_mode: bool,
    api_url: str | None = None,
) -> AsyncApp:
    """A Bolt app answering Baton's commands.

    Over HTTP every request must carry Slack's signature, so a signing secret is required;
    in Socket Mode requests arrive over the app's own authenticated connection.
    """
    if not socket_mode and not signing_secret:
        raise ValueError("SLACK_SIGNING_SECRET is needed to verify Slack's requests in HTTP mode")
    client = AsyncWebClient(token=bot_token, base_url=api_base(api_url))
    client.retry_handlers.extend(
        [AsyncRateLimitErrorRetryHandler(max_retry_count=3), AsyncServerErrorRetryHandler()]
    )
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=not socket_mode,
        logger=logging.getLogger("baton.slack"),
    )
    events.register(app, baton)
    members.register(app, baton)
    commands.register(app, baton)
    interactivity.register(app, baton)
    watch.register(app, baton)
    return app


def add_routes(web_app: web.Application, bolt_app: AsyncApp) -> None:
    """Serve Slack's HTTP requests (commands, interactivity, events) at `/slack/events`."""

    async def events(request: web.Request) -> web.Response:
        bolt_response = await bolt_app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    web_app.router.add_post("/slack/events", events)
