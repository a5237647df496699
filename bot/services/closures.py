"""Which days the library is closed: its date ranges and public-holiday calendars."""

from __future__ import annotations

from datetime import date

import holidays

from bot.domain.model import Closure
from bot.domain.worktime import ClosedOn, closed_ranges


def known_calendar(country: str, subdivision: str | None) -> bool:
    """Whether the holidays package has a calendar for this country (and region)."""
    regions = holidays.list_supported_countries().get(country)
    return regions is not None and (subdivision is None or subdivision in regions)


def closed_on(closures: list[Closure]) -> ClosedOn:
    """Closed on a date-range closure or on a public holiday of a chosen calendar."""
    in_range = closed_ranges(closures)
    calendars = [
        holidays.country_holidays(c.country, subdiv=c.subdivision)
        for c in closures
        if c.country is not None and known_calendar(c.country, c.subdivision)
    ]

    def closed(day: date) -> bool:
        return in_range(day) or any(day in calendar for calendar in calendars)

    return closed
