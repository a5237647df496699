"""Timestamps go in aware, are kept in UTC and come back aware, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import StatementError

from bot.domain.model import PostSource
from storage.orm import UTCDateTime
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import add_channel

BERLIN = ZoneInfo("Europe/Berlin")
NAIVE = datetime(2025, 7, 1, 9, 0)  # noqa: DTZ001 - deliberately without a zone


def test_datetime_comes_back_as_the_same_instant_in_utc_when_stored_with_another_zone(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    summer_evening = datetime(2025, 7, 1, 23, 30, 15, 123456, tzinfo=BERLIN)
    with uow_factory() as uow:
        workspace = uow.workspaces.add("slack", "T1", "Library")
        channel = add_channel(uow, workspace.id, "Twitter", created_at=summer_evening)
        uow.posts.add(
            workspace.id,
            channel_id=channel.id,
            author_id=None,
            posted_at=summer_evening,
            source=PostSource.MANUAL,
            recorded_by_id=None,
            recorded_at=summer_evening,
            url=None,
            note=None,
        )
        uow.commit()

    with uow_factory() as uow:
        stored = uow.channels.get_by_name(workspace.id, "twitter")
        latest = uow.posts.last_post_times(workspace.id)[channel.id]

    assert stored is not None
    for value in (stored.created_at, latest):
        assert value == summer_evening
        assert value.utcoffset() == timedelta(0)
        assert value.tzinfo is UTC
        assert value == datetime(2025, 7, 1, 21, 30, 15, 123456, tzinfo=UTC)


def test_naive_datetime_is_refused_when_stored(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        workspace = uow.workspaces.add("slack", "T1", "Library")
        with pytest.raises(StatementError) as refused:
            add_channel(uow, workspace.id, "Twitter", created_at=NAIVE)

    assert isinstance(refused.value.orig, ValueError)
    assert "naive" in str(refused.value.orig)


@pytest.mark.parametrize(
    "url", ["sqlite://", "postgresql+psycopg://"], ids=["sqlite", "postgresql"]
)
def test_utc_datetime_type_raises_value_error_when_given_a_naive_datetime(url: str) -> None:
    dialect = create_engine(url).dialect  # no connection is made

    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(NAIVE, dialect)


def test_utc_datetime_type_reads_naive_values_as_utc_when_the_database_drops_the_offset() -> None:
    read = UTCDateTime().process_result_value(NAIVE, create_engine("sqlite://").dialect)

    assert read == NAIVE.replace(tzinfo=UTC)
    assert read is not None and read.tzinfo is UTC
