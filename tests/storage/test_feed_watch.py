"""The feed-watch job over real SQL: a feed whose first read failed, and backfills of
feeds without dates."""

from __future__ import annotations

from datetime import timedelta

from bot.services.feeds import FeedWatch, backfill
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.fakes import FakeNotifier
from tests.feed_server import feed_file
from tests.storage.test_feed_concurrency import URL, StaticFeed, blog_posts, watched_blog
from tests.storage.test_scheduled_concurrency import START

UNDATED_ITEM = b"<item><title>Club de lectura</title><link>https://es.example/club</link></item>"


def poll(database_url: str, reader: StaticFeed, at: timedelta) -> FakeNotifier:
    notifier = FakeNotifier()
    engine = create_engine_for(database_url)
    FeedWatch(
        uow_factory=SqlAlchemyUnitOfWorkFactory(engine), reader=reader, notifier=notifier
    ).poll(START + at)
    engine.dispose()
    return notifier


def test_a_feed_whose_first_read_failed_takes_new_undated_entries_once_it_works(
    database_url: str,
) -> None:
    watched_blog(database_url)
    poll(database_url, StaticFeed(b"", "the server answered 502"), timedelta(minutes=20))
    old = feed_file("old-rss091-no-guids.xml")
    poll(database_url, StaticFeed(old), timedelta(minutes=40))  # the first good look
    assert blog_posts(database_url) == 0  # its undated entries may be years old
    newer = old.replace(b"<item>", UNDATED_ITEM + b"<item>", 1)
    poll(database_url, StaticFeed(newer), timedelta(minutes=60))
    assert blog_posts(database_url) == 1  # new since the last look: posted now


def test_a_backfill_leaves_undated_entries_out_when_it_looks_back(database_url: str) -> None:
    watched_blog(database_url)
    old = feed_file("old-rss091-no-guids.xml")
    poll(database_url, StaticFeed(old), timedelta(minutes=20))
    engine = create_engine_for(database_url)
    with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
        workspace = uow.workspaces.all()[0]
        blog = uow.channels.all(workspace.id)[0]
        read = StaticFeed(old).read(URL)
        taken = backfill(uow, workspace, blog, read, timedelta(days=36500), START)
        uow.commit()
    engine.dispose()
    assert taken.posts == ()
    assert blog_posts(database_url) == 0
