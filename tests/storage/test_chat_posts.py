"""Posts recorded from chat messages: found and withdrawn by the message they came from;
the workspace's watched chat channel."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import NOT_WATCHING, OutreachChannel, Post, PostSource, Workspace
from bot.ports import UnitOfWork
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.seed import T0, add_channel, add_person

REF = "C0OUTREACH:1764496800.000100"


def _from_chat(
    uow: UnitOfWork, channel: OutreachChannel, author_id: int, url: str, chat_ref: str = REF
) -> Post:
    return uow.posts.add(
        channel.workspace_id,
        channel_id=channel.id,
        author_id=author_id,
        posted_at=T0,
        source=PostSource.CHAT_MESSAGE,
        recorded_by_id=None,
        recorded_at=T0 + timedelta(seconds=2),
        url=url,
        note=None,
        chat_ref=chat_ref,
    )


def test_posts_are_found_by_their_message_when_recorded_from_chat(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        first = _from_chat(uow, twitter, ann.id, "https://x.example/lib/status/1")
        second = _from_chat(uow, blog, ann.id, "https://library.example/blog/1")
        _from_chat(uow, twitter, ann.id, "https://x.example/lib/status/2", "C0OUTREACH:2.0")
        uow.commit()

    with uow_factory() as uow:
        found = uow.posts.from_chat_message(workspace.id, REF)

    assert found == [first, second]
    assert found[0].chat_ref == REF
    assert found[0].source is PostSource.CHAT_MESSAGE
    assert found[0].recorded_by_id is None


def test_no_posts_are_found_when_the_message_is_in_another_workspace(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        _from_chat(uow, add_channel(uow, workspace.id, "Twitter"), ann.id, "https://x.example/1")
        other = uow.workspaces.add("slack", "T0OTHER", "Other Library")
        uow.commit()

    with uow_factory() as uow:
        assert uow.posts.from_chat_message(other.id, REF) == []
        assert uow.posts.from_chat_message(workspace.id, "C0OUTREACH:9.9") == []


def test_withdrawn_post_leaves_the_record_when_its_message_changes(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        twitter = add_channel(uow, workspace.id, "Twitter")
        post = _from_chat(uow, twitter, ann.id, "https://x.example/lib/status/1")
        uow.commit()

    with uow_factory() as uow:
        assert uow.posts.withdraw(post.id) is True
        uow.commit()

    with uow_factory() as uow:
        assert uow.posts.withdraw(post.id) is False
        assert uow.posts.from_chat_message(workspace.id, REF) == []
        assert uow.posts.find_by_url(twitter.id, "https://x.example/lib/status/1") is None
        assert uow.posts.last_post_times(workspace.id) == {}
        _from_chat(uow, twitter, ann.id, "https://x.example/lib/status/1")  # the link is free
        uow.commit()
    with uow_factory() as uow:
        assert len(uow.posts.from_chat_message(workspace.id, REF)) == 1


def test_post_without_a_message_has_no_chat_ref_when_recorded_by_hand(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        twitter = add_channel(uow, workspace.id, "Twitter")
        uow.posts.add(
            workspace.id,
            channel_id=twitter.id,
            author_id=ann.id,
            posted_at=T0,
            source=PostSource.MANUAL,
            recorded_by_id=ann.id,
            recorded_at=T0,
            url="https://x.example/1",
            note=None,
        )
        uow.commit()

    with uow_factory() as uow:
        found = uow.posts.find_by_url(twitter.id, "https://x.example/1")
    assert found is not None and found.chat_ref is None


def test_watched_chat_channel_is_kept_when_a_coordinator_chooses_one(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    assert workspace.watch_channel is None

    with uow_factory() as uow:
        uow.workspaces.set_watch_channel(workspace.id, "C0OUTREACH")
        uow.commit()
    with uow_factory() as uow:
        found = uow.workspaces.get_by_external_id("slack", "T0001")
        assert found is not None and found.watch_channel == "C0OUTREACH"
        uow.workspaces.set_watch_channel(workspace.id, NOT_WATCHING)
        uow.commit()
    with uow_factory() as uow:
        assert [w.watch_channel for w in uow.workspaces.all()] == [NOT_WATCHING]
        uow.workspaces.set_watch_channel(workspace.id, None)
        uow.commit()
    with uow_factory() as uow:
        found = uow.workspaces.get_by_external_id("slack", "T0001")
        assert found is not None and found.watch_channel is None
