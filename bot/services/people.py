"""People come and go (§8): what Baton does when the chat platform says so.

Someone who leaves the workspace (deactivated or deleted) leaves every rota; a shift they
hold passes to the next person, who is told; if they were a steward, the coordinators hear
which channels now have fewer than two stewards. Their posts and past shifts stay, and so
do their steward places, so the continuity warnings keep showing until a coordinator
removes them. Someone new is remembered; someone who comes back is present again and
joins rotas themselves. Each change is made once: the same news again changes nothing
and sends nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import digest as d
from bot.domain.model import OutreachChannel, Person, Rota
from bot.messages import Bold, Bullets, Message, Paragraph, Span, text
from bot.ports import ConflictError, Directory, DirectoryEntry, UnitOfWork
from bot.services.context import Context, coordinators
from bot.services.continuity import warning_line
from bot.services.duty import changing_rotas, current_shift, hand_to_next
from bot.services.wording import joined, plural, who


class Change(enum.StrEnum):
    """What became of a person the platform told Baton about."""

    IGNORED = "ignored"
    """Nobody Baton keeps: a bot, a workspace Baton isn't used in, or someone it never knew
    changing their profile."""
    JOINED = "joined"
    UPDATED = "updated"
    """Their name, timezone or admin rights, as the platform now says."""
    LEFT = "left"
    RETURNED = "returned"
    UNCHANGED = "unchanged"
    """Someone who had already left, said to have left again."""
    REPEATED = "repeated"
    """The platform delivered the same news (the same event) again."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a change did, for whoever reports it."""

    change: Change
    person: Person | None = None
    rotas_left: tuple[str, ...] = ()
    handed_on: tuple[tuple[str, Person | None], ...] = ()
    """Each rota whose current shift they held, and who has the rest of it (None: nobody)."""
    stewarded: tuple[str, ...] = ()
    """The outreach channels they were a steward of."""
    short_of_stewards: tuple[str, ...] = ()
    """Those of them now with fewer than two stewards in the workspace."""
    coordinators_told: tuple[Person, ...] = field(default=())


def person_changed(
    uow: UnitOfWork,
    *,
    platform: str,
    workspace_external_id: str,
    entry: DirectoryEntry,
    now: datetime,
    configured_coordinators: frozenset[str],
    directory: Directory,
    joined_workspace: bool,
) -> tuple[Outcome, Context | None]:
    """Bring Baton's record of a person in line with what the platform says about them.

    `joined_workspace`: they have just joined (someone new is remembered; otherwise only
    people Baton already knows are kept up to date). The context, when there is one, holds
    the direct messages to send once this is committed.
    """
    workspace = uow.workspaces.get_by_external_id(platform, workspace_external_id)
    if workspace is None or entry.is_bot:
        return Outcome(Change.IGNORED), None
    known = uow.people.get_by_external_id(workspace.id, entry.external_id)
    if known is None:
        if entry.deleted or not joined_workspace:
            return Outcome(Change.IGNORED), None
        person = uow.people.save_from_directory(workspace.id, entry, now)
        return Outcome(Change.JOINED, person), None
    if entry.deleted:
        ctx = Context(uow, workspace, known, now, configured_coordinators, directory)
        return depart(ctx), ctx
    returned = known.deleted and uow.people.mark_departed(known.id, False)
    person = uow.people.save_from_directory(workspace.id, entry, now)
    return Outcome(Change.RETURNED if returned else Change.UPDATED, person), None


def _involved(ctx: Context, rota: Rota, person: Person) -> bool:
    """Whether the person is on the rota, or holds its current shift."""
    if any(m.person_id == person.id for m in ctx.uow.memberships.members(rota.id)):
        return True
    return current_shift(ctx.uow, rota, ctx.now).person_id == person.id


def depart(ctx: Context) -> Outcome:
    """`ctx.person` has left the workspace: off every rota, their shift passed on, and the
    coordinators told about the outreach channels they could get into."""
    person = ctx.person
    was_present = not person.deleted
    rotas = [r for r in ctx.uow.rotas.all(ctx.workspace.id) if _involved(ctx, r, person)]
    if not was_present and not rotas:
        return Outcome(Change.UNCHANGED, person)
    handed_on: list[tuple[str, Person | None]] = []

    def change() -> Message:
        if was_present and not ctx.uow.people.mark_departed(person.id, True):
            # Another delivery of the same news got there first; start again and find it.
            raise ConflictError("the departure was recorded at the same time elsewhere")
        for rota in rotas:
            shift = current_shift(ctx.uow, rota, ctx.now)
            ctx.uow.memberships.end(rota.id, person.id, ctx.now)
            if shift.person_id == person.id:
                why = text(
                    who(person),
                    " has left the workspace, so the rest of their shift on ",
                    Bold(rota.name),
                    " passes",
                )
                handed_on.append((rota.name, hand_to_next(ctx, rota, shift, person, why)))
        return Message(summary="")

    changing_rotas(ctx, rotas, change)
    departed = ctx.uow.people.get(person.id) or person
    ctx.person = departed
    stewarded = [
        ch for ch in ctx.uow.channels.all(ctx.workspace.id) if departed.id in ch.steward_ids
    ]
    short: list[d.ContinuityWarning] = []
    told: list[Person] = []
    if stewarded:
        people = {p.id: p for p in ctx.uow.people.everyone(ctx.workspace.id)}
        short = [
            w for w in d.continuity_warnings(stewarded, people, ()) if w.risk is d.Risk.FEW_STEWARDS
        ]
        notice = steward_notice(departed, stewarded, short)
        told = coordinators(ctx.uow, ctx.workspace, ctx.configured_coordinators)
        for coordinator in told:
            ctx.tell(coordinator, notice)
    return Outcome(
        Change.LEFT,
        departed,
        rotas_left=tuple(r.name for r in rotas),
        handed_on=tuple(handed_on),
        stewarded=tuple(ch.name for ch in stewarded),
        short_of_stewards=tuple(w.channel.name for w in short),
        coordinators_told=tuple(told),
    )


def steward_notice(
    person: Person, stewarded: list[OutreachChannel], short: list[d.ContinuityWarning]
) -> Message:
    """What the coordinators are told when a steward leaves the workspace."""
    names: list[Span] = [Bold(ch.name) for ch in stewarded]
    mention = f"@{person.handle or person.display_name}"
    if len(stewarded) == 1:
        remove = f"`/duty steward remove {stewarded[0].name} {mention}` takes them off the list."
    else:
        remove = f"`/duty steward remove <channel> {mention}` takes them off each list."
    blocks: list[Paragraph | Bullets] = [
        Paragraph(
            text(
                who(person),
                " has left the workspace. They were a steward of ",
                *joined(names),
                ", so they could get in: change the "
                f"{'login' if len(stewarded) == 1 else 'logins'}, then {remove}",
            )
        )
    ]
    if short:
        blocks.append(Paragraph(text(f"Now short of stewards ({plural(len(short), 'channel')}):")))
        blocks.append(Bullets(tuple(warning_line(w) for w in short)))
    else:
        blocks.append(Paragraph(text("Each of those channels still has two stewards or more.")))
    channel_words = ", ".join(ch.name for ch in stewarded)
    return Message(
        summary=f"{person.display_name}, a steward of {channel_words}, has left the workspace",
        blocks=tuple(blocks),
    )
