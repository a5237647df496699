"""The composition root: builds Baton from its settings and serves it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy import Engine

from bot.clock import SystemClock
from bot.jobs import Job, jobs
from bot.ports import Clock
from bot.services import Baton
from bot.services.scheduled import ScheduledWork
from bot.settings import Settings
from handlers.slack.app import add_routes, build_bolt_app
from handlers.slack.web import SlackDirectory, SlackNotifier, web_client
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for

log = logging.getLogger("baton")

BOLT_APP = web.AppKey("bolt_app", AsyncApp)


@dataclass
class Parts:
    """Baton assembled from its settings: the use cases and the scheduled jobs."""

    baton: Baton
    jobs: dict[str, Job]
    clock: Clock
    engine: Engine


def build_parts(settings: Settings, clock: Clock | None = None) -> Parts:
    """Storage, the Slack Web API client, and the services over them."""
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    engine = create_engine_for(settings.database_url)
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    notifier = SlackNotifier(client)
    clock = clock or SystemClock()
    baton = Baton(
        uow_factory=uow_factory,
        clock=clock,
        directory=SlackDirectory(client),
        notifier=notifier,
        coordinators=settings.coordinators,
    )
    work = ScheduledWork(
        uow_factory=uow_factory, notifier=notifier, coordinators=settings.coordinators
    )
    return Parts(baton=baton, jobs=jobs(work), clock=clock, engine=engine)


@dataclass
class Running:
    """A started server: its address, its jobs, and how to stop it."""

    runner: web.AppRunner
    port: int
    parts: Parts
    socket_mode: AsyncSocketModeHandler | None = None
    scheduler: AsyncIOScheduler | None = None

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self.socket_mode is not None:
            await self.socket_mode.close_async()  # type: ignore[no-untyped-call]
        await self.runner.cleanup()
        self.parts.engine.dispose()


async def healthz(request: web.Request) -> web.Response:
    del request
    return web.json_response({"status": "ok"})


def build_web_app(settings: Settings, parts: Parts) -> web.Application:
    """The aiohttp application with every route Baton serves."""
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    web_app = web.Application()
    web_app.router.add_get("/healthz", healthz)
    bolt_app = build_bolt_app(
        parts.baton,
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
    return web_app


async def run_job(job: Job, clock: Clock) -> None:
    """One tick of a job, in a worker thread; a failure is logged and the next tick retries."""
    try:
        sent = await asyncio.to_thread(job.run, clock.now())
    except Exception:
        log.exception("job %s failed; it runs again at its next tick", job.name)
        return
    if sent:
        log.info("job %s sent %d messages", job.name, sent)


def start_scheduler(parts: Parts) -> AsyncIOScheduler:
    """Trigger every job at its interval, starting now (which catches up after downtime)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in parts.jobs.values():
        scheduler.add_job(
            run_job,
            "interval",
            seconds=job.every.total_seconds(),
            args=[job, parts.clock],
            id=job.name,
            next_run_time=parts.clock.now(),
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    return scheduler


async def start(settings: Settings, clock: Clock | None = None) -> Running:
    """Start serving on BATON_HOST:BATON_PORT (port 0 picks a free one)."""
    parts = build_parts(settings, clock)
    web_app = build_web_app(settings, parts)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    port = int(runner.addresses[0][1]) if runner.addresses else settings.port
    running = Running(runner=runner, port=port, parts=parts)
    if settings.slack_socket_mode and settings.slack_app_token is not None:
        running.socket_mode = AsyncSocketModeHandler(
            web_app[BOLT_APP], settings.slack_app_token.get_secret_value()
        )
        await running.socket_mode.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack: Socket Mode")
    else:
        log.info("Slack: HTTP mode at /slack/events")
    if settings.run_jobs:
        running.scheduler = start_scheduler(parts)
        log.info("scheduled jobs: %s", ", ".join(parts.jobs))
    log.info("Baton is listening on http://%s:%d", settings.host, port)
    return running


async def serve_forever(settings: Settings) -> None:
    running = await start(settings)
    try:
        await asyncio.Event().wait()
    finally:
        await running.stop()
