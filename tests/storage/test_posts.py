"""Posts: recorded once, counted per channel and per author."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain.model import OutreachChannel, Post, PostSource, Workspace
from bot.ports import ChannelCount, PersonCount, UnitOfWork
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_channel, add_person

DAY = timedelta(days=1)


def _post(
    uow: UnitOfWork,
    channel: OutreachChannel,
    posted_at: datetime = T0,
    *,
    author_id: int | None = None,
    url: str | None = None,
) -> Post:
    return uow.posts.add(
        channel.workspace_id,
        channel_id=channel.id,
        author_id=author_id,
        posted_at=posted_at,
        source=PostSource.MANUAL,
        recorded_by_id=author_id,
        recorded_at=posted_at + timedelta(minutes=5),
        url=url,
        note=None,
    )


def test_post_round_trips_when_recorded_and_found_by_url(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        twitter = add_channel(uow, workspace.id, "Twitter")
        added = uow.posts.add(
            workspace.id,
            channel_id=twitter.id,
            author_id=ann.id,
            posted_at=T0,
            source=PostSource.CHAT_MESSAGE,
            recorded_by_id=bob.id,
            recorded_at=T0 + DAY,
            url="https://x.example/library/status/1",
            note="Summer reading launch",
        )
        uow.commit()

    with uow_factory() as uow:
        found = uow.posts.find_by_url(twitter.id, "https://x.example/library/status/1")
        elsewhere = uow.posts.find_by_url(twitter.id, "https://x.example/library/status/2")

    assert (
        found
        == added
        == Post(
            id=added.id,
            workspace_id=workspace.id,
            channel_id=twitter.id,
            author_id=ann.id,
            posted_at=T0,
            source=PostSource.CHAT_MESSAGE,
            recorded_by_id=bob.id,
            url="https://x.example/library/status/1",
            note="Summer reading launch",
        )
    )
    assert elsewhere is None


def test_second_post_is_refused_when_the_channel_and_url_repeat(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        _post(uow, twitter, url="https://library.example/news/1")
        _post(uow, blog, url="https://library.example/news/1")
        _post(uow, twitter)
        _post(uow, twitter)
        uow.commit()

    with uow_factory() as uow, pytest.raises(IntegrityError):
        _post(uow, twitter, T0 + DAY, url="https://library.example/news/1")


def test_last_post_times_gives_each_channels_latest_post_when_there_are_several(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        elsewhere = uow.workspaces.add("slack", "T2", "Elsewhere")
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        add_channel(uow, workspace.id, "Silent")
        foreign = add_channel(uow, elsewhere.id, "Twitter")
        for moment in (T0, T0 + 3 * DAY, T0 + DAY):
            _post(uow, twitter, moment)
        _post(uow, blog, T0 - 10 * DAY)
        _post(uow, foreign, T0 + 30 * DAY)
        uow.commit()

    with uow_factory() as uow:
        latest = uow.posts.last_post_times(workspace.id)

    assert latest == {twitter.id: T0 + 3 * DAY, blog.id: T0 - 10 * DAY}


def test_count_by_channel_counts_posts_since_the_moment_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        mastodon = add_channel(uow, workspace.id, "Mastodon")
        for moment in (T0, T0 + DAY, T0 + 2 * DAY):
            _post(uow, twitter, moment)
        _post(uow, blog, T0 + DAY)
        _post(uow, mastodon, T0 - timedelta(microseconds=1))
        uow.commit()

    with uow_factory() as uow:
        counts = uow.posts.count_by_channel(workspace.id, T0)

    assert counts == [ChannelCount(twitter.id, 3), ChannelCount(blog.id, 1)]


def test_count_by_author_aggregates_per_person_and_unknown_authors_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        elsewhere = uow.workspaces.add("slack", "T2", "Elsewhere")
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        foreign = add_channel(uow, elsewhere.id, "Twitter")
        _post(uow, twitter, T0, author_id=ann.id)
        _post(uow, blog, T0 + DAY, author_id=ann.id)
        _post(uow, twitter, T0 + 2 * DAY, author_id=ann.id)
        _post(uow, twitter, T0 + DAY, author_id=bob.id)
        _post(uow, twitter, T0 - DAY, author_id=bob.id)  # before `since`
        _post(uow, blog, T0 + DAY)
        _post(uow, blog, T0 + 2 * DAY)
        _post(uow, foreign, T0 + DAY, author_id=ann.id)
        uow.commit()

    with uow_factory() as uow:
        counts = uow.posts.count_by_author(workspace.id, T0)

    assert counts == [PersonCount(ann.id, 3), PersonCount(None, 2), PersonCount(bob.id, 1)]
