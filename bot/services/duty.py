"""The rota: joining and leaving, who is on duty, skipping and time away (§4)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import commands as c
from bot.domain.model import (
    AwayPeriod,
    Delivery,
    DeliveryKind,
    Person,
    Rota,
    Shift,
    ShiftOrigin,
)
from bot.domain.rotation import PlannedShift, Queue, catch_up, project, window_at
from bot.messages import Bold, Bullets, Heading, Message, Paragraph, Text, text
from bot.ports import UnitOfWork
from bot.services.context import Context, RefusalError
from bot.services.wording import day_span, plural, when, who

AWAY_LOOKBACK = timedelta(days=60)


def handoff_key(rota: Rota, start: datetime, side: str) -> str:
    """The claim key of a handoff message: `on` for the new holder, `off` for the last."""
    return f"{side}:{rota.id}:{start.astimezone(UTC).isoformat()}"


def find_rota(ctx: Context, name: str | None) -> Rota:
    """The named rota, or the workspace's first; a friendly refusal for an unknown name."""
    if name is None:
        return ctx.default_rota()
    rota = ctx.uow.rotas.get_by_name(ctx.workspace.id, name)
    if rota is None:
        names = ", ".join(f"`{r.name}`" for r in ctx.uow.rotas.all(ctx.workspace.id))
        raise RefusalError(Message.say(f"There is no rota called “{name}”. Rotas here: {names}."))
    return rota


def current_shift(uow: UnitOfWork, rota: Rota, now: datetime) -> Shift:
    """The shift on at `now`, recording any shifts that began since the last one known."""
    latest = uow.shifts.latest(rota.id)
    if latest is None or latest.end <= now:
        queue = build_queue(uow, rota, now)
        since = latest.end if latest else window_at(rota, now).start
        pins = uow.swaps.pins(rota.id, since)
        for planned in catch_up(rota, queue, latest.end if latest else None, now, pins):
            swapped = planned.person_id is not None and pins.get(planned.start) == planned.person_id
            origin = ShiftOrigin.SWAP if swapped else ShiftOrigin.ROTATION
            uow.shifts.add(Shift(rota.id, planned.start, planned.end, planned.person_id, origin))
    shift = uow.shifts.covering(rota.id, now)
    if shift is None:
        raise RuntimeError(f"rota {rota.id} has no shift at {now.isoformat()}")
    return shift


def build_queue(uow: UnitOfWork, rota: Rota, now: datetime) -> Queue:
    """The rota's members, each with the moment they have waited since, and their time away.

    People who have left the workspace are not in it, whatever their membership says.
    """
    departed = {p.id for p in uow.people.everyone(rota.workspace_id) if p.deleted}
    members = [m for m in uow.memberships.members(rota.id) if m.person_id not in departed]
    away: dict[int, list[AwayPeriod]] = defaultdict(list)
    since = (now - AWAY_LOOKBACK).date()
    for period in uow.away.list_for_people([m.person_id for m in members], since):
        away[period.person_id].append(period)
    return Queue.build(members, uow.shifts.last_served(rota.id), away)


def upcoming(uow: UnitOfWork, rota: Rota, now: datetime, count: int) -> list[PlannedShift]:
    """The current shift followed by the next `count - 1` projected ones."""
    shift = current_shift(uow, rota, now)
    plan = [PlannedShift(shift.start, shift.end, shift.person_id)]
    if count > 1:
        queue = build_queue(uow, rota, now)
        # The next shift as `current_shift` will record it: when the rota's pattern changed
        # during this shift, a short one bridges to the new pattern's first handoff.
        pins = uow.swaps.pins(rota.id, shift.end)
        plan += catch_up(rota, queue, shift.end, shift.end, pins)
        plan += project(rota, queue, plan[-1].end, count - 2, pins)
    return plan


def _next_starts(plan: list[PlannedShift]) -> dict[int, PlannedShift]:
    firsts: dict[int, PlannedShift] = {}
    for planned in plan[1:]:
        if planned.person_id is not None:
            firsts.setdefault(planned.person_id, planned)
    return firsts


def changing_rotas(ctx: Context, rotas: list[Rota], change: Callable[[], Message]) -> Message:
    """Make `change`, then tell every member whose next shift on these rotas it moved."""
    horizons = {r.id: len(ctx.uow.memberships.members(r.id)) + 3 for r in rotas}
    before = {r.id: _next_starts(upcoming(ctx.uow, r, ctx.now, horizons[r.id])) for r in rotas}
    reply = change()
    for stale in rotas:
        rota = ctx.uow.rotas.get(stale.id) or stale  # the change may have been to the rota
        horizon = max(horizons[rota.id], len(ctx.uow.memberships.members(rota.id)) + 3)
        after = _next_starts(upcoming(ctx.uow, rota, ctx.now, horizon))
        _tell_moves(ctx, rota, before[rota.id], after)
    return reply


def _tell_moves(
    ctx: Context, rota: Rota, before: dict[int, PlannedShift], after: dict[int, PlannedShift]
) -> None:
    for person_id in sorted(set(before) | set(after)):
        old, new = before.get(person_id), after.get(person_id)
        if old is not None and new is not None and old.start == new.start:
            continue
        person = ctx.uow.people.get(person_id)
        if person is None:
            continue
        if new is not None:
            line = text(
                "Your next shift on ",
                Bold(rota.name),
                f" has moved: it is now {when(new.start, rota.timezone)} – "
                f"{when(new.end, rota.timezone)}.",
            )
        elif old is not None:
            line = text(
                "You are no longer on duty on ",
                Bold(rota.name),
                f" from {when(old.start, rota.timezone)}. `/duty schedule` shows the rota.",
            )
        else:  # pragma: no cover - a person is in before or after
            continue
        ctx.tell(person, Message(summary="Your next shift has moved", blocks=(Paragraph(line),)))


def _rotas_of(ctx: Context) -> list[Rota]:
    rotas = (ctx.uow.rotas.get(rota_id) for rota_id in ctx.uow.memberships.rotas_of(ctx.person.id))
    return [r for r in rotas if r is not None]


def _shift_line(uow: UnitOfWork, rota: Rota, planned: PlannedShift) -> Text:
    person = uow.people.get(planned.person_id) if planned.person_id is not None else None
    span = f"{when(planned.start, rota.timezone)} – {when(planned.end, rota.timezone)}: "
    if person is None:
        return text(span, "nobody (reminders go to the coordinators)")
    return text(span, who(person))


def _give_rest(
    ctx: Context, rota: Rota, shift: Shift, person_id: int | None, origin: ShiftOrigin
) -> Delivery | None:
    """Give the rest of the current shift to `person_id` (None: nobody).

    The command tells the new holder itself, so the handoff job's message for the new piece
    is claimed here and returned: the command's message settles it, and if that message
    fails the handoff job sends its own. None when it was claimed already.
    """
    if shift.id is None:
        raise RuntimeError("a recorded shift has an id")
    if ctx.now <= shift.start:
        ctx.uow.shifts.reassign(shift.id, person_id, origin)
    else:
        ctx.uow.shifts.hand_over(shift.id, ctx.now)
        ctx.uow.shifts.add(Shift(rota.id, ctx.now, shift.end, person_id, origin))
    start = max(ctx.now, shift.start)
    off = ctx.uow.deliveries.claim(
        ctx.workspace.id, DeliveryKind.HANDOFF, handoff_key(rota, start, "off"), ctx.now
    )
    if off is not None:  # whoever passed it on is not thanked for it
        ctx.uow.deliveries.mark_sent(off.id, ctx.now)
    return ctx.uow.deliveries.claim(
        ctx.workspace.id, DeliveryKind.HANDOFF, handoff_key(rota, start, "on"), ctx.now
    )


def _passed_on_by(ctx: Context, rota: Rota, shift: Shift) -> set[int]:
    """Everyone who held part of this shift and passed it on, the holder included."""
    people = {shift.person_id} if shift.person_id is not None else set()
    piece: Shift | None = shift
    while piece is not None:
        earlier = ctx.uow.shifts.covering(rota.id, piece.start - timedelta(microseconds=1))
        if earlier is None or not earlier.handed_over or earlier.end != piece.start:
            break
        if earlier.person_id is not None:
            people.add(earlier.person_id)
        piece = earlier
    return people


def _next_taker(ctx: Context, rota: Rota, shift: Shift) -> int | None:
    """Who takes the rest of `shift` when its holder passes it on: the eligible member who
    has waited longest, other than anyone who already passed this shift on."""
    queue = build_queue(ctx.uow, rota, ctx.now)
    passed = _passed_on_by(ctx, rota, shift)
    queue.members = [m for m in queue.members if m.person_id not in passed]
    return queue.next_for(rota, ctx.now, shift.end)


def hand_to_next(
    ctx: Context, rota: Rota, shift: Shift, leaving: Person, why: Text | None = None
) -> Person | None:
    """Pass the rest of `shift` to the next eligible member; None when nobody can take it.

    The new holder is told why (`why`, before "to you"; by default that `leaving` passed it on).
    """
    next_id = _next_taker(ctx, rota, shift)
    origin = ShiftOrigin.SKIP if next_id is not None else ShiftOrigin.ROTATION
    handoff = _give_rest(ctx, rota, shift, next_id, origin)
    if next_id is None:
        return None  # the handoff job tells the coordinators nobody is on duty
    taker = ctx.uow.people.get(next_id)
    if taker is not None:
        opening = why or text(who(leaving), " has passed their shift on ", Bold(rota.name))
        ctx.tell(
            taker,
            Message.say(
                *opening,
                f" to you: you are on duty now until {when(shift.end, rota.timezone)}. "
                "`/duty channels` shows what needs a post.",
            ),
            handoff.id if handoff is not None else None,
        )
    return taker


def join(ctx: Context, command: c.Join) -> Message:
    rota = find_rota(ctx, command.rota)
    if any(m.person_id == ctx.person.id for m in ctx.uow.memberships.members(rota.id)):
        return Message.say("You are already on the ", Bold(rota.name), " rota.")

    def change() -> Message:
        ctx.uow.memberships.add(rota.id, ctx.person.id, ctx.now)
        shift = current_shift(ctx.uow, rota, ctx.now)
        queue = build_queue(ctx.uow, rota, ctx.now)
        if shift.person_id is None and queue.next_for(rota, ctx.now, shift.end) == ctx.person.id:
            handoff = _give_rest(ctx, rota, shift, ctx.person.id, ShiftOrigin.ROTATION)
            if handoff is not None:  # the reply tells them
                ctx.uow.deliveries.mark_sent(handoff.id, ctx.now)
            return Message.say(
                "Welcome to the ",
                Bold(rota.name),
                " rota! Nobody was on duty, so you are, from now until "
                f"{when(shift.end, rota.timezone)}. `/duty channels` shows what needs a post.",
            )
        plan = upcoming(ctx.uow, rota, ctx.now, len(queue.members) + 2)
        mine = next((p for p in plan[1:] if p.person_id == ctx.person.id), None)
        first = (
            f"Your first shift: {when(mine.start, rota.timezone)} – "
            f"{when(mine.end, rota.timezone)}."
            if mine is not None
            else "`/duty schedule` shows when you are on."
        )
        return Message.say("Welcome to the ", Bold(rota.name), f" rota! {first}")

    return changing_rotas(ctx, [rota], change)


def leave(ctx: Context, command: c.Leave) -> Message:
    rota = find_rota(ctx, command.rota)
    if not any(m.person_id == ctx.person.id for m in ctx.uow.memberships.members(rota.id)):
        return Message.say(
            "You are not on the ", Bold(rota.name), " rota, so there is nothing to leave."
        )

    def change() -> Message:
        shift = current_shift(ctx.uow, rota, ctx.now)
        ctx.uow.memberships.end(rota.id, ctx.person.id, ctx.now)
        if shift.person_id != ctx.person.id:
            return Message.say(
                "You have left the ",
                Bold(rota.name),
                " rota. Thank you for your posts! `/duty join` brings you back any time.",
            )
        taker = hand_to_next(ctx, rota, shift, ctx.person)
        handed = (
            text(" Your current shift has passed to ", who(taker), ", who has been told.")
            if taker is not None
            else text(
                " Nobody else is free to take your current shift, "
                "so reminders go to the coordinators."
            )
        )
        return Message.say(
            "You have left the ", Bold(rota.name), " rota. Thank you for your posts!", *handed
        )

    return changing_rotas(ctx, [rota], change)


def who_is_on(ctx: Context, command: c.Who) -> Message:
    rota = find_rota(ctx, command.rota)
    return _schedule_message(ctx, rota, 4, f"On duty: {rota.name}")


def schedule(ctx: Context, command: c.Schedule) -> Message:
    rota = ctx.default_rota()
    return _schedule_message(
        ctx, rota, command.count, f"The next {command.count} shifts: {rota.name}"
    )


def _schedule_message(ctx: Context, rota: Rota, count: int, title: str) -> Message:
    plan = upcoming(ctx.uow, rota, ctx.now, count)
    now_line = _shift_line(ctx.uow, rota, plan[0])
    blocks: list[Paragraph | Bullets | Heading] = [
        Heading(title),
        Paragraph(text(Bold("Now "), *now_line)),
    ]
    if len(plan) > 1:
        blocks.append(Bullets(tuple(_shift_line(ctx.uow, rota, p) for p in plan[1:])))
    if not ctx.uow.memberships.members(rota.id):
        blocks.append(Paragraph(text("Nobody has joined this rota yet. `/duty join` to opt in.")))
    holder = ctx.uow.people.get(plan[0].person_id) if plan[0].person_id is not None else None
    summary = f"On duty now: {holder.display_name if holder else 'nobody'}"
    return Message(summary=summary, blocks=tuple(blocks))


def skip(ctx: Context, command: c.Skip) -> Message:
    del command
    for rota in _rotas_of(ctx):
        shift = current_shift(ctx.uow, rota, ctx.now)
        if shift.person_id != ctx.person.id:
            continue
        if _next_taker(ctx, rota, shift) is None:
            return Message.say(
                "Nobody else on the ",
                Bold(rota.name),
                " rota is free to take over, so you "
                "are still on duty. A coordinator can help find cover.",
            )

        def change(rota: Rota = rota, shift: Shift = shift) -> Message:
            taker = hand_to_next(ctx, rota, shift, ctx.person)
            return Message.say(
                "Done: ",
                who(taker),
                " is on duty now until "
                f"{when(shift.end, rota.timezone)} and has been told. You keep your place: "
                "you are next once this shift ends.",
            )

        return changing_rotas(ctx, [rota], change)
    return Message.say(
        "You are not on duty right now, so there is nothing to skip. `/duty who` shows who is."
    )


def away_add(ctx: Context, command: c.AwayAdd) -> Message:
    span = day_span(command.first_day, command.last_day)
    overlapping = [
        p
        for p in ctx.uow.away.list_for(ctx.person.id, command.first_day)
        if p.first_day <= command.last_day
    ]
    if overlapping:
        existing = day_span(overlapping[0].first_day, overlapping[0].last_day)
        return Message.say(
            f"You are already away {existing}, which overlaps {span}. "
            "`/duty away list` shows your time off, `/duty away cancel <n>` removes one."
        )
    rotas = _rotas_of(ctx)

    def change() -> Message:
        ctx.uow.away.add(ctx.person.id, command.first_day, command.last_day, ctx.now)
        return Message.say(f"Noted: you are away {span}. Enjoy it!")

    reply = changing_rotas(ctx, rotas, change)
    for rota in rotas:
        shift = current_shift(ctx.uow, rota, ctx.now)
        last_day_of_shift = (shift.end - timedelta(seconds=1)).astimezone(ZoneInfo(rota.timezone))
        if shift.person_id == ctx.person.id and command.first_day <= last_day_of_shift.date():
            ctx.notes.append(
                Message.say(
                    "You are on duty on ",
                    Bold(rota.name),
                    f" until {when(shift.end, rota.timezone)}. If you can't cover it, "
                    "`/duty skip` passes it to the next person.",
                )
            )
    return reply


def away_list(ctx: Context, command: c.AwayList) -> Message:
    del command
    periods = ctx.uow.away.list_for(ctx.person.id, ctx.local_today())
    if not periods:
        return Message.say("You have no time away planned. `/duty away <from> [to]` adds some.")
    items = tuple(
        text(f"{n}. {day_span(p.first_day, p.last_day)}") for n, p in enumerate(periods, 1)
    )
    return Message(
        summary=f"You have {plural(len(periods), 'away period')}",
        blocks=(
            Heading("Your time away"),
            Bullets(items),
            Paragraph(text("`/duty away cancel <n>` removes one.")),
        ),
    )


def away_cancel(ctx: Context, command: c.AwayCancel) -> Message:
    periods = ctx.uow.away.list_for(ctx.person.id, ctx.local_today())
    if not periods:
        return Message.say("You have no time away planned, so there is nothing to cancel.")
    if not 1 <= command.number <= len(periods):
        return Message.say(
            f"There is no number {command.number} in your list; it goes from 1 to "
            f"{len(periods)}. `/duty away list` shows it."
        )
    period = periods[command.number - 1]

    def change() -> Message:
        ctx.uow.away.delete(period.id)
        return Message.say(f"Cancelled: away {day_span(period.first_day, period.last_day)}.")

    return changing_rotas(ctx, _rotas_of(ctx), change)
