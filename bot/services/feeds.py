"""Feed watch (§6): new entries of an outreach channel's RSS or Atom feed become posts,
credited to the author's mapped member of staff or to whoever was on duty when it was
published.

A feed is read outside any transaction; what it returned is applied in one. An entry is
recorded once whoever gets there first (posts are unique per channel and feed entry), and
a failing feed keeps its last good state, its failure told to coordinators once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.feeds import (
    FeedRead,
    FeedState,
    first_window,
    name_key,
    new_entries,
)
from bot.domain.model import OutreachChannel, Post, Rota, Workspace, covering_rota, covers
from bot.domain.worktime import is_working_time
from bot.messages import Bold, Message, Paragraph, Text, text
from bot.ports import (
    FeedError,
    FeedReader,
    Notifier,
    NotifyError,
    UnitOfWork,
    UnitOfWorkFactory,
)
from bot.services.closures import closed_on
from bot.services.context import coordinators
from bot.services.duty import current_shift
from bot.services.wording import plural, when

log = logging.getLogger(__name__)

NOTE_LIMIT = 300
"""An entry's title is kept as the post's note, cut to this length."""


@dataclass(frozen=True, slots=True)
class Taken:
    """What one look at a feed did: entries it held, posts it recorded."""

    entries: int
    posts: tuple[Post, ...]
    left_out: int


def _note(title: str | None) -> str | None:
    if not title:
        return None
    return title if len(title) <= NOTE_LIMIT else title[: NOTE_LIMIT - 1] + "…"


def _on_duty_at(uow: UnitOfWork, rotas: Sequence[Rota], at: datetime) -> int | None:
    """Who was on duty at `at` in the first of `rotas` that had someone then."""
    for rota in rotas:
        shift = uow.shifts.covering(rota.id, at)
        if shift is not None and shift.person_id is not None:
            return shift.person_id
    return None


def take(
    uow: UnitOfWork,
    workspace: Workspace,
    channel: OutreachChannel,
    read: FeedRead,
    state: FeedState,
    now: datetime,
    *,
    looking_back: bool = False,
) -> Taken:
    """Record the entries of `read` not seen before that fall in the state's window.

    `looking_back` (a backfill): undated entries are history, as on a first look.
    """
    first_look = state.taken_from is None or looking_back
    taken_from = state.taken_from or now - first_window(channel.quiet_after)
    found = new_entries(
        read.entries,
        uow.feeds.seen(channel.id),
        taken_from=taken_from,
        first_look=first_look,
        now=now,
    )
    last_before = uow.posts.last_post_times(workspace.id).get(channel.id)
    authors = uow.feeds.authors(workspace.id)
    present = {p.id for p in uow.people.everyone(workspace.id) if not p.deleted}
    rotas = [r for r in uow.rotas.all(workspace.id) if covers(r, channel)]
    for rota in rotas:
        current_shift(uow, rota, now)  # the shifts up to now are on record
    posts: list[Post] = []
    left_out = 0
    for new in found:
        if new.posted_at is None:
            uow.feeds.leave_out(channel.id, new.key, now)
            left_out += 1
            continue
        mapped = authors.get(name_key(new.entry.author)) if new.entry.author else None
        author_id = mapped if mapped in present else _on_duty_at(uow, rotas, new.posted_at)
        post = uow.feeds.record(
            workspace.id,
            channel_id=channel.id,
            entry_key=new.key,
            author_id=author_id,
            posted_at=new.posted_at,
            recorded_at=now,
            url=new.entry.link,
            note=_note(new.entry.title),
        )
        if post is not None:
            posts.append(post)
    newest = max((p.posted_at for p in posts), default=None)
    if newest is not None and (last_before is None or newest > last_before):
        uow.reminders.answer(channel.id, now)  # a newer post ends the quiet spell
    return Taken(entries=len(read.entries), posts=tuple(posts), left_out=left_out)


def start_watching(
    uow: UnitOfWork,
    workspace: Workspace,
    channel: OutreachChannel,
    read: FeedRead,
    now: datetime,
    backfill: timedelta | None = None,
) -> Taken:
    """Begin watching a channel's feed just read: record its recent entries (the last
    `backfill`, or the channel's first window) and remember the rest as history."""
    window = backfill or first_window(channel.quiet_after)
    blank = FeedState(channel.id, channel.feed_url or "", taken_from=now - window)
    state = _recovered(blank, now, len(read.entries), read)
    taken = take(uow, workspace, channel, read, state, now, looking_back=True)
    uow.feeds.save_state(state)
    return taken


def backfill(
    uow: UnitOfWork,
    workspace: Workspace,
    channel: OutreachChannel,
    read: FeedRead,
    span: timedelta,
    now: datetime,
) -> Taken:
    """Record the entries of the last `span` that were left out as history."""
    uow.feeds.forget_left_out(channel.id)
    state = uow.feeds.state(channel.id)
    if state is None or state.url != channel.feed_url:
        return start_watching(uow, workspace, channel, read, now, span)
    earlier = state.taken_from or now
    opened = replace(state, taken_from=min(earlier, now - span))
    taken = take(uow, workspace, channel, read, opened, now, looking_back=True)
    uow.feeds.save_state(_recovered(opened, now, len(read.entries), read))
    return taken


class FeedWatch:
    """The feed-watch job: read every watched feed, record what is new; safe to run any
    number of times, on any number of replicas."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        reader: FeedReader,
        notifier: Notifier,
        coordinators: Sequence[str] = (),
    ) -> None:
        self._uow_factory = uow_factory
        self._reader = reader
        self._notifier = notifier
        self._coordinators = frozenset(coordinators)

    def poll(self, now: datetime) -> int:
        """Read each watched feed once; how many messages went (failures told)."""
        sent = 0
        for workspace, channel, state in self._watched():
            try:
                sent += self._poll_one(workspace, channel, state, now)
            except Exception:
                log.exception(
                    "feed watch of outreach channel %s failed; next run retries", channel.id
                )
        return sent

    def _watched(self) -> list[tuple[Workspace, OutreachChannel, FeedState | None]]:
        found: list[tuple[Workspace, OutreachChannel, FeedState | None]] = []
        with self._uow_factory() as uow:
            for workspace in uow.workspaces.all():
                for channel in uow.channels.all(workspace.id):
                    if channel.feed_url:
                        found.append((workspace, channel, uow.feeds.state(channel.id)))
        return found

    def _poll_one(
        self, workspace: Workspace, channel: OutreachChannel, state: FeedState | None, now: datetime
    ) -> int:
        url = channel.feed_url or ""
        known = state if state is not None and state.url == url else FeedState(channel.id, url)
        try:
            read = self._reader.read(url, etag=known.etag, last_modified=known.last_modified)
        except FeedError as error:
            return self._failed(workspace, channel, url, error.reason, now)
        with self._uow_factory() as uow:
            current = uow.feeds.state(channel.id)
            if current is None or current.url != url or current.taken_from is None:
                # Never read well before (a first try may have failed): this is the first look.
                start_watching(uow, workspace, channel, read, now)
            elif read.unchanged:
                uow.feeds.save_state(_recovered(current, now, current.entries, read))
            else:
                take(uow, workspace, channel, read, current, now)
                uow.feeds.save_state(_recovered(current, now, len(read.entries), read))
            uow.commit()
        return 0

    def _failed(
        self, workspace: Workspace, channel: OutreachChannel, url: str, reason: str, now: datetime
    ) -> int:
        with self._uow_factory() as uow:
            state = uow.feeds.state(channel.id)
            if state is None or state.url != url:
                state = FeedState(channel_id=channel.id, url=url)
            uow.feeds.save_state(
                replace(
                    state,
                    checked_at=now,
                    error=reason,
                    error_since=state.error_since or now,
                )
            )
            rotas = uow.rotas.all(workspace.id)
            closed = closed_on(uow.closures.all(workspace.id))
            # Told in working hours only, like any other nudge; until then it waits.
            rota = covering_rota(rotas, channel)
            working = rota is not None and is_working_time(rota, now, closed)
            told = working and uow.feeds.mark_told(channel.id, now)
            since = state.error_since or now
            people = coordinators(uow, workspace, self._coordinators) if told else []
            uow.commit()
        zone = rota.timezone if rota is not None else "UTC"
        message = failure_message(channel, url, reason, since, state.ok_at, zone)
        sent = 0
        for person in people:
            try:
                self._notifier.send_direct(workspace, person, message)
                sent += 1
            except NotifyError as error:
                log.warning(
                    "couldn't tell coordinator %s about a failing feed: %s", person.id, error.reason
                )
        return sent


def _recovered(state: FeedState, now: datetime, entries: int, read: FeedRead) -> FeedState:
    """`state` after a good read at `now` of a feed holding `entries` entries."""
    return replace(
        state,
        etag=read.etag,
        last_modified=read.last_modified,
        checked_at=now,
        ok_at=now,
        entries=entries,
        error=None,
        error_since=None,
        error_told_at=None,
    )


def status(state: FeedState | None, url: str, zone: str, *, private: bool = False) -> Text:
    """How a channel's feed is doing, for `channels`; `private` leaves out the address's
    query, where private feeds keep their keys."""
    shown = url
    if private and "?" in url:
        shown = url.split("?", 1)[0] + "?…"
    if state is None or state.url != url:
        return text(f"{shown}: first read within 20 minutes")
    if state.error is not None and state.error_since is not None:
        return text(
            Bold(f"not working since {when(state.error_since, zone)}"),
            f": {state.error} ({shown})",
        )
    entries = plural(state.entries, "entry", "entries")
    read_at = f", read {when(state.checked_at, zone)}" if state.checked_at else ""
    return text(f"{shown}: fine, {entries}{read_at}")


def failure_message(
    channel: OutreachChannel,
    url: str,
    reason: str,
    since: datetime,
    ok_at: datetime | None,
    zone: str,
) -> Message:
    """What coordinators are told, once, when a channel's feed stops working."""
    last = f" The last good read was {when(ok_at, zone)}." if ok_at else ""
    return Message(
        summary=f"The feed of {channel.name} isn't working",
        blocks=(
            Paragraph(
                text(
                    "I haven't been able to read the feed of ",
                    Bold(channel.name),
                    f" ({url}) since {when(since, zone)}: {reason}.{last} Its posts aren't "
                    "being recorded until it works again; I'll keep trying every 20 minutes "
                    "and won't tell you again about this failure. ",
                    f"`/duty channel set {channel.name} feed=<address>` changes the address.",
                )
            ),
        ),
    )
