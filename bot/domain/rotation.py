"""Who is on duty: the rotation rule of §4.

One rule: the eligible member who has waited longest goes next. A member's
"waited since" is the end of their last completed shift on the rota, or the moment
they joined; ties go to whoever joined first. A member away for more than half of a
shift is not eligible for it and keeps their place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.model import AwayPeriod, Membership, Rota, Shift

# A fixed Monday from which N-day shifts are counted, so their boundaries never drift.
_ANCHOR = date(2024, 1, 1)
MAX_CATCH_UP_SHIFTS = 2000


@dataclass(frozen=True, slots=True)
class ShiftWindow:
    """One shift's span, from one handoff to the next."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class PlannedShift:
    """A shift the rule assigns: to a member, or to nobody (person_id None)."""

    start: datetime
    end: datetime
    person_id: int | None


def _at(rota: Rota, day: date) -> datetime:
    """The handoff moment on a local day, in UTC (correct across daylight-saving changes)."""
    local = datetime.combine(day, rota.handoff_time, tzinfo=ZoneInfo(rota.timezone))
    return local.astimezone(UTC)


def _is_handoff_day(rota: Rota, day: date) -> bool:
    if rota.shift_days == 1:
        return day.weekday() in rota.working_days if rota.working_days else True
    if rota.shift_days == 7:
        return day.weekday() == rota.handoff_weekday
    offset = (day - _anchor(rota)).days
    return offset % rota.shift_days == 0


def _anchor(rota: Rota) -> date:
    return _ANCHOR + timedelta(days=rota.handoff_weekday)


def _previous_handoff_day(rota: Rota, day: date) -> date:
    """The latest handoff day on or before `day`."""
    for back in range(max(rota.shift_days, 7) + 1):
        candidate = day - timedelta(days=back)
        if _is_handoff_day(rota, candidate):
            return candidate
    raise AssertionError("a rota always has a handoff day within a shift")  # pragma: no cover


def _next_handoff_day(rota: Rota, day: date) -> date:
    """The earliest handoff day strictly after `day`."""
    for ahead in range(1, max(rota.shift_days, 7) + 2):
        candidate = day + timedelta(days=ahead)
        if _is_handoff_day(rota, candidate):
            return candidate
    raise AssertionError("a rota always has a handoff day within a shift")  # pragma: no cover


def window_at(rota: Rota, moment: datetime) -> ShiftWindow:
    """The shift window that contains `moment`."""
    local_day = moment.astimezone(ZoneInfo(rota.timezone)).date()
    day = _previous_handoff_day(rota, local_day)
    if _at(rota, day) > moment:
        day = _previous_handoff_day(rota, day - timedelta(days=1))
    start = _at(rota, day)
    return ShiftWindow(start, _at(rota, _next_handoff_day(rota, day)))


def working_spans(rota: Rota, start: datetime, end: datetime) -> list[ShiftWindow]:
    """The rota's working hours within [start, end); the whole span if it has none."""
    zone = ZoneInfo(rota.timezone)
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    spans: list[ShiftWindow] = []
    while day <= last:
        if day.weekday() in rota.working_days:
            opens = datetime.combine(day, rota.work_start, tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(day, rota.work_end, tzinfo=zone).astimezone(UTC)
            opens, closes = max(opens, start), min(closes, end)
            if opens < closes:
                spans.append(ShiftWindow(opens, closes))
        day += timedelta(days=1)
    return spans or [ShiftWindow(start, end)]


def away_for_more_than_half(
    rota: Rota, away: Iterable[AwayPeriod], start: datetime, end: datetime
) -> bool:
    """Whether the away periods cover more than half of the working time in [start, end).

    Working time is the rota's working days and hours; a shift with none is measured by
    the clock.
    """
    zone = ZoneInfo(rota.timezone)
    periods = [
        (
            datetime.combine(p.first_day, time(0), tzinfo=zone).astimezone(UTC),
            datetime.combine(p.last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC),
        )
        for p in away
    ]
    if not periods:
        return False
    spans = working_spans(rota, start, end)
    total = sum((s.end - s.start for s in spans), timedelta())
    covered = timedelta()
    for span in spans:
        for away_start, away_end in periods:
            overlap = min(span.end, away_end) - max(span.start, away_start)
            if overlap > timedelta():
                covered += overlap
    return covered * 2 > total


@dataclass(slots=True)
class Queue:
    """Members of one rota with the moment each has waited since."""

    members: Sequence[Membership]
    waited_since: dict[int, datetime]
    away: Mapping[int, Sequence[AwayPeriod]]

    @classmethod
    def build(
        cls,
        members: Sequence[Membership],
        last_served: Mapping[int, datetime],
        away: Mapping[int, Sequence[AwayPeriod]],
    ) -> Queue:
        """The queue as history leaves it: each member waits since their last full shift
        (see `last_served`) or since they joined, whichever is later."""
        waited = {
            m.person_id: max(m.joined_at, last_served.get(m.person_id, m.joined_at))
            for m in members
        }
        return cls(members=members, waited_since=waited, away=away)

    def next_for(
        self, rota: Rota, start: datetime, end: datetime, excluding: frozenset[int] = frozenset()
    ) -> int | None:
        """The eligible member who has waited longest for the shift [start, end), or None."""
        eligible = [
            m
            for m in self.members
            if m.person_id not in excluding
            and m.joined_at <= start
            and not away_for_more_than_half(rota, self.away.get(m.person_id, ()), start, end)
        ]
        if not eligible:
            return None
        chosen = min(
            eligible, key=lambda m: (self.waited_since[m.person_id], m.joined_at, m.person_id)
        )
        return chosen.person_id

    def served(self, person_id: int | None, end: datetime) -> None:
        """Record that `person_id` served a shift ending at `end`."""
        if person_id is not None and person_id in self.waited_since:
            self.waited_since[person_id] = end


def last_served(history: Iterable[Shift]) -> dict[int, datetime]:
    """The end of each person's last shift that they served to its end (not handed over)."""
    ends: dict[int, datetime] = {}
    for shift in history:
        pid = shift.person_id
        if pid is not None and not shift.handed_over:
            ends[pid] = max(ends.get(pid, shift.end), shift.end)
    return ends


def _holder(
    rota: Rota, queue: Queue, start: datetime, end: datetime, pinned: Mapping[datetime, int]
) -> int | None:
    """Who holds the shift [start, end): its pinned holder (a swap) if they are still a
    member and not away for most of it, otherwise whoever the rule picks among those not
    already pinned to a later shift (their next turn is the one they swapped for)."""
    person_id = pinned.get(start)
    member = next((m for m in queue.members if m.person_id == person_id), None)
    if member is not None and not away_for_more_than_half(
        rota, queue.away.get(member.person_id, ()), start, end
    ):
        return person_id
    later = frozenset(pid for at, pid in pinned.items() if at > start)
    chosen = queue.next_for(rota, start, end, excluding=later)
    return chosen if chosen is not None else queue.next_for(rota, start, end)


def project(
    rota: Rota,
    queue: Queue,
    after: datetime,
    count: int,
    pinned: Mapping[datetime, int] | None = None,
) -> list[PlannedShift]:
    """The next `count` shifts starting at or after `after`, by the rule.

    `pinned` gives the holder of particular shifts by their start (agreed swaps); everyone
    else is projected around them.
    """
    pins = pinned or {}
    planned: list[PlannedShift] = []
    window = window_at(rota, after)
    if window.start < after:
        window = window_at(rota, window.end)
    while len(planned) < count:
        holder = _holder(rota, queue, window.start, window.end, pins)
        queue.served(holder, window.end)
        planned.append(PlannedShift(window.start, window.end, holder))
        window = window_at(rota, window.end)
    return planned


def _bridged_end(rota: Rota, start: datetime) -> datetime:
    """Where a shift beginning at `start` ends: at the next handoff, unless that is too soon."""
    window = window_at(rota, start)
    if window.start != start and (window.end - start) * 2 < window.end - window.start:
        return window_at(rota, window.end).end
    return window.end


def shift_from(rota: Rota, start: datetime) -> ShiftWindow:
    """The shift that begins at `start`, where the one before it ended."""
    return ShiftWindow(start, _bridged_end(rota, start))


def catch_up(
    rota: Rota,
    queue: Queue,
    last_end: datetime | None,
    now: datetime,
    pinned: Mapping[datetime, int] | None = None,
) -> list[PlannedShift]:
    """The shifts that have begun since the recorded history ends, up to the one at `now`.

    With no history the first shift is the window containing `now`. A history that
    ends mid-window (the rota's pattern changed) is continued to the window's end, or,
    when less than half of that window is left, to the end of the next one, so nobody
    gets a short stub counted as a whole turn. `pinned` is as for `project`. At most
    MAX_CATCH_UP_SHIFTS are returned, the latest ones.
    """
    pins = pinned or {}
    start = window_at(rota, now).start if last_end is None else last_end
    planned: list[PlannedShift] = []
    while start <= now:
        end = _bridged_end(rota, start)
        holder = _holder(rota, queue, start, end, pins)
        queue.served(holder, end)
        planned.append(PlannedShift(start, end, holder))
        start = end
    return planned[-MAX_CATCH_UP_SHIFTS:]
