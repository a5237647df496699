"""The test-database helpers skip, fail and clean up as promised."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from tests.databases import fresh_postgres_schema, postgres_admin_url, require_postgres

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"


def test_postgresql_cases_are_skipped_when_the_server_is_unreachable_outside_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        require_postgres(UNREACHABLE)


def test_postgresql_cases_fail_when_the_server_is_unreachable_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_postgres(UNREACHABLE)


@pytest.mark.postgres
def test_fresh_postgresql_schema_is_empty_and_dropped_when_the_test_is_done() -> None:
    admin_url = postgres_admin_url()
    require_postgres(admin_url)

    with fresh_postgres_schema(admin_url) as url:
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as connection:
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
            tables = connection.exec_driver_sql(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %(s)s",
                {"s": schema},
            ).scalar_one()
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE held (n integer)")
        # A test that forgot to close its connection, mid-transaction, holding a lock
        # that would otherwise make DROP SCHEMA wait for ever.
        leaked = engine.connect()
        leaked.exec_driver_sql("SELECT count(*) FROM held").scalar_one()

    admin = create_engine(admin_url, poolclass=NullPool)
    with admin.connect() as connection:
        still_there = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %(s)s", {"s": schema}
        ).scalar_one()
    admin.dispose()
    leaked.invalidate()
    engine.dispose()
    assert schema.startswith("baton_test_")
    assert tables == 0
    assert still_there == 0
