"""The weekly digest's figures and timing (§6), from plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain import digest as d
from bot.domain.model import ChannelKind, OutreachChannel, Person, Reminder

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # Friday 4 December 2026, 15:00 in London
LONDON = "Europe/London"
NEW_YORK = "America/New_York"
FRIDAY_3PM = d.DigestSettings(workspace_id=1)
BOUNDS = d.week_bounds(NOW, LONDON)
THIS_WEEK = d.WEEKS - 1


def channel(
    channel_id: int, name: str, *, stewards: frozenset[int] = frozenset({1, 2})
) -> OutreachChannel:
    return OutreachChannel(
        id=channel_id,
        workspace_id=1,
        name=name,
        kind=ChannelKind.TWITTER,
        quiet_after=timedelta(days=2),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        steward_ids=stewards,
    )


def person(person_id: int, name: str, *, deleted: bool = False) -> Person:
    return Person(person_id, 1, f"U{person_id}", name, deleted=deleted)


PEOPLE = {
    1: person(1, "ada"),
    2: person(2, "ben"),
    3: person(3, "cat"),
    4: person(4, "dan", deleted=True),
}


def reminder(
    reminder_id: int, *, sent: datetime | None, answered: datetime | None = None
) -> Reminder:
    return Reminder(
        id=reminder_id,
        workspace_id=1,
        channel_id=1,
        spell_start=NOW - timedelta(days=5),
        day=date(2026, 12, 2),
        person_id=2,
        created_at=NOW - timedelta(days=2),
        sent_at=sent,
        answered_at=answered,
    )


def compute(**changes: object) -> d.Digest:
    values: dict[str, object] = {
        "bounds": BOUNDS,
        "channels": [],
        "people": PEOPLE,
        "weekly": [],
        "recent": [],
        "last_posts": {},
        "shifts_served": {},
        "members": [],
        "reminders": [],
        "shifts_ahead": [],
    }
    values.update(changes)
    return d.compute(**values)  # type: ignore[arg-type]


# -- the sparkline ----------------------------------------------------------------------


def test_sparkline_rises_through_every_bar_when_counts_climb_to_the_top() -> None:
    assert d.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"


def test_sparkline_shows_zero_weeks_as_dots_when_nothing_was_posted() -> None:
    assert d.sparkline([0] * 12) == "············"


def test_sparkline_is_empty_when_there_are_no_weeks() -> None:
    assert d.sparkline([]) == ""


def test_sparkline_keeps_small_weeks_visible_when_one_week_is_huge() -> None:
    assert d.sparkline([0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 1, 100]) == "·▁·▁······▁█"


def test_sparkline_tells_zero_from_small_when_both_appear() -> None:
    assert d.sparkline([0, 1, 4, 8]) == "·▁▄█"


def test_sparkline_scales_to_the_largest_week_when_counts_are_even() -> None:
    assert d.sparkline([3, 3, 3]) == "███"


# -- when it goes ----------------------------------------------------------------------


def test_digest_is_not_due_before_its_moment_when_the_week_has_begun() -> None:
    assert d.due(NOW - timedelta(minutes=1), FRIDAY_3PM, LONDON) is None


def test_digest_is_due_under_the_iso_week_key_when_its_moment_comes() -> None:
    assert d.due(NOW, FRIDAY_3PM, LONDON) == d.DigestWeek("2026-W49", NOW)


def test_late_digest_keeps_its_week_when_caught_up_on_the_weekend() -> None:
    sunday_night = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)
    assert d.due(sunday_night, FRIDAY_3PM, LONDON) == d.DigestWeek("2026-W49", NOW)


def test_missed_digest_is_not_due_when_its_week_is_over() -> None:
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert d.due(monday, FRIDAY_3PM, LONDON) is None


def test_digest_goes_at_local_time_when_daylight_saving_has_just_ended() -> None:
    # New York left daylight saving on Sunday 1 November 2026: 15:00 is 20:00 UTC.
    friday = d.due(datetime(2026, 11, 6, 20, 0, tzinfo=UTC), FRIDAY_3PM, NEW_YORK)
    assert friday == d.DigestWeek("2026-W45", datetime(2026, 11, 6, 20, 0, tzinfo=UTC))
    assert d.due(datetime(2026, 11, 6, 19, 59, tzinfo=UTC), FRIDAY_3PM, NEW_YORK) is None


def test_week_key_names_the_iso_year_when_a_week_straddles_new_year() -> None:
    assert d.week_key(date(2027, 1, 1)) == "2026-W53"
    assert d.week_key(date(2026, 12, 31)) == "2026-W53"


def test_week_from_key_finds_the_moment_when_settings_name_another_day() -> None:
    monday_9 = d.DigestSettings(workspace_id=1, weekday=0, at=time(9, 0))
    week = d.week_from_key("2026-W49", monday_9, LONDON)
    assert week.moment == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_week_from_key_refuses_a_key_when_it_names_no_week() -> None:
    with pytest.raises(ValueError, match="not a digest week"):
        d.week_from_key("2026-49", FRIDAY_3PM, LONDON)


def test_next_moment_is_next_week_when_this_weeks_has_passed() -> None:
    assert d.next_moment(NOW, FRIDAY_3PM, LONDON) == NOW + timedelta(days=7)
    assert d.next_moment(NOW - timedelta(hours=1), FRIDAY_3PM, LONDON) == NOW


def test_week_bounds_are_local_weeks_when_daylight_saving_changes_between_them() -> None:
    end = datetime(2026, 11, 6, 20, 0, tzinfo=UTC)  # Friday 15:00 in New York (EST)
    bounds = d.week_bounds(end, NEW_YORK)
    assert len(bounds) == d.WEEKS + 1
    assert bounds[-1] == end
    assert bounds[-2] == datetime(2026, 10, 30, 19, 0, tzinfo=UTC)  # 15:00 EDT
    assert bounds[0] == datetime(2026, 8, 14, 19, 0, tzinfo=UTC)


# -- the figures -----------------------------------------------------------------------


def test_figures_are_zero_and_quiet_when_nothing_was_ever_posted() -> None:
    digest = compute(channels=[channel(1, "Twitter")])
    (twitter,) = digest.channels
    assert twitter.weekly == (0,) * 12
    assert twitter.sparkline == "············"
    assert (twitter.this_week, twitter.average, twitter.trend) == (0, 0.0, d.Trend.LEVEL)
    assert twitter.last_post_at is None
    assert twitter.days_quiet == 337  # since the channel was created on 1 January
    assert twitter.is_quiet
    assert (digest.posts_this_week, digest.recent_posters) == (0, 0)
    assert digest.people == ()
    assert (digest.reminders_sent, digest.reminders_answered) == (0, 0)


def test_channel_figures_add_up_when_posts_fall_in_several_weeks() -> None:
    weekly = [
        d.PostTally(0, 1, 2, 1),
        d.PostTally(7, 1, 2, 2),
        d.PostTally(8, 1, 3, 1),
        d.PostTally(10, 1, 2, 4),
        d.PostTally(10, 1, None, 1),
        d.PostTally(THIS_WEEK, 1, 2, 3),
        d.PostTally(THIS_WEEK, 1, 3, 2),
        d.PostTally(THIS_WEEK, 9, 3, 1),  # an archived channel: counted for people only
    ]
    digest = compute(
        channels=[channel(1, "Twitter")],
        weekly=weekly,
        last_posts={1: NOW - timedelta(days=3, hours=1)},
        members=[1, 2, 3, 4],
        shifts_served={2: 1},
    )
    (twitter,) = digest.channels
    assert twitter.weekly == (1, 0, 0, 0, 0, 0, 0, 2, 1, 0, 5, 5)
    assert twitter.this_week == 5
    assert twitter.average == 2.0  # (2 + 1 + 0 + 5) / 4
    assert twitter.trend is d.Trend.UP
    assert twitter.sparkline == "▂······▄▂·██"
    assert (twitter.days_quiet, twitter.is_quiet) == (3, True)
    assert digest.posts_this_week == 6
    assert [(f.person.display_name, f.posts, f.shifts) for f in digest.people] == [
        ("ben", 3, 1),
        ("cat", 3, 0),
        ("ada", 0, 0),  # on the rota, did nothing this week: shown all the same
    ]


def test_average_words_drop_needless_zeros_when_shown() -> None:
    assert [d.average_words(v) for v in (2.5, 3.0, 0.75, 0.0)] == ["2.5", "3", "0.75", "0"]


def test_trend_is_down_when_this_week_is_below_the_average() -> None:
    figures = d.ChannelFigures(channel(1, "Blog"), (0,) * 7 + (4, 4, 4, 4, 3), None, 0, False)
    assert (figures.average, figures.trend) == (4.0, d.Trend.DOWN)


def test_recent_posters_count_each_person_once_when_they_post_on_several_channels() -> None:
    recent = [
        d.PostTally(0, 1, 2, 3),
        d.PostTally(0, 2, 2, 1),
        d.PostTally(0, 2, 3, 1),
        d.PostTally(0, 2, None, 4),
    ]
    assert compute(recent=recent).recent_posters == 2


def test_one_person_warning_when_they_made_more_than_70_percent_of_a_channels_posts() -> None:
    recent = [d.PostTally(0, 1, 2, 5), d.PostTally(0, 1, 3, 2)]  # 5 of 7 is 71%
    digest = compute(channels=[channel(1, "Twitter")], recent=recent)
    assert digest.warnings == (
        d.ContinuityWarning(d.Risk.ONE_PERSON, channel(1, "Twitter"), PEOPLE[2], posts=5, total=7),
    )


def test_no_one_person_warning_when_their_share_is_exactly_70_percent() -> None:
    recent = [d.PostTally(0, 1, 2, 7), d.PostTally(0, 1, 3, 3)]
    assert compute(channels=[channel(1, "Twitter")], recent=recent).warnings == ()


def test_no_one_person_warning_when_the_channel_has_too_few_posts_to_tell() -> None:
    recent = [d.PostTally(0, 1, 2, d.MIN_POSTS_FOR_SHARE - 1)]
    assert compute(channels=[channel(1, "Twitter")], recent=recent).warnings == ()


def test_one_person_warning_when_all_of_a_few_posts_are_theirs() -> None:
    recent = [d.PostTally(0, 1, 2, d.MIN_POSTS_FOR_SHARE)]
    (warning,) = compute(channels=[channel(1, "Twitter")], recent=recent).warnings
    assert (warning.risk, warning.posts, warning.total) == (d.Risk.ONE_PERSON, 5, 5)


def test_steward_warnings_when_a_channel_has_one_steward_and_another_has_left() -> None:
    blog = channel(1, "Blog", stewards=frozenset({1}))
    twitter = channel(2, "Twitter", stewards=frozenset({2, 3, 4}))
    nobody = channel(3, "Zines", stewards=frozenset())
    warnings = compute(channels=[blog, twitter, nobody]).warnings
    assert warnings == (
        d.ContinuityWarning(d.Risk.FEW_STEWARDS, blog, stewards=1),
        d.ContinuityWarning(d.Risk.STEWARD_LEFT, twitter, PEOPLE[4]),
        d.ContinuityWarning(d.Risk.FEW_STEWARDS, nobody, stewards=0),
    )


def test_few_stewards_counts_only_those_still_here_when_one_has_left() -> None:
    twitter = channel(1, "Twitter", stewards=frozenset({1, 4}))
    assert [w.risk for w in compute(channels=[twitter]).warnings] == [
        d.Risk.FEW_STEWARDS,
        d.Risk.STEWARD_LEFT,
    ]


def test_reminders_count_sent_and_answered_when_some_were_acted_on() -> None:
    reminders = [
        reminder(1, sent=NOW - timedelta(days=2), answered=NOW - timedelta(days=1)),
        reminder(2, sent=NOW - timedelta(days=1)),
        reminder(3, sent=None),  # claimed, never sent
        reminder(4, sent=NOW - timedelta(hours=1), answered=NOW + timedelta(hours=1)),
    ]
    digest = compute(reminders=reminders)
    assert (digest.reminders_sent, digest.reminders_answered) == (3, 1)


def test_next_week_keeps_the_shifts_overlapping_the_seven_days_after_the_digest() -> None:
    def shift(start_days: float, end_days: float, who: int) -> d.ShiftAhead:
        return d.ShiftAhead(
            "social media",
            LONDON,
            NOW + timedelta(days=start_days),
            NOW + timedelta(days=end_days),
            PEOPLE[who],
        )

    current, monday, following = shift(-4, 3, 1), shift(3, 10, 2), shift(10, 17, 3)
    assert compute(shifts_ahead=[current, monday, following]).next_week == (current, monday)
