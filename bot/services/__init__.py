"""Baton's use cases. `Baton.run_command` is the one door chat handlers knock on."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from bot.domain import commands as c
from bot.domain.feeds import FeedRead
from bot.domain.model import DeliveryKind, Role, Workspace
from bot.messages import (
    Bold,
    ChatChannel,
    Form,
    FormErrors,
    Mention,
    Message,
    Paragraph,
    Reply,
    text,
)
from bot.ports import (
    Clock,
    ConflictError,
    Directory,
    DirectoryEntry,
    FeedError,
    FeedReader,
    Notifier,
    NotifyError,
    PublicAddress,
    UnitOfWorkFactory,
)
from bot.services import (
    admin,
    calendars,
    digest,
    duty,
    export,
    home,
    interactive,
    outreach,
    people,
    swaps,
    watch,
)
from bot.services.context import (
    Caller,
    Context,
    FeedNeededError,
    RefusalError,
    adopt_timezone,
    coordinators,
    new_delivery,
    once_more_on_conflict,
    open_workspace,
    remember,
)
from bot.services.wording import joined, who

log = logging.getLogger(__name__)

Handler = Callable[[Context, Any], Reply | None]
"""A command's use case: the reply, or None when what it queued will tell the asker."""


ROUTES: dict[type, Handler] = {
    c.Join: duty.join,
    c.Leave: duty.leave,
    c.Who: duty.who_is_on,
    c.Schedule: duty.schedule,
    c.Skip: duty.skip,
    c.AwayAdd: duty.away_add,
    c.AwayList: duty.away_list,
    c.AwayCancel: duty.away_cancel,
    c.Posted: outreach.posted,
    c.Channels: outreach.channels,
    c.Stats: outreach.stats,
    c.ClosureList: admin.closure_list,
    c.ChannelAdd: outreach.channel_add,
    c.ChannelSet: outreach.channel_set,
    c.ChannelRemove: outreach.channel_remove,
    c.StewardAdd: outreach.steward_add,
    c.StewardRemove: outreach.steward_remove,
    c.Access: outreach.access,
    c.FeedAuthor: outreach.feed_author,
    c.RotaSet: admin.rota_set,
    c.ClosureAdd: admin.closure_add,
    c.ClosureHolidays: admin.closure_holidays,
    c.ClosureRemove: admin.closure_remove,
    c.RoleSet: admin.role_set,
    c.DigestPreview: digest.digest_preview,
    c.DigestSend: digest.digest_send,
    c.DigestTo: digest.digest_to,
    c.DigestAt: digest.digest_at,
    c.PostedForm: interactive.post_form,
    c.Swap: swaps.request,
    c.Calendar: calendars.calendar,
    c.Export: export.export,
}


def who_may(command_type: type) -> str:
    """Who may run a command (§2): everyone, coordinators, or coordinators and directors."""
    if command_type in c.COORDINATOR_COMMANDS:
        return "coordinators"
    if command_type in c.DIRECTOR_COMMANDS:
        return "coordinators and directors"
    return "everyone"


MAX_FEED_READS = 2
"""The most feeds one request may need read (a new address, and the one it backfills)."""

SORRY = Message.say(
    "Sorry, something went wrong on my side and nothing was changed. Please try again; "
    "if it keeps happening, tell whoever runs Baton."
)


class Baton:
    """Baton's use cases over a unit of work, a clock, and the chat platform's ports."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        directory: Directory,
        notifier: Notifier,
        coordinators: Sequence[str] = (),
        feeds: FeedReader | None = None,
        public_address: PublicAddress | None = None,
        watch_channel: str | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._directory = directory
        self._notifier = notifier
        self._coordinators = frozenset(coordinators)
        self._feeds = feeds
        self._public_address = public_address
        self._watch_channel = watch_channel
        self._chat_watch = watch.ChatWatch(
            uow_factory=uow_factory, clock=clock, directory=directory, watch_default=watch_channel
        )

    def run_command(self, caller: Caller, text_: str) -> Reply:
        """Carry out what a person typed; the reply to show them, privately."""
        return self._act(caller, lambda ctx: self._command(ctx, text_))

    def press(self, caller: Caller, action: str, value: str) -> Reply:
        """A person pressed one of Baton's buttons."""
        if action in (swaps.SWAP_ACCEPT, swaps.SWAP_DECLINE):
            accept = action == swaps.SWAP_ACCEPT
            return self._act(caller, lambda ctx: swaps.answer(ctx, value, accept))
        if action in (home.HOME_JOIN, home.HOME_LEAVE):
            return self._act(caller, lambda ctx: home.press(ctx, action))
        return self._act(caller, lambda ctx: interactive.press(ctx, action, value))

    def chat_message(
        self,
        platform: str,
        workspace_external_id: str,
        message: watch.ChatMessage,
        event_id: str | None = None,
    ) -> watch.WatchOutcome:
        """A message was sent or edited in a chat channel: in the watched one, its links to
        the library's posts are recorded (and those it no longer shows withdrawn). A retry of
        `event_id` changes nothing (see `person_changed`)."""
        return self._chat_watch.seen(platform, workspace_external_id, message, event_id)

    def chat_message_deleted(
        self,
        platform: str,
        workspace_external_id: str,
        chat_channel_id: str,
        message_id: str,
        event_id: str | None = None,
    ) -> watch.WatchOutcome:
        """A message was deleted from a chat channel: the posts recorded from it are withdrawn."""
        return self._chat_watch.gone(
            platform, workspace_external_id, chat_channel_id, message_id, event_id
        )

    def message_post_form(self, caller: Caller, message: watch.ChatMessage) -> Reply:
        """The post form, filled in from a chat message (its link, words and author)."""
        return self._act(caller, lambda ctx: [interactive.message_post_form(ctx, message)])

    def home(self, caller: Caller, note: Message | None = None) -> Message:
        """A person's App Home, with `note` (the outcome of a button) at the top."""
        reply = self._act(caller, lambda ctx: [home.home(ctx, note)])
        return reply if isinstance(reply, Message) else SORRY

    def calendar_feed(self, token: str, feed: str) -> bytes | None:
        """The iCalendar document behind a private calendar link (`feed`: mine or rota),
        worked out now; None for a link that is unknown or revoked, or whose person has left."""
        # Another request may record the same new shift first: then once more.
        return once_more_on_conflict(lambda: self._calendar_feed(token, feed))

    def _calendar_feed(self, token: str, feed: str) -> bytes | None:
        now = self._clock.now()
        with self._uow_factory() as uow:
            document = calendars.feed(uow, token, feed, now)
            uow.commit()  # the shifts that began since they were last recorded
        return document

    def export_archive(self, token: str) -> export.Archive | None:
        """The zip behind an export's private download link, put together from the records
        now; None for a link that is unknown or expired, or whose person may no longer
        export."""
        with self._uow_factory() as uow:
            return export.archive(uow, token, self._clock.now(), self._coordinators)

    def _attaches_files(self, workspace: Workspace) -> bool:
        try:
            return self._notifier.attaches_files(workspace)
        except NotifyError:
            return False

    def _public_url(self) -> str | None:
        return self._public_address.base_url() if self._public_address is not None else None

    def person_changed(
        self,
        platform: str,
        workspace_external_id: str,
        entry: DirectoryEntry,
        *,
        joined_workspace: bool = False,
        event_id: str | None = None,
    ) -> people.Outcome:
        """The chat platform says someone joined the workspace, changed, left it or came
        back; what Baton did about it (the same news twice changes nothing the second time).

        `event_id`: the platform's id for this news, claimed in the same transaction, so a
        retry is ignored but a delivery whose handling failed is acted on when retried.
        """

        def attempt() -> tuple[people.Outcome, Context | None]:
            with self._uow_factory() as uow:
                now = self._clock.now()
                if not new_delivery(uow, platform, event_id, now):
                    return people.Outcome(people.Change.REPEATED), None
                outcome, ctx = people.person_changed(
                    uow,
                    platform=platform,
                    workspace_external_id=workspace_external_id,
                    entry=entry,
                    now=now,
                    configured_coordinators=self._coordinators,
                    directory=self._directory,
                    joined_workspace=joined_workspace,
                )
                uow.commit()
            return outcome, ctx

        outcome, ctx = once_more_on_conflict(attempt)
        if ctx is not None:
            self._deliver(ctx)
        return outcome

    def first_time(self, platform: str, event_id: str) -> bool:
        """Whether an event is new (True) or a retry of one already handled."""
        with self._uow_factory() as uow:
            new = uow.events.first_time(platform, event_id, self._clock.now())
            uow.commit()
        return new

    def submit(
        self,
        caller: Caller,
        form_id: str,
        answers: dict[str, str],
        submission_id: str | None = None,
    ) -> Reply:
        """A person sent a form back filled in (`submission_id`: the same one sent twice
        counts once)."""
        return self._act(
            caller, lambda ctx: interactive.submit(ctx, form_id, answers, submission_id)
        )

    def _act(self, caller: Caller, work: Callable[[Context], list[Reply]]) -> Reply:
        """Do `work` as the caller in one transaction (twice if it collided with another;
        again once a feed it needs has been read)."""
        feed_reads: dict[str, FeedRead | FeedError] = {}
        collisions = 0
        while collisions < 2:
            try:
                replies = self._act_once(caller, work, feed_reads)
            except FeedNeededError as needed:
                if needed.url in feed_reads or len(feed_reads) >= MAX_FEED_READS:
                    log.error("a request kept asking for feeds to be read")
                    return SORRY
                feed_reads[needed.url] = self._read_feed(needed.url)
                continue
            except ConflictError:
                collisions += 1
                if collisions == 2:
                    log.exception("a request kept colliding with concurrent work")
                continue
            except Exception:
                log.exception("a request failed")
                return SORRY
            forms = [r for r in replies if isinstance(r, Form | FormErrors)]
            if forms:
                return forms[0]
            return Message.combine([r for r in replies if isinstance(r, Message)])
        return SORRY

    def _read_feed(self, url: str) -> FeedRead | FeedError:
        """The feed at `url`, or why it could not be read (never an exception)."""
        if self._feeds is None:
            return FeedError("this installation of Baton doesn't read feeds")
        try:
            return self._feeds.read(url)
        except FeedError as error:
            return error
        except Exception:
            log.exception("reading a feed failed unexpectedly")
            return FeedError("reading it failed on my side")

    def _act_once(
        self,
        caller: Caller,
        work: Callable[[Context], list[Reply]],
        feed_reads: dict[str, FeedRead | FeedError] | None = None,
    ) -> list[Reply]:
        now = self._clock.now()
        with self._uow_factory() as uow:
            workspace, created = open_workspace(uow, caller)
            try:
                person = remember(
                    uow, self._directory, workspace, caller.user_external_id, now, caller.user_name
                )
            except RefusalError as refusal:
                return [refusal.message]
            if person is None:
                return [Message.say("I couldn't find you in this workspace's directory.")]
            if created and person.timezone:
                adopt_timezone(uow, workspace, person.timezone)
            uow.commit()  # who is asking is worth remembering, whatever they asked
            ctx = Context(
                uow,
                workspace,
                person,
                now,
                self._coordinators,
                self._directory,
                feed_reads=feed_reads or {},
                public_url=self._public_url(),
                attaches_files=self._attaches_files(workspace),
                watch_default=self._watch_channel,
            )
            try:
                replies = work(ctx)
            except RefusalError as refusal:
                return [refusal.message]
            uow.commit()
        self._deliver(ctx)
        return [*replies, *ctx.notes]

    def _command(self, ctx: Context, text_: str) -> list[Reply]:
        command = c.parse_command(text_, ctx.local_today())
        if isinstance(command, c.CommandError):
            return [_error_message(command)]
        if isinstance(command, c.Help):
            hidden = (
                watch.NOT_OFFERED
                if ctx.workspace.platform not in watch.WATCHING_PLATFORMS
                else frozenset()
            )
            return [
                Message.say(
                    c.help_text(ctx.is_coordinator, director=ctx.is_director, hidden=hidden)
                )
            ]
        allowed, preface = self._permission(ctx, who_may(type(command)))
        if not allowed:
            if preface is None:
                return []
            raise RefusalError(preface)
        reply = ROUTES[type(command)](ctx, command)
        return [r for r in (preface, reply) if r is not None]

    def _permission(self, ctx: Context, allowed_to: str) -> tuple[bool, Message | None]:
        """Whether the person may run the command, and anything to tell them first."""
        if allowed_to == "everyone" or ctx.is_coordinator:
            return True, None
        if allowed_to == "coordinators and directors" and ctx.is_director:
            return True, None
        known = coordinators(ctx.uow, ctx.workspace, self._coordinators)
        if not known and not self._coordinators and allowed_to == "coordinators":
            ctx.uow.people.set_role(ctx.person.id, Role.COORDINATOR)
            ctx.person = replace(ctx.person, role=Role.COORDINATOR)
            return True, Message.say(
                "This workspace had no coordinator yet, so you are its first: you can set "
                "up channels, rotas and closures, and promote others with "
                "`/duty role @person coordinator`."
            )
        known_ids = {p.external_id for p in known}
        names = [who(p) for p in known] + [
            Mention(external_id, external_id)
            for external_id in sorted(self._coordinators - known_ids)
        ]
        what = allowed_to
        refusal = Message(
            summary=f"Only {what} can do that",
            blocks=(
                Paragraph(
                    text(
                        f"Only {what} can do that, and nothing was changed. Ask ",
                        *joined(names),
                        ".",
                    )
                ),
            ),
        )
        return False, refusal

    def _deliver(self, ctx: Context) -> None:
        """Send what the command queued; what fails is recorded for coordinators to see, and
        a failed handoff is sent again by the handoff job."""
        for number, (person, message, delivery_id) in enumerate(ctx.outbox):
            try:
                self._notifier.send_direct(ctx.workspace, person, message)
                failure = None
            except Exception as error:  # noqa: BLE001 - recorded below
                failure = error.reason if isinstance(error, NotifyError) else type(error).__name__
                log.warning("could not send a direct message to person %s: %s", person.id, failure)
            if failure is None and delivery_id is None:
                continue
            with self._uow_factory() as uow:
                if delivery_id is None:
                    key = f"{person.external_id}:{ctx.now.isoformat()}:{number}"
                    notice = uow.deliveries.claim(
                        ctx.workspace.id, DeliveryKind.NOTICE, key, ctx.now
                    )
                    delivery_id = notice.id if notice is not None else None
                    if delivery_id is not None:
                        uow.deliveries.start_attempt(delivery_id, 0, ctx.now)
                if delivery_id is not None and failure is None:
                    uow.deliveries.mark_sent(delivery_id, ctx.now)
                elif delivery_id is not None and failure is not None:
                    reason = f"to {person.display_name} ({message.summary}): {failure}"
                    uow.deliveries.mark_failed(delivery_id, reason)
                uow.commit()
        for delivery in ctx.file_outbox:
            try:
                self._notifier.send_files(
                    ctx.workspace, delivery.person, delivery.message, delivery.files
                )
            except Exception as error:  # noqa: BLE001 - told to the asker
                failure = error.reason if isinstance(error, NotifyError) else type(error).__name__
                log.warning("could not send files to person %s: %s", delivery.person.id, failure)
                ctx.notes.append(
                    Message.say(
                        f"{delivery.failed}: {failure}. Nothing was changed; please try again "
                        "in a minute, and if it keeps happening, tell whoever runs Baton."
                    )
                )
            else:
                ctx.notes.append(delivery.sent)
        for chat_channel_id, message in ctx.chat_outbox:
            try:
                self._notifier.send_to_chat_channel(ctx.workspace, chat_channel_id, message)
            except NotifyError as error:
                log.warning("could not post in a chat channel: %s", error.reason)
                ctx.notes.append(
                    Message.say(
                        "I couldn't post it in ", ChatChannel(chat_channel_id), f": {error.reason}."
                    )
                )


def _error_message(error: c.CommandError) -> Message:
    blocks = [Paragraph(text(error.message))]
    if error.usage:
        blocks.append(Paragraph(text(Bold("Usage: "), error.usage)))
    return Message(summary=error.message, blocks=tuple(blocks))


__all__ = ["Baton", "Caller"]
