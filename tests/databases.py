"""Throwaway databases for tests: a SQLite file, or a fresh schema in PostgreSQL.

Shared by the storage suite and the end-to-end tests. A PostgreSQL case needs a server at
`TEST_DATABASE_URL` (default `postgresql+psycopg://postgres@127.0.0.1:5432/test`); when it
can't be reached the case is skipped, unless `CI` is set, where that is a failure.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from storage.uow import database_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DIALECTS = ("sqlite", "postgresql")


def postgres_admin_url() -> str:
    """The PostgreSQL database the tests connect to in order to create their own."""
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL


def running_in_ci() -> bool:
    """True when `CI` is set (to anything but an explicit no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@functools.cache
def postgres_unreachable_reason(admin_url: str) -> str | None:
    """Why the server at `admin_url` can't be used, or None when it answers."""
    url = database_url(admin_url)
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as error:  # any failure to connect and query means unusable
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return f"PostgreSQL at {_shown(url)} is unreachable: {first_line}"
    finally:
        engine.dispose()
    return None


def require_postgres(admin_url: str) -> None:
    """Skip the test when PostgreSQL is unreachable; in CI, fail it instead."""
    reason = postgres_unreachable_reason(admin_url)
    if reason is None:
        return
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set, so PostgreSQL tests must run)", pytrace=False)
    pytest.skip(reason)


@contextmanager
def fresh_postgres_schema(admin_url: str) -> Iterator[str]:
    """Create a randomly named, empty schema; yield a URL whose connections use only it.

    Connections made with the URL put the schema alone on their search_path and carry
    its name as application_name; afterwards any still open are ended and the schema is
    dropped with everything in it. A schema costs milliseconds where a database costs
    a quarter of a second, and isolates tests just as well (Baton uses no server-wide
    objects).
    """
    admin = database_url(admin_url)
    name = f"baton_test_{secrets.token_hex(8)}"
    options = f"-csearch_path={name}"
    if admin.query.get("options"):
        options = f"{admin.query['options']} {options}"
    url = admin.update_query_dict({"options": options, "application_name": name})
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with engine.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        engine.dispose()


def sqlite_database_url(directory: Path) -> str:
    """The URL of a new SQLite database file in `directory`."""
    return f"sqlite:///{directory / 'baton.db'}"


@contextmanager
def fresh_database(dialect: str, directory: Path) -> Iterator[str]:
    """An empty database (a schema, on PostgreSQL) of the given dialect, for one test."""
    if dialect == "sqlite":
        yield sqlite_database_url(directory)
    elif dialect == "postgresql":
        admin_url = postgres_admin_url()
        require_postgres(admin_url)
        with fresh_postgres_schema(admin_url) as url:
            yield url
    else:
        raise ValueError(f"no test databases for {dialect!r}; choose one of {DIALECTS}")


def dialect_params() -> list[pytest.ParameterSet]:
    """`params=` for a fixture that runs once per dialect (PostgreSQL cases are marked)."""
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
