"""Workspaces and the people Baton knows in them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain.model import Person, Role, Workspace
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_person, entry


def test_workspace_is_found_by_platform_and_external_id_when_added(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        added = uow.workspaces.add("slack", "T1", "Town Library")
        uow.commit()

    with uow_factory() as uow:
        found = uow.workspaces.get_by_external_id("slack", "T1")
        other_platform = uow.workspaces.get_by_external_id("teams", "T1")

    assert (
        found
        == added
        == Workspace(id=added.id, platform="slack", external_id="T1", name="Town Library")
    )
    assert other_platform is None


def test_adding_a_workspace_is_refused_when_the_platform_already_knows_it(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.workspaces.add("slack", "T1", "Town Library")
        uow.workspaces.add("teams", "T1", "Same id, other platform")
        with pytest.raises(IntegrityError):
            uow.workspaces.add("slack", "T1", "Twin")


def test_all_lists_every_workspace_oldest_first_when_there_are_several(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        assert uow.workspaces.all() == []
        library = uow.workspaces.add("slack", "T2", "Town Library")
        annex = uow.workspaces.add("teams", "T1", "Annex")
        archive = uow.workspaces.add("slack", "T0", "Archive")
        uow.commit()

    with uow_factory() as uow:
        assert uow.workspaces.all() == [library, annex, archive]


def test_person_is_created_as_a_member_when_first_saved_from_the_directory(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        saved = uow.people.save_from_directory(
            workspace.id,
            entry("U1", "Maria Lopez", handle="maria", platform_admin=True),
            T0,
        )
        uow.commit()

    with uow_factory() as uow:
        by_id = uow.people.get(saved.id)
        by_external_id = uow.people.get_by_external_id(workspace.id, "U1")
        refreshed = uow.people.refreshed_at(saved.id)

    assert saved == Person(
        id=saved.id,
        workspace_id=workspace.id,
        external_id="U1",
        display_name="Maria Lopez",
        handle="maria",
        timezone="Europe/Berlin",
        platform_admin=True,
        deleted=False,
        role=Role.MEMBER,
    )
    assert by_id == by_external_id == saved
    assert refreshed == T0


def test_saving_from_the_directory_updates_the_person_and_keeps_the_role_when_they_exist(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        first = add_person(uow, workspace.id, "U1", "Maria")
        uow.people.set_role(first.id, Role.COORDINATOR)
        uow.commit()
    later = T0 + timedelta(days=1)

    with uow_factory() as uow:
        again = uow.people.save_from_directory(
            workspace.id,
            entry("U1", "Maria López", handle="mlopez", timezone=None, deleted=True),
            later,
        )
        uow.commit()

    with uow_factory() as uow:
        stored = uow.people.get(first.id)
        refreshed = uow.people.refreshed_at(first.id)
        everyone = uow.people.everyone(workspace.id)

    assert again.id == first.id
    assert stored == again
    assert stored == Person(
        id=first.id,
        workspace_id=workspace.id,
        external_id="U1",
        display_name="Maria López",
        handle="mlopez",
        timezone=None,
        platform_admin=False,
        deleted=True,
        role=Role.COORDINATOR,
    )
    assert refreshed == later
    assert [person.id for person in everyone] == [first.id]


def test_people_are_missing_when_looked_up_with_unknown_ids(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        assert uow.people.get(999) is None
        assert uow.people.get_by_external_id(workspace.id, "U404") is None
        assert uow.people.refreshed_at(999) is None


def test_find_by_name_matches_handle_or_display_name_ignoring_case_when_not_deleted(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        other = uow.workspaces.add("slack", "T2", "Elsewhere")
        oedoen = add_person(uow, workspace.id, "U1", "Ödön Kovács", handle="odon")
        kim = add_person(uow, workspace.id, "U2", "Kim", handle="STRASSE")
        add_person(uow, workspace.id, "U3", "ödön kovács", deleted=True)
        add_person(uow, other.id, "U1", "Ödön Kovács")
        uow.commit()

    with uow_factory() as uow:
        by_display_name = uow.people.find_by_name(workspace.id, "ÖDÖN KOVÁCS")
        by_handle = uow.people.find_by_name(workspace.id, "ODON")
        by_casefold = uow.people.find_by_name(workspace.id, "straße")
        nobody = uow.people.find_by_name(workspace.id, "Kovács")

    assert by_display_name == [oedoen]
    assert by_handle == [oedoen]
    assert by_casefold == [kim]
    assert nobody == []


def test_everyone_includes_deleted_people_when_listing_a_workspace(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        other = uow.workspaces.add("slack", "T2", "Elsewhere")
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob", deleted=True)
        add_person(uow, other.id, "U3", "Cy")
        uow.commit()

    with uow_factory() as uow:
        everyone = uow.people.everyone(workspace.id)

    assert everyone == [ann, bob]


def test_with_role_lists_holders_who_are_not_deleted_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob", deleted=True)
        cy = add_person(uow, workspace.id, "U3", "Cy")
        for person in (ann, bob):
            uow.people.set_role(person.id, Role.DIRECTOR)
        uow.commit()

    with uow_factory() as uow:
        directors = uow.people.with_role(workspace.id, Role.DIRECTOR)
        members = uow.people.with_role(workspace.id, Role.MEMBER)
        coordinators = uow.people.with_role(workspace.id, Role.COORDINATOR)

    assert [person.id for person in directors] == [ann.id]
    assert directors[0].role is Role.DIRECTOR
    assert members == [cy]
    assert coordinators == []


def test_set_role_raises_lookup_error_when_the_person_is_unknown(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow, pytest.raises(LookupError):
        uow.people.set_role(999, Role.DIRECTOR)
