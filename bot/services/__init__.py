"""Baton's use cases. `Baton.run_command` is the one door chat handlers knock on."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from bot.domain import commands as c
from bot.domain.model import DeliveryKind, Role
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
from bot.ports import Clock, ConflictError, Directory, Notifier, NotifyError, UnitOfWorkFactory
from bot.services import admin, digest, duty, home, interactive, outreach, swaps
from bot.services.context import (
    Caller,
    Context,
    RefusalError,
    adopt_timezone,
    coordinators,
    open_workspace,
    remember,
)
from bot.services.wording import joined, who

log = logging.getLogger(__name__)

Handler = Callable[[Context, Any], Reply]


def _not_yet(feature: str, instead: str) -> Handler:
    def reply(ctx: Context, command: object) -> Message:
        del ctx, command
        return Message.say(f"{feature} isn't available in this version of Baton yet. {instead}")

    return reply


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
}

NOT_YET: dict[type, Handler] = {
    c.Calendar: _not_yet("The calendar link", "`/duty schedule` lists the coming shifts."),
    c.Export: _not_yet("Export", "`/duty stats` shows the figures."),
}
"""Commands the parser knows that this version answers with a sentence saying so."""

NOT_OFFERED = frozenset({"calendar", "export"})
"""Their words in help, which leaves them out."""


def who_may(command_type: type) -> str:
    """Who may run a command (§2): everyone, coordinators, or coordinators and directors."""
    if command_type in c.COORDINATOR_COMMANDS:
        return "coordinators"
    if command_type in c.DIRECTOR_COMMANDS:
        return "coordinators and directors"
    return "everyone"


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
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._directory = directory
        self._notifier = notifier
        self._coordinators = frozenset(coordinators)

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

    def home(self, caller: Caller, note: Message | None = None) -> Message:
        """A person's App Home, with `note` (the outcome of a button) at the top."""
        reply = self._act(caller, lambda ctx: [home.home(ctx, note)])
        return reply if isinstance(reply, Message) else SORRY

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
        """Do `work` as the caller in one transaction (twice if it collided with another)."""
        for attempt in (1, 2):
            try:
                replies = self._act_once(caller, work)
            except ConflictError:
                if attempt == 2:
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

    def _act_once(self, caller: Caller, work: Callable[[Context], list[Reply]]) -> list[Reply]:
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
            ctx = Context(uow, workspace, person, now, self._coordinators, self._directory)
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
            return [
                Message.say(
                    c.help_text(ctx.is_coordinator, director=ctx.is_director, hidden=NOT_OFFERED)
                )
            ]
        if type(command) in NOT_YET:
            return [NOT_YET[type(command)](ctx, command)]
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
