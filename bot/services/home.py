"""The App Home: a person's own view of Baton (§5)."""

from __future__ import annotations

from bot.domain import commands as c
from bot.domain.quiet import is_quiet, quiet_for, whole_days
from bot.messages import (
    Block,
    Bold,
    Bullets,
    Button,
    Buttons,
    Divider,
    Heading,
    Message,
    Paragraph,
    Reply,
    Text,
    text,
)
from bot.services import duty
from bot.services.context import Context
from bot.services.interactive import LOG_POST
from bot.services.wording import plural, when, who

HOME_JOIN = "home_join"
HOME_LEAVE = "home_leave"


def home(ctx: Context, note: Message | None = None) -> Message:
    """Your next shift, who is on duty, channel health, and buttons to act on them."""
    rota = ctx.default_rota()
    blocks: list[Block] = [Heading("Baton: sharing the posting duty")]
    if note is not None:
        blocks += [*note.blocks, Divider()]
    member = any(m.person_id == ctx.person.id for m in ctx.uow.memberships.members(rota.id))
    plan = duty.upcoming(ctx.uow, rota, ctx.now, len(ctx.uow.memberships.members(rota.id)) + 2)
    holder = ctx.uow.people.get(plan[0].person_id) if plan[0].person_id is not None else None
    if holder is not None and holder.id == ctx.person.id:
        mine = text(
            Bold("You're on duty"), f" until {when(plan[0].end, rota.timezone)}. Thank you!"
        )
    elif member:
        nxt = next((p for p in plan[1:] if p.person_id == ctx.person.id), None)
        mine = (
            text(
                Bold("Your next shift: "),
                f"{when(nxt.start, rota.timezone)} – {when(nxt.end, rota.timezone)}.",
            )
            if nxt is not None
            else text("You're on the rota; `/duty schedule 12` shows when your turn comes.")
        )
    else:
        mine = text("You're not on the ", Bold(rota.name), " rota. Join to take turns posting.")
    blocks.append(Paragraph(mine))
    blocks.append(
        Paragraph(
            text(
                Bold("On duty now: "),
                who(holder),
                f" until {when(plan[0].end, rota.timezone)}",
            )
        )
    )
    blocks.append(Heading("Outreach channels"))
    last_posts = ctx.uow.posts.last_post_times(ctx.workspace.id)
    lines: list[Text] = []
    for channel in ctx.uow.channels.all(ctx.workspace.id):
        last = last_posts.get(channel.id)
        days = whole_days(quiet_for(channel, last, ctx.now))
        if last is None:
            state = "no posts yet"
        elif is_quiet(channel, last, ctx.now):
            state = f"quiet for {plural(days, 'day')}"
        else:
            state = f"fine, last post {plural(days, 'day')} ago" if days else "posted today"
        lines.append(text(Bold(channel.name), f": {state}"))
    blocks.append(Bullets(tuple(lines)) if lines else Paragraph(text("No outreach channels yet.")))
    buttons = [
        Button("Leave the rota", HOME_LEAVE)
        if member
        else Button("Join the rota", HOME_JOIN, style="primary"),
    ]
    if lines:
        buttons.append(Button("Log a post", LOG_POST))
    blocks.append(Buttons(tuple(buttons)))
    return Message(summary="Baton", blocks=tuple(blocks))


def press(ctx: Context, action: str) -> list[Reply]:
    """The Join and Leave buttons on the App Home."""
    if action == HOME_JOIN:
        return [duty.join(ctx, c.Join())]
    return [duty.leave(ctx, c.Leave())]
