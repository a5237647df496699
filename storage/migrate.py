"""Bring a database's schema up to date, without an alembic.ini or a working directory."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from storage.uow import create_engine_for

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_MIGRATION_LOCK = 0x6261746F6E
"""PostgreSQL advisory lock key ("baton"): replicas starting together migrate one at a time."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for Baton's migrations, optionally bound to `connection`."""
    config = Config()
    # ConfigParser interpolates '%': escape it in case the path contains one.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def upgrade(url: str) -> None:
    """Migrate the database at `url` to the newest revision (a no-op when it is there)."""
    engine = create_engine_for(url, sqlite_foreign_keys=False)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            command.upgrade(alembic_config(connection), "head")
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(
                        f"migrating left rows pointing at missing rows: {broken[:5]}"
                    )
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at; None before the first migration."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
