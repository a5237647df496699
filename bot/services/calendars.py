"""Calendar links (§5 `calendar`): a private, revocable address for each person, behind
which their shifts and the whole rota are served as iCalendar feeds, worked out afresh each
time a calendar app fetches them, so they follow swaps, skips, leavers and time away."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import commands as c
from bot.domain.model import Person, Rota, ShiftOrigin, covers
from bot.messages import Bold, Heading, Link, Message, Paragraph, text
from bot.ports import UnitOfWork
from bot.services.context import Context
from bot.services.duty import upcoming
from bot.services.ical import DutyEvent, calendar_document, shift_uid

CALENDAR = "calendar"
"""The kind of private link a calendar link is."""

MINE = "mine"
ROTA = "rota"
FEEDS = (MINE, ROTA)
"""The feeds behind one link: the person's own shifts, and every rota's."""

HISTORY = timedelta(weeks=8)
"""How far back the feeds go: recorded shifts that overlap the last eight weeks."""
HORIZON = timedelta(weeks=26)
"""How far ahead: planned shifts that start in the next 26 weeks."""
MAX_PLANNED = 400
"""At most this many planned shifts per rota (a daily rota has about 130 in 26 weeks)."""

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

HOW_TO_CHANGE = (
    "Can't make it? Ask Baton (in Slack type these after /duty; in Teams send them to "
    "Baton):\n"
    "swap @person: swap your next shift for theirs, if they accept\n"
    "skip: pass your shift on to the next person once it has started; you keep your place\n"
    "away <from> [to]: book time away, and the rota works round it"
)


def feed_path(token: str, feed: str) -> str:
    """Where a feed is served on Baton's web server: `/calendar/<token>/mine.ics`."""
    return f"/calendar/{token}/{feed}.ics"


@dataclass(frozen=True, slots=True)
class DutySlot:
    """A shift as the feeds show it: recorded (history and the current one) or planned."""

    rota: Rota
    start: datetime
    end: datetime
    person_id: int | None
    planned: bool
    origin: ShiftOrigin = ShiftOrigin.ROTATION
    handed_over: bool = False


def rota_slots(uow: UnitOfWork, rota: Rota, now: datetime) -> list[DutySlot]:
    """The rota's recorded shifts of the last eight weeks, the current one, and the planned
    ones starting within 26 weeks, by start."""
    count = min(HORIZON // timedelta(days=rota.shift_days) + 2, MAX_PLANNED)
    plan = upcoming(uow, rota, now, count)
    current = plan[0]
    recorded = uow.shifts.between(rota.id, now - HISTORY, current.end)
    slots = [
        DutySlot(rota, s.start, s.end, s.person_id, False, s.origin, s.handed_over)
        for s in recorded
    ]
    slots += [
        DutySlot(rota, p.start, p.end, p.person_id, True)
        for p in plan[1:]
        if current.end <= p.start < now + HORIZON
    ]
    return slots


def _channel_names(uow: UnitOfWork, rota: Rota) -> str:
    names = [
        channel.name for channel in uow.channels.all(rota.workspace_id) if covers(rota, channel)
    ]
    return ", ".join(names) if names else "none yet"


def _how_it_came(slot: DutySlot) -> str | None:
    if slot.handed_over:
        return "Passed on part-way through."
    if slot.origin is ShiftOrigin.SKIP:
        return "Taken over part-way through, after a skip."
    if slot.origin is ShiftOrigin.SWAP:
        return "Swapped."
    if slot.planned:
        return "Planned: it can still move as people join, leave, swap or go away."
    return None


def duty_event(
    slot: DutySlot, feed: str, holder: Person | None, channels: str, *, now: datetime
) -> DutyEvent:
    """One shift as an event of the `feed` (mine: yours; rota: naming who is on duty)."""
    rota = slot.rota.name
    if feed == MINE:
        summary = f"On duty: {rota}"
    elif holder is None:
        summary = f"Nobody on duty: {rota}"
    else:
        summary = f"{holder.display_name} on duty: {rota}"
    lines: list[str] = []
    if feed == ROTA:
        lines.append(
            f"On duty: {holder.display_name}."
            if holder is not None
            else "Nobody is on duty, so reminders go to the coordinators."
        )
    lines.append(f"Outreach channels: {channels}.")
    how = _how_it_came(slot)
    if how is not None:
        lines.append(how)
    if slot.end > now:
        lines.append(HOW_TO_CHANGE)
    return DutyEvent(
        uid=shift_uid(slot.rota.id, slot.start, feed),
        start=slot.start,
        end=slot.end,
        summary=summary,
        description="\n".join(lines),
    )


def feed(uow: UnitOfWork, token: str, which: str, now: datetime) -> bytes | None:
    """The iCalendar document behind a calendar link (`which`: mine or rota); None when the
    link is unknown or revoked, or its person has left."""
    if which not in FEEDS or not _TOKEN.fullmatch(token):
        return None
    link = uow.links.find(token, now)
    if link is None or link.kind != CALENDAR:
        return None
    person = uow.people.get(link.person_id)
    if person is None or person.deleted:
        return None
    people = {p.id: p for p in uow.people.everyone(link.workspace_id)}
    rotas = uow.rotas.all(link.workspace_id)
    events: list[DutyEvent] = []
    for rota in rotas:
        channels = _channel_names(uow, rota)
        for slot in rota_slots(uow, rota, now):
            if which == MINE and slot.person_id != person.id:
                continue
            holder = people.get(slot.person_id) if slot.person_id is not None else None
            events.append(duty_event(slot, which, holder, channels, now=now))
    if which == MINE:
        name = "Baton: my shifts"
        about = f"{person.display_name}'s posting-duty shifts"
    else:
        name = f"Baton: the {rotas[0].name} rota" if len(rotas) == 1 else "Baton: every rota"
        about = "Everyone's posting-duty shifts"
    about += ", from 8 weeks ago to 26 weeks ahead, kept up to date by Baton."
    return calendar_document(name, about, events, now)


def calendar(ctx: Context, command: c.Calendar) -> Message:
    """The person's calendar links, made on first asking; `reset` replaces them."""
    revoked = 0
    if command.reset:
        revoked = ctx.uow.links.revoke(ctx.person.id, CALENDAR, ctx.now)
    if ctx.public_url is None:
        done = "Your old calendar links are turned off. " if revoked else ""
        return Message.say(
            f"{done}Calendar links need the web address people reach Baton at, and it isn't "
            "set: whoever runs Baton needs to set BATON_PUBLIC_URL (for example "
            "https://baton.library.org) and restart it. Until then `/duty schedule` lists the "
            "coming shifts."
        )
    link = None if command.reset else ctx.uow.links.live(ctx.person.id, CALENDAR, ctx.now)
    if link is None:
        link = ctx.uow.links.add(
            ctx.workspace.id,
            person_id=ctx.person.id,
            kind=CALENDAR,
            token=secrets.token_urlsafe(32),
            created_at=ctx.now,
        )
    mine = ctx.public_url + feed_path(link.token, MINE)
    rota = ctx.public_url + feed_path(link.token, ROTA)
    if command.reset:
        heading = "New calendar links"
        opening = (
            "Your old calendar links no longer work. If you subscribed to them, remove those "
            "calendars and subscribe to these instead:"
            if revoked
            else "Here are your calendar links:"
        )
    else:
        heading = "Your calendar links"
        opening = "Subscribe to these in your calendar app to see when you are on duty:"
    return Message(
        summary=heading,
        blocks=(
            Heading(heading),
            Paragraph(text(opening)),
            Paragraph(text(Bold("Your shifts: "), Link(mine))),
            Paragraph(text(Bold("The whole rota: "), Link(rota))),
            Paragraph(
                text(
                    Bold("Google Calendar: "),
                    "beside Other calendars press +, then From URL; paste a link and press "
                    "Add calendar. ",
                    Bold("Outlook: "),
                    "Add calendar → Subscribe from web; paste a link and press Import. "
                    "Both fetch it again by themselves (Google Calendar can take up to a "
                    "day), so swaps, skips and time away show up without you doing anything.",
                )
            ),
            Paragraph(
                text(
                    "These links are private to you: anyone who has one can read the rota, "
                    "so don't share them. `/duty calendar reset` turns them off and gives you "
                    "new ones."
                )
            ),
        ),
    )
