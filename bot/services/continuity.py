"""Continuity risks (§6), read from the records and worded for people: one person carrying
a channel, too few stewards, a steward who left. The rules are `bot.domain.digest`'s; the
weekly digest, `channels` and the notice about someone who left all word them here."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain import digest as d
from bot.domain.model import OutreachChannel, Person, Workspace
from bot.messages import Bold, Text, text
from bot.ports import UnitOfWork
from bot.services.wording import plural, who


def recent_span(moment: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The RECENT days up to `moment`, counted in local days (UTC bounds)."""
    start = (moment.astimezone(ZoneInfo(timezone)) - d.RECENT).astimezone(UTC)
    return start, moment


def warnings_now(
    uow: UnitOfWork,
    workspace: Workspace,
    moment: datetime,
    channels: list[OutreachChannel] | None = None,
) -> list[d.ContinuityWarning]:
    """The continuity warnings of `channels` (default: every active one) at `moment`."""
    rotas = uow.rotas.all(workspace.id)
    zone = rotas[0].timezone if rotas else "UTC"
    listed = uow.channels.all(workspace.id) if channels is None else channels
    people: dict[int, Person] = {p.id: p for p in uow.people.everyone(workspace.id)}
    recent = uow.posts.tally(workspace.id, recent_span(moment, zone))
    return d.continuity_warnings(listed, people, recent)


def warning_line(warning: d.ContinuityWarning) -> Text:
    """One warning as a sentence that says what to do about it."""
    name = warning.channel.name
    match warning.risk:
        case d.Risk.ONE_PERSON:
            return text(
                who(warning.person),
                f" made {warning.posts} of the {warning.total} posts on ",
                Bold(name),
                f" in the last {d.RECENT.days} days.",
            )
        case d.Risk.FEW_STEWARDS:
            return text(
                Bold(name),
                f" has {plural(warning.stewards, 'steward')}; two or more keep it going when "
                f"someone is away: `/duty steward add {name} @person`.",
            )
        case d.Risk.STEWARD_LEFT:
            return text(
                who(warning.person),
                ", a steward of ",
                Bold(name),
                ", has left the workspace; change the login and "
                f"`/duty steward remove {name} @person`.",
            )
