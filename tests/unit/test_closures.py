"""Closure days from date ranges and public-holiday calendars."""

from __future__ import annotations

from datetime import date

from bot.domain.model import Closure
from bot.services.closures import closed_on, known_calendar


def test_public_holidays_are_closed_when_the_calendar_is_chosen() -> None:
    closed = closed_on([Closure(1, 1, country="US", subdivision="CA")])
    assert closed(date(2026, 11, 26))  # Thanksgiving
    assert closed(date(2026, 3, 31))  # César Chávez Day, California only
    assert not closed(date(2026, 11, 30))


def test_range_and_calendar_combine_when_both_are_set() -> None:
    closed = closed_on(
        [
            Closure(1, 1, country="GB"),
            Closure(2, 1, first_day=date(2026, 8, 3), last_day=date(2026, 8, 7), reason="move"),
        ]
    )
    assert closed(date(2026, 12, 25)) and closed(date(2026, 8, 5))
    assert not closed(date(2026, 8, 10))


def test_unknown_calendars_are_recognised_when_checked() -> None:
    assert known_calendar("DE", "BY")
    assert not known_calendar("XX", None)
    assert not known_calendar("US", "ZZ")
