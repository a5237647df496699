"""Reading RSS and Atom feeds over the web: httpx fetches (conditional GET, redirects,
gzip, a timeout and a size cap), feedparser reads whatever dialect and encoding it is."""

from __future__ import annotations

import calendar
import io
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx

from bot.domain.feeds import FeedEntry, FeedRead
from bot.ports import FeedError

MAX_BYTES = 5 * 1024 * 1024
"""A feed larger than this (once unzipped) is refused."""
MAX_REDIRECTS = 5
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
_FEED_TYPES = ("xml", "rss", "atom", "rdf")
"""Words of a Content-Type that a feed may be served as."""
_NEUTRAL_TYPES = ("text/plain", "application/octet-stream", "binary/octet-stream")
"""Content-Types that say nothing either way: the body decides."""


class _FeedLinks(HTMLParser):
    """The feeds a web page points to with <link rel="alternate" type="...rss/atom...">."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        found = {name: (value or "") for name, value in attrs}
        kinds = found.get("type", "").lower()
        if "alternate" in found.get("rel", "").lower().split() and (
            "rss" in kinds or "atom" in kinds
        ):
            href = found.get("href", "").strip()
            if href:
                self.hrefs.append(href)


def feed_on_page(page: bytes, base: str) -> str | None:
    """The first feed address a web page advertises, made absolute."""
    finder = _FeedLinks()
    try:
        finder.feed(page[:200_000].decode("utf-8", errors="replace"))
    except (ValueError, AssertionError):
        return None
    return urljoin(base, finder.hrefs[0]) if finder.hrefs else None


def _moment(parsed: Any) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime."""
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _author(entry: Mapping[str, Any]) -> str | None:
    detail = entry.get("author_detail")
    if isinstance(detail, Mapping) and _text(detail.get("name")):
        return _text(detail.get("name"))
    return _text(entry.get("author"))


def entries_of(parsed: Mapping[str, Any]) -> tuple[FeedEntry, ...]:
    """The entries feedparser found, as plain values."""
    found: list[FeedEntry] = []
    for entry in parsed.get("entries", []):
        published = _moment(entry.get("published_parsed")) or _moment(entry.get("updated_parsed"))
        found.append(
            FeedEntry(
                entry_id=_text(entry.get("id")),
                link=_text(entry.get("link")),
                title=_text(entry.get("title")),
                published=published,
                author=_author(entry),
            )
        )
    return tuple(found)


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> FeedRead:
    """Read a feed document fetched from `url` (relative links resolve against it)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = entries_of(parsed)
    if not parsed.get("version") and not entries:
        problem = parsed.get("bozo_exception")
        if problem is not None:
            raise FeedError(f"it isn't a readable RSS or Atom feed (the XML is broken: {problem})")
        raise FeedError("it isn't an RSS or Atom feed")
    title = _text(parsed.get("feed", {}).get("title"))
    return FeedRead(entries=entries, title=title)


def _status_words(response: httpx.Response) -> str:
    phrase = response.reason_phrase or ""
    return f"{response.status_code} {phrase}".strip()


class HttpxFeedReader:
    """A `FeedReader` over httpx."""

    def __init__(
        self,
        *,
        user_agent: str = "Baton feed watch",
        timeout: float = 15.0,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self._user_agent = user_agent
        self._seconds = timeout
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._max_bytes = max_bytes

    def read(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FeedRead:
        """The feed's entries, or `unchanged` when the validators still hold; FeedError when
        it cannot be read or is not a feed."""
        started = time.monotonic()
        headers = {"User-Agent": self._user_agent, "Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with (
                httpx.Client(
                    follow_redirects=True,
                    max_redirects=MAX_REDIRECTS,
                    timeout=self._timeout,
                ) as client,
                client.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code == httpx.codes.NOT_MODIFIED:
                    return FeedRead(unchanged=True, etag=etag, last_modified=last_modified)
                if response.status_code >= 400:
                    raise FeedError(f"the server answered {_status_words(response)}")
                body = _capped(response, self._max_bytes, started + 2 * self._seconds)
                content_type = response.headers.get("content-type", "")
                final_url = str(response.url)
                validators = (response.headers.get("etag"), response.headers.get("last-modified"))
        except httpx.TooManyRedirects:
            raise FeedError(f"it redirects more than {MAX_REDIRECTS} times") from None
        except httpx.TimeoutException:
            raise FeedError("the server didn't answer in time") from None
        except httpx.ConnectError:
            host = urlsplit(url).hostname or url
            raise FeedError(f"I couldn't connect to {host}") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL):
            raise FeedError("it isn't a web address I can fetch") from None
        except httpx.HTTPError as error:
            raise FeedError(f"the download failed ({type(error).__name__})") from None
        kind = content_type.split(";", 1)[0].strip().lower()
        if kind and kind not in _NEUTRAL_TYPES and not any(w in kind for w in _FEED_TYPES):
            if "html" in kind:
                found = feed_on_page(body, final_url)
                hint = f"; its feed seems to be {found}" if found else ""
                raise FeedError(f"that address is a web page, not a feed{hint}")
            raise FeedError(f"it is served as {kind}, not as a feed")
        read = parse_feed(body, final_url, content_type or None)
        return FeedRead(
            entries=read.entries,
            title=read.title,
            etag=validators[0],
            last_modified=validators[1],
        )


def _capped(response: httpx.Response, limit: int, deadline: float) -> bytes:
    """The (unzipped) body, refused once it passes `limit` bytes or the monotonic clock
    passes `deadline` (a server trickling bytes never trips the per-read timeout)."""
    too_big = FeedError(f"it is larger than {_size(limit)}, more than a feed should be")
    declared = response.headers.get("content-length", "")
    encoded = "content-encoding" in response.headers
    if declared.isdigit() and int(declared) > limit and not encoded:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise too_big
        if time.monotonic() > deadline:
            raise FeedError("the server took too long to send it")
        chunks.append(chunk)
    return b"".join(chunks)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{count / 1024:g} KB"
