"""Shifts: the record of who was on duty when."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain.model import Person, Rota, Shift, ShiftOrigin, Workspace
from bot.ports import ConflictError, UnitOfWork
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_person, add_rota

WEEK = timedelta(days=7)


def _week(rota: Rota, person: Person | None, weeks_after_t0: int = 0, **changes: Any) -> Shift:
    """A week-long shift starting `weeks_after_t0` weeks after T0, with `changes` applied."""
    start = T0 + weeks_after_t0 * WEEK
    person_id = None if person is None else person.id
    shift = Shift(rota_id=rota.id, start=start, end=start + WEEK, person_id=person_id)
    return dataclasses.replace(shift, **changes)


def _setup(uow: UnitOfWork, workspace: Workspace) -> tuple[Rota, Person, Person]:
    rota = add_rota(uow, workspace.id)
    ann = add_person(uow, workspace.id, "U1", "Ann")
    bob = add_person(uow, workspace.id, "U2", "Bob")
    return rota, ann, bob


def test_shift_round_trips_with_an_assigned_id_when_added(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, _ = _setup(uow, workspace)
        wanted = _week(rota, ann, origin=ShiftOrigin.OVERRIDE, id=12345)
        added = uow.shifts.add(wanted)
        unassigned = uow.shifts.add(_week(rota, None, 1))
        uow.commit()

    with uow_factory() as uow:
        latest = uow.shifts.latest(rota.id)
        first = uow.shifts.covering(rota.id, T0)

    assert added.id is not None and added.id != 12345
    assert (
        first
        == added
        == Shift(
            rota_id=rota.id,
            start=T0,
            end=T0 + WEEK,
            person_id=ann.id,
            origin=ShiftOrigin.OVERRIDE,
            handed_over=False,
            id=added.id,
        )
    )
    assert latest == unassigned
    assert unassigned.person_id is None


def test_latest_is_none_when_the_rota_has_no_shifts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota = add_rota(uow, workspace.id)
        assert uow.shifts.latest(rota.id) is None
        assert uow.shifts.covering(rota.id, T0) is None
        assert uow.shifts.between(rota.id, T0, T0 + WEEK) == []


def test_second_shift_is_refused_when_it_has_the_same_rota_and_start(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, bob = _setup(uow, workspace)
        uow.shifts.add(_week(rota, ann))
        uow.commit()
    same_instant_in_berlin = T0.astimezone(ZoneInfo("Europe/Berlin"))

    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.shifts.add(_week(rota, bob, start=same_instant_in_berlin))


def test_covering_includes_the_start_and_excludes_the_end_when_at_the_boundaries(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, bob = _setup(uow, workspace)
        first = uow.shifts.add(_week(rota, ann, 0))
        second = uow.shifts.add(_week(rota, bob, 1))
        uow.commit()

    with uow_factory() as uow:
        at_start = uow.shifts.covering(rota.id, T0)
        just_before_end = uow.shifts.covering(rota.id, T0 + WEEK - timedelta(microseconds=1))
        at_end = uow.shifts.covering(rota.id, T0 + WEEK)
        before_all = uow.shifts.covering(rota.id, T0 - timedelta(seconds=1))
        after_all = uow.shifts.covering(rota.id, T0 + 2 * WEEK)

    assert at_start == first
    assert just_before_end == first
    assert at_end == second
    assert before_all is None
    assert after_all is None


def test_between_returns_overlapping_shifts_by_start_when_asked_for_a_range(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, bob = _setup(uow, workspace)
        other = add_rota(uow, workspace.id, "Other")
        shifts = [uow.shifts.add(_week(rota, (ann, bob)[n % 2], n)) for n in (3, 0, 1, 2)]
        uow.shifts.add(_week(other, ann, 1))
        uow.commit()
    week0, week1, week2 = sorted(shifts, key=lambda s: s.start)[:3]

    with uow_factory() as uow:
        middle = uow.shifts.between(
            rota.id, T0 + WEEK + timedelta(days=1), T0 + 2 * WEEK + timedelta(hours=1)
        )
        touching = uow.shifts.between(rota.id, T0 + WEEK, T0 + 2 * WEEK)
        everything = uow.shifts.between(rota.id, T0 - WEEK, T0 + 10 * WEEK)

    assert middle == [week1, week2]
    assert touching == [week1]
    assert [s.start for s in everything] == [T0 + n * WEEK for n in range(4)]
    assert everything[0] == week0


def test_hand_over_ends_the_shift_early_and_marks_it_when_the_holder_passes_it_on(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    handed_at = T0 + timedelta(days=2, hours=3)
    with uow_factory() as uow:
        rota, ann, bob = _setup(uow, workspace)
        shift = uow.shifts.add(_week(rota, ann))
        assert shift.id is not None
        uow.shifts.hand_over(shift.id, handed_at)
        replacement = uow.shifts.add(_week(rota, bob, start=handed_at, origin=ShiftOrigin.SKIP))
        uow.commit()

    with uow_factory() as uow:
        before = uow.shifts.covering(rota.id, handed_at - timedelta(seconds=1))
        after = uow.shifts.covering(rota.id, handed_at)

    assert before is not None
    assert (before.id, before.end, before.handed_over) == (shift.id, handed_at, True)
    assert after == replacement


def test_hand_over_is_refused_when_the_moment_is_outside_the_shift(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, _ = _setup(uow, workspace)
        shift = uow.shifts.add(_week(rota, ann))
        assert shift.id is not None

        with pytest.raises(ValueError, match="handed over"):
            uow.shifts.hand_over(shift.id, T0)
        with pytest.raises(ValueError, match="handed over"):
            uow.shifts.hand_over(shift.id, T0 + 2 * WEEK)
        with pytest.raises(LookupError):
            uow.shifts.hand_over(999, T0 + timedelta(days=1))


def test_last_served_ignores_handed_over_shifts_when_finding_each_persons_latest_end(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, bob = _setup(uow, workspace)
        cy = add_person(uow, workspace.id, "U3", "Cy")
        other = add_rota(uow, workspace.id, "Other")
        uow.shifts.add(_week(rota, ann, 0))
        uow.shifts.add(_week(rota, bob, 1))
        uow.shifts.add(_week(rota, ann, 2))
        uow.shifts.add(_week(rota, bob, 3, handed_over=True, end=T0 + 3 * WEEK + timedelta(days=1)))
        uow.shifts.add(_week(rota, cy, 4, handed_over=True, end=T0 + 4 * WEEK + timedelta(days=1)))
        uow.shifts.add(_week(rota, None, 5))
        uow.shifts.add(_week(other, ann, 9))
        uow.commit()

    with uow_factory() as uow:
        served = uow.shifts.last_served(rota.id)

    assert served == {ann.id: T0 + 3 * WEEK, bob.id: T0 + 2 * WEEK}
    assert all(moment.utcoffset() == timedelta(0) for moment in served.values())


def test_served_counts_counts_shifts_started_in_the_range_when_across_rotas(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, bob = _setup(uow, workspace)
        second = add_rota(uow, workspace.id, "Newsletter")
        elsewhere = uow.workspaces.add("slack", "T2", "Elsewhere")
        foreign_rota = add_rota(uow, elsewhere.id)
        uow.shifts.add(_week(rota, ann, -1))  # before the range
        uow.shifts.add(_week(rota, ann, 0))
        uow.shifts.add(_week(rota, bob, 1))
        uow.shifts.add(_week(second, ann, 1))
        uow.shifts.add(_week(second, None, 2))
        uow.shifts.add(_week(rota, bob, 3))  # starts at `until`: outside
        uow.shifts.add(_week(foreign_rota, ann, 1))
        uow.commit()

    with uow_factory() as uow:
        counts = uow.shifts.served_counts(workspace.id, T0, T0 + 3 * WEEK)

    assert counts == {ann.id: 2, bob.id: 1}


def test_reassign_gives_the_whole_shift_to_another_person_when_none_of_it_was_served(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, bob = _setup(uow, workspace)
        shift = uow.shifts.add(_week(rota, ann))
        assert shift.id is not None
        uow.shifts.reassign(shift.id, bob.id, ShiftOrigin.SKIP)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.shifts.covering(rota.id, T0)
    assert stored is not None
    assert (stored.person_id, stored.origin, stored.start, stored.end) == (
        bob.id,
        ShiftOrigin.SKIP,
        T0,
        T0 + WEEK,
    )


def test_unit_of_work_reports_a_conflict_when_a_duplicate_escapes_it(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota, ann, bob = _setup(uow, workspace)
        uow.shifts.add(_week(rota, ann))
        uow.commit()
    with pytest.raises(ConflictError), uow_factory() as uow:
        uow.shifts.add(_week(rota, bob))
        uow.commit()
    with uow_factory() as uow:
        kept = uow.shifts.covering(rota.id, T0)
    assert kept is not None and kept.person_id == ann.id
