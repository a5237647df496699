"""Feed watch rules (§6): which entries of a channel's RSS or Atom feed become posts.

An entry is known by its id, else its link, else its title and date. The first look at a
feed takes only recent entries (its history is not the staff's work this week); entries
that turn up later are new, dated or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

KEY_LIMIT = 500
"""Longer ids and links are cut to this length to key an entry."""

BACKFILL_ALL = timedelta(days=36500)
"""`backfill=all`: every entry the feed still holds."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed, as read."""

    entry_id: str | None
    link: str | None
    title: str | None
    published: datetime | None
    author: str | None = None

    @property
    def key(self) -> str | None:
        """What the entry is known by across polls: id, else link, else title and date; None
        when it has none of these (it cannot be told apart from the next one)."""
        if self.entry_id and self.entry_id.strip():
            return "id:" + self.entry_id.strip()[:KEY_LIMIT]
        if self.link and self.link.strip():
            return "link:" + self.link.strip()[:KEY_LIMIT]
        if self.title and self.title.strip() and self.published is not None:
            stamp = self.published.isoformat()
            return "title:" + f"{self.title.strip()[:KEY_LIMIT]}|{stamp}"
        return None


@dataclass(frozen=True, slots=True)
class FeedRead:
    """What a successful read of a feed returned: its entries (none when `unchanged`) and
    the validators to send next time."""

    entries: tuple[FeedEntry, ...] = ()
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    unchanged: bool = False
    """The server said 304 Not Modified."""


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the feed watch remembers of one outreach channel's feed."""

    channel_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    taken_from: datetime | None = None
    """Entries published from then on become posts; None until the first look."""
    checked_at: datetime | None = None
    ok_at: datetime | None = None
    entries: int = 0
    error: str | None = None
    error_since: datetime | None = None
    error_told_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry seen for the first time, and whether it becomes a post (and when it was
    posted) or is left out as history."""

    key: str
    entry: FeedEntry
    posted_at: datetime | None
    """None: left out."""


def first_window(quiet_after: timedelta) -> timedelta:
    """How far back the first look at a feed reaches: the channel's quiet threshold, so its
    health is right from the start, and at least a week."""
    return max(quiet_after, timedelta(days=7))


def new_entries(
    entries: Iterable[FeedEntry],
    seen: set[str],
    *,
    taken_from: datetime,
    first_look: bool,
    now: datetime,
) -> list[NewEntry]:
    """The entries not `seen` before, oldest first, each taken or left out.

    Dated entries are taken when published at or after `taken_from` (a date in the future
    counts as now). Undated ones are taken as posted `now`, except on the `first_look`,
    when nothing says they are recent.
    """
    found: dict[str, NewEntry] = {}
    for entry in entries:
        key = entry.key
        if key is None or key in seen or key in found:
            continue
        if entry.published is None:
            posted_at = None if first_look else now
        else:
            moment = min(entry.published, now)
            posted_at = moment if moment >= taken_from else None
        found[key] = NewEntry(key, entry, posted_at)
    return sorted(found.values(), key=lambda n: (n.posted_at or now, n.key))


def name_key(name: str) -> str:
    """An author's name as compared: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def recorded(found: Sequence[NewEntry]) -> list[NewEntry]:
    """The new entries that become posts."""
    return [n for n in found if n.posted_at is not None]
