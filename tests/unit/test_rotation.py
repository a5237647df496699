"""The rotation rule (§4): fair turns, time away, skips, and daylight-saving changes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import AwayPeriod, Membership, Rota, Shift
from bot.domain.rotation import (
    Queue,
    away_for_more_than_half,
    catch_up,
    last_served,
    project,
    window_at,
)

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def weekly(**overrides: object) -> Rota:
    fields: dict[str, object] = {"id": 1, "workspace_id": 1, "name": "social media"}
    fields.update(overrides)
    return Rota(**fields)  # type: ignore[arg-type]


def members(count: int, joined: datetime = MONDAY - timedelta(days=30)) -> list[Membership]:
    return [Membership(1, pid, joined + timedelta(minutes=pid)) for pid in range(1, count + 1)]


def test_weekly_window_runs_from_one_handoff_to_the_next_when_in_the_middle_of_a_week() -> None:
    window = window_at(weekly(), datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    assert window.start == MONDAY
    assert window.end == MONDAY + timedelta(days=7)


def test_window_starts_at_the_handoff_when_asked_at_the_exact_moment() -> None:
    assert window_at(weekly(), MONDAY).start == MONDAY


def test_window_belongs_to_the_previous_week_when_just_before_the_handoff() -> None:
    window = window_at(weekly(), MONDAY - timedelta(minutes=1))
    assert window.start == MONDAY - timedelta(days=7)


def test_daily_shifts_skip_non_working_days_when_the_rota_works_monday_to_friday() -> None:
    rota = weekly(shift_days=1)
    friday = window_at(rota, datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert friday.start == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert friday.end == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the next Monday


def test_n_day_shifts_keep_their_boundaries_when_asked_from_any_moment() -> None:
    rota = weekly(shift_days=3)
    first = window_at(rota, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert first.end - first.start == timedelta(days=3)
    assert window_at(rota, first.end).start == first.end
    assert window_at(rota, first.end - timedelta(seconds=1)) == first


def test_weekly_shift_is_an_hour_shorter_when_berlin_springs_forward() -> None:
    rota = weekly(timezone="Europe/Berlin")
    window = window_at(rota, datetime(2027, 3, 25, 12, 0, tzinfo=UTC))
    # Monday 22 March 09:00 CET (08:00 UTC) to Monday 29 March 09:00 CEST (07:00 UTC).
    assert window.start == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
    assert window.end == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert window.end - window.start == timedelta(days=7) - timedelta(hours=1)


def test_weekly_shift_is_an_hour_longer_when_new_york_falls_back() -> None:
    rota = weekly(timezone="America/New_York")
    window = window_at(rota, datetime(2026, 11, 3, 12, 0, tzinfo=UTC))
    # Monday 2 Nov 09:00 EST (14:00 UTC); the previous handoff, 26 Oct, was 09:00 EDT (13:00 UTC).
    assert window.start == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    previous = window_at(rota, window.start - timedelta(seconds=1))
    assert previous.start == datetime(2026, 10, 26, 13, 0, tzinfo=UTC)
    assert window.start - previous.start == timedelta(days=7, hours=1)


def test_waited_longest_goes_next_when_everyone_is_available() -> None:
    queue = Queue.build(members(3), {}, {})
    plan = project(weekly(), queue, MONDAY, 6)
    assert [p.person_id for p in plan] == [1, 2, 3, 1, 2, 3]


def test_newcomer_queues_behind_those_already_waiting_when_joining_later() -> None:
    roster = [*members(2), Membership(1, 9, MONDAY - timedelta(hours=1))]
    last = {1: MONDAY}  # 1 has just served; 2 has waited since joining a month ago
    plan = project(weekly(), Queue.build(roster, last, {}), MONDAY, 3)
    assert [p.person_id for p in plan] == [2, 9, 1]


def test_away_member_is_passed_over_and_keeps_their_place_when_away_most_of_a_shift() -> None:
    away = {1: [AwayPeriod(1, 1, date(2026, 11, 23), date(2026, 11, 27))]}
    plan = project(weekly(), Queue.build(members(3), {}, away), MONDAY, 4)
    assert [p.person_id for p in plan] == [2, 1, 3, 2]


def test_member_is_still_eligible_when_away_for_less_than_half_the_working_time() -> None:
    away = [AwayPeriod(1, 1, date(2026, 11, 23), date(2026, 11, 24))]  # Mon–Tue: 2 of 5 days
    assert not away_for_more_than_half(weekly(), away, MONDAY, MONDAY + timedelta(days=7))


def test_member_is_passed_over_when_away_for_most_working_days_though_not_most_hours() -> None:
    away = [AwayPeriod(1, 1, date(2026, 11, 25), date(2026, 11, 27))]  # Wed–Fri: 3 of 5 days
    assert away_for_more_than_half(weekly(), away, MONDAY, MONDAY + timedelta(days=7))


def test_friday_away_counts_as_the_whole_shift_when_daily_shifts_run_over_the_weekend() -> None:
    rota = weekly(shift_days=1)
    friday = window_at(rota, datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    away = [AwayPeriod(1, 1, date(2026, 11, 27), date(2026, 11, 27))]
    assert away_for_more_than_half(rota, away, friday.start, friday.end)


def test_clock_time_is_measured_when_a_shift_has_no_working_hours() -> None:
    rota = weekly(working_days=frozenset({0}), shift_days=1)  # only Mondays are worked
    saturday = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    away = [AwayPeriod(1, 1, date(2026, 11, 28), date(2026, 11, 28))]
    assert away_for_more_than_half(rota, away, saturday, saturday + timedelta(hours=30))


def test_shift_is_unassigned_when_nobody_is_eligible() -> None:
    away = {1: [AwayPeriod(1, 1, date(2026, 11, 20), date(2026, 12, 8))]}
    plan = project(weekly(), Queue.build(members(1), {}, away), MONDAY, 3)
    assert [p.person_id for p in plan] == [None, None, 1]


def test_skipper_keeps_their_place_when_their_shift_was_handed_over() -> None:
    history = [
        Shift(1, MONDAY - timedelta(days=7), MONDAY, 2),
        Shift(1, MONDAY, MONDAY + timedelta(days=2), 1, handed_over=True),
        Shift(1, MONDAY + timedelta(days=2), MONDAY + timedelta(days=7), 3),
    ]
    queue = Queue.build(members(3), last_served(history), {})
    plan = project(weekly(), queue, MONDAY + timedelta(days=7), 2)
    assert [p.person_id for p in plan] == [1, 2]


def test_catch_up_records_each_missed_shift_once_when_the_bot_was_down() -> None:
    queue = Queue.build(members(2), {}, {})
    planned = catch_up(weekly(), queue, MONDAY - timedelta(days=21), MONDAY + timedelta(hours=1))
    assert [p.start for p in planned] == [MONDAY - timedelta(days=d) for d in (21, 14, 7, 0)]
    assert [p.person_id for p in planned] == [1, 2, 1, 2]


def test_catch_up_continues_a_partial_shift_when_history_ends_mid_window() -> None:
    queue = Queue.build(members(2), {}, {})
    midweek = MONDAY + timedelta(days=2)
    planned = catch_up(weekly(), queue, midweek, midweek + timedelta(hours=1))
    assert [(p.start, p.end) for p in planned] == [(midweek, MONDAY + timedelta(days=7))]


def test_catch_up_adds_nothing_when_the_current_shift_is_recorded() -> None:
    queue = Queue.build(members(2), {}, {})
    assert catch_up(weekly(), queue, MONDAY + timedelta(days=7), MONDAY + timedelta(days=1)) == []


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=8),
    shifts=st.integers(min_value=1, max_value=60),
    shift_days=st.sampled_from([1, 3, 7, 14]),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"]),
)
def test_turns_differ_by_at_most_one_when_membership_is_fixed_and_nobody_is_away(
    size: int, shifts: int, shift_days: int, zone: str
) -> None:
    rota = weekly(shift_days=shift_days, timezone=zone)
    plan = project(rota, Queue.build(members(size), {}, {}), MONDAY, shifts)
    served = Counter(p.person_id for p in plan)
    counts = [served.get(pid, 0) for pid in range(1, size + 1)]
    assert max(counts) - min(counts) <= 1
    assert all(a.end == b.start for a, b in zip(plan, plan[1:], strict=False))


@st.composite
def away_periods(draw: st.DrawFn, people: int) -> dict[int, list[AwayPeriod]]:
    periods: dict[int, list[AwayPeriod]] = {}
    for n in range(draw(st.integers(min_value=0, max_value=6))):
        pid = draw(st.integers(min_value=1, max_value=people))
        first = date(2026, 11, 20) + timedelta(days=draw(st.integers(0, 120)))
        last = first + timedelta(days=draw(st.integers(0, 20)))
        periods.setdefault(pid, []).append(AwayPeriod(n, pid, first, last))
    return periods


@settings(max_examples=60, deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=6))
def test_nobody_holds_a_shift_they_are_mostly_away_for_when_time_off_is_booked(
    data: st.DataObject, size: int
) -> None:
    rota = weekly(timezone="Europe/London")
    away = data.draw(away_periods(size))
    plan = project(rota, Queue.build(members(size), {}, away), MONDAY, 20)
    for shift in plan:
        if shift.person_id is not None:
            assert not away_for_more_than_half(
                rota, away.get(shift.person_id, []), shift.start, shift.end
            )
        else:
            assert all(
                away_for_more_than_half(rota, away.get(pid, []), shift.start, shift.end)
                for pid in range(1, size + 1)
            )


@settings(max_examples=40, deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=5), cut=st.integers(1, 15))
def test_history_never_changes_when_the_future_is_projected_again(
    data: st.DataObject, size: int, cut: int
) -> None:
    """Shifts recorded by catch-up stay as they were, whatever is projected afterwards."""
    rota = weekly()
    away = data.draw(away_periods(size))
    roster = members(size)
    now = MONDAY + timedelta(days=7 * cut, hours=1)
    history = catch_up(rota, Queue.build(roster, {}, away), MONDAY, now)
    recorded = [Shift(1, p.start, p.end, p.person_id) for p in history]
    snapshot = list(recorded)
    queue = Queue.build(roster, last_served(recorded), away)
    future = project(rota, queue, recorded[-1].end, 10)
    assert recorded == snapshot
    assert future[0].start == recorded[-1].end
    # Projecting from the same history twice gives the same future.
    again = project(rota, Queue.build(roster, last_served(recorded), away), recorded[-1].end, 10)
    assert again == future


def test_handoff_time_is_kept_in_local_time_when_set_to_afternoon() -> None:
    rota = weekly(handoff_time=time(14, 30), timezone="Europe/London", handoff_weekday=4)
    window = window_at(rota, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert window.start == datetime(2026, 6, 26, 13, 30, tzinfo=UTC)  # Fri 14:30 BST


def test_short_gap_is_folded_into_the_next_shift_when_the_pattern_changed_late_in_a_window() -> (
    None
):
    queue = Queue.build(members(2), {}, {})
    # History ends Saturday; the weekly handoff is Monday: two days of seven left.
    saturday = MONDAY + timedelta(days=5)
    planned = catch_up(weekly(), queue, saturday, saturday)
    assert [(p.start, p.end) for p in planned] == [(saturday, MONDAY + timedelta(days=14))]


def test_pinned_shifts_go_to_the_swapped_people_and_the_rest_follow_the_rule() -> None:
    queue = Queue.build(members(3), {}, {})
    week = timedelta(days=7)
    pinned = {MONDAY: 2, MONDAY + week: 1}  # 1 and 2 swapped their next shifts
    plan = project(weekly(), queue, MONDAY, 4, pinned)
    assert [p.person_id for p in plan] == [2, 1, 3, 2]


def test_pin_is_ignored_when_the_pinned_person_is_away_for_most_of_the_shift() -> None:
    away = {2: [AwayPeriod(1, 2, date(2026, 11, 23), date(2026, 11, 27))]}
    queue = Queue.build(members(3), {}, away)
    plan = project(weekly(), queue, MONDAY, 2, {MONDAY: 2})
    assert [p.person_id for p in plan] == [1, 2]


def test_catch_up_records_the_pinned_holder_when_a_swapped_shift_begins() -> None:
    queue = Queue.build(members(2), {}, {})
    planned = catch_up(weekly(), queue, None, MONDAY + timedelta(hours=1), {MONDAY: 2})
    assert [p.person_id for p in planned] == [2]
