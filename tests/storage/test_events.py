"""Chat platforms' event ids: a retry is spotted, and old ids are let go."""

from __future__ import annotations

from datetime import timedelta

from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0


def test_a_retry_is_spotted_until_its_event_is_forgotten_when_old(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        assert uow.events.first_time("slack", "Ev1", T0)
        assert uow.events.first_time("teams", "Ev1", T0)  # another platform's id space
        assert uow.events.first_time("slack", "Ev2", T0 + timedelta(days=2))
        uow.commit()
    with uow_factory() as uow:
        assert not uow.events.first_time("slack", "Ev1", T0 + timedelta(hours=1))
        assert uow.events.forget_before(T0 + timedelta(days=1)) == 2
        uow.commit()
    with uow_factory() as uow:
        assert not uow.events.first_time("slack", "Ev2", T0 + timedelta(days=2))
        assert uow.events.first_time("slack", "Ev1", T0 + timedelta(days=3))
