"""A unit of work writes everything on commit and nothing otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from bot.ports import UnitOfWork, UnitOfWorkFactory
from storage.uow import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory


def _workspace_exists(uow_factory: UnitOfWorkFactory, external_id: str) -> bool:
    with uow_factory() as uow:
        return uow.workspaces.get_by_external_id("slack", external_id) is not None


def test_factory_satisfies_the_ports_when_services_use_it(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    factory: UnitOfWorkFactory = uow_factory
    unit: UnitOfWork = factory()

    assert isinstance(unit, SqlAlchemyUnitOfWork)


def test_work_is_kept_when_the_unit_commits(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.workspaces.add("slack", "T1", "Library")
        uow.commit()

    assert _workspace_exists(uow_factory, "T1")


def test_nothing_is_written_when_the_unit_ends_without_commit(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.workspaces.add("slack", "T1", "Library")
        assert uow.workspaces.get_by_external_id("slack", "T1") is not None

    assert not _workspace_exists(uow_factory, "T1")


def test_nothing_is_written_when_an_exception_leaves_the_unit(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with pytest.raises(RuntimeError, match="boom"), uow_factory() as uow:
        uow.workspaces.add("slack", "T1", "Library")
        raise RuntimeError("boom")

    assert not _workspace_exists(uow_factory, "T1")


def test_work_after_commit_is_dropped_when_not_committed_again(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.workspaces.add("slack", "T1", "Library")
        uow.commit()
        uow.workspaces.add("slack", "T2", "Annex")

    assert _workspace_exists(uow_factory, "T1")
    assert not _workspace_exists(uow_factory, "T2")


def test_unit_stays_usable_when_an_insert_is_refused(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.workspaces.add("slack", "T1", "Library")
        with pytest.raises(IntegrityError):
            uow.workspaces.add("slack", "T1", "Library again")
        uow.workspaces.add("slack", "T2", "Annex")
        uow.commit()

    assert _workspace_exists(uow_factory, "T1")
    assert _workspace_exists(uow_factory, "T2")


def test_commit_is_refused_when_called_outside_the_with_block(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    unit = uow_factory()

    with pytest.raises(RuntimeError, match="outside"):
        unit.commit()
