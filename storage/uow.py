"""The unit of work: one SQLAlchemy session and transaction over every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.ports import (
    AddressRepository,
    AwayRepository,
    ChannelRepository,
    ClosureRepository,
    ConflictError,
    DeliveryRepository,
    DigestSettingsRepository,
    EventRepository,
    FeedRepository,
    MembershipRepository,
    PersonRepository,
    PostRepository,
    PrivateLinkRepository,
    RecordRepository,
    ReminderRepository,
    RotaRepository,
    ShiftRepository,
    SwapRepository,
    WorkspaceRepository,
)
from storage.feeds import SqlAlchemyFeedRepository
from storage.records import SqlAlchemyRecordRepository
from storage.repositories import (
    SqlAlchemyAddressRepository,
    SqlAlchemyAwayRepository,
    SqlAlchemyChannelRepository,
    SqlAlchemyClosureRepository,
    SqlAlchemyDeliveryRepository,
    SqlAlchemyDigestSettingsRepository,
    SqlAlchemyEventRepository,
    SqlAlchemyMembershipRepository,
    SqlAlchemyPersonRepository,
    SqlAlchemyPostRepository,
    SqlAlchemyPrivateLinkRepository,
    SqlAlchemyReminderRepository,
    SqlAlchemyRotaRepository,
    SqlAlchemyShiftRepository,
    SqlAlchemySwapRepository,
    SqlAlchemyWorkspaceRepository,
)

SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a SQLite writer waits for another one to finish before giving up."""


def database_url(url: str) -> URL:
    """Parse a database URL, pointing plain PostgreSQL URLs at the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _is_file_database(url: URL) -> bool:
    database = url.database or ""
    return database not in ("", ":memory:") and url.query.get("mode") != "memory"


def create_engine_for(url: str, *, sqlite_foreign_keys: bool = True) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, configured the way Baton needs it.

    SQLite gets foreign keys, a busy timeout, write-ahead logging for files and real
    transactions (BEGIN IMMEDIATE, so writers queue instead of failing); an in-memory
    database is one connection shared by all threads. Migrations pass
    `sqlite_foreign_keys=False`, as SQLite recreates tables to alter them.
    """
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)

    file_database = _is_file_database(parsed)
    if file_database:
        engine = create_engine(parsed)
    else:
        # One shared connection, so every thread (asyncio.to_thread) sees the same
        # in-memory database.
        engine = create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module, which would otherwise
        # skip BEGIN before SELECTs and DDL and break SAVEPOINTs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if sqlite_foreign_keys else 'OFF'}")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if file_database:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_sqlite(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class SqlAlchemyUnitOfWork:
    """A `UnitOfWork` over one SQLAlchemy session: commit, or nothing is written."""

    workspaces: WorkspaceRepository
    people: PersonRepository
    channels: ChannelRepository
    rotas: RotaRepository
    memberships: MembershipRepository
    shifts: ShiftRepository
    away: AwayRepository
    closures: ClosureRepository
    posts: PostRepository
    events: EventRepository
    swaps: SwapRepository
    addresses: AddressRepository
    links: PrivateLinkRepository
    feeds: FeedRepository
    records: RecordRepository
    reminders: ReminderRepository
    deliveries: DeliveryRepository
    digests: DigestSettingsRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use; ask the factory for another")
        session = self._session_factory()
        self._session = session
        self.workspaces = SqlAlchemyWorkspaceRepository(session)
        self.people = SqlAlchemyPersonRepository(session)
        self.channels = SqlAlchemyChannelRepository(session)
        self.rotas = SqlAlchemyRotaRepository(session)
        self.memberships = SqlAlchemyMembershipRepository(session)
        self.shifts = SqlAlchemyShiftRepository(session)
        self.away = SqlAlchemyAwayRepository(session)
        self.closures = SqlAlchemyClosureRepository(session)
        self.posts = SqlAlchemyPostRepository(session)
        self.events = SqlAlchemyEventRepository(session)
        self.swaps = SqlAlchemySwapRepository(session)
        self.addresses = SqlAlchemyAddressRepository(session)
        self.links = SqlAlchemyPrivateLinkRepository(session)
        self.feeds = SqlAlchemyFeedRepository(session)
        self.records = SqlAlchemyRecordRepository(session)
        self.reminders = SqlAlchemyReminderRepository(session)
        self.deliveries = SqlAlchemyDeliveryRepository(session)
        self.digests = SqlAlchemyDigestSettingsRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        session = self._session
        if session is None:
            return
        self._session = None
        try:
            session.rollback()
        finally:
            session.close()
        if isinstance(exc, IntegrityError):
            raise ConflictError(_constraint_words(exc)) from exc

    def commit(self) -> None:
        """Make the work of this unit permanent; ConflictError if it collided with another."""
        if self._session is None:
            raise RuntimeError("commit() outside the unit of work's `with` block")
        try:
            self._session.commit()
        except IntegrityError as error:
            self._session.rollback()
            raise ConflictError(_constraint_words(error)) from error


def _constraint_words(error: IntegrityError) -> str:
    """Which rule the write broke, without the row's values."""
    return f"a write collided with another: {type(error.orig).__name__}"


class SqlAlchemyUnitOfWorkFactory:
    """Hands out a fresh `SqlAlchemyUnitOfWork` per call, all sharing one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session_factory = sessionmaker(engine, expire_on_commit=False)

    def __call__(self) -> SqlAlchemyUnitOfWork:
        """A fresh unit of work."""
        return SqlAlchemyUnitOfWork(self._session_factory)
