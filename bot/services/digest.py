"""The weekly digest (§6): its message, who gets it, and the commands that manage it.

The figures come from `bot.domain.digest`; this module reads the records they need, in a
few grouped queries, and words them as a platform-neutral message. The scheduled side
(`claim`, `delivery`) is driven by `ScheduledWork.digest`: at the configured moment of
each week the week is claimed once under its key (like `2026-W49`), and with it one
delivery per recipient (`2026-W49:person:12`, `2026-W49:chat`), so each recipient gets it
exactly once and a refusal by one is retried and reported without repeating it to others.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import commands as c
from bot.domain import digest as d
from bot.domain.model import DeliveryKind, Person, Role, Workspace
from bot.messages import (
    Bold,
    Bullets,
    ChatChannel,
    Code,
    Heading,
    Message,
    Paragraph,
    Span,
    Text,
    text,
)
from bot.ports import UnitOfWork
from bot.services.context import Context
from bot.services.continuity import recent_span, warning_line
from bot.services.duty import current_shift, upcoming
from bot.services.outreach import resolve_person, undelivered
from bot.services.wording import joined, plural, when, who

DAYS_AHEAD = 7
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def timezone_of(uow: UnitOfWork, workspace: Workspace) -> str:
    """The digest's timezone: the workspace's first rota's."""
    rotas = uow.rotas.all(workspace.id)
    return rotas[0].timezone if rotas else "UTC"


def recipients(uow: UnitOfWork, workspace: Workspace, settings: d.DigestSettings) -> list[Person]:
    """Who gets it by direct message: every director, and the people added with `digest to`."""
    people = {p.id: p for p in uow.people.everyone(workspace.id) if not p.deleted}
    chosen = {p.id for p in people.values() if p.role is Role.DIRECTOR} | {
        i for i in settings.person_ids if i in people
    }
    return sorted((people[i] for i in chosen), key=lambda p: (p.display_name.casefold(), p.id))


# -- the figures and their words -------------------------------------------------------------


def figures(uow: UnitOfWork, workspace: Workspace, moment: datetime) -> d.Digest:
    """The digest's figures for the week ending at `moment`, read from the records."""
    rotas = uow.rotas.all(workspace.id)
    zone = rotas[0].timezone if rotas else "UTC"
    bounds = d.week_bounds(moment, zone)
    people = {p.id: p for p in uow.people.everyone(workspace.id)}
    ahead: list[d.ShiftAhead] = []
    for rota in rotas:
        count = DAYS_AHEAD // rota.shift_days + 2
        for planned in upcoming(uow, rota, moment, count):
            person = people.get(planned.person_id) if planned.person_id is not None else None
            ahead.append(d.ShiftAhead(rota.name, rota.timezone, planned.start, planned.end, person))
    return d.compute(
        bounds=bounds,
        channels=uow.channels.all(workspace.id),
        people=people,
        weekly=uow.posts.tally(workspace.id, bounds),
        recent=uow.posts.tally(workspace.id, recent_span(moment, zone)),
        last_posts=uow.posts.last_post_times(workspace.id),
        shifts_served=uow.shifts.served_counts(workspace.id, bounds[-2], moment),
        members={m.person_id for rota in rotas for m in uow.memberships.members(rota.id)},
        reminders=uow.reminders.between(workspace.id, bounds[-2], moment),
        shifts_ahead=ahead,
    )


def _span(start: datetime, end: datetime, zone: str) -> str:
    first, last = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    return f"{first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b %Y}"


def _channel_line(figure: d.ChannelFigures) -> Text:
    average = d.average_words(figure.average)
    comparison = {
        d.Trend.UP: f"up from a {d.AVERAGE_WEEKS}-week average of {average}",
        d.Trend.DOWN: f"down from a {d.AVERAGE_WEEKS}-week average of {average}",
        d.Trend.LEVEL: f"level with the {d.AVERAGE_WEEKS}-week average of {average}",
    }[figure.trend]
    if figure.last_post_at is None:
        quiet = "no posts yet"
    else:
        quiet = f"{plural(figure.days_quiet, 'day')} since the last post"
    if figure.is_quiet:
        quiet += " (quiet)"
    return text(
        Bold(figure.channel.name),
        f": {plural(figure.this_week, 'post')} this week, {comparison}; {d.WEEKS} weeks ",
        Code(figure.sparkline),
        f"; {quiet}",
    )


def _shift_line(shift: d.ShiftAhead, several_rotas: bool) -> Text:
    prefix: tuple[Span, ...] = (Bold(shift.rota_name), *text(": ")) if several_rotas else ()
    return text(
        *prefix,
        who(shift.person),
        f", {when(shift.start, shift.timezone)} – {when(shift.end, shift.timezone)}",
    )


def message(digest: d.Digest, zone: str) -> Message:
    """The digest as directors and the chat channel see it."""
    period = _span(digest.start, digest.end, zone)
    active = len(digest.channels)
    blocks: list[Heading | Paragraph | Bullets] = [
        Heading(f"Weekly digest: {period}"),
        Paragraph(
            text(
                f"{plural(digest.posts_this_week, 'post')} this week on "
                f"{plural(active, 'outreach channel')}; "
                f"{plural(digest.recent_posters, 'person', 'different people')} posted in the "
                f"last {d.RECENT.days} days."
            )
        ),
        Paragraph(text(Bold("Outreach channels"))),
    ]
    if digest.channels:
        blocks.append(Bullets(tuple(_channel_line(f) for f in digest.channels)))
    else:
        blocks.append(Paragraph(text("None yet: `/duty channel add <name> kind=…` adds one.")))
    blocks.append(Paragraph(text(Bold("People"))))
    if digest.people:
        blocks.append(
            Bullets(
                tuple(
                    text(
                        who(f.person),
                        f": {plural(f.posts, 'post')}, {plural(f.shifts, 'shift')} served",
                    )
                    for f in digest.people
                )
            )
        )
    else:
        blocks.append(Paragraph(text("Nobody is on a rota yet: `/duty join` takes a turn.")))
    blocks.append(Paragraph(text(Bold("Continuity"))))
    if digest.warnings:
        blocks.append(Bullets(tuple(warning_line(w) for w in digest.warnings)))
    else:
        blocks.append(
            Paragraph(
                text(
                    "No risks: every channel has two stewards or more, and nobody made most "
                    "of a channel's posts alone."
                )
            )
        )
    blocks.append(Paragraph(text(Bold("Reminders"))))
    blocks.append(
        Paragraph(
            text(
                f"{plural(digest.reminders_sent, 'reminder')} sent this week, "
                f"{digest.reminders_answered} acted on."
            )
        )
    )
    blocks.append(Paragraph(text(Bold("On duty next"))))
    if digest.next_week:
        several = len({s.rota_name for s in digest.next_week}) > 1
        blocks.append(Bullets(tuple(_shift_line(s, several) for s in digest.next_week)))
    else:
        blocks.append(Paragraph(text("Nobody is planned.")))
    summary = f"Weekly digest: {plural(digest.posts_this_week, 'post')} this week"
    return Message(summary=summary, blocks=tuple(blocks))


def build(uow: UnitOfWork, workspace: Workspace, moment: datetime) -> Message:
    """The digest for the week ending at `moment`, and any messages that could not be sent."""
    built = message(figures(uow, workspace, moment), timezone_of(uow, workspace))
    return Message(built.summary, (*built.blocks, *undelivered(uow, workspace)))


# -- the weekly job -------------------------------------------------------------------------


def person_key(week: str, person: Person) -> str:
    return f"{week}:person:{person.id}"


def chat_key(week: str) -> str:
    return f"{week}:chat"


def claim(uow: UnitOfWork, workspace: Workspace, now: datetime) -> None:
    """Claim this week's digest once it is due, with one delivery per recipient.

    It goes at its moment whatever the working hours or closures (§6). A week with nobody
    to send to is left unclaimed, so a director named later that week still gets it.
    """
    rotas = uow.rotas.all(workspace.id)
    if not rotas:
        return
    settings = uow.digests.get(workspace.id)
    week = d.due(now, settings, rotas[0].timezone)
    if week is None:
        return
    people = recipients(uow, workspace, settings)
    if not people and settings.chat_channel_id is None:
        return
    for rota in rotas:
        current_shift(uow, rota, now)  # recorded here, so sending only reads
    marker = uow.deliveries.claim(workspace.id, DeliveryKind.DIGEST, week.key, now)
    if marker is None:
        return  # another run has this week's digest
    uow.deliveries.mark_sent(marker.id, now)
    for person in people:
        uow.deliveries.claim(workspace.id, DeliveryKind.DIGEST, person_key(week.key, person), now)
    if settings.chat_channel_id is not None:
        uow.deliveries.claim(workspace.id, DeliveryKind.DIGEST, chat_key(week.key), now)


@dataclass(frozen=True, slots=True)
class Addressed:
    """A digest and where one delivery of it goes: a person, or a chat channel."""

    message: Message
    person: Person | None = None
    chat_channel_id: str | None = None


def delivery(uow: UnitOfWork, workspace: Workspace, key: str, now: datetime) -> Addressed | None:
    """The digest one claimed delivery sends, as of its week's moment (or `now`, if
    earlier); None when its recipient is gone."""
    week_text, _, target = key.partition(":")
    settings = uow.digests.get(workspace.id)
    zone = timezone_of(uow, workspace)
    try:
        week = d.week_from_key(week_text, settings, zone)
    except ValueError:
        return None
    moment = min(week.moment, now)
    kind, _, ident = target.partition(":")
    if kind == "person" and ident.isdigit():
        person = uow.people.get(int(ident))
        if person is None or person.deleted:
            return None
        return Addressed(build(uow, workspace, moment), person=person)
    if kind == "chat" and settings.chat_channel_id is not None:
        return Addressed(build(uow, workspace, moment), chat_channel_id=settings.chat_channel_id)
    return None


# -- commands -------------------------------------------------------------------------------


def _schedule_words(settings: d.DigestSettings, zone: str) -> str:
    return f"every {DAY_NAMES[settings.weekday]} at {settings.at:%H:%M} ({zone})"


def _destinations(
    uow: UnitOfWork, workspace: Workspace, settings: d.DigestSettings
) -> tuple[Span, ...]:
    spans: list[Span] = [who(p) for p in recipients(uow, workspace, settings)]
    if settings.chat_channel_id is not None:
        spans.append(ChatChannel(settings.chat_channel_id))
    return joined(spans, empty="nobody yet")


def _where_it_goes(ctx: Context, settings: d.DigestSettings) -> Paragraph:
    zone = timezone_of(ctx.uow, ctx.workspace)
    this_week = d.week_of(ctx.now.astimezone(ZoneInfo(zone)).date(), settings, zone)
    gone = ctx.uow.deliveries.get(ctx.workspace.id, DeliveryKind.DIGEST, this_week.key)
    # Once this week's has gone, a later time this week sends nothing more until next week.
    upcoming_at = d.next_moment(
        max(ctx.now, this_week.moment) if gone is not None else ctx.now, settings, zone
    )
    return Paragraph(
        text(
            "It goes to ",
            *_destinations(ctx.uow, ctx.workspace, settings),
            f", {_schedule_words(settings, zone)}; next on {when(upcoming_at, zone)}. "
            "Directors always get it; `/duty digest to #channel|@person` and "
            "`/duty digest at fri 15:00` change the rest.",
        )
    )


def digest_preview(ctx: Context, command: c.DigestPreview) -> Message:
    """The digest as it would be now, for the asker alone."""
    del command
    settings = ctx.uow.digests.get(ctx.workspace.id)
    preview = build(ctx.uow, ctx.workspace, ctx.now)
    return Message(
        summary=preview.summary,
        blocks=(*preview.blocks, _where_it_goes(ctx, settings)),
    )


def digest_send(ctx: Context, command: c.DigestSend) -> Message:
    """Send the digest as it is now to its recipients, apart from the weekly one."""
    del command
    settings = ctx.uow.digests.get(ctx.workspace.id)
    people = recipients(ctx.uow, ctx.workspace, settings)
    if not people and settings.chat_channel_id is None:
        return Message.say(
            "Nobody gets the digest yet. Make someone a director with "
            "`/duty role @person director`, or choose where it goes with "
            "`/duty digest to #channel`."
        )
    digest = build(ctx.uow, ctx.workspace, ctx.now)
    ctx.outbox.extend((person, digest, None) for person in people)
    if settings.chat_channel_id is not None:
        ctx.post_in_chat_channel(settings.chat_channel_id, digest)
    return Message.say(
        "Sent this week's digest to ",
        *_destinations(ctx.uow, ctx.workspace, settings),
        ". The weekly one still goes at its time.",
    )


def digest_to(ctx: Context, command: c.DigestTo) -> Message:
    """Choose the digest's chat channel, add a person to it, or go back to directors only."""
    settings = ctx.uow.digests.get(ctx.workspace.id)
    if command.chat_channel_id is not None:
        updated = replace(settings, chat_channel_id=command.chat_channel_id)
        ctx.uow.digests.save(updated)
        return Message(
            summary="The weekly digest has a chat channel",
            blocks=(
                Paragraph(
                    text(
                        "The weekly digest will be posted in ",
                        ChatChannel(command.chat_channel_id),
                        ". Make sure Baton is in that channel: in Slack, `/invite @Baton` there; "
                        "in Teams, add Baton to the channel's team.",
                    )
                ),
                _where_it_goes(ctx, updated),
            ),
        )
    if command.person is not None:
        person = resolve_person(ctx, command.person)
        if person.role is Role.DIRECTOR:
            return Message.say(who(person), " already gets the weekly digest, as a director.")
        if person.id in settings.person_ids:
            return Message.say(who(person), " already gets the weekly digest.")
        updated = replace(settings, person_ids=settings.person_ids | {person.id})
        ctx.uow.digests.save(updated)
        return Message(
            summary="Added a digest recipient",
            blocks=(
                Paragraph(text(who(person), " will get the weekly digest too.")),
                _where_it_goes(ctx, updated),
            ),
        )
    updated = replace(settings, chat_channel_id=None, person_ids=frozenset())
    ctx.uow.digests.save(updated)
    return Message(
        summary="The weekly digest goes to directors only",
        blocks=(
            Paragraph(text("The weekly digest goes to the directors only now.")),
            _where_it_goes(ctx, updated),
        ),
    )


def digest_at(ctx: Context, command: c.DigestAt) -> Message:
    """Set the digest's weekday and time, in the timezone of the workspace's first rota."""
    settings = ctx.uow.digests.get(ctx.workspace.id)
    updated = replace(
        settings,
        weekday=command.weekday if command.weekday is not None else settings.weekday,
        at=command.at if command.at is not None else settings.at,
    )
    ctx.uow.digests.save(updated)
    zone = timezone_of(ctx.uow, ctx.workspace)
    return Message(
        summary="The weekly digest's time changed",
        blocks=(
            Paragraph(text(f"The weekly digest now goes {_schedule_words(updated, zone)}.")),
            _where_it_goes(ctx, updated),
        ),
    )
