"""Engines are set up the way Baton needs them, whatever URL spelling is used."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from storage.uow import create_engine_for


@pytest.mark.parametrize(
    "url",
    [
        "postgres://baton:secret@db.example/baton",
        "postgresql://baton:secret@db.example/baton",
        "postgresql+psycopg://baton:secret@db.example/baton",
    ],
)
def test_postgresql_urls_use_psycopg_3_when_given_without_or_with_a_driver(url: str) -> None:
    engine = create_engine_for(url)

    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.password == "secret"
    assert "secret" not in engine.url.render_as_string(hide_password=True)
    engine.dispose()


def test_sqlite_file_has_foreign_keys_wal_and_a_busy_timeout_when_connected(
    tmp_path: Path,
) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'baton.db'}")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_shared_by_threads_when_used_from_several() -> None:
    engine = create_engine_for("sqlite://")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    seen: list[int] = []

    def read() -> None:
        with engine.connect() as connection:
            seen.append(connection.exec_driver_sql("SELECT n FROM t").scalar_one())

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    engine.dispose()

    assert seen == [1]
