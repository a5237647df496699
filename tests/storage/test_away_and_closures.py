"""Away periods and library closures."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain.model import AwayPeriod, Closure, Workspace
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_person


def test_away_periods_ending_on_or_after_the_day_are_listed_by_first_day_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        summer = uow.away.add(ann.id, date(2025, 7, 1), date(2025, 7, 20), T0)
        spring = uow.away.add(ann.id, date(2025, 3, 10), date(2025, 3, 14), T0)
        uow.away.add(ann.id, date(2025, 2, 1), date(2025, 3, 9), T0)  # over before the day
        bobs = uow.away.add(bob.id, date(2025, 3, 1), date(2025, 3, 10), T0)
        uow.commit()

    with uow_factory() as uow:
        anns = uow.away.list_for(ann.id, date(2025, 3, 10))
        both = uow.away.list_for_people([ann.id, bob.id], date(2025, 3, 10))
        nobody = uow.away.list_for_people([], date(2025, 3, 10))

    assert summer == AwayPeriod(
        id=summer.id, person_id=ann.id, first_day=date(2025, 7, 1), last_day=date(2025, 7, 20)
    )
    assert anns == [spring, summer]
    assert both == [bobs, spring, summer]
    assert nobody == []


def test_away_period_disappears_when_deleted(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        kept = uow.away.add(ann.id, date(2025, 3, 10), date(2025, 3, 14), T0)
        cancelled = uow.away.add(ann.id, date(2025, 4, 10), date(2025, 4, 14), T0)
        uow.commit()

    with uow_factory() as uow:
        uow.away.delete(cancelled.id)
        uow.commit()

    with uow_factory() as uow:
        assert uow.away.list_for(ann.id, date(2025, 1, 1)) == [kept]


def test_away_period_is_refused_when_it_ends_before_it_starts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        with pytest.raises(IntegrityError):
            uow.away.add(ann.id, date(2025, 3, 10), date(2025, 3, 9), T0)


def test_closures_list_calendars_first_then_ranges_by_first_day_when_several_exist(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        other = uow.workspaces.add("slack", "T2", "Elsewhere")
        christmas = uow.closures.add(
            Closure(
                id=0,
                workspace_id=workspace.id,
                first_day=date(2025, 12, 24),
                last_day=date(2026, 1, 1),
                reason="Winter break",
            )
        )
        holidays = uow.closures.add(
            Closure(id=0, workspace_id=workspace.id, country="DE", subdivision="BE")
        )
        stocktake = uow.closures.add(
            Closure(
                id=0,
                workspace_id=workspace.id,
                first_day=date(2025, 8, 4),
                last_day=date(2025, 8, 4),
                reason="Stocktake",
            )
        )
        uow.closures.add(Closure(id=0, workspace_id=other.id, country="US"))
        uow.commit()

    with uow_factory() as uow:
        closures = uow.closures.all(workspace.id)

    assert holidays == Closure(
        id=holidays.id, workspace_id=workspace.id, country="DE", subdivision="BE"
    )
    assert christmas.id != 0
    assert closures == [holidays, stocktake, christmas]


def test_closure_disappears_when_deleted(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        kept = uow.closures.add(Closure(id=0, workspace_id=workspace.id, country="GB"))
        gone = uow.closures.add(Closure(id=0, workspace_id=workspace.id, country="FR"))
        uow.commit()

    with uow_factory() as uow:
        uow.closures.delete(gone.id)
        uow.commit()

    with uow_factory() as uow:
        assert uow.closures.all(workspace.id) == [kept]


@pytest.mark.parametrize(
    "closure",
    [
        Closure(id=0, workspace_id=0),
        Closure(id=0, workspace_id=0, first_day=date(2025, 1, 2)),
        Closure(id=0, workspace_id=0, first_day=date(2025, 1, 2), last_day=date(2025, 1, 1)),
    ],
    ids=["neither-dates-nor-country", "first-day-only", "backwards"],
)
def test_closure_is_refused_when_it_is_neither_a_date_range_nor_a_calendar(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace, closure: Closure
) -> None:
    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.closures.add(dataclasses.replace(closure, workspace_id=workspace.id))
