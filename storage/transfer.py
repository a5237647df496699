"""A whole database as one JSON file, and that file loaded into an empty database.

The export holds every table of the schema (`storage.orm.metadata`), so tables added later
travel without changes here, and the schema revision it was made at. Values keep their
types: instants as ISO 8601 with their UTC offset, dates, times of day, booleans, numbers
and NULLs. An import goes into an empty database only, in one transaction: it writes all
of the file or nothing. An export made at an older revision is loaded at that revision and
then migrated, as the records would have been; one from a newer revision is refused.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.types import TypeDecorator

from storage.migrate import alembic_config, head_revision, upgrade
from storage.orm import metadata
from storage.uow import create_engine_for

FORMAT = "baton-export"
FORMAT_VERSION = 1
BATCH = 500
"""Rows per INSERT statement."""


class TransferError(Exception):
    """An export that can't be written or loaded; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """What an import put in the database."""

    schema_revision: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# -- values -------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A column's value as JSON: the types JSON lacks as ISO 8601 text."""
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TransferError(f"a stored time has no timezone ({value.isoformat()})")
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    raise TransferError(f"a stored value of type {type(value).__name__} can't be exported")


def _python_type(column: Column[Any]) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        found: type = kind.python_type
    except NotImplementedError:  # SQLAlchemy's answer for a type with no Python equivalent
        return None
    return found


def _decode(table: str, column: Column[Any], value: Any) -> Any:
    """A value from the file, as the column takes it; TransferError when it can't be one."""
    if value is None:
        return None
    kind = _python_type(column)
    where = f"{table}.{column.name}"
    try:
        if kind is datetime:
            if not isinstance(value, str):
                raise ValueError
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise TransferError(f"{where} holds {value!r}, a time without its UTC offset.")
            return moment
        if kind is date:
            return date.fromisoformat(value)
        if kind is time:
            return time.fromisoformat(value)
        if kind is bool:
            if not isinstance(value, bool):
                raise ValueError
            return value
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError
            return value
        if kind is not None and issubclass(kind, enum.Enum):
            return kind(value)
        if kind is str and not isinstance(value, str):
            raise ValueError
    except (ValueError, TypeError):
        wanted = kind.__name__ if kind is not None else "value"
        raise TransferError(f"{where} holds {value!r}, which isn't a {wanted}.") from None
    return value


# -- export -------------------------------------------------------------------------------


def dump(connection: Connection, exported_at: datetime) -> dict[str, Any]:
    """Every table's rows, in primary-key order, with the schema revision."""
    revision = _revision(connection)
    tables: dict[str, Any] = {}
    for table in metadata.sorted_tables:
        columns = list(table.columns)
        rows = connection.execute(select(*columns).order_by(*table.primary_key.columns))
        tables[table.name] = {
            "columns": [column.name for column in columns],
            "rows": [[_encode(value) for value in row] for row in rows],
        }
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": revision,
        "exported_at": exported_at.isoformat(),
        "tables": tables,
    }


def _revision(connection: Connection) -> str:
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision != head_revision():
        raise TransferError(
            f"The database is at schema revision {revision or 'none'}, not {head_revision()}: "
            "run `python -m bot migrate` first."
        )
    return revision


def write_json(url: str, path: Path, exported_at: datetime) -> dict[str, int]:
    """Export the database at `url` to `path` (migrated to the newest schema first); the
    rows written per table."""
    upgrade(url)
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            exported = dump(connection, exported_at)
    finally:
        engine.dispose()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    # It holds everything the database does, private links included: owner-only.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as file:
        json.dump(exported, file, ensure_ascii=False, indent=1)
        file.write("\n")
    temporary.replace(path)
    return {name: len(table["rows"]) for name, table in exported["tables"].items()}


# -- import -------------------------------------------------------------------------------


def read_export(path: Path) -> dict[str, Any]:
    """The export in the file at `path`, checked for shape; TransferError when it isn't one."""
    if not path.is_file():
        raise TransferError(f"There is no file at {path}. Give the path of a JSON export.")
    try:
        with path.open(encoding="utf-8-sig") as file:
            exported = json.load(file)
    except UnicodeDecodeError:
        raise TransferError(f"{path} isn't a Baton JSON export: it isn't text.") from None
    except json.JSONDecodeError as error:
        raise TransferError(
            f"{path} isn't a Baton JSON export: it isn't valid JSON ({error.msg} at line "
            f"{error.lineno}, column {error.colno})."
        ) from None
    except OSError as error:
        raise TransferError(f"{path} can't be read: {error.strerror or error}.") from None
    if not isinstance(exported, dict) or exported.get("format") != FORMAT:
        raise TransferError(
            f"{path} isn't a Baton JSON export (made by `python -m bot export --format json`)."
        )
    if exported.get("format_version") != FORMAT_VERSION:
        raise TransferError(
            f"{path} is a Baton export of format {exported.get('format_version')!r}, which this "
            f"version of Baton can't read (it reads format {FORMAT_VERSION}). Import it with the "
            "version of Baton that made it, or a newer one."
        )
    revision = exported.get("schema_revision")
    tables = exported.get("tables")
    if not isinstance(revision, str) or not isinstance(tables, dict):
        raise TransferError(f"{path} is missing its schema revision or its tables.")
    for name, table in tables.items():
        if (
            not isinstance(table, dict)
            or not isinstance(table.get("columns"), list)
            or not isinstance(table.get("rows"), list)
            or not all(isinstance(c, str) for c in table["columns"])
            or not all(
                isinstance(row, list) and len(row) == len(table["columns"]) for row in table["rows"]
            )
        ):
            raise TransferError(
                f"{path} is damaged: table {name!r} doesn't have columns and rows that match."
            )
    return exported


def _known_revisions() -> list[str]:
    """Every revision the code knows, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _check_revision(revision: str) -> None:
    known = _known_revisions()
    if revision not in known:
        raise TransferError(
            f"The export was made at schema revision {revision}, which this version of Baton "
            f"doesn't know (it knows up to {known[-1]}): it comes from a newer Baton. Upgrade "
            "Baton, then import it."
        )


def _rows_present(connection: Connection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in metadata.sorted_tables:
        count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if count:
            counts[table.name] = int(count)
    return counts


def _tables_at_revision(connection: Connection) -> dict[str, Table]:
    """The database's tables as they are now, typed as the models type them where they can
    be (so that instants are stored in UTC and enums by value)."""
    reflected = MetaData()
    reflected.reflect(connection)
    tables: dict[str, Table] = {}
    for name, table in reflected.tables.items():
        if name == "alembic_version":
            continue
        model = metadata.tables.get(name)
        if model is not None:
            for column in table.columns:
                if column.name in model.columns:
                    column.type = model.columns[column.name].type
        tables[name] = table
    return tables


def _insert(connection: Connection, table: Table, columns: list[str], rows: list[Any]) -> None:
    for name in columns:
        if name not in table.columns:
            raise TransferError(
                f"The export has a column {table.name}.{name} that this database doesn't have."
            )
    decoded = [
        {
            name: _decode(table.name, table.columns[name], value)
            for name, value in zip(columns, row, strict=True)
        }
        for row in rows
    ]
    for start in range(0, len(decoded), BATCH):
        try:
            connection.execute(table.insert(), decoded[start : start + BATCH])
        except (DBAPIError, StatementError) as error:
            reason = type(getattr(error, "orig", None) or error).__name__
            raise TransferError(
                f"The export's {table.name} rows don't fit the database ({reason}): a row points "
                "at one that isn't there, repeats a unique value or misses a required one."
            ) from None


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL: start each id sequence after the highest id imported."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar_one()
            if sequence is None:
                continue
            highest = connection.execute(select(func.max(column))).scalar_one()
            connection.execute(
                text("SELECT setval(CAST(:sequence AS regclass), :value, :called)"),
                {"sequence": sequence, "value": highest or 1, "called": highest is not None},
            )


def load(url: str, exported: Mapping[str, Any]) -> Loaded:
    """Put an export (from `read_export`) into the empty database at `url`, migrated to the
    newest schema first; all of it, or nothing and a TransferError saying why."""
    revision = str(exported["schema_revision"])
    _check_revision(revision)
    upgrade(url)
    head = head_revision()
    # Migrations recreate SQLite tables, which foreign keys would stop; they are checked
    # once everything is in.
    engine = create_engine_for(url, sqlite_foreign_keys=False)
    try:
        with engine.begin() as connection:
            present = _rows_present(connection)
            if present:
                listed = ", ".join(f"{count} in {name}" for name, count in present.items())
                raise TransferError(
                    f"The database already holds records ({listed}). An export is imported "
                    "into an empty database only: create a new one, point DATABASE_URL at it "
                    "and import again."
                )
            if revision != head:
                _migrate(connection, "downgrade", revision)
            tables = _tables_at_revision(connection)
            unknown = sorted(set(exported["tables"]) - set(tables))
            if unknown:
                raise TransferError(
                    f"The export has tables that schema revision {revision} doesn't: "
                    f"{', '.join(unknown)}. It is damaged, or it was made by another program."
                )
            loaded: dict[str, int] = {}
            for table in _in_dependency_order(tables):
                given = exported["tables"].get(table.name)
                if given is None:
                    continue
                _insert(connection, table, given["columns"], given["rows"])
                loaded[table.name] = len(given["rows"])
            if revision != head:
                _migrate(connection, "upgrade", head)
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise TransferError(
                        f"The export's {broken[0][0]} rows point at rows that aren't in it."
                    )
            elif connection.dialect.name == "postgresql":
                _reset_sequences(connection)
    finally:
        engine.dispose()
    return Loaded(schema_revision=revision, rows=loaded)


def _in_dependency_order(tables: Mapping[str, Table]) -> list[Table]:
    if not tables:
        return []
    shared = next(iter(tables.values())).metadata
    return [table for table in shared.sorted_tables if table.name in tables]


def _migrate(connection: Connection, direction: str, revision: str) -> None:
    config = alembic_config(connection)
    try:
        if direction == "downgrade":
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)
    except CommandError as error:
        raise TransferError(
            f"The database couldn't be brought to revision {revision}: {error}"
        ) from None
