"""Rotas and their members."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain.model import Membership, Rota, Workspace
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_channel, add_person, add_rota


def test_rota_round_trips_with_defaults_when_it_covers_every_channel(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        added = add_rota(uow, workspace.id)
        uow.commit()

    with uow_factory() as uow:
        found = uow.rotas.get(added.id)

    assert found == added == Rota(id=added.id, workspace_id=workspace.id, name="social media")
    assert found.channel_ids is None


def test_rota_round_trips_every_field_when_it_covers_some_channels(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        wanted = Rota(
            id=0,
            workspace_id=workspace.id,
            name="Weekend desk",
            shift_days=3,
            handoff_weekday=4,
            handoff_time=time(13, 30),
            timezone="Europe/Berlin",
            working_days=frozenset({4, 5, 6}),
            work_start=time(10, 0),
            work_end=time(18, 45),
            channel_ids=frozenset({twitter.id, blog.id}),
        )
        added = uow.rotas.add(wanted)
        uow.commit()

    with uow_factory() as uow:
        found = uow.rotas.get(added.id)

    assert added.id != 0
    assert found == added == dataclasses.replace(wanted, id=added.id)


def test_update_saves_every_field_when_the_rota_changes(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        rota = uow.rotas.add(
            Rota(id=0, workspace_id=workspace.id, name="Desk", channel_ids=frozenset({twitter.id}))
        )
        uow.commit()
    narrowed = dataclasses.replace(
        rota,
        name="Front desk",
        shift_days=1,
        handoff_weekday=2,
        handoff_time=time(8, 15),
        timezone="America/Chicago",
        working_days=frozenset({0, 2}),
        work_start=time(7, 0),
        work_end=time(15, 0),
        channel_ids=frozenset({blog.id}),
    )

    with uow_factory() as uow:
        uow.rotas.update(narrowed)
        uow.commit()
    with uow_factory() as uow:
        after_narrowing = uow.rotas.get(rota.id)
        uow.rotas.update(dataclasses.replace(narrowed, channel_ids=None))
        uow.commit()
    with uow_factory() as uow:
        after_widening = uow.rotas.get(rota.id)

    assert after_narrowing == narrowed
    assert after_widening == dataclasses.replace(narrowed, channel_ids=None)


def test_update_raises_lookup_error_when_the_rota_is_unknown(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow, pytest.raises(LookupError):
        uow.rotas.update(Rota(id=999, workspace_id=workspace.id, name="Ghost"))


def test_all_lists_rotas_oldest_first_when_the_workspace_has_several(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        other = uow.workspaces.add("slack", "T2", "Elsewhere")
        twitter = add_channel(uow, workspace.id, "Twitter")
        first = add_rota(uow, workspace.id, "social media")
        second = uow.rotas.add(
            Rota(id=0, workspace_id=workspace.id, name="Alpha", channel_ids=frozenset({twitter.id}))
        )
        add_rota(uow, other.id, "theirs")
        uow.commit()

    with uow_factory() as uow:
        rotas = uow.rotas.all(workspace.id)

    assert rotas == [first, second]


def test_get_by_name_matches_ignoring_case_when_the_name_differs_in_case(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        added = add_rota(uow, workspace.id, "Social Media")
        uow.commit()

    with uow_factory() as uow:
        assert uow.rotas.get_by_name(workspace.id, "SOCIAL media") == added
        assert uow.rotas.get_by_name(workspace.id, "newsletter") is None
        assert uow.rotas.get(999) is None


def test_adding_a_rota_is_refused_when_the_name_differs_only_in_case(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        add_rota(uow, workspace.id, "Social Media")
        with pytest.raises(IntegrityError):
            add_rota(uow, workspace.id, "social media")


def test_members_are_listed_in_join_order_when_several_joined(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota = add_rota(uow, workspace.id)
        other = add_rota(uow, workspace.id, "Other")
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        added = uow.memberships.add(rota.id, bob.id, T0)
        uow.memberships.add(rota.id, ann.id, T0 + timedelta(hours=1))
        uow.memberships.add(other.id, ann.id, T0)
        uow.commit()

    with uow_factory() as uow:
        members = uow.memberships.members(rota.id)
        anns_rotas = uow.memberships.rotas_of(ann.id)

    assert added == Membership(rota_id=rota.id, person_id=bob.id, joined_at=T0)
    assert members == [
        Membership(rota_id=rota.id, person_id=bob.id, joined_at=T0),
        Membership(rota_id=rota.id, person_id=ann.id, joined_at=T0 + timedelta(hours=1)),
    ]
    assert sorted(anns_rotas) == sorted([rota.id, other.id])


def test_ended_membership_is_no_longer_current_when_the_person_leaves(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota = add_rota(uow, workspace.id)
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        uow.memberships.add(rota.id, ann.id, T0)
        uow.memberships.add(rota.id, bob.id, T0)
        uow.commit()

    with uow_factory() as uow:
        uow.memberships.end(rota.id, ann.id, T0 + timedelta(days=3))
        uow.commit()

    with uow_factory() as uow:
        assert [m.person_id for m in uow.memberships.members(rota.id)] == [bob.id]
        assert uow.memberships.rotas_of(ann.id) == []


def test_second_current_membership_is_refused_when_the_person_is_already_a_member(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        rota = add_rota(uow, workspace.id)
        ann = add_person(uow, workspace.id, "U1", "Ann")
        uow.memberships.add(rota.id, ann.id, T0)
        uow.commit()

    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.memberships.add(rota.id, ann.id, T0 + timedelta(days=1))


def test_rejoining_is_allowed_when_the_earlier_membership_ended(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    rejoined_at = T0 + timedelta(days=10)
    with uow_factory() as uow:
        rota = add_rota(uow, workspace.id)
        ann = add_person(uow, workspace.id, "U1", "Ann")
        uow.memberships.add(rota.id, ann.id, T0)
        uow.memberships.end(rota.id, ann.id, T0 + timedelta(days=3))
        uow.memberships.add(rota.id, ann.id, rejoined_at)
        uow.memberships.end(rota.id, ann.id, rejoined_at + timedelta(days=1))
        uow.memberships.add(rota.id, ann.id, rejoined_at + timedelta(days=2))
        uow.commit()

    with uow_factory() as uow:
        members = uow.memberships.members(rota.id)

    assert members == [
        Membership(rota_id=rota.id, person_id=ann.id, joined_at=rejoined_at + timedelta(days=2))
    ]
