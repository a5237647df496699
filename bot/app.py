"""The composition root: builds Baton from its settings and serves it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.clock import SystemClock
from bot.ports import Clock
from bot.services import Baton
from bot.settings import Settings
from handlers.slack.app import add_routes, build_bolt_app
from handlers.slack.web import SlackDirectory, SlackNotifier, web_client
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for

log = logging.getLogger("baton")

BOLT_APP = web.AppKey("bolt_app", AsyncApp)


@dataclass
class Running:
    """A started server: its address and how to stop it."""

    runner: web.AppRunner
    port: int
    socket_mode: AsyncSocketModeHandler | None = None

    async def stop(self) -> None:
        if self.socket_mode is not None:
            await self.socket_mode.close_async()  # type: ignore[no-untyped-call]
        await self.runner.cleanup()


async def healthz(request: web.Request) -> web.Response:
    del request
    return web.json_response({"status": "ok"})


def build_web_app(settings: Settings, clock: Clock | None = None) -> tuple[web.Application, Baton]:
    """The aiohttp application with every route Baton serves."""
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    engine = create_engine_for(settings.database_url)
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    baton = Baton(
        uow_factory=SqlAlchemyUnitOfWorkFactory(engine),
        clock=clock or SystemClock(),
        directory=SlackDirectory(client),
        notifier=SlackNotifier(client),
        coordinators=settings.coordinators,
    )
    web_app = web.Application()
    web_app.router.add_get("/healthz", healthz)
    bolt_app = build_bolt_app(
        baton,
        bot_token=settings.slack_bot_token.get_secret_value(),
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret is not None
            else None
        ),
        socket_mode=settings.slack_socket_mode,
        api_url=settings.slack_api_url,
    )
    web_app[BOLT_APP] = bolt_app
    if not settings.slack_socket_mode:
        add_routes(web_app, bolt_app)

    async def dispose(app: web.Application) -> None:
        del app
        engine.dispose()

    web_app.on_cleanup.append(dispose)
    return web_app, baton


async def start(settings: Settings, clock: Clock | None = None) -> Running:
    """Start serving on BATON_HOST:BATON_PORT (port 0 picks a free one)."""
    web_app, _ = build_web_app(settings, clock)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    port = int(runner.addresses[0][1]) if runner.addresses else settings.port
    running = Running(runner=runner, port=port)
    if settings.slack_socket_mode and settings.slack_app_token is not None:
        running.socket_mode = AsyncSocketModeHandler(
            web_app[BOLT_APP], settings.slack_app_token.get_secret_value()
        )
        await running.socket_mode.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack: Socket Mode")
    else:
        log.info("Slack: HTTP mode at /slack/events")
    log.info("Baton is listening on http://%s:%d", settings.host, port)
    return running


async def serve_forever(settings: Settings) -> None:
    running = await start(settings)
    try:
        await asyncio.Event().wait()
    finally:
        await running.stop()
