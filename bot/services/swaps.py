"""Swaps (§4): two members exchange two specific future shifts, with the other's consent."""

from __future__ import annotations

from bot.domain import commands as c
from bot.domain.model import SwapStatus
from bot.domain.rotation import PlannedShift
from bot.messages import Bold, Button, Buttons, Message, Paragraph, Reply, text
from bot.services import duty
from bot.services.context import Context
from bot.services.outreach import resolve_person
from bot.services.wording import when, who

SWAP_ACCEPT = "swap_accept"
SWAP_DECLINE = "swap_decline"


def _span(planned: PlannedShift, timezone: str) -> str:
    return f"{when(planned.start, timezone)} – {when(planned.end, timezone)}"


def _next_of(plan: list[PlannedShift], person_id: int) -> PlannedShift | None:
    return next((p for p in plan[1:] if p.person_id == person_id), None)


def request(ctx: Context, command: c.Swap) -> Reply:
    """Ask someone to swap your next shift for theirs."""
    rota = ctx.default_rota()
    partner = resolve_person(ctx, command.person)
    if partner.id == ctx.person.id:
        return Message.say("You can't swap with yourself. Mention someone else on the rota.")
    members = {m.person_id for m in ctx.uow.memberships.members(rota.id)}
    if ctx.person.id not in members:
        return Message.say(
            "You're not on the ", Bold(rota.name), " rota, so you have no shift to swap."
        )
    if partner.id not in members:
        return Message.say(
            who(partner), " isn't on the ", Bold(rota.name), " rota, so they have no shift to swap."
        )
    plan = duty.upcoming(ctx.uow, rota, ctx.now, 2 * len(members) + 3)
    mine, theirs = _next_of(plan, ctx.person.id), _next_of(plan, partner.id)
    if mine is None or theirs is None:
        missing = ctx.person if mine is None else partner
        return Message.say(
            who(missing), " has no upcoming shift to swap yet. `/duty schedule 12` shows the rota."
        )
    swap = ctx.uow.swaps.add(
        ctx.workspace.id,
        rota_id=rota.id,
        requester_id=ctx.person.id,
        partner_id=partner.id,
        requester_start=mine.start,
        partner_start=theirs.start,
        created_at=ctx.now,
    )
    ctx.tell(
        partner,
        Message(
            summary=f"{ctx.person.display_name} asks to swap shifts",
            blocks=(
                Paragraph(
                    text(
                        who(ctx.person),
                        " asks to swap shifts on ",
                        Bold(rota.name),
                        f": you would take theirs, {_span(mine, rota.timezone)}, and they "
                        f"would take yours, {_span(theirs, rota.timezone)}.",
                    )
                ),
                Buttons(
                    (
                        Button("Accept", SWAP_ACCEPT, str(swap.id), style="primary"),
                        Button("Decline", SWAP_DECLINE, str(swap.id)),
                    )
                ),
            ),
        ),
    )
    return Message.say(
        "Asked ",
        who(partner),
        f" to take your shift {_span(mine, rota.timezone)} in exchange for theirs, "
        f"{_span(theirs, rota.timezone)}. I'll tell you their answer.",
    )


def answer(ctx: Context, swap_id: str, accept: bool) -> list[Reply]:
    """The partner accepts or declines a swap."""
    swap = ctx.uow.swaps.get(int(swap_id)) if swap_id.isdigit() else None
    if swap is None or swap.workspace_id != ctx.workspace.id or swap.partner_id != ctx.person.id:
        return [Message.say("That swap isn't yours to answer, or it no longer exists.")]
    if swap.status is not SwapStatus.PENDING:
        return [Message.say(f"You already answered that swap: it was {swap.status.value}.")]
    rota = ctx.uow.rotas.get(swap.rota_id)
    requester = ctx.uow.people.get(swap.requester_id)
    if rota is None or requester is None:
        return [Message.say("That swap no longer applies: the rota or person is gone.")]
    if not accept:
        ctx.uow.swaps.decide(swap.id, SwapStatus.DECLINED, ctx.now)
        ctx.tell(
            requester,
            Message.say(who(ctx.person), " declined your swap. Your shifts stay as they were."),
        )
        return [Message.say("Declined. ", who(requester), " has been told.")]
    members = len(ctx.uow.memberships.members(rota.id))
    plan = {
        p.start: p.person_id for p in duty.upcoming(ctx.uow, rota, ctx.now, 2 * members + 3)[1:]
    }
    if (
        plan.get(swap.requester_start) != requester.id
        or plan.get(swap.partner_start) != ctx.person.id
    ):
        ctx.uow.swaps.decide(swap.id, SwapStatus.EXPIRED, ctx.now)
        ctx.tell(
            requester,
            Message.say(
                "Your swap with ",
                who(ctx.person),
                " couldn't go ahead: those shifts changed hands since you asked. "
                "`/duty schedule` shows the rota now.",
            ),
        )
        return [
            Message.say(
                "Too late: those shifts have changed hands since the swap was asked for "
                "(another swap was agreed, or the rota moved). Nothing was swapped."
            )
        ]

    def change() -> Message:
        if not ctx.uow.swaps.decide(swap.id, SwapStatus.ACCEPTED, ctx.now):
            return Message.say("That swap was answered a moment ago; nothing more to do.")
        ctx.uow.swaps.pin(rota.id, swap.requester_start, ctx.person.id, swap.id)
        ctx.uow.swaps.pin(rota.id, swap.partner_start, requester.id, swap.id)
        ctx.tell(
            requester,
            Message.say(
                who(ctx.person),
                f" accepted your swap: they take {when(swap.requester_start, rota.timezone)} "
                f"and you take {when(swap.partner_start, rota.timezone)}.",
            ),
        )
        return Message.say(
            f"Swapped. You're on duty from {when(swap.requester_start, rota.timezone)}, and ",
            who(requester),
            f" from {when(swap.partner_start, rota.timezone)}.",
        )

    return [duty.changing_rotas(ctx, [rota], change)]
