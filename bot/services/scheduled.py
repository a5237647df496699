"""Scheduled work (§6): handoffs, quiet-channel reminders and the weekly digest, each sent
exactly once.

Every job reads `now` once, works out from the records what is due, *claims* each message
with an insert under a unique key, commits, and only then sends. A claim that already
exists means another run (or another replica) has it. Each try at sending is taken with a
compare-and-set on the claim's attempt count, so two replicas never send the same message;
a failed try is recorded with its reason and tried again on the next run, up to
MAX_ATTEMPTS, after which coordinators see it in `channels`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.model import (
    Delivery,
    DeliveryKind,
    OutreachChannel,
    Person,
    Reminder,
    Rota,
    Workspace,
    covering_rota,
    covers,
)
from bot.domain.quiet import is_quiet, quiet_for, silent_since, whole_days
from bot.domain.worktime import is_working_time, local_day
from bot.messages import Bold, Bullets, Heading, Message, Paragraph, Text, text
from bot.ports import Notifier, NotifyError, UnitOfWork, UnitOfWorkFactory
from bot.services import digest
from bot.services.closures import closed_on
from bot.services.context import coordinators, once_more_on_conflict
from bot.services.duty import current_shift, handoff_key
from bot.services.interactive import reminder_buttons
from bot.services.wording import joined, plural, when, who

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
ABANDONED_AFTER = timedelta(minutes=30)
"""A try that began this long ago and never finished (its process died) is tried again."""
RESENDABLE = frozenset({DeliveryKind.HANDOFF, DeliveryKind.ESCALATION, DeliveryKind.DIGEST})
"""Kinds the jobs can build again from their key; a failed notice is only shown."""
EVENT_MEMORY = timedelta(days=3)
"""How long a chat platform's event id is kept, to spot its retries."""
ESCALATE_AFTER = 2
"""Unanswered reminders in one quiet spell after which coordinators are told."""


Builder = Callable[[UnitOfWork, Workspace, str, datetime], "Outgoing | None"]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to send, and the people (or the chat channel) it goes to."""

    recipients: tuple[Person, ...]
    message: Message
    chat_channel_id: str | None = None


def on_duty_today(uow: UnitOfWork, rota: Rota, now: datetime) -> int | None:
    """Who reminders go to now: the person on duty, unless they are away today (then
    nobody, so the coordinators get them)."""
    person_id = current_shift(uow, rota, now).person_id
    if person_id is None:
        return None
    today = local_day(rota, now)
    away = any(p.first_day <= today for p in uow.away.list_for(person_id, today))
    return None if away else person_id


class ScheduledWork:
    """The jobs behind handoffs and reminders; safe to run any number of times."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        notifier: Notifier,
        coordinators: Sequence[str] = (),
    ) -> None:
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._coordinators = frozenset(coordinators)

    # -- the jobs ------------------------------------------------------------------------

    def handoffs(self, now: datetime) -> int:
        """Tell each new person on duty, and thank the last one; how many messages went."""
        sent = self._each_workspace(now, self._claim_handoffs, self._send_deliveries)
        self._forget_old_events(now)
        return sent

    def _forget_old_events(self, now: datetime) -> None:
        """Chat platforms retry an event for an hour at most: older ones need no memory."""
        try:
            with self._uow_factory() as uow:
                uow.events.forget_before(now - EVENT_MEMORY)
                uow.commit()
        except Exception:
            log.exception("forgetting old chat events failed; the next run tries again")

    def quiet_check(self, now: datetime) -> int:
        """Remind whoever is on duty of their quiet channels; how many messages went."""
        return self._each_workspace(
            now, self._claim_reminders, self._send_reminders, self._send_deliveries
        )

    def digest(self, now: datetime) -> int:
        """Send each workspace's weekly digest once its moment has come; how many went."""
        return self._each_workspace(now, digest.claim, self._send_deliveries)

    def _each_workspace(
        self,
        now: datetime,
        claim: Callable[[UnitOfWork, Workspace, datetime], None],
        *senders: Callable[[Workspace, datetime], int],
    ) -> int:
        """Claim what is due and send it, workspace by workspace; one workspace's trouble
        is logged and left for the next run, and the others go on."""
        sent = 0
        for workspace in self._workspaces():
            try:
                self._claiming(claim, workspace, now)
                for send in senders:
                    sent += send(workspace, now)
            except Exception:
                log.exception(
                    "scheduled work for workspace %s failed; the next run retries", workspace.id
                )
        return sent

    def _claiming(
        self,
        claim: Callable[[UnitOfWork, Workspace, datetime], None],
        workspace: Workspace,
        now: datetime,
    ) -> None:
        """Claim what is due in one transaction; once more if another replica collided."""

        def attempt() -> None:
            with self._uow_factory() as uow:
                claim(uow, workspace, now)
                uow.commit()

        once_more_on_conflict(attempt)

    def _workspaces(self) -> list[Workspace]:
        with self._uow_factory() as uow:
            return uow.workspaces.all()

    # -- handoffs ------------------------------------------------------------------------

    def _claim_handoffs(self, uow: UnitOfWork, workspace: Workspace, now: datetime) -> None:
        closures = uow.closures.all(workspace.id)
        closed = closed_on(closures)
        for rota in uow.rotas.all(workspace.id):
            shift = current_shift(uow, rota, now)
            if not is_working_time(rota, now, closed):
                continue
            for side in ("on", "off"):
                key = handoff_key(rota, shift.start, side)
                uow.deliveries.claim(workspace.id, DeliveryKind.HANDOFF, key, now)

    def _handoff(
        self, uow: UnitOfWork, workspace: Workspace, key: str, now: datetime
    ) -> Outgoing | None:
        side, rota_id, start_text = key.split(":", 2)
        rota = uow.rotas.get(int(rota_id))
        start = datetime.fromisoformat(start_text)
        shift = uow.shifts.covering(int(rota_id), start) if rota is not None else None
        if rota is None or shift is None or shift.start != start:
            return None
        if side == "on":
            return self._handoff_on(uow, workspace, rota, shift.person_id, shift.end, now)
        previous = uow.shifts.covering(rota.id, start - timedelta(microseconds=1))
        if previous is None or previous.person_id is None or previous.person_id == shift.person_id:
            return None
        person = uow.people.get(previous.person_id)
        if person is None or person.deleted:
            return None
        posts = {
            row.person_id: row.posts
            for row in uow.posts.count_by_author(workspace.id, previous.start)
        }.get(person.id, 0)
        return Outgoing(
            (person,),
            Message.say(
                "Thank you for your shift on ",
                Bold(rota.name),
                f"! You recorded {plural(posts, 'post')}. You're off duty now; "
                "`/duty who` shows who has it.",
            ),
        )

    def _handoff_on(
        self,
        uow: UnitOfWork,
        workspace: Workspace,
        rota: Rota,
        person_id: int | None,
        end: datetime,
        now: datetime,
    ) -> Outgoing | None:
        last_posts = uow.posts.last_post_times(workspace.id)
        lines = tuple(
            _channel_line(channel, last_posts.get(channel.id), now)
            for channel in uow.channels.all(workspace.id)
            if covers(rota, channel)
        )
        person = uow.people.get(person_id) if person_id is not None else None
        if person is None or person.deleted:
            staff = tuple(coordinators(uow, workspace, self._coordinators))
            intro = text(
                "Nobody is free to take the ",
                Bold(rota.name),
                f" shift until {when(end, rota.timezone)}, so reminders for its channels come "
                "to you, the coordinators. `/duty join` puts someone on the rota.",
            )
            blocks: tuple[Heading | Paragraph | Bullets, ...] = (
                Heading(f"Nobody is on duty: {rota.name}"),
                Paragraph(intro),
            )
            if lines:
                blocks = (*blocks, Bullets(lines))
            return Outgoing(staff, Message("Nobody is on duty", blocks)) if staff else None
        blocks = (
            Heading(f"You're on duty: {rota.name}"),
            Paragraph(
                text(
                    "You're on duty for the ",
                    Bold(rota.name),
                    f" rota until {when(end, rota.timezone)}."
                    + (" Your channels:" if lines else ""),
                )
            ),
        )
        if lines:
            blocks = (*blocks, Bullets(lines))
        blocks = (
            *blocks,
            Paragraph(
                text(
                    "Record each post with `/duty posted <channel> [url]`. "
                    "Can't do it? `/duty skip` passes it on."
                )
            ),
        )
        return Outgoing((person,), Message(f"You're on duty: {rota.name}", blocks))

    # -- reminders -----------------------------------------------------------------------

    def _claim_reminders(self, uow: UnitOfWork, workspace: Workspace, now: datetime) -> None:
        rotas = uow.rotas.all(workspace.id)
        closed = closed_on(uow.closures.all(workspace.id))
        last_posts = uow.posts.last_post_times(workspace.id)
        for channel in uow.channels.all(workspace.id):
            rota = covering_rota(rotas, channel)
            last = last_posts.get(channel.id)
            if rota is None or not is_working_time(rota, now, closed):
                continue
            if not is_quiet(channel, last, now):
                continue
            if channel.snoozed_until is not None and now < channel.snoozed_until:
                continue
            spell = silent_since(channel, last)
            earlier = uow.reminders.of_spell(channel.id, spell)
            claimed = uow.reminders.claim(
                workspace.id,
                channel_id=channel.id,
                spell_start=spell,
                day=local_day(rota, now),
                person_id=on_duty_today(uow, rota, now),
                created_at=now,
            )
            unanswered = [r for r in earlier if r.sent_at is not None and r.answered_at is None]
            if claimed is not None and len(unanswered) >= ESCALATE_AFTER:
                key = f"{channel.id}:{spell.astimezone(ZoneInfo('UTC')).isoformat()}"
                uow.deliveries.claim(workspace.id, DeliveryKind.ESCALATION, key, now)

    def _send_reminders(self, workspace: Workspace, now: datetime) -> int:
        with self._uow_factory() as uow:
            pending = uow.reminders.pending(workspace.id, MAX_ATTEMPTS, now - ABANDONED_AFTER)
            holders = self._still_due(uow, workspace, pending, now)
            by_person: dict[int | None, list[Reminder]] = defaultdict(list)
            for reminder in pending:
                if reminder.id in holders and uow.reminders.start_attempt(
                    reminder.id, reminder.attempts, now
                ):
                    by_person[holders[reminder.id]].append(reminder)
            uow.commit()
        sent = 0
        for person_id, reminders in by_person.items():
            with self._uow_factory() as uow:
                outgoing = self._reminder(uow, workspace, person_id, reminders, now)
            failure = self._send(workspace, outgoing, now)
            with self._uow_factory() as uow:
                for reminder in reminders:
                    if failure is None:
                        uow.reminders.mark_sent(reminder.id, now)
                    else:
                        uow.reminders.mark_failed(reminder.id, failure)
                uow.commit()
            sent += failure is None and outgoing is not None
        return sent

    def _still_due(
        self, uow: UnitOfWork, workspace: Workspace, pending: list[Reminder], now: datetime
    ) -> dict[int, int | None]:
        """Of the reminders waiting to go (first tries, retries, abandoned tries), those that
        are still right to send now, each with whoever is on duty now to send it to.

        One for an earlier day, a channel that has had a post since, or a snoozed channel
        is not sent; one outside working hours waits for them.
        """
        if not pending:
            return {}
        rotas = uow.rotas.all(workspace.id)
        closed = closed_on(uow.closures.all(workspace.id))
        channels = {ch.id: ch for ch in uow.channels.all(workspace.id)}
        last_posts = uow.posts.last_post_times(workspace.id)
        due: dict[int, int | None] = {}
        for reminder in pending:
            channel = channels.get(reminder.channel_id)
            rota = covering_rota(rotas, channel) if channel is not None else None
            if channel is None or rota is None or not is_working_time(rota, now, closed):
                continue
            last = last_posts.get(channel.id)
            if (
                reminder.day != local_day(rota, now)
                or not is_quiet(channel, last, now)
                or silent_since(channel, last) != reminder.spell_start
                or (channel.snoozed_until is not None and now < channel.snoozed_until)
            ):
                continue
            due[reminder.id] = on_duty_today(uow, rota, now)
        return due

    def _reminder(
        self,
        uow: UnitOfWork,
        workspace: Workspace,
        person_id: int | None,
        reminders: list[Reminder],
        now: datetime,
    ) -> Outgoing | None:
        channels = {ch.id: ch for ch in uow.channels.all(workspace.id)}
        last_posts = uow.posts.last_post_times(workspace.id)
        lines = tuple(
            _channel_line(channels[r.channel_id], last_posts.get(r.channel_id), now)
            for r in reminders
            if r.channel_id in channels
        )
        if not lines:
            return None
        person = uow.people.get(person_id) if person_id is not None else None
        if person is not None and not person.deleted:
            intro = text("You're on duty, and these outreach channels have gone quiet:")
            recipients: tuple[Person, ...] = (person,)
        else:
            intro = text(
                "Nobody is on duty today, and these outreach channels have gone quiet. "
                "`/duty join` puts someone on the rota:"
            )
            recipients = tuple(coordinators(uow, workspace, self._coordinators))
        closing = text("When you've posted, record it here or with `/duty posted <channel> [url]`.")
        ids = [r.channel_id for r in reminders if r.channel_id in channels]
        buttons = reminder_buttons(ids, can_pass=person is not None and not person.deleted)
        message = Message(
            summary=f"{plural(len(lines), 'outreach channel')} gone quiet",
            blocks=(Paragraph(intro), Bullets(lines), Paragraph(closing), buttons),
        )
        return Outgoing(recipients, message) if recipients else None

    def _escalation(
        self, uow: UnitOfWork, workspace: Workspace, key: str, now: datetime
    ) -> Outgoing | None:
        channel_id, spell_text = key.split(":", 1)
        channel = next(
            (ch for ch in uow.channels.all(workspace.id) if ch.id == int(channel_id)), None
        )
        if channel is None:
            return None
        reminders = uow.reminders.of_spell(channel.id, datetime.fromisoformat(spell_text))
        latest_day = max((r.day for r in reminders), default=None)
        unanswered = [
            r
            for r in reminders
            if r.sent_at is not None and r.answered_at is None and r.day != latest_day
        ]
        holders = {r.person_id for r in unanswered if r.person_id is not None}
        named = [p for p in (uow.people.get(pid) for pid in sorted(holders)) if p is not None]
        last = uow.posts.last_post_times(workspace.id).get(channel.id)
        days = whole_days(quiet_for(channel, last, now))
        line = text(
            Bold(channel.name),
            f" has had no post for {plural(days, 'day')}, and "
            f"{plural(len(unanswered), 'reminder')} to ",
            *(joined((who(p) for p in named), empty="the coordinators")),
            " went unanswered. Could you help find someone to post?",
        )
        # Coordinators who were reminded themselves already know: the others are asked.
        staff = tuple(
            p for p in coordinators(uow, workspace, self._coordinators) if p.id not in holders
        )
        message = Message(summary=f"{channel.name} is still quiet", blocks=(Paragraph(line),))
        return Outgoing(staff, message) if staff else None

    # -- the digest ----------------------------------------------------------------------

    def _digest(
        self, uow: UnitOfWork, workspace: Workspace, key: str, now: datetime
    ) -> Outgoing | None:
        addressed = digest.delivery(uow, workspace, key, now)
        if addressed is None:
            return None
        people = (addressed.person,) if addressed.person is not None else ()
        return Outgoing(people, addressed.message, chat_channel_id=addressed.chat_channel_id)

    # -- sending -------------------------------------------------------------------------

    def _send_deliveries(self, workspace: Workspace, now: datetime) -> int:
        with self._uow_factory() as uow:
            pending = uow.deliveries.pending(workspace.id, MAX_ATTEMPTS, now - ABANDONED_AFTER)
            taken: list[Delivery] = [
                d
                for d in pending
                if d.kind in RESENDABLE and uow.deliveries.start_attempt(d.id, d.attempts, now)
            ]
            uow.commit()
        builders: dict[DeliveryKind, Builder] = {
            DeliveryKind.HANDOFF: self._handoff,
            DeliveryKind.ESCALATION: self._escalation,
            DeliveryKind.DIGEST: self._digest,
        }
        sent = 0
        for delivery in taken:
            build = builders.get(delivery.kind)
            with self._uow_factory() as uow:
                outgoing = build(uow, workspace, delivery.key, now) if build else None
            failure = self._send(workspace, outgoing, now)
            with self._uow_factory() as uow:
                if failure is None:
                    uow.deliveries.mark_sent(delivery.id, now)
                else:
                    uow.deliveries.mark_failed(delivery.id, failure)
                uow.commit()
            sent += failure is None and outgoing is not None
        return sent

    def _send(self, workspace: Workspace, outgoing: Outgoing | None, now: datetime) -> str | None:
        """Send to every recipient; why it reached nobody, or None."""
        if outgoing is None:
            return None
        if outgoing.chat_channel_id is not None:
            try:
                self._notifier.send_to_chat_channel(
                    workspace, outgoing.chat_channel_id, outgoing.message
                )
            except Exception as error:  # noqa: BLE001 - recorded, retried, shown
                reason = _why(error)
                log.warning("could not post in a chat channel: %s", reason)
                return f"the chat channel: {reason}"
            return None
        failures: list[str] = []
        for person in outgoing.recipients:
            try:
                self._notifier.send_direct(workspace, person, outgoing.message)
            except Exception as error:  # noqa: BLE001 - recorded, retried, shown
                reason = _why(error)
                log.warning("could not send to person %s: %s", person.id, reason)
                failures.append(f"{person.display_name}: {reason}")
        if len(failures) < len(outgoing.recipients):
            # Somebody has it, and a retry would repeat it to them: the others are shown.
            self._record_undelivered(workspace, outgoing.message, failures, now)
            return None
        return "; ".join(failures)

    def _record_undelivered(
        self, workspace: Workspace, message: Message, failures: list[str], now: datetime
    ) -> None:
        if not failures:
            return
        with self._uow_factory() as uow:
            for number, failure in enumerate(failures):
                key = f"{message.summary[:80]}:{now.isoformat()}:{number}"
                notice = uow.deliveries.claim(workspace.id, DeliveryKind.NOTICE, key, now)
                if notice is not None:
                    uow.deliveries.start_attempt(notice.id, 0, now)
                    uow.deliveries.mark_failed(notice.id, f"{message.summary}: to {failure}")
            uow.commit()


def _why(error: Exception) -> str:
    """A failed send's reason: the platform's error code, or the kind of failure."""
    return error.reason if isinstance(error, NotifyError) else type(error).__name__


def _channel_line(channel: OutreachChannel, last: datetime | None, now: datetime) -> Text:
    if last is None:
        return text(Bold(channel.name), ": no posts yet")
    days = whole_days(quiet_for(channel, last, now))
    return text(Bold(channel.name), f": last post {plural(days, 'day')} ago")
