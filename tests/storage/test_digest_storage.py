"""The digest's records: per-workspace settings and recipients, and posts tallied by week."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from sqlalchemy import text

from bot.domain.digest import DigestSettings, PostTally
from bot.domain.model import OutreachChannel, PostSource, Workspace
from bot.ports import UnitOfWork
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_channel, add_person

WEEK = timedelta(days=7)
BOUNDS = (T0 - 2 * WEEK, T0 - WEEK, T0)


def _post(
    uow: UnitOfWork,
    channel: OutreachChannel,
    posted_at: datetime,
    author_id: int | None,
) -> None:
    uow.posts.add(
        channel.workspace_id,
        channel_id=channel.id,
        author_id=author_id,
        posted_at=posted_at,
        source=PostSource.MANUAL,
        recorded_by_id=author_id,
        recorded_at=posted_at,
        url=None,
        note=None,
    )


def test_settings_are_the_defaults_when_nobody_changed_them(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        settings = uow.digests.get(workspace.id)
    assert settings == DigestSettings(workspace_id=workspace.id)
    assert (settings.weekday, settings.at, settings.chat_channel_id) == (4, time(15, 0), None)


def test_settings_round_trip_when_saved_and_saved_again(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        first = DigestSettings(
            workspace_id=workspace.id,
            chat_channel_id="C0OUTREACH",
            weekday=0,
            at=time(9, 30),
            person_ids=frozenset({ann.id, bob.id}),
        )
        uow.digests.save(first)
        uow.commit()
    with uow_factory() as uow:
        assert uow.digests.get(workspace.id) == first
        second = replace(first, chat_channel_id=None, person_ids=frozenset({bob.id}))
        uow.digests.save(second)
        uow.commit()
    with uow_factory() as uow:
        assert uow.digests.get(workspace.id) == second


def test_settings_belong_to_one_workspace_when_another_has_its_own(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        other = uow.workspaces.add("slack", "T0002", "Other Library")
        uow.digests.save(DigestSettings(workspace_id=other.id, chat_channel_id="C0THEIRS"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.digests.get(workspace.id).chat_channel_id is None
        assert uow.digests.get(other.id).chat_channel_id == "C0THEIRS"


def test_recipient_goes_with_the_person_when_their_record_is_deleted(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        uow.digests.save(DigestSettings(workspace_id=workspace.id, person_ids=frozenset({ann.id})))
        uow.commit()
    with uow_factory.engine.begin() as connection:
        connection.execute(text("DELETE FROM people WHERE id = :id"), {"id": ann.id})
    with uow_factory() as uow:
        assert uow.digests.get(workspace.id).person_ids == frozenset()


def test_tally_counts_posts_per_window_channel_and_author_when_posts_span_weeks(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        other = uow.workspaces.add("slack", "T0002", "Other Library")
        theirs = add_channel(uow, other.id, "Twitter")
        _post(uow, twitter, T0 - 2 * WEEK - timedelta(seconds=1), ann.id)  # before: left out
        _post(uow, twitter, T0 - 2 * WEEK, ann.id)  # on the first bound: window 0
        _post(uow, twitter, T0 - WEEK - timedelta(seconds=1), ann.id)
        _post(uow, twitter, T0 - WEEK, bob.id)  # on the middle bound: window 1
        _post(uow, twitter, T0 - timedelta(days=1), bob.id)
        _post(uow, twitter, T0 - timedelta(days=2), None)
        _post(uow, blog, T0 - timedelta(days=3), ann.id)
        _post(uow, twitter, T0, ann.id)  # at the end: left out
        _post(uow, theirs, T0 - timedelta(days=1), None)  # another workspace
        uow.commit()

    with uow_factory() as uow:
        tallies = uow.posts.tally(workspace.id, BOUNDS)

    assert tallies == [
        PostTally(window=0, channel_id=twitter.id, author_id=ann.id, posts=2),
        PostTally(window=1, channel_id=twitter.id, author_id=bob.id, posts=2),
        PostTally(window=1, channel_id=twitter.id, author_id=None, posts=1),
        PostTally(window=1, channel_id=blog.id, author_id=ann.id, posts=1),
    ]


def test_tally_is_empty_when_no_posts_fall_in_the_windows(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        _post(uow, twitter, T0 + WEEK, None)
        assert uow.posts.tally(workspace.id, BOUNDS) == []
        assert uow.posts.tally(workspace.id, (T0,)) == []


def test_tally_has_one_window_when_given_two_bounds(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        for days in (1, 30, 89):
            _post(uow, twitter, T0 - timedelta(days=days), None)
        assert uow.posts.tally(workspace.id, (T0 - timedelta(days=90), T0)) == [
            PostTally(window=0, channel_id=twitter.id, author_id=None, posts=3)
        ]
