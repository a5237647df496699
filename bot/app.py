"""The composition root: builds Baton from its settings and serves it."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from microsoft_agents.hosting.aiohttp import CloudAdapter
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy import Engine

from bot.clock import FixedClock, SystemClock
from bot.domain.model import Person, Workspace
from bot.jobs import Job, jobs
from bot.messages import Attachment, Message
from bot.ports import (
    Clock,
    Directory,
    DirectoryEntry,
    DirectoryUnavailableError,
    Notifier,
    NotifyError,
    UnitOfWorkFactory,
)
from bot.services import Baton
from bot.services.addresses import AddressBook
from bot.services.feeds import FeedWatch
from bot.services.scheduled import ScheduledWork
from bot.settings import Settings
from handlers import about, links
from handlers.feeds import HttpxFeedReader
from handlers.local import demo
from handlers.local import web as playground_web
from handlers.local.chat import LocalDirectory, LocalNotifier
from handlers.local.playground import PLATFORM as PLAYGROUND_PLATFORM
from handlers.local.playground import Playground, to_minute
from handlers.slack.app import add_routes, build_bolt_app
from handlers.slack.commands import PLATFORM as SLACK_PLATFORM
from handlers.slack.web import SlackDirectory, SlackNotifier, web_client
from handlers.teams import app as teams_app
from handlers.teams.app import TeamsAuth, TeamsBot, build_adapter
from handlers.teams.connector import PLATFORM as TEAMS_PLATFORM
from handlers.teams.connector import TeamsConnector, TeamsDirectory, TeamsNotifier
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for, database_url

log = logging.getLogger("baton")

BOLT_APP = web.AppKey("bolt_app", AsyncApp)


class PlatformRouter:
    """The Directory and Notifier of every chat platform Baton serves, each workspace's
    calls going to its own platform's."""

    def __init__(self, directories: dict[str, Directory], notifiers: dict[str, Notifier]) -> None:
        self._directories = directories
        self._notifiers = notifiers

    def lookup(self, workspace: Workspace, external_id: str) -> DirectoryEntry | None:
        directory = self._directories.get(workspace.platform)
        if directory is None:
            raise DirectoryUnavailableError(f"Baton is not serving {workspace.platform} now")
        return directory.lookup(workspace, external_id)

    def _notifier(self, workspace: Workspace) -> Notifier:
        notifier = self._notifiers.get(workspace.platform)
        if notifier is None:
            raise NotifyError(f"Baton is not serving {workspace.platform} now")
        return notifier

    def send_direct(self, workspace: Workspace, person: Person, message: Message) -> None:
        self._notifier(workspace).send_direct(workspace, person, message)

    def send_to_chat_channel(
        self, workspace: Workspace, chat_channel_id: str, message: Message
    ) -> None:
        self._notifier(workspace).send_to_chat_channel(workspace, chat_channel_id, message)

    def attaches_files(self, workspace: Workspace) -> bool:
        return self._notifier(workspace).attaches_files(workspace)

    def send_files(
        self,
        workspace: Workspace,
        person: Person,
        message: Message,
        files: Sequence[Attachment],
    ) -> None:
        self._notifier(workspace).send_files(workspace, person, message, files)


@dataclass
class TeamsParts:
    """What serving Teams needs: the SDK's adapter, the agent, and how requests are checked."""

    adapter: CloudAdapter
    bot: TeamsBot
    auth: TeamsAuth


@dataclass
class WebAddress:
    """Where people reach Baton's web server, for the links it gives out: BATON_PUBLIC_URL,
    or the playground's own address once it listens."""

    url: str | None = None

    def base_url(self) -> str | None:
        return self.url


@dataclass
class Parts:
    """Baton assembled from its settings: the use cases and the scheduled jobs."""

    baton: Baton
    jobs: dict[str, Job]
    clock: Clock
    engine: Engine
    teams: TeamsParts | None = None
    address: WebAddress = field(default_factory=WebAddress)


def build_parts(settings: Settings, clock: Clock | None = None) -> Parts:
    """Storage, each configured chat platform's clients, and the services over them."""
    if not settings.slack and not settings.teams:
        raise ValueError("no chat platform is configured (SLACK_BOT_TOKEN or TEAMS_APP_ID)")
    engine = create_engine_for(settings.database_url)
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    clock = clock or SystemClock()
    directories: dict[str, Directory] = {}
    notifiers: dict[str, Notifier] = {}
    if settings.slack_bot_token is not None:
        client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
        directories[SLACK_PLATFORM] = SlackDirectory(client)
        notifiers[SLACK_PLATFORM] = SlackNotifier(client)
    teams: TeamsParts | None = None
    addresses = AddressBook(uow_factory=uow_factory, clock=clock)
    if settings.teams:
        auth = TeamsAuth(
            app_id=settings.teams_app_id,
            app_password=(
                settings.teams_app_password.get_secret_value()
                if settings.teams_app_password is not None
                else None
            ),
            tenant_id=settings.teams_tenant_id,
            anonymous=settings.teams_allow_anonymous,
        )
        adapter = build_adapter(auth)
        connector = TeamsConnector(
            adapter, app_id=auth.app_id, anonymous=auth.anonymous, addresses=addresses
        )
        directories[TEAMS_PLATFORM] = TeamsDirectory(connector)
        notifiers[TEAMS_PLATFORM] = TeamsNotifier(connector, addresses)
    router = PlatformRouter(directories, notifiers)
    reader = HttpxFeedReader()
    address = WebAddress(settings.public_url)
    baton = Baton(
        uow_factory=uow_factory,
        clock=clock,
        directory=router,
        notifier=router,
        coordinators=settings.coordinators,
        feeds=reader,
        public_address=address,
        watch_channel=settings.watch_channel,
    )
    if settings.teams:
        teams = TeamsParts(adapter=adapter, bot=TeamsBot(baton, addresses, connector), auth=auth)
    work = ScheduledWork(
        uow_factory=uow_factory, notifier=router, coordinators=settings.coordinators
    )
    watch = FeedWatch(
        uow_factory=uow_factory,
        reader=reader,
        notifier=router,
        coordinators=settings.coordinators,
    )
    return Parts(
        baton=baton,
        jobs=jobs(work, watch),
        clock=clock,
        engine=engine,
        teams=teams,
        address=address,
    )


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
    web_app = web.Application()
    web_app.router.add_get("/healthz", healthz)
    about.add_routes(web_app)
    links.add_routes(web_app, parts.baton)
    if parts.teams is not None:
        teams_app.add_routes(web_app, parts.teams.adapter, parts.teams.bot, parts.teams.auth)
    if settings.slack_bot_token is None:
        return web_app
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
    elif settings.slack:
        log.info("Slack: HTTP mode at /slack/events")
    if parts.teams is not None:
        log.info(
            "Teams: /api/messages%s",
            " (TEAMS_ALLOW_ANONYMOUS: requests are not checked)"
            if settings.teams_allow_anonymous
            else "",
        )
    if settings.run_jobs:
        running.scheduler = start_scheduler(parts)
        log.info("scheduled jobs: %s", ", ".join(parts.jobs))
    log.info("Baton is listening on http://%s:%d", settings.host, port)
    return running


class PlaygroundUnavailableError(Exception):
    """The playground can't start on this database; the message says what to do."""


class SqlDemoStore:
    """The playground's view of the database: whether the demo is there, and wiping it.

    Only a SQLite file that holds nothing but the playground's workspace is wiped (deleted
    and migrated afresh); any other database is left alone, with a sentence saying why.
    """

    def __init__(self, url: str, engine: Engine, uow_factory: UnitOfWorkFactory) -> None:
        self._url = url
        self._engine = engine
        self._uow_factory = uow_factory
        parsed = database_url(url)
        name = parsed.database or ""
        own_file = (
            parsed.get_backend_name() == "sqlite"
            and name not in ("", ":memory:")
            and not name.startswith("file:")
            and parsed.query.get("mode") != "memory"
        )
        self._file = Path(name) if own_file else None
        self._backend = parsed.get_backend_name()

    @property
    def clock_file(self) -> Path | None:
        """Beside the SQLite file: `baton.db.playground-clock`."""
        if self._file is None:
            return None
        return self._file.with_name(self._file.name + ".playground-clock")

    def has_workspace(self, platform: str, external_id: str) -> bool:
        with self._uow_factory() as uow:
            return uow.workspaces.get_by_external_id(platform, external_id) is not None

    def other_platforms(self) -> list[str]:
        """The chat platforms (other than the playground) with workspaces in the database."""
        with self._uow_factory() as uow:
            workspaces = uow.workspaces.all()
        return sorted({w.platform for w in workspaces if w.platform != PLAYGROUND_PLATFORM})

    def departed(self, platform: str, external_id: str) -> set[str]:
        with self._uow_factory() as uow:
            workspace = uow.workspaces.get_by_external_id(platform, external_id)
            if workspace is None:
                return set()
            return {p.external_id for p in uow.people.everyone(workspace.id) if p.deleted}

    def wipe(self) -> str | None:
        if self._file is None:
            what = "an in-memory SQLite" if self._backend == "sqlite" else f"a {self._backend}"
            return (
                "Reset starts the demo afresh by deleting the playground's own SQLite file, "
                f"and DATABASE_URL points at {what} database instead, so I've left it alone. "
                "To be able to reset, set DATABASE_URL=sqlite:///playground.db and restart."
            )
        others = self.other_platforms()
        if others:
            return (
                f"This database also holds {', '.join(others)} records, so I won't delete it. "
                "Give the playground a file of its own: DATABASE_URL=sqlite:///playground.db."
            )
        self._engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal", ".playground-clock"):
            self._file.with_name(self._file.name + suffix).unlink(missing_ok=True)
        upgrade(self._url)
        return None


def build_playground(settings: Settings, real_clock: Clock) -> tuple[Parts, Playground]:
    """The demo library: the real services over the database, with the playground's own
    directory, notifier and clock."""
    engine = create_engine_for(settings.database_url)
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    clock = FixedClock(to_minute(real_clock.now()))
    directory = LocalDirectory(member.entry for member in demo.STAFF)
    notifier = LocalNotifier(clock, demo.CHAT_CHANNELS)
    reader = HttpxFeedReader()
    address = WebAddress(settings.public_url)
    baton = Baton(
        uow_factory=uow_factory,
        clock=clock,
        directory=directory,
        notifier=notifier,
        feeds=reader,
        public_address=address,
    )
    work = ScheduledWork(uow_factory=uow_factory, notifier=notifier)
    watch = FeedWatch(uow_factory=uow_factory, reader=reader, notifier=notifier)
    parts = Parts(baton=baton, jobs=jobs(work, watch), clock=clock, engine=engine, address=address)
    store = SqlDemoStore(settings.database_url, engine, uow_factory)
    playground = Playground(
        baton=baton,
        jobs=parts.jobs,
        clock=clock,
        real_clock=real_clock,
        notifier=notifier,
        directory=directory,
        store=store,
    )
    others = store.other_platforms()
    if others:
        engine.dispose()
        raise PlaygroundUnavailableError(
            f"DATABASE_URL holds {', '.join(others)} records, and the playground's clock would "
            "run their scheduled jobs at made-up times. Give the playground a database of its "
            "own (DATABASE_URL=sqlite:///playground.db), or set the Slack settings to serve "
            "Slack."
        )
    return parts, playground


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reachable_host(host: str) -> str:
    """How a browser on this machine names a host the server listens on."""
    if _is_loopback(host) or host in ("", "0.0.0.0", "::"):  # noqa: S104 - only compared
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


async def start_playground(settings: Settings, clock: Clock | None = None) -> Running:
    """Serve the local playground on BATON_HOST:BATON_PORT: the demo library (seeded on
    first run), its page and its API. `clock` is the real time (the demo starts there);
    no scheduler runs, as the page's clock controls run the jobs."""
    parts, playground = build_playground(settings, clock or SystemClock())
    try:
        if await asyncio.to_thread(playground.ensure_demo):
            log.info("playground: seeded the demo library (%s)", demo.WORKSPACE_NAME)
        web_app = web.Application()
        web_app.router.add_get("/healthz", healthz)
        playground_web.add_routes(web_app, playground)
        links.add_routes(web_app, parts.baton)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
    except BaseException:
        parts.engine.dispose()
        raise
    port = int(runner.addresses[0][1]) if runner.addresses else settings.port
    if parts.address.url is None:
        parts.address.url = f"http://{_reachable_host(settings.host)}:{port}"
    if not _is_loopback(settings.host):
        log.warning(
            "the playground has no sign-in: anyone who can reach %s:%d can act as any of "
            "its staff. Keep BATON_HOST=127.0.0.1 unless that is what you want.",
            settings.host,
            port,
        )
    log.info(
        "Baton's playground is listening on http://%s:%d/ (open it in a browser)",
        settings.host,
        port,
    )
    return Running(runner=runner, port=port, parts=parts)


async def serve_forever(settings: Settings) -> None:
    running = await (start_playground(settings) if settings.playground else start(settings))
    try:
        await asyncio.Event().wait()
    finally:
        await running.stop()
