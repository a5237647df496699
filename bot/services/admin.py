"""Coordinators' settings: the rota's pattern, closures and roles."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import commands as c
from bot.domain.model import WEEKDAYS, Closure, Role, Rota
from bot.domain.rotation import shift_from, window_at
from bot.messages import Bold, Bullets, Heading, Message, Paragraph, text
from bot.services import watch
from bot.services.closures import known_calendar
from bot.services.context import Context, RefusalError, coordinators, is_coordinator
from bot.services.duty import changing_rotas, current_shift, find_rota
from bot.services.outreach import resolve_person
from bot.services.wording import day_span, when, who


def _days_words(days: frozenset[int]) -> str:
    return ", ".join(WEEKDAYS[d] for d in sorted(days)) or "none"


def _describe(rota: Rota) -> str:
    if rota.shift_days == 7:
        pattern = f"weekly, handing over {WEEKDAYS[rota.handoff_weekday]} {rota.handoff_time:%H:%M}"
    elif rota.shift_days == 1:
        pattern = f"daily on working days, handing over at {rota.handoff_time:%H:%M}"
    else:
        pattern = f"every {rota.shift_days} days, handing over at {rota.handoff_time:%H:%M}"
    return (
        f"{pattern}; {rota.timezone}; working days {_days_words(rota.working_days)}, "
        f"{rota.work_start:%H:%M}–{rota.work_end:%H:%M}"
    )


def rota_set(ctx: Context, command: c.RotaSet) -> Message:
    if command.watch is None:
        return _rota_pattern(ctx, command)
    if not command.changes_rota():
        return watch.set_watch(ctx, command.watch)
    pattern = _rota_pattern(ctx, command)
    return Message.combine([pattern, watch.set_watch(ctx, command.watch)])


def _rota_pattern(ctx: Context, command: c.RotaSet) -> Message:
    rota = find_rota(ctx, command.rota)
    updated = replace(
        rota,
        shift_days=command.shift_days if command.shift_days is not None else rota.shift_days,
        handoff_weekday=(
            command.handoff_weekday if command.handoff_weekday is not None else rota.handoff_weekday
        ),
        handoff_time=command.handoff_time or rota.handoff_time,
        timezone=command.timezone or rota.timezone,
        working_days=(
            command.working_days if command.working_days is not None else rota.working_days
        ),
        work_start=command.work_start or rota.work_start,
        work_end=command.work_end or rota.work_end,
    )
    if updated.work_start >= updated.work_end:
        raise RefusalError(
            Message.say(
                "Working hours must start before they end, like `hours=09:00-17:00`. "
                "Nothing changed."
            )
        )
    if not updated.working_days:
        raise RefusalError(
            Message.say("A rota needs at least one working day, like `days=mon-fri`.")
        )
    shift = current_shift(ctx.uow, rota, ctx.now)
    ends = when(shift.end, updated.timezone)
    following = shift_from(updated, shift.end)
    starts = (
        "the new pattern starts then."
        if window_at(updated, shift.end).start == shift.end
        else f"the next shift runs until {when(following.end, updated.timezone)}, "
        "and the new pattern carries on from there."
    )

    def change() -> Message:
        ctx.uow.rotas.update(updated)
        return Message(
            summary=f"Updated the {rota.name} rota",
            blocks=(
                Paragraph(text("Updated the ", Bold(updated.name), " rota: ", _describe(updated))),
                Paragraph(text(f"The current shift keeps its end ({ends}); {starts}")),
            ),
        )

    return changing_rotas(ctx, [rota], change)


def closure_add(ctx: Context, command: c.ClosureAdd) -> Message:
    closure = ctx.uow.closures.add(
        Closure(
            id=0,
            workspace_id=ctx.workspace.id,
            first_day=command.first_day,
            last_day=command.last_day,
            reason=command.reason,
        )
    )
    reason = f" ({closure.reason})" if closure.reason else ""
    return Message.say(
        f"Noted: the library is closed {day_span(command.first_day, command.last_day)}{reason}. "
        "No reminders go out on closed days."
    )


def closure_holidays(ctx: Context, command: c.ClosureHolidays) -> Message:
    label = f"{command.country}-{command.subdivision}" if command.subdivision else command.country
    if not known_calendar(command.country, command.subdivision):
        return Message.say(
            f"I don't know public holidays for `{command.country}"
            f"{'-' + command.subdivision if command.subdivision else ''}`. Use a country code "
            "like `GB`, `US` or `DE`, optionally with a region: `US-CA`, `DE-BY`."
        )
    for existing in ctx.uow.closures.all(ctx.workspace.id):
        if existing.country == command.country and existing.subdivision == command.subdivision:
            return Message.say(f"Public holidays for {label} are already closure days.")
    ctx.uow.closures.add(
        Closure(
            id=0,
            workspace_id=ctx.workspace.id,
            country=command.country,
            subdivision=command.subdivision,
        )
    )
    return Message.say(
        f"Public holidays for {label} are now closure days: no reminders go out on them."
    )


def closure_list(ctx: Context, command: c.ClosureList) -> Message:
    del command
    closures = ctx.uow.closures.all(ctx.workspace.id)
    if not closures:
        return Message.say(
            "No closures yet. `/duty closure add <from> [to] [reason]` or "
            "`/duty closure holidays <country>` adds one."
        )
    return Message(
        summary=f"{len(closures)} closures",
        blocks=(
            Heading("Closures"),
            Bullets(tuple(text(f"{n}. {_closure_words(cl)}") for n, cl in enumerate(closures, 1))),
            Paragraph(text("`/duty closure remove <n>` removes one.")),
        ),
    )


def _closure_words(closure: Closure) -> str:
    if closure.country is not None:
        region = f"-{closure.subdivision}" if closure.subdivision else ""
        return f"public holidays in {closure.country}{region}"
    if closure.first_day is None or closure.last_day is None:
        return "closed"
    reason = f" ({closure.reason})" if closure.reason else ""
    return f"closed {day_span(closure.first_day, closure.last_day)}{reason}"


def closure_remove(ctx: Context, command: c.ClosureRemove) -> Message:
    closures = ctx.uow.closures.all(ctx.workspace.id)
    if not 1 <= command.number <= len(closures):
        if not closures:
            return Message.say("There are no closures to remove.")
        return Message.say(
            f"There is no number {command.number}; closures go from 1 to {len(closures)}. "
            "`/duty closure list` shows them."
        )
    closure = closures[command.number - 1]
    ctx.uow.closures.delete(closure.id)
    return Message.say(f"Removed: {_closure_words(closure)}.")


def role_set(ctx: Context, command: c.RoleSet) -> Message:
    person = resolve_person(ctx, command.person)
    configured = ctx.configured_coordinators
    if command.role is not Role.COORDINATOR and person.role is Role.COORDINATOR:
        others = [p for p in coordinators(ctx.uow, ctx.workspace, configured) if p.id != person.id]
        if not others and not configured:
            return Message.say(
                who(person),
                " is the only coordinator. Make someone else a coordinator first, so "
                "somebody can still set Baton up.",
            )
    ctx.uow.people.set_role(person.id, command.role)
    after = replace(person, role=command.role)
    note = ""
    if command.role is not Role.COORDINATOR and is_coordinator(after, configured):
        note = (
            " They stay a coordinator all the same, as a workspace admin or someone listed in "
            "BATON_COORDINATORS."
        )
    words = {
        Role.COORDINATOR: "a coordinator: they can set up channels, rotas and closures",
        Role.DIRECTOR: "a director: they get the weekly digest, `stats` and `export`",
        Role.MEMBER: "a member",
    }
    return Message.say(who(person), f" is now {words[command.role]}.{note}")
