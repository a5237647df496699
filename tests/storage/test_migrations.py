"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from storage.migrate import alembic_config, current_revision, head_revision, upgrade
from storage.orm import metadata
from storage.uow import create_engine_for


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _declared_names() -> set[tuple[str, str, str]]:
    names: set[tuple[str, str, str]] = set()
    for table in metadata.tables.values():
        for constraint in table.constraints:
            kind = type(constraint).__name__
            names.add((table.name, kind, str(constraint.name)))
        for index in table.indexes:
            names.add((table.name, "Index", str(index.name)))
    return names


def _reflected_names(connection: Connection) -> set[tuple[str, str, str]]:
    inspector = inspect(connection)
    names: set[tuple[str, str, str]] = set()
    for table in metadata.tables:
        pk = inspector.get_pk_constraint(table)
        names.add((table, "PrimaryKeyConstraint", str(pk["name"])))
        for fk in inspector.get_foreign_keys(table):
            names.add((table, "ForeignKeyConstraint", str(fk["name"])))
        for unique in inspector.get_unique_constraints(table):
            names.add((table, "UniqueConstraint", str(unique["name"])))
        for check in inspector.get_check_constraints(table):
            names.add((table, "CheckConstraint", str(check["name"])))
        for index in inspector.get_indexes(table):
            if "duplicates_constraint" not in index:  # PostgreSQL's index behind a UNIQUE
                names.add((table, "Index", str(index["name"])))
    return names


def _where_clause(connection: Connection, table: str, index_name: str) -> str:
    dialect = connection.dialect.name
    for index in inspect(connection).get_indexes(table):
        if index["name"] == index_name:
            where = index.get("dialect_options", {}).get(f"{dialect}_where")
            return re.sub(r"[()]", "", str(where)).strip().lower()
    raise AssertionError(f"index {index_name} is missing")


def test_upgrade_builds_the_schema_the_models_declare_when_the_database_is_empty(
    database_url: str,
) -> None:
    upgrade(database_url)

    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            assert _differences(connection) == []
    finally:
        engine.dispose()


def test_upgrade_names_every_constraint_and_index_by_the_convention_when_it_runs(
    database_url: str,
) -> None:
    upgrade(database_url)

    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            reflected = _reflected_names(connection)
    finally:
        engine.dispose()
    assert reflected == _declared_names()


def test_upgrade_makes_the_current_membership_index_partial_when_it_runs(
    database_url: str,
) -> None:
    upgrade(database_url)

    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            assert _where_clause(connection, "memberships", "uq_memberships_current") == (
                "left_at is null"
            )
    finally:
        engine.dispose()


def test_current_revision_is_none_when_nothing_was_migrated(database_url: str) -> None:
    assert current_revision(database_url) is None


def test_current_revision_reports_head_when_upgraded(database_url: str) -> None:
    upgrade(database_url)

    assert current_revision(database_url) == head_revision()


def test_upgrade_changes_nothing_when_run_twice(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO workspaces (platform, external_id, name) VALUES ('slack', 'T1', 'Lib')"
            )

        upgrade(database_url)

        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT external_id FROM workspaces").all()
            assert rows == [("T1",)]
            assert _differences(connection) == []
    finally:
        engine.dispose()
    assert current_revision(database_url) == head_revision()


def test_downgrade_to_the_initial_revision_drops_reminders_and_deliveries_when_asked(
    database_url: str,
) -> None:
    upgrade(database_url)
    engine = create_engine_for(database_url, sqlite_foreign_keys=False)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0001")
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())

        upgrade(database_url)

        with engine.connect() as connection:
            assert _differences(connection) == []
    finally:
        engine.dispose()
    assert "workspaces" in tables
    assert not tables & {"reminders", "deliveries"}
    assert current_revision(database_url) == head_revision()
