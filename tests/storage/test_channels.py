"""Outreach channels, their names and their stewards."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from bot.domain.model import ChannelKind, OutreachChannel, Workspace
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_channel, add_person


@contextmanager
def _counting_selects(uow_factory: SqlAlchemyUnitOfWorkFactory) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statement = args[2]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(uow_factory.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(uow_factory.engine, "before_cursor_execute", record)


def test_channel_round_trips_when_added(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        added = uow.channels.add(
            workspace.id,
            name="Library Blog",
            kind=ChannelKind.BLOG,
            quiet_after_seconds=14 * 86400,
            created_at=T0,
            feed_url="https://library.example/feed.xml",
            match_pattern="library.example/blog/",
        )
        uow.commit()

    with uow_factory() as uow:
        found = uow.channels.get_by_name(workspace.id, "library blog")

    assert (
        found
        == added
        == OutreachChannel(
            id=added.id,
            workspace_id=workspace.id,
            name="Library Blog",
            kind=ChannelKind.BLOG,
            quiet_after=timedelta(days=14),
            created_at=T0,
            feed_url="https://library.example/feed.xml",
            match_pattern="library.example/blog/",
            access_note=None,
            archived=False,
            steward_ids=frozenset(),
        )
    )


def test_get_by_name_matches_ignoring_case_when_the_name_differs_in_case(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        added = add_channel(uow, workspace.id, "Straße Instagram", kind=ChannelKind.INSTAGRAM)
        uow.commit()

    with uow_factory() as uow:
        assert uow.channels.get_by_name(workspace.id, "STRASSE INSTAGRAM") == added
        assert uow.channels.get_by_name(workspace.id, "Mastodon") is None


def test_adding_a_channel_is_refused_when_the_name_differs_only_in_case(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        add_channel(uow, workspace.id, "Twitter")
        with pytest.raises(IntegrityError):
            add_channel(uow, workspace.id, "twitter")


def test_adding_a_channel_is_refused_when_an_archived_one_has_the_name(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        old = add_channel(uow, workspace.id, "Twitter")
        uow.channels.update(dataclasses.replace(old, archived=True))
        uow.commit()

    with uow_factory() as uow, pytest.raises(IntegrityError):
        add_channel(uow, workspace.id, "TWITTER")


def test_channel_names_are_free_when_another_workspace_uses_them(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        other = uow.workspaces.add("slack", "T2", "Elsewhere")
        mine = add_channel(uow, workspace.id, "Twitter")
        theirs = add_channel(uow, other.id, "Twitter")
        uow.commit()

    with uow_factory() as uow:
        assert uow.channels.get_by_name(workspace.id, "twitter") == mine
        assert uow.channels.get_by_name(other.id, "twitter") == theirs


def test_update_saves_every_field_when_the_channel_changes(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        steward = add_person(uow, workspace.id, "U1", "Ann")
        added = add_channel(uow, workspace.id, "Twitter")
        uow.channels.add_steward(added.id, steward.id)
        uow.commit()
    changed = dataclasses.replace(
        added,
        name="X",
        kind=ChannelKind.OTHER,
        quiet_after=timedelta(days=3),
        feed_url="https://x.example/feed",
        match_pattern="x.example/library",
        access_note="library password manager → Social → X",
        archived=True,
        steward_ids=frozenset({123}),
    )

    with uow_factory() as uow:
        uow.channels.update(changed)
        uow.commit()

    with uow_factory() as uow:
        by_new_name = uow.channels.get_by_name(workspace.id, "x")
        by_old_name = uow.channels.get_by_name(workspace.id, "Twitter")

    assert by_new_name == dataclasses.replace(changed, steward_ids=frozenset({steward.id}))
    assert by_old_name is None


def test_update_is_refused_when_renaming_onto_another_channels_name(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog", kind=ChannelKind.BLOG)
        with pytest.raises(IntegrityError):
            uow.channels.update(dataclasses.replace(blog, name="TWITTER"))


def test_update_raises_lookup_error_when_the_channel_is_unknown(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ghost = dataclasses.replace(add_channel(uow, workspace.id, "Twitter"), id=999)
        with pytest.raises(LookupError):
            uow.channels.update(ghost)


def test_all_lists_channels_by_name_with_stewards_when_archived_ones_are_left_out(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        other = uow.workspaces.add("slack", "T2", "Elsewhere")
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        twitter = add_channel(uow, workspace.id, "twitter")
        blog = add_channel(uow, workspace.id, "Blog", kind=ChannelKind.BLOG)
        old = add_channel(uow, workspace.id, "MySpace")
        add_channel(uow, other.id, "Elsewhere's")
        uow.channels.update(dataclasses.replace(old, archived=True))
        uow.channels.add_steward(twitter.id, ann.id)
        uow.channels.add_steward(twitter.id, bob.id)
        uow.channels.add_steward(old.id, bob.id)
        uow.commit()

    with uow_factory() as uow:
        active = uow.channels.all(workspace.id)
        everything = uow.channels.all(workspace.id, include_archived=True)

    assert [(c.name, c.steward_ids) for c in active] == [
        ("Blog", frozenset()),
        ("twitter", frozenset({ann.id, bob.id})),
    ]
    assert active[0] == blog
    assert [(c.name, c.archived, c.steward_ids) for c in everything] == [
        ("Blog", False, frozenset()),
        ("MySpace", True, frozenset({bob.id})),
        ("twitter", False, frozenset({ann.id, bob.id})),
    ]


def test_all_loads_stewards_in_one_query_when_there_are_many_channels(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        for number in range(6):
            channel = add_channel(uow, workspace.id, f"Channel {number}")
            uow.channels.add_steward(channel.id, ann.id)
        uow.commit()

    with uow_factory() as uow, _counting_selects(uow_factory) as selects:
        channels = uow.channels.all(workspace.id)

    assert len(channels) == 6
    assert all(channel.steward_ids == {ann.id} for channel in channels)
    assert len(selects) == 2


def test_add_steward_reports_false_when_the_person_already_is_one(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        twitter = add_channel(uow, workspace.id, "Twitter")

        first = uow.channels.add_steward(twitter.id, ann.id)
        second = uow.channels.add_steward(twitter.id, ann.id)
        uow.commit()

    with uow_factory() as uow:
        stored = uow.channels.get_by_name(workspace.id, "twitter")

    assert (first, second) == (True, False)
    assert stored is not None and stored.steward_ids == {ann.id}


def test_remove_steward_reports_false_when_the_person_was_not_one(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        twitter = add_channel(uow, workspace.id, "Twitter")
        uow.channels.add_steward(twitter.id, ann.id)
        uow.channels.add_steward(twitter.id, bob.id)

        removed = uow.channels.remove_steward(twitter.id, ann.id)
        removed_again = uow.channels.remove_steward(twitter.id, ann.id)
        uow.commit()

    with uow_factory() as uow:
        stored = uow.channels.get_by_name(workspace.id, "twitter")

    assert (removed, removed_again) == (True, False)
    assert stored is not None and stored.steward_ids == {bob.id}
