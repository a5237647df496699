"""The feed watch's records: state, entries seen once, the failure told once, authors."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.feeds import FeedState
from bot.domain.model import OutreachChannel, Post, PostSource, Workspace
from bot.ports import UnitOfWork
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_channel, add_person

URL = "https://blog.example/feed/"


def record_entry(
    uow: UnitOfWork,
    channel: OutreachChannel,
    entry_key: str,
    *,
    author_id: int | None = None,
    url: str | None = None,
    note: str | None = None,
) -> Post | None:
    """The feed watch recording an entry of `channel`'s feed, published and read at T0."""
    return uow.feeds.record(
        channel.workspace_id,
        channel_id=channel.id,
        entry_key=entry_key,
        author_id=author_id,
        posted_at=T0,
        recorded_at=T0,
        url=url,
        note=note,
    )


def test_state_round_trips_and_is_replaced_when_saved(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        channel = add_channel(uow, workspace.id, "Blog")
        assert uow.feeds.state(channel.id) is None
        first = FeedState(channel.id, URL, etag='"a"', taken_from=T0, checked_at=T0, entries=3)
        uow.feeds.save_state(first)
        uow.commit()
    with uow_factory() as uow:
        assert uow.feeds.state(channel.id) == first
        failing = FeedState(channel.id, URL, error="x" * 500, error_since=T0 + timedelta(hours=1))
        uow.feeds.save_state(failing)
        uow.commit()
    with uow_factory() as uow:
        kept = uow.feeds.state(channel.id)
    assert kept is not None
    assert kept.etag is None
    assert kept.error == "x" * 200  # cut to the column's length, not refused


def test_entry_is_recorded_once_and_a_known_url_is_not_counted_twice_when_recorded(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        channel = add_channel(uow, workspace.id, "Blog")
        jane = add_person(uow, workspace.id, "U1", "Jane")
        post = record_entry(
            uow, channel, "id:p=1", author_id=jane.id, url="https://blog.example/one", note="One"
        )
        again = record_entry(uow, channel, "id:p=1")
        same_link = record_entry(uow, channel, "id:p=1-moved", url="https://blog.example/one")
        uow.commit()
    assert post is not None
    assert (post.source, post.author_id, post.recorded_by_id) == (PostSource.FEED, jane.id, None)
    assert (again, same_link) == (None, None)
    with uow_factory() as uow:
        assert uow.feeds.seen(channel.id) == {"id:p=1", "id:p=1-moved"}
        assert uow.posts.count_by_channel(workspace.id, T0)[0].posts == 1


def test_left_out_entries_are_forgotten_for_a_backfill_and_recorded_ones_kept_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        channel = add_channel(uow, workspace.id, "Blog")
        uow.feeds.leave_out(channel.id, "id:old", T0)
        uow.feeds.leave_out(channel.id, "id:old", T0)  # seen twice, kept once
        record_entry(uow, channel, "id:new")
        assert uow.feeds.forget_left_out(channel.id) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.feeds.seen(channel.id) == {"id:new"}


def test_failure_is_marked_told_once_per_failing_spell_when_marked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        channel = add_channel(uow, workspace.id, "Blog")
        uow.feeds.save_state(FeedState(channel.id, URL, checked_at=T0))
        assert uow.feeds.mark_told(channel.id, T0) is False  # nothing is failing
        uow.feeds.save_state(FeedState(channel.id, URL, error="404", error_since=T0))
        uow.commit()
    with uow_factory() as uow:
        assert uow.feeds.mark_told(channel.id, T0) is True
        uow.commit()
    with uow_factory() as uow:
        assert uow.feeds.mark_told(channel.id, T0 + timedelta(hours=1)) is False
        state = uow.feeds.state(channel.id)
    assert state is not None
    assert state.error_told_at == T0


def test_author_names_map_to_people_until_removed_when_set(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        jane = add_person(uow, workspace.id, "U1", "Jane")
        ben = add_person(uow, workspace.id, "U2", "Ben")
        uow.feeds.set_author(workspace.id, "Jane Doe", jane.id)
        uow.feeds.set_author(workspace.id, "Web Team", jane.id)
        uow.feeds.set_author(workspace.id, "web  TEAM", ben.id)
        uow.commit()
    with uow_factory() as uow:
        assert uow.feeds.authors(workspace.id) == {"jane doe": jane.id, "web team": ben.id}
        uow.feeds.set_author(workspace.id, "JANE DOE", None)
        uow.commit()
    with uow_factory() as uow:
        assert uow.feeds.authors(workspace.id) == {"web team": ben.id}


def test_entry_already_logged_by_hand_is_new_again_when_that_post_is_withdrawn(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    link = "https://blog.example/one"
    with uow_factory() as uow:
        channel = add_channel(uow, workspace.id, "Blog")
        shared = uow.posts.add(
            workspace.id,
            channel_id=channel.id,
            author_id=None,
            posted_at=T0,
            source=PostSource.CHAT_MESSAGE,
            recorded_by_id=None,
            recorded_at=T0,
            url=link,
            note=None,
        )
        skipped = record_entry(uow, channel, "id:p=1", url=link)
        assert skipped is None
        assert uow.feeds.seen(channel.id) == {"id:p=1"}
        assert uow.posts.withdraw(shared.id)  # the chat message was deleted
        uow.commit()
    with uow_factory() as uow:
        assert uow.feeds.seen(channel.id) == set()
