"""Every storage test runs on SQLite and on PostgreSQL, each in a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.model import Workspace
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.databases import dialect_params, fresh_database


@pytest.fixture(params=dialect_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, SQLite or PostgreSQL, that no other test sees."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def uow_factory(database_url: str) -> Iterator[SqlAlchemyUnitOfWorkFactory]:
    """Units of work over the fresh database, migrated to the newest revision."""
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def workspace(uow_factory: SqlAlchemyUnitOfWorkFactory) -> Workspace:
    """A Slack workspace, committed."""
    with uow_factory() as uow:
        created = uow.workspaces.add("slack", "T0001", "Town Library")
        uow.commit()
    return created
