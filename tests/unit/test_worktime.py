"""Working time in the rota's timezone, across daylight-saving changes and closures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.model import Closure, Rota
from bot.domain.worktime import closed_ranges, is_working_time, local_day


def rota(zone: str) -> Rota:
    return Rota(id=1, workspace_id=1, name="social media", timezone=zone)


def never(day: date) -> bool:
    return False


@pytest.mark.parametrize(
    ("zone", "moment", "working"),
    [
        # Berlin springs forward on Sun 28 Mar 2027: 09:00 CET is 08:00 UTC before, 07:00 after.
        ("Europe/Berlin", datetime(2027, 3, 26, 7, 59, tzinfo=UTC), False),
        ("Europe/Berlin", datetime(2027, 3, 26, 8, 0, tzinfo=UTC), True),
        ("Europe/Berlin", datetime(2027, 3, 29, 7, 0, tzinfo=UTC), True),
        ("Europe/Berlin", datetime(2027, 3, 29, 15, 0, tzinfo=UTC), False),  # 17:00 CEST
        # Berlin falls back on Sun 31 Oct 2027.
        ("Europe/Berlin", datetime(2027, 10, 29, 6, 59, tzinfo=UTC), False),  # 08:59 CEST
        ("Europe/Berlin", datetime(2027, 11, 1, 8, 0, tzinfo=UTC), True),  # 09:00 CET
        ("Europe/Berlin", datetime(2027, 11, 1, 7, 59, tzinfo=UTC), False),
        # New York springs forward on Sun 14 Mar 2027 and falls back on Sun 7 Nov 2027.
        ("America/New_York", datetime(2027, 3, 12, 14, 0, tzinfo=UTC), True),  # 09:00 EST
        ("America/New_York", datetime(2027, 3, 15, 13, 0, tzinfo=UTC), True),  # 09:00 EDT
        ("America/New_York", datetime(2027, 3, 15, 12, 59, tzinfo=UTC), False),
        ("America/New_York", datetime(2027, 11, 5, 20, 59, tzinfo=UTC), True),  # 16:59 EDT
        ("America/New_York", datetime(2027, 11, 8, 21, 59, tzinfo=UTC), True),  # 16:59 EST
        ("America/New_York", datetime(2027, 11, 8, 22, 0, tzinfo=UTC), False),  # 17:00 EST
        ("America/New_York", datetime(2027, 11, 6, 15, 0, tzinfo=UTC), False),  # Saturday
    ],
)
def test_working_time_follows_local_hours_when_clocks_change(
    zone: str, moment: datetime, working: bool
) -> None:
    assert is_working_time(rota(zone), moment, never) is working


def test_local_day_is_the_rota_day_when_utc_has_already_moved_on() -> None:
    late = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 21:00 on 30 Nov in New York
    assert local_day(rota("America/New_York"), late) == date(2026, 11, 30)


def test_closed_days_are_not_working_time_when_a_closure_covers_them() -> None:
    closed = closed_ranges(
        [Closure(1, 1, first_day=date(2026, 12, 24), last_day=date(2026, 12, 26), reason="x")]
    )
    assert not is_working_time(rota("UTC"), datetime(2026, 12, 24, 10, 0, tzinfo=UTC), closed)
    assert is_working_time(rota("UTC"), datetime(2026, 12, 28, 10, 0, tzinfo=UTC), closed)
    assert not closed(date(2026, 12, 27)) and closed(date(2026, 12, 26))
