"""Private links: found by their token while open, revoked for good, closed when they expire
or their person leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.model import PrivateLink, Workspace
from bot.ports import ConflictError
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_person

HOUR = timedelta(hours=1)


def test_link_round_trips_when_added_and_found_by_token(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        added = uow.links.add(
            workspace.id, person_id=ann.id, kind="calendar", token="tok-ann", created_at=T0
        )
        uow.commit()

    with uow_factory() as uow:
        found = uow.links.find("tok-ann", T0 + HOUR)
        live = uow.links.live(ann.id, "calendar", T0 + HOUR)

    assert found == added == live
    assert found == PrivateLink(
        id=added.id,
        workspace_id=workspace.id,
        person_id=ann.id,
        kind="calendar",
        token="tok-ann",
        created_at=T0,
    )


def test_link_is_not_found_when_the_token_is_unknown_or_of_another_kind(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        uow.links.add(workspace.id, person_id=ann.id, kind="export", token="tok", created_at=T0)
        uow.commit()

    with uow_factory() as uow:
        assert uow.links.find("TOK", T0) is None
        assert uow.links.find("", T0) is None
        assert uow.links.live(ann.id, "calendar", T0) is None
        assert uow.links.live(ann.id, "export", T0) is not None


def test_revoked_link_stays_closed_when_revoked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        uow.links.add(workspace.id, person_id=ann.id, kind="calendar", token="a1", created_at=T0)
        uow.links.add(workspace.id, person_id=ann.id, kind="export", token="a2", created_at=T0)
        uow.links.add(workspace.id, person_id=bob.id, kind="calendar", token="b1", created_at=T0)
        uow.commit()

    with uow_factory() as uow:
        assert uow.links.revoke(ann.id, "calendar", T0 + HOUR) == 1
        uow.commit()

    with uow_factory() as uow:
        assert uow.links.find("a1", T0 + 2 * HOUR) is None
        assert uow.links.live(ann.id, "calendar", T0 + 2 * HOUR) is None
        # Ann's export and Bob's calendar are untouched.
        assert uow.links.find("a2", T0 + 2 * HOUR) is not None
        assert uow.links.find("b1", T0 + 2 * HOUR) is not None
        assert uow.links.revoke(ann.id, "calendar", T0 + 3 * HOUR) == 0


def test_live_link_is_the_newest_when_a_reset_added_another(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        uow.links.add(workspace.id, person_id=ann.id, kind="calendar", token="old", created_at=T0)
        uow.commit()

    with uow_factory() as uow:
        uow.links.revoke(ann.id, "calendar", T0 + HOUR)
        uow.links.add(
            workspace.id, person_id=ann.id, kind="calendar", token="new", created_at=T0 + HOUR
        )
        uow.commit()

    with uow_factory() as uow:
        live = uow.links.live(ann.id, "calendar", T0 + HOUR)
        assert live is not None
        assert live.token == "new"
        assert uow.links.find("old", T0 + HOUR) is None


def test_link_closes_when_it_expires(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        uow.links.add(
            workspace.id,
            person_id=ann.id,
            kind="export",
            token="tok",
            created_at=T0,
            expires_at=T0 + HOUR,
        )
        uow.commit()

    with uow_factory() as uow:
        assert uow.links.find("tok", T0 + HOUR - timedelta(seconds=1)) is not None
        assert uow.links.find("tok", T0 + HOUR) is None
        assert uow.links.live(ann.id, "export", T0 + HOUR) is None


def test_link_stops_opening_when_its_person_has_left(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        uow.links.add(workspace.id, person_id=ann.id, kind="calendar", token="tok", created_at=T0)
        uow.commit()

    with uow_factory() as uow:
        add_person(uow, workspace.id, "U1", "Ann", deleted=True, refreshed_at=T0 + HOUR)
        uow.commit()

    with uow_factory() as uow:
        assert uow.links.find("tok", T0 + 2 * HOUR) is None


def test_same_token_is_refused_when_added_twice(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        uow.links.add(workspace.id, person_id=ann.id, kind="calendar", token="tok", created_at=T0)
        uow.commit()

    with pytest.raises(ConflictError), uow_factory() as uow:
        uow.links.add(workspace.id, person_id=ann.id, kind="export", token="tok", created_at=T0)
        uow.commit()

    with uow_factory() as uow:
        found = uow.links.find("tok", T0)
        assert found is not None
        assert found.kind == "calendar"
