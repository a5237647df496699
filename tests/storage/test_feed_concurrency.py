"""Several replicas watching the same feed at once: each entry is recorded once, and a
failing feed is told to coordinators once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from bot.domain.feeds import FeedRead
from bot.ports import FeedError
from bot.services.feeds import FeedWatch
from handlers.feeds import parse_feed
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.fakes import FakeNotifier
from tests.feed_server import feed_file
from tests.storage.test_scheduled_concurrency import REPLICAS, START, seed

URL = "https://blog.riverside.example/feed/"


class StaticFeed:
    """A feed that always reads as `body`, or fails with `failure`."""

    def __init__(self, body: bytes, failure: str | None = None) -> None:
        self.body = body
        self.failure = failure

    def read(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FeedRead:
        del etag, last_modified
        if self.failure is not None:
            raise FeedError(self.failure)
        return parse_feed(self.body, url)


def watched_blog(database_url: str) -> None:
    upgrade(database_url)
    seed(database_url, [("U0ADA", "channel add Blog kind=blog"), ("U0BEN", "join")])
    engine = create_engine_for(database_url)
    with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
        workspace = uow.workspaces.all()[0]
        blog = uow.channels.all(workspace.id)[0]
        uow.channels.update(replace(blog, feed_url=URL))
        uow.commit()
    engine.dispose()


def all_polling(database_url: str, reader: StaticFeed, at: timedelta) -> FakeNotifier:
    notifier = FakeNotifier()
    engines = [create_engine_for(database_url) for _ in range(REPLICAS)]
    watches = [
        FeedWatch(uow_factory=SqlAlchemyUnitOfWorkFactory(e), reader=reader, notifier=notifier)
        for e in engines
    ]
    barrier = threading.Barrier(REPLICAS)

    def replica(poll: Callable[..., int]) -> None:
        barrier.wait()
        poll(START + at)

    threads = [threading.Thread(target=replica, args=(w.poll,)) for w in watches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    return notifier


def blog_posts(database_url: str) -> int:
    engine = create_engine_for(database_url)
    with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
        workspace = uow.workspaces.all()[0]
        counted = uow.posts.count_by_channel(workspace.id, START - timedelta(days=3650))
    engine.dispose()
    return sum(row.posts for row in counted)


def test_entries_are_recorded_once_when_replicas_read_the_feed_together(
    database_url: str,
) -> None:
    watched_blog(database_url)
    feed = feed_file("library-blog-rss2.xml")
    all_polling(database_url, StaticFeed(feed), timedelta(minutes=20))
    assert blog_posts(database_url) == 2  # the last 14 days: 27 and 17 November

    item = (
        b"<item><title>Gingerbread</title><link>https://blog.riverside.example/g/</link>"
        b"<pubDate>Mon, 30 Nov 2026 10:30:00 +0000</pubDate></item>"
    )
    newer = feed.replace(b"<item>", item + b"<item>", 1)
    all_polling(database_url, StaticFeed(newer), timedelta(minutes=40))
    assert blog_posts(database_url) == 3


def test_a_failing_feed_is_told_once_when_replicas_find_it_together(database_url: str) -> None:
    watched_blog(database_url)
    told = all_polling(
        database_url, StaticFeed(b"", "the server answered 500"), timedelta(minutes=20)
    )
    assert [m.summary for m in told.to("U0ADA")] == ["The feed of Blog isn't working"]
