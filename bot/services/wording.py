"""How Baton writes times, people and lists in its replies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.model import Person
from bot.messages import Mention, Plain, Span


def when(moment: datetime, timezone: str) -> str:
    """A moment as staff read it: `Mon 1 Dec 09:00` in the rota's timezone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def day(value: date) -> str:
    """A date as staff read it: `Mon 21 Dec 2026`."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def day_span(first: date, last: date) -> str:
    return day(first) if first == last else f"{day(first)} – {day(last)}"


def who(person: Person | None) -> Span:
    """A person as a mention, or "nobody"."""
    if person is None:
        return Plain("nobody")
    return Mention(person.external_id, person.display_name)


def joined(spans: Iterable[Span], empty: str = "none") -> tuple[Span, ...]:
    """Spans separated by commas."""
    out: list[Span] = []
    for span in spans:
        if out:
            out.append(Plain(", "))
        out.append(span)
    return tuple(out) if out else (Plain(empty),)


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    word = noun if count == 1 else (plural_noun or noun + "s")
    return f"{count} {word}"


def calendar_days(earlier: datetime, later: datetime, timezone: str) -> int:
    """How many calendar days apart two moments are, in `timezone` (yesterday is 1)."""
    zone = ZoneInfo(timezone)
    return (later.astimezone(zone).date() - earlier.astimezone(zone).date()).days


def days_ago(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"
