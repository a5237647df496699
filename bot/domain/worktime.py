"""When the library works: working days and hours in the rota's timezone, minus closures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.model import Closure, Rota

ClosedOn = Callable[[date], bool]
"""Whether the library is closed on a local date."""


def local_day(rota: Rota, moment: datetime) -> date:
    """The date of `moment` in the rota's timezone."""
    return moment.astimezone(ZoneInfo(rota.timezone)).date()


def is_working_day(rota: Rota, day: date, closed: ClosedOn) -> bool:
    """A working day of the rota on which the library is open."""
    return day.weekday() in rota.working_days and not closed(day)


def is_working_time(rota: Rota, moment: datetime, closed: ClosedOn) -> bool:
    """Within the rota's working hours on a working, open day (all in its timezone)."""
    local = moment.astimezone(ZoneInfo(rota.timezone))
    if not is_working_day(rota, local.date(), closed):
        return False
    return rota.work_start <= local.time().replace(tzinfo=None) < rota.work_end


def closed_ranges(closures: list[Closure]) -> ClosedOn:
    """Closed on any of the date-range closures (holiday calendars are looked up elsewhere)."""
    ranges = [
        (c.first_day, c.last_day)
        for c in closures
        if c.first_day is not None and c.last_day is not None
    ]

    def closed(day: date) -> bool:
        return any(first <= day <= last for first, last in ranges)

    return closed
