"""The feed reader against real-world feed files served from a loopback web server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.domain.feeds import FeedRead
from bot.ports import FeedError
from handlers.feeds import HttpxFeedReader
from tests.feed_server import FeedServer, feed_file

RSS = "application/rss+xml; charset=utf-8"


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    served = FeedServer()
    await served.start()
    try:
        yield served
    finally:
        await served.stop()


async def read(url: str, reader: HttpxFeedReader | None = None, **validators: str) -> FeedRead:
    return await asyncio.to_thread((reader or HttpxFeedReader()).read, url, **validators)


async def refused(url: str, reader: HttpxFeedReader | None = None) -> str:
    with pytest.raises(FeedError) as raised:
        await read(url, reader)
    return raised.value.reason


async def test_rss2_entries_come_with_id_link_title_date_and_author_when_read(
    server: FeedServer,
) -> None:
    url = server.serve("feed/", feed_file("library-blog-rss2.xml"), content_type=RSS)
    got = await read(url)
    assert got.title == "Riverside Library Blog"
    first = got.entries[0]
    assert first.entry_id == "https://blog.riverside.example/?p=412"
    assert first.link == "https://blog.riverside.example/2026/11/27/winter-reading-challenge/"
    assert first.title == "Winter reading challenge: 6 books, 6 weeks"
    assert first.published == datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    assert first.author == "Jane Doe"
    assert [e.published.year for e in got.entries if e.published] == [2026, 2026, 2026, 2019]


async def test_atom_links_resolve_against_xml_base_and_offsets_become_utc_when_read(
    server: FeedServer,
) -> None:
    url = server.serve("atom.xml", feed_file("news-atom.xml"), content_type="application/atom+xml")
    late = (await read(url)).entries[0]
    assert late.link == "https://news.riverside.example/posts/late-opening"
    assert late.entry_id == "tag:news.riverside.example,2026:late-opening"
    assert late.published == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    assert late.author == "Ben Okafor"


async def test_rss1_rdf_entries_take_dublin_core_dates_when_read(server: FeedServer) -> None:
    url = server.serve("rss", feed_file("events-rss1.rdf"), content_type="application/rdf+xml")
    chess = (await read(url)).entries[0]
    assert chess.link == "https://events.riverside.example/e/chess-club"
    assert chess.published == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert chess.author == "Cat Ng"


async def test_old_rss091_relative_links_resolve_against_the_feed_address_when_read(
    server: FeedServer,
) -> None:
    url = server.serve("es/rss.xml", feed_file("old-rss091-no-guids.xml"), content_type="text/xml")
    cafe, nameless = (await read(url)).entries
    assert cafe.title == "Café de lectura en español"
    assert cafe.link == server.url("noticias/cafe-de-lectura.html")
    assert (cafe.entry_id, cafe.published) == (None, None)
    assert cafe.key == f"link:{cafe.link}"
    assert nameless.key is None  # nothing to tell it apart by: it is never recorded


async def test_latin1_feed_reads_with_its_accents_when_the_header_says_nothing(
    server: FeedServer,
) -> None:
    url = server.serve("fr", feed_file("latin1-rss2.xml"), content_type="application/xml")
    got = await read(url)
    assert got.title == "Bibliothèque"
    assert got.entries[0].title == "Café littéraire"


async def test_validators_are_sent_back_and_304_says_unchanged_when_nothing_changed(
    server: FeedServer,
) -> None:
    url = server.serve(
        "feed/",
        feed_file("library-blog-rss2.xml"),
        content_type=RSS,
        etag='"v1"',
        last_modified="Fri, 27 Nov 2026 14:31:02 GMT",
    )
    first = await read(url)
    assert (first.etag, first.last_modified) == ('"v1"', "Fri, 27 Nov 2026 14:31:02 GMT")
    again = await read(url, etag='"v1"', last_modified="Fri, 27 Nov 2026 14:31:02 GMT")
    assert again.unchanged
    assert again.entries == ()
    sent = server.asked_for("feed/")[-1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Fri, 27 Nov 2026 14:31:02 GMT"


async def test_gzip_and_redirects_are_followed_to_the_feed_when_read(server: FeedServer) -> None:
    target = server.serve(
        "new/feed", feed_file("news-atom.xml"), content_type="text/xml", gzip=True
    )
    old = server.serve("old/feed", b"", redirect_to=target)
    got = await read(old)
    assert len(got.entries) == 2
    assert "gzip" in server.asked_for("new/feed")[0].headers["Accept-Encoding"]


async def test_missing_and_failing_feeds_say_what_the_server_answered_when_read(
    server: FeedServer,
) -> None:
    assert await refused(server.url("nowhere")) == "the server answered 404 Not Found"
    url = server.serve("feed", b"oops", status=500, content_type="text/plain")
    assert await refused(url) == "the server answered 500 Internal Server Error"


async def test_a_web_page_is_refused_with_the_feed_it_advertises_when_given(
    server: FeedServer,
) -> None:
    url = server.serve("blog/", feed_file("blog-home.html"), content_type="text/html")
    assert await refused(url) == (
        f"that address is a web page, not a feed; its feed seems to be {server.url('feed/')}"
    )


async def test_other_content_types_and_broken_xml_are_refused_when_read(
    server: FeedServer,
) -> None:
    image = server.serve("logo.png", b"\x89PNG....", content_type="image/png")
    assert await refused(image) == "it is served as image/png, not as a feed"
    broken = server.serve("broken.xml", feed_file("broken.xml"), content_type="application/xml")
    assert (await refused(broken)).startswith("it isn't a readable RSS or Atom feed (the XML is")
    empty = server.serve("empty", b"", content_type="application/xml")
    assert await refused(empty) == "it isn't an RSS or Atom feed"


async def test_a_recoverable_xml_slip_still_gives_its_entries_when_read(
    server: FeedServer,
) -> None:
    slip = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Talks & walks</title>'
        b"<item><title>Maps & more</title><link>https://a.example/maps</link></item>"
        b"</channel></rss>"
    )
    url = server.serve("slip", slip, content_type=RSS)
    assert [e.title for e in (await read(url)).entries] == ["Maps & more"]


async def test_a_feed_too_large_or_too_slow_is_given_up_when_read(server: FeedServer) -> None:
    big = server.serve("big", feed_file("library-blog-rss2.xml"), content_type=RSS, gzip=True)
    small = HttpxFeedReader(max_bytes=1024)
    assert await refused(big, small) == "it is larger than 1 KB, more than a feed should be"
    slow = server.serve("slow", b"", hang=True)
    impatient = HttpxFeedReader(timeout=0.3)
    assert await refused(slow, impatient) == "the server didn't answer in time"


async def test_nothing_listening_and_bad_addresses_are_refused_when_read(
    server: FeedServer,
) -> None:
    closed = FeedServer()
    await closed.start()
    address = closed.url("feed")
    await closed.stop()
    assert await refused(address) == "I couldn't connect to 127.0.0.1"
    assert await refused("ftp://127.0.0.1/feed") == "it isn't a web address I can fetch"
    assert server.requests == []
