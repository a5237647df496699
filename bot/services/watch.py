"""Posts from chat (§7): the watched chat channel.

In the watched chat channel, a message with a link to one of the library's posts becomes
that post, credited to whoever sent the message; editing the message adds and withdraws
its posts to match, deleting it withdraws them all. (Any message, anywhere, can also be
recorded by hand: `interactive.message_post_form`.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.links import can_match, links_in, posts_in
from bot.domain.model import NOT_WATCHING, OutreachChannel, PostSource, Workspace
from bot.messages import Bold, ChatChannel, Message, Paragraph, Span, text
from bot.ports import Clock, ConflictError, Directory, UnitOfWork, UnitOfWorkFactory
from bot.services.context import (
    Context,
    RefusalError,
    new_delivery,
    once_more_on_conflict,
    remember,
)
from bot.services.wording import joined

log = logging.getLogger(__name__)

WATCHING_PLATFORMS = frozenset({"slack"})
"""Chat platforms whose channels' messages Baton is told of."""
NOT_OFFERED = frozenset({"rota set watch"})
"""Help lines left out where the platform tells Baton nothing of channel messages."""

RECORDED_MARK = "✅"
"""What a message in the watched channel is marked with once its posts are recorded."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message in a chat channel, as the platform tells of it."""

    chat_channel_id: str
    message_id: str
    """The platform's id for the message in its channel (Slack: its `ts`)."""
    author_external_id: str
    """Who sent it; empty when an app did."""
    text: str
    sent_at: datetime
    """When it was sent, or when it was last edited."""
    edited: bool = False
    """This is the message as an edit left it."""

    @property
    def ref(self) -> str:
        """How the posts recorded from it remember it."""
        return f"{self.chat_channel_id}:{self.message_id}"


@dataclass(frozen=True, slots=True)
class WatchOutcome:
    """What one message (or its edit or deletion) did to the record."""

    recorded: int = 0
    withdrawn: int = 0
    standing: int = 0
    """How many posts the message stands for now."""


NOTHING = WatchOutcome()


def watched_channel(workspace: Workspace, default: str | None) -> str | None:
    """The chat channel watched in a workspace: its own choice, else the installation's."""
    if workspace.watch_channel == NOT_WATCHING:
        return None
    return workspace.watch_channel or default


def message_seen(
    uow: UnitOfWork,
    directory: Directory,
    *,
    platform: str,
    workspace_external_id: str,
    message: ChatMessage,
    watch_default: str | None,
    now: datetime,
) -> WatchOutcome:
    """A message was sent or edited: record the posts it shows that are not recorded yet,
    and withdraw those it recorded before and no longer shows."""
    workspace = uow.workspaces.get_by_external_id(platform, workspace_external_id)
    if workspace is None:
        return NOTHING
    earlier = uow.posts.from_chat_message(workspace.id, message.ref)
    if not earlier and watched_channel(workspace, watch_default) != message.chat_channel_id:
        return NOTHING
    if earlier and not message.edited:
        # An edit overtook the message it edits: the record already follows the newer text.
        return WatchOutcome(standing=len(earlier))
    channels = uow.channels.all(workspace.id)
    active = {channel.id for channel in channels}
    shown = posts_in(message.text, channels)
    wanted = {(channel.id, url) for channel, url in shown}
    links = set(links_in(message.text))
    withdrawn = 0
    kept: set[tuple[int, str | None]] = set()
    for post in earlier:
        gone = post.url not in links or (
            post.channel_id in active and (post.channel_id, post.url) not in wanted
        )
        if gone and uow.posts.withdraw(post.id):
            withdrawn += 1
        else:
            kept.add((post.channel_id, post.url))
    new = [(channel, url) for channel, url in shown if (channel.id, url) not in kept]
    recorded = _record(uow, directory, workspace, message, new, now) if new else 0
    return WatchOutcome(recorded=recorded, withdrawn=withdrawn, standing=len(kept) + recorded)


def _record(
    uow: UnitOfWork,
    directory: Directory,
    workspace: Workspace,
    message: ChatMessage,
    new: Sequence[tuple[OutreachChannel, str]],
    now: datetime,
) -> int:
    """Record the message's new posts, credited to its author; how many."""
    if not message.author_external_id:
        return 0
    try:
        author = remember(uow, directory, workspace, message.author_external_id, now)
    except RefusalError:
        log.warning("a watched message's author could not be looked up; nothing recorded")
        return 0
    if author is None:  # an app, or someone the platform doesn't know
        return 0
    recorded = 0
    for channel, url in new:
        if uow.posts.find_by_url(channel.id, url) is not None:
            continue  # recorded already, by hand or from another message
        uow.reminders.answer(channel.id, now)  # a recorded post answers its reminders
        uow.posts.add(
            workspace.id,
            channel_id=channel.id,
            author_id=author.id,
            posted_at=min(message.sent_at, now),
            source=PostSource.CHAT_MESSAGE,
            recorded_by_id=None,
            recorded_at=now,
            url=url,
            note=None,
            chat_ref=message.ref,
        )
        recorded += 1
    return recorded


def message_gone(
    uow: UnitOfWork,
    *,
    platform: str,
    workspace_external_id: str,
    chat_channel_id: str,
    message_id: str,
) -> WatchOutcome:
    """A message was deleted: withdraw every post recorded from it."""
    workspace = uow.workspaces.get_by_external_id(platform, workspace_external_id)
    if workspace is None:
        return NOTHING
    ref = f"{chat_channel_id}:{message_id}"
    posts = uow.posts.from_chat_message(workspace.id, ref)
    return WatchOutcome(withdrawn=sum(uow.posts.withdraw(post.id) for post in posts))


class ChatWatch:
    """Follows the watched chat channels' messages, one transaction per message."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        directory: Directory,
        watch_default: str | None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._directory = directory
        self._watch_default = watch_default

    def seen(
        self,
        platform: str,
        workspace_external_id: str,
        message: ChatMessage,
        event_id: str | None = None,
    ) -> WatchOutcome:
        """A message was sent or edited in a chat channel."""
        return self._once(
            platform,
            event_id,
            lambda uow, now: message_seen(
                uow,
                self._directory,
                platform=platform,
                workspace_external_id=workspace_external_id,
                message=message,
                watch_default=self._watch_default,
                now=now,
            ),
        )

    def gone(
        self,
        platform: str,
        workspace_external_id: str,
        chat_channel_id: str,
        message_id: str,
        event_id: str | None = None,
    ) -> WatchOutcome:
        """A message was deleted from a chat channel."""
        return self._once(
            platform,
            event_id,
            lambda uow, _now: message_gone(
                uow,
                platform=platform,
                workspace_external_id=workspace_external_id,
                chat_channel_id=chat_channel_id,
                message_id=message_id,
            ),
        )

    def _once(
        self,
        platform: str,
        event_id: str | None,
        work: Callable[[UnitOfWork, datetime], WatchOutcome],
    ) -> WatchOutcome:
        """Do `work` in one transaction (twice if it collided with another), with the claim
        of the platform's `event_id`: a retry does nothing, a failed try is undone whole."""

        def attempt() -> WatchOutcome:
            with self._uow_factory() as uow:
                now = self._clock.now()
                if not new_delivery(uow, platform, event_id, now):
                    return NOTHING
                outcome = work(uow, now)
                uow.commit()
            return outcome

        try:
            return once_more_on_conflict(attempt)
        except ConflictError:
            log.exception("a watched message kept colliding with concurrent work")
            return NOTHING


# -- choosing the watched chat channel ------------------------------------------------------


def set_watch(ctx: Context, chat_channel_id: str) -> Message:
    """Watch a chat channel (`""`: none) in this workspace."""
    current = watched_channel(ctx.workspace, ctx.watch_default)
    if ctx.workspace.platform not in WATCHING_PLATFORMS:
        return Message.say(
            "Baton can watch a chat channel for links in Slack only. Here, record posts with "
            "`/duty posted <channel> <url>`."
        )
    if not chat_channel_id:
        if current is None:
            return Message.say("No chat channel was being watched, so nothing changed.")
        ctx.uow.workspaces.set_watch_channel(ctx.workspace.id, NOT_WATCHING)
        return Message.say(
            "Stopped watching ",
            ChatChannel(current),
            ". The posts already recorded from it stay in the record.",
        )
    if chat_channel_id == current:
        return Message.say("I'm already watching ", ChatChannel(current), ".")
    ctx.uow.workspaces.set_watch_channel(ctx.workspace.id, chat_channel_id)
    channels = ctx.uow.channels.all(ctx.workspace.id)
    countable = [channel for channel in channels if can_match(channel)]
    unmatched = [channel for channel in channels if not can_match(channel)]
    blocks = [
        Paragraph(
            text(
                "Watching ",
                ChatChannel(chat_channel_id),
                ": a message there with a link to one of the library's posts is recorded as "
                f"its author's post, and marked with {RECORDED_MARK}. Editing or deleting "
                "the message updates the record. I'll tell the channel, so everyone knows; "
                "I see its messages only once I'm in it.",
            )
        ),
        Paragraph(_what_counts(countable)),
    ]
    if unmatched:
        names: list[Span] = [Bold(channel.name) for channel in unmatched]
        example = unmatched[0].name
        blocks.append(
            Paragraph(
                text(
                    *joined(names),
                    " can't be told apart by their links yet: give each a pattern, like "
                    f"`/duty channel set {example} match=library.example.org/news`.",
                )
            )
        )
    ctx.post_in_chat_channel(chat_channel_id, _announcement(countable))
    return Message(summary="Watching a chat channel for links", blocks=tuple(blocks))


def _what_counts(countable: Sequence[OutreachChannel]) -> tuple[Span, ...]:
    if not countable:
        return text(
            "No outreach channel can be recognised by its links yet: add one with "
            "`/duty channel add Twitter kind=twitter`, or give one a pattern with `match=`."
        )
    names: list[Span] = [Bold(channel.name) for channel in countable]
    return text("Links count for ", *joined(names), ".")


def _announcement(countable: Sequence[OutreachChannel]) -> Message:
    names = ", ".join(channel.name for channel in countable)
    which = f" ({names})" if names else ""
    return Message.say(
        "Baton is watching this channel: when you share a link to one of the library's "
        f"posts{which}, it is recorded as your post and your message gets a {RECORDED_MARK}. "
        "Editing or deleting the message updates the record. `/duty channels` shows how "
        "each outreach channel is doing."
    )


def watch_note(ctx: Context) -> list[Paragraph]:
    """A line for `channels` saying which chat channel's links become posts, if any."""
    if ctx.workspace.platform not in WATCHING_PLATFORMS:
        return []
    current = watched_channel(ctx.workspace, ctx.watch_default)
    if current is None:
        return []
    return [
        Paragraph(
            text(
                "Links to these channels' posts shared in ",
                ChatChannel(current),
                " are recorded by themselves.",
            )
        )
    ]
