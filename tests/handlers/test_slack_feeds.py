"""Feed watch in Slack (§6): a blog added by its feed address, new entries recorded within
one tick and credited to whoever is on duty, failures told to coordinators once.

The library's blog is served from a loopback web server. Monday 30 November 2026, 10:00
in London: Ben joins and is on duty until Monday 7 December; Cat is next.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from tests.feed_server import FeedServer, feed_file
from tests.handlers.conftest import SlackWorld
from tests.handlers.staff import field, staff

RSS = "application/rss+xml; charset=UTF-8"
NEW_ITEM = b"""<item>
  <title>Gingerbread library competition</title>
  <link>https://blog.riverside.example/2026/11/30/gingerbread/</link>
  <dc:creator><![CDATA[Web Team]]></dc:creator>
  <pubDate>Mon, 30 Nov 2026 11:00:00 +0000</pubDate>
  <guid isPermaLink="false">https://blog.riverside.example/?p=415</guid>
</item>
"""


def blog_with(*items: bytes) -> bytes:
    """The blog's feed with `items` published on top."""
    feed = feed_file("library-blog-rss2.xml")
    first = feed.index(b"<item>")
    return feed[:first] + b"".join(items) + feed[first:]


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
async def blog() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def rota(slack: SlackWorld) -> None:
    staff(slack)
    await slack.duty("U0BEN", "join")
    await slack.duty("U0CAT", "join")


async def blog_added(slack: SlackWorld, blog: FeedServer) -> str:
    """The rota, and Ada adding the blog by its feed; the feed's address."""
    await rota(slack)
    url = blog.serve("feed/", feed_file("library-blog-rss2.xml"), content_type=RSS)
    await slack.duty("U0ADA", f"channel add Blog kind=blog feed={url}")
    return url


async def test_new_blog_entry_is_recorded_within_one_tick_and_credited_to_who_is_on_duty(
    slack: SlackWorld, blog: FeedServer
) -> None:
    await rota(slack)
    url = blog.serve("feed/", feed_file("library-blog-rss2.xml"), content_type=RSS, etag='"1"')

    added = await slack.duty("U0ADA", f"channel add Blog kind=blog feed={url}")
    assert added == (
        "Added the outreach channel *Blog* (blog, quiet after 14 days). Its feed has 4 "
        "entries. I recorded the 2 posts of the last 14 days, credited to their mapped "
        "authors or to whoever was on duty when each was published. Older entries are left "
        "out; `/duty channel set Blog backfill=90d` records more. I'll check it every 20 "
        "minutes for new ones."
    )
    listed = await slack.duty("U0BEN", "channels")
    assert field(listed, "Last post") == "3 days ago"  # Friday's winter reading challenge

    # The blog publishes at 11:00; the feed watch runs at 11:20.
    blog.serve("feed/", blog_with(NEW_ITEM), content_type=RSS, etag='"2"')
    slack.clock.set(at(30, 11, 20))
    assert await slack.run_job("feed-watch") == 0
    assert blog.asked_for("feed/")[-1].headers["If-None-Match"] == '"1"'

    listed = await slack.duty("U0BEN", "channels")
    assert field(listed, "Last post") == "today"
    assert field(listed, "Feed") == f"{url}: fine, 5 entries, read Mon 30 Nov 11:20"
    stats = await slack.duty("U0ADA", "stats 7")
    assert "• <@U0BEN>: 1" in stats  # on duty at 11:00
    assert "• `no author`: 1" in stats  # Friday's entry: nobody was on duty yet
    assert "• *Blog*: 2" in stats

    # Nothing new: the server says 304, and nothing is counted twice.
    slack.clock.set(at(30, 11, 40))
    await slack.run_job("feed-watch")
    assert blog.asked_for("feed/")[-1].headers["If-None-Match"] == '"2"'
    assert "• *Blog*: 2\n" in await slack.duty("U0ADA", "stats 7")


async def test_backfill_records_the_older_entries_asked_for_once_when_set(
    slack: SlackWorld, blog: FeedServer
) -> None:
    await blog_added(slack, blog)

    filled = await slack.duty("U0ADA", "channel set Blog backfill=90d")
    assert filled == "Recorded 1 more post from the last 90 days of its feed."
    again = await slack.duty("U0ADA", "channel set blog backfill=90d")
    assert again == "No entries of the last 90 days were left to record."
    everything = await slack.duty("U0ADA", "channel set blog backfill=all")
    assert everything == "Recorded 1 more post: every entry its feed holds now."
    assert "• *Blog*: 4\n" in await slack.duty("U0ADA", "stats 3650")


async def test_a_failing_feed_is_told_to_coordinators_once_and_shown_in_channels(
    slack: SlackWorld, blog: FeedServer
) -> None:
    url = await blog_added(slack, blog)

    blog.serve("feed/", b"<h1>Maintenance</h1>", status=503, content_type="text/html")
    slack.clock.set(at(30, 10, 20))
    assert await slack.run_job("feed-watch") == 1
    slack.clock.set(at(30, 10, 40))
    assert await slack.run_job("feed-watch") == 0
    told = [m for m in slack.dms("U0ADA") if "feed of" in m]
    assert told == [
        f"I haven't been able to read the feed of *Blog* ({url}) since Mon 30 Nov 10:20: the "
        "server answered 503 Service Unavailable. The last good read was Mon 30 Nov 10:00. "
        "Its posts aren't being recorded until it works again; I'll keep trying every 20 "
        "minutes and won't tell you again about this failure. "
        "`/duty channel set Blog feed=&lt;address&gt;` "
        "changes the address."
    ]
    assert slack.dms("U0BEN") == slack.dms("U0BEN")[:1]  # only Ben's welcome, no feed news
    listed = await slack.duty("U0ADA", "channels")
    assert field(listed, "Feed") == (
        f"*not working since Mon 30 Nov 10:20*: the server answered 503 Service Unavailable ({url})"
    )
    assert field(listed, "Last post") == "3 days ago"  # the last good state is kept

    blog.serve("feed/", blog_with(NEW_ITEM), content_type=RSS)
    slack.clock.set(at(30, 11, 0))
    await slack.run_job("feed-watch")
    assert field(await slack.duty("U0ADA", "channels"), "Feed").startswith(f"{url}: fine, 5 ")


async def test_a_bad_feed_address_changes_nothing_and_says_why_when_added(
    slack: SlackWorld, blog: FeedServer
) -> None:
    staff(slack)
    missing = blog.url("no-such-feed")
    refused = await slack.duty("U0ADA", f"channel add Blog kind=blog feed={missing}")
    assert refused == (
        f"I can't use {missing} as a feed: the server answered 404 Not Found. Nothing was "
        "changed. Check the address (opened in a browser, a feed shows XML), or leave `feed=` "
        "out and add it later with `/duty channel set Blog feed=&lt;address&gt;`."
    )
    assert "No outreach channels yet" in await slack.duty("U0ADA", "channels")

    page = blog.serve("blog/", feed_file("blog-home.html"), content_type="text/html")
    hinted = await slack.duty("U0ADA", f"channel add Blog kind=blog feed={page}")
    assert f"that address is a web page, not a feed; its feed seems to be {blog.url('feed/')}" in (
        hinted
    )
    assert "No outreach channels yet" in await slack.duty("U0ADA", "channels")


async def test_entries_by_a_mapped_author_are_credited_to_them_not_to_who_is_on_duty(
    slack: SlackWorld, blog: FeedServer
) -> None:
    await blog_added(slack, blog)
    assert await slack.duty("U0ADA", "author") == (
        "No author names from feeds are credited to anyone yet, so feed entries go to whoever "
        'was on duty. `/duty author "Jane Doe" @jane` credits hers to her.'
    )
    mapped = await slack.duty("U0ADA", 'author "Web  Team" <@U0DAN|dan>')
    assert mapped == (
        "Feed entries by “Web Team” are credited to <@U0DAN> from now on; posts already "
        "recorded keep their credit."
    )
    assert await slack.duty("U0ADA", "author") == (
        "Feed authors credited to staff\n• “Web Team”: <@U0DAN>"
    )
    refused = await slack.duty("U0BEN", 'author "Web Team" <@U0BEN|ben>')
    assert "coordinators" in refused

    blog.serve("feed/", blog_with(NEW_ITEM), content_type=RSS)  # by "Web Team"
    slack.clock.set(at(30, 11, 20))
    await slack.run_job("feed-watch")
    stats = await slack.duty("U0ADA", "stats 1")
    assert "• <@U0DAN>: 1" in stats  # Ben is on duty, but Dan writes as the web team
    assert "<@U0BEN>" not in stats

    unmapped = await slack.duty("U0ADA", 'author "web team" none')
    assert unmapped == "Feed entries by “web team” go to whoever is on duty again, from now on."
    assert await slack.duty("U0ADA", 'author "Web Team" nobody') == (
        "“Web Team” wasn't credited to anyone; nothing changed."
    )


async def test_an_undated_feed_records_only_entries_that_appear_after_the_first_look(
    slack: SlackWorld, blog: FeedServer
) -> None:
    await rota(slack)
    old = feed_file("old-rss091-no-guids.xml")
    url = blog.serve("es/rss.xml", old, content_type="text/xml; charset=iso-8859-1")
    added = await slack.duty("U0ADA", f"channel add Noticias kind=blog feed={url}")
    assert "Its feed has 2 entries. Its entries carry no dates, so I recorded none of them; " in (
        added
    )
    assert "backfill" not in added  # looking back can't tell how old they are

    new = b"<item><title>Club de lectura</title><link>/noticias/club.html</link></item>"
    blog.serve("es/rss.xml", old.replace(b"<item>", new + b"<item>", 1), content_type="text/xml")
    slack.clock.set(at(30, 12, 0))
    await slack.run_job("feed-watch")
    listed = await slack.duty("U0BEN", "channels")
    assert field(listed, "Last post") == "today"
    assert "• <@U0BEN>: 1" in await slack.duty("U0ADA", "stats 1")
    slack.clock.set(at(30, 12, 20))
    await slack.run_job("feed-watch")  # the same undated entry again: not a new post
    assert "1 post in all." in await slack.duty("U0ADA", "stats 1")


async def test_others_carry_on_while_a_slow_feed_is_read_when_a_channel_is_added(
    slack: SlackWorld, blog: FeedServer
) -> None:
    await rota(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    url = blog.serve("feed/", feed_file("library-blog-rss2.xml"), content_type=RSS, hang=True)
    adding = asyncio.create_task(slack.duty("U0ADA", f"channel add Blog kind=blog feed={url}"))
    await blog.held.wait()  # the blog's server has the request and is slow to answer

    # Meanwhile Ben records a post: the feed being read holds nothing up.
    posted = await slack.duty("U0BEN", "posted Twitter https://x.com/riversidelib/status/9")
    assert posted == "Recorded your post on *Twitter*. Thank you!"
    assert not adding.done()

    blog.release()
    assert (await adding).startswith("Added the outreach channel *Blog* (blog, quiet after 14")
    assert "Its feed has 4 entries." in await adding


async def test_a_feed_address_key_is_shown_to_coordinators_only_when_channels_are_listed(
    slack: SlackWorld, blog: FeedServer
) -> None:
    await rota(slack)
    url = blog.serve("letter", feed_file("news-atom.xml"), content_type="application/atom+xml")
    await slack.duty("U0ADA", f"channel add Newsletter kind=newsletter feed={url}?key=s3cret")
    assert field(await slack.duty("U0ADA", "channels"), "Feed").startswith(f"{url}?key=s3cret: ")
    member_view = await slack.duty("U0BEN", "channels")
    assert field(member_view, "Feed").startswith(f"{url}?…: fine, 2 entries")
    assert "s3cret" not in member_view


async def test_a_feed_failing_at_night_is_told_to_coordinators_in_the_morning(
    slack: SlackWorld, blog: FeedServer
) -> None:
    await blog_added(slack, blog)
    blog.serve("feed/", b"", status=500, content_type="text/plain")

    slack.clock.set(at(30, 20, 0))  # Monday evening, after working hours
    assert await slack.run_job("feed-watch") == 0
    assert "not working since Mon 30 Nov 20:00" in await slack.duty("U0ADA", "channels")
    slack.clock.set(at(1, 9, 20, month=12))  # Tuesday morning
    assert await slack.run_job("feed-watch") == 1
    (told,) = [m for m in slack.dms("U0ADA") if "feed of" in m]
    assert "since Mon 30 Nov 20:00: the server answered 500 Internal Server Error" in told
