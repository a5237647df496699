"""The weekly digest of §6: when it goes, and its figures, from plain inputs.

Standard library only. "This week" is the 7 days ending at the digest's moment; the
12-week trend is twelve such weeks, oldest first, each ending at the same local time
of day in the rota's timezone (so a week that crosses a daylight-saving change is 7
calendar days, not 168 hours). Everything here is computed from values the caller read
from the records, so each figure can be traced back to them.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.model import OutreachChannel, Person, Reminder
from bot.domain.quiet import is_quiet, quiet_for, whole_days

WEEKS = 12
"""Weeks in the trend, this week included."""
AVERAGE_WEEKS = 4
"""This week is set against the average of this many weeks before it."""
RECENT = timedelta(days=90)
"""The span of "recently": who posted, and who made most of a channel's posts."""
DOMINANT_PERCENT = 70
"""One person making more than this share of a channel's recent posts is a risk."""
MIN_POSTS_FOR_SHARE = 5
"""Fewer recent posts than this say too little about who carries a channel to warn."""
MIN_STEWARDS = 2
"""A channel with fewer stewards depends on one person's access."""
DEFAULT_WEEKDAY = 4
DEFAULT_TIME = time(15, 0)
"""Friday 15:00 in the rota's timezone, unless a coordinator says otherwise."""

BARS = "▁▂▃▄▅▆▇█"
ZERO = "·"
"""A week with no posts, so it never looks like a small one."""

_WEEK_KEY = re.compile(r"([0-9]{4})-W([0-9]{2})")


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """Where and when a workspace's digest goes. Directors always get it."""

    workspace_id: int
    chat_channel_id: str | None = None
    """A chat platform channel (a Slack channel id) it is posted to, if any."""
    weekday: int = DEFAULT_WEEKDAY
    """Monday 0."""
    at: time = DEFAULT_TIME
    """Local time of day, in the workspace's first rota's timezone."""
    person_ids: frozenset[int] = frozenset()
    """People who get it as well as the directors."""


@dataclass(frozen=True, slots=True)
class PostTally:
    """How many posts one author made on one outreach channel in one window."""

    window: int
    channel_id: int
    author_id: int | None
    posts: int


@dataclass(frozen=True, slots=True)
class DigestWeek:
    """One week's digest: the key it is claimed under, and the moment it is due."""

    key: str
    moment: datetime


# -- when -----------------------------------------------------------------------------------


def week_key(day: date) -> str:
    """The ISO year and week of a local date, like `2026-W49`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _moment(year: int, week: int, settings: DigestSettings, timezone: str) -> datetime:
    day = date.fromisocalendar(year, week, settings.weekday + 1)
    return datetime.combine(day, settings.at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def week_of(day: date, settings: DigestSettings, timezone: str) -> DigestWeek:
    """The digest of the ISO week holding the local date `day`."""
    year, week, _ = day.isocalendar()
    return DigestWeek(week_key(day), _moment(year, week, settings, timezone))


def week_from_key(key: str, settings: DigestSettings, timezone: str) -> DigestWeek:
    """The digest a key names, with its moment under the current settings."""
    match = _WEEK_KEY.fullmatch(key)
    if match is None:
        raise ValueError(f"{key!r} is not a digest week like 2026-W49")
    year, week = int(match.group(1)), int(match.group(2))
    return DigestWeek(key, _moment(year, week, settings, timezone))


def due(now: datetime, settings: DigestSettings, timezone: str) -> DigestWeek | None:
    """This week's digest when its moment has come (until the local week ends), else None.

    A digest missed while Baton was down is caught up later in the same ISO week; one
    whose whole week went by is not sent.
    """
    week = week_of(now.astimezone(ZoneInfo(timezone)).date(), settings, timezone)
    return week if now >= week.moment else None


def next_moment(now: datetime, settings: DigestSettings, timezone: str) -> datetime:
    """When the next weekly digest is due: this week's if still ahead, else next week's."""
    local_day = now.astimezone(ZoneInfo(timezone)).date()
    week = week_of(local_day, settings, timezone)
    if week.moment > now:
        return week.moment
    return week_of(local_day + timedelta(days=7), settings, timezone).moment


def week_bounds(end: datetime, timezone: str, weeks: int = WEEKS) -> tuple[datetime, ...]:
    """`weeks + 1` instants, ascending, ending at `end`, a local week apart (UTC).

    Window i of the trend is [bounds[i], bounds[i + 1]); the last one is this week.
    """
    local = end.astimezone(ZoneInfo(timezone))
    return tuple((local - timedelta(weeks=k)).astimezone(UTC) for k in range(weeks, -1, -1))


# -- figures --------------------------------------------------------------------------------


def sparkline(counts: Sequence[int]) -> str:
    """One character per count, scaled to the largest: `▁`…`█`, and `·` for zero.

    Any week with a post shows at least `▁`, however large the largest week.
    """
    top = max(counts, default=0)
    out: list[str] = []
    for count in counts:
        if count <= 0:
            out.append(ZERO)
        else:
            level = (count * len(BARS) + top - 1) // top  # ceil(count / top * 8), from 1 to 8
            out.append(BARS[level - 1])
    return "".join(out)


def average_words(value: float) -> str:
    """An average as staff read it: `2.5`, `3`, `0.75`."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


class Trend(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    LEVEL = "level"


@dataclass(frozen=True, slots=True)
class ChannelFigures:
    channel: OutreachChannel
    weekly: tuple[int, ...]
    """Posts per week, oldest first; the last is this week."""
    last_post_at: datetime | None
    days_quiet: int
    is_quiet: bool

    @property
    def this_week(self) -> int:
        return self.weekly[-1] if self.weekly else 0

    @property
    def average(self) -> float:
        """The mean of the AVERAGE_WEEKS weeks before this one."""
        before = self.weekly[-AVERAGE_WEEKS - 1 : -1]
        return sum(before) / AVERAGE_WEEKS if before else 0.0

    @property
    def trend(self) -> Trend:
        if self.this_week * AVERAGE_WEEKS > sum(self.weekly[-AVERAGE_WEEKS - 1 : -1]):
            return Trend.UP
        if self.this_week * AVERAGE_WEEKS < sum(self.weekly[-AVERAGE_WEEKS - 1 : -1]):
            return Trend.DOWN
        return Trend.LEVEL

    @property
    def sparkline(self) -> str:
        return sparkline(self.weekly)


@dataclass(frozen=True, slots=True)
class PersonFigures:
    person: Person
    posts: int
    """Posts this week, on any outreach channel."""
    shifts: int
    """Shifts that began this week, on any rota."""


class Risk(enum.StrEnum):
    ONE_PERSON = "one-person"
    FEW_STEWARDS = "few-stewards"
    STEWARD_LEFT = "steward-left"


@dataclass(frozen=True, slots=True)
class ContinuityWarning:
    risk: Risk
    channel: OutreachChannel
    person: Person | None = None
    """Who carries the channel (ONE_PERSON), or the steward who left (STEWARD_LEFT)."""
    posts: int = 0
    """Their recent posts on it (ONE_PERSON)."""
    total: int = 0
    """All recent posts on it (ONE_PERSON)."""
    stewards: int = 0
    """Stewards still in the workspace (FEW_STEWARDS)."""


@dataclass(frozen=True, slots=True)
class ShiftAhead:
    """A shift of a rota, as the rotation rule plans it."""

    rota_name: str
    timezone: str
    start: datetime
    end: datetime
    person: Person | None


@dataclass(frozen=True, slots=True)
class Digest:
    start: datetime
    end: datetime
    """This week: [start, end)."""
    channels: tuple[ChannelFigures, ...]
    people: tuple[PersonFigures, ...]
    posts_this_week: int
    """On every outreach channel, archived ones included."""
    recent_posters: int
    """Different people who posted in the RECENT span before `end`."""
    warnings: tuple[ContinuityWarning, ...]
    reminders_sent: int
    reminders_answered: int
    next_week: tuple[ShiftAhead, ...]


def _weekly(tallies: Iterable[PostTally], weeks: int) -> dict[int, list[int]]:
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    for tally in tallies:
        if 0 <= tally.window < weeks:
            counts[tally.channel_id][tally.window] += tally.posts
    return counts


def continuity_warnings(
    channels: Sequence[OutreachChannel],
    people: Mapping[int, Person],
    recent: Sequence[PostTally],
) -> list[ContinuityWarning]:
    """The continuity risks of each channel, in channel order: one person making most of its
    `recent` posts, fewer than MIN_STEWARDS stewards still in the workspace, and each
    steward who has left. `people` is everyone Baton knows, by id."""
    by_author: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[int, int] = defaultdict(int)
    for tally in recent:
        totals[tally.channel_id] += tally.posts
        if tally.author_id is not None:
            by_author[tally.channel_id][tally.author_id] += tally.posts
    warnings: list[ContinuityWarning] = []
    for channel in channels:
        total = totals[channel.id]
        authors = by_author[channel.id]
        if total >= MIN_POSTS_FOR_SHARE and authors:
            author_id, posts = min(authors.items(), key=lambda item: (-item[1], item[0]))
            if posts * 100 > total * DOMINANT_PERCENT and author_id in people:
                warnings.append(
                    ContinuityWarning(
                        Risk.ONE_PERSON, channel, people[author_id], posts=posts, total=total
                    )
                )
        stewards = [people[i] for i in sorted(channel.steward_ids) if i in people]
        present = [p for p in stewards if not p.deleted]
        if len(present) < MIN_STEWARDS:
            warnings.append(ContinuityWarning(Risk.FEW_STEWARDS, channel, stewards=len(present)))
        warnings += [
            ContinuityWarning(Risk.STEWARD_LEFT, channel, person)
            for person in stewards
            if person.deleted
        ]
    return warnings


def compute(
    *,
    bounds: Sequence[datetime],
    channels: Sequence[OutreachChannel],
    people: Mapping[int, Person],
    weekly: Sequence[PostTally],
    recent: Sequence[PostTally],
    last_posts: Mapping[int, datetime],
    shifts_served: Mapping[int, int],
    members: Iterable[int],
    reminders: Sequence[Reminder],
    shifts_ahead: Sequence[ShiftAhead],
) -> Digest:
    """The digest's figures for the week ending at `bounds[-1]`.

    `bounds` are the trend's week boundaries (see `week_bounds`); `weekly` counts posts in
    those windows and `recent` in the one window of the RECENT span (window 0). `channels`
    are the active outreach channels; `people` everyone Baton knows, by id;
    `shifts_served` shifts begun this week per person; `members` the people on a rota now,
    listed even when they did nothing this week; `reminders` those created this week;
    `shifts_ahead` each rota's coming shifts, of which those overlapping the 7 days after
    the digest are kept.
    """
    start, end = bounds[-2], bounds[-1]
    weeks = len(bounds) - 1
    counts = _weekly(weekly, weeks)
    channel_figures = tuple(
        ChannelFigures(
            channel=channel,
            weekly=tuple(counts[channel.id]) if channel.id in counts else (0,) * weeks,
            last_post_at=last_posts.get(channel.id),
            days_quiet=whole_days(quiet_for(channel, last_posts.get(channel.id), end)),
            is_quiet=is_quiet(channel, last_posts.get(channel.id), end),
        )
        for channel in channels
    )
    posts_by_person: dict[int, int] = defaultdict(int)
    for tally in weekly:
        if tally.window == weeks - 1 and tally.author_id is not None:
            posts_by_person[tally.author_id] += tally.posts
    involved = set(posts_by_person) | {p for p, n in shifts_served.items() if n > 0}
    involved |= {p for p in members if p in people and not people[p].deleted}
    person_figures = sorted(
        (
            PersonFigures(people[pid], posts_by_person.get(pid, 0), shifts_served.get(pid, 0))
            for pid in involved
            if pid in people
        ),
        key=lambda f: (-f.posts, -f.shifts, f.person.display_name.casefold(), f.person.id),
    )
    sent = [r for r in reminders if r.sent_at is not None and r.sent_at < end]
    answered = [r for r in sent if r.answered_at is not None and r.answered_at < end]
    horizon = end + timedelta(days=7)
    return Digest(
        start=start,
        end=end,
        channels=channel_figures,
        people=tuple(person_figures),
        posts_this_week=sum(t.posts for t in weekly if t.window == weeks - 1),
        recent_posters=len({t.author_id for t in recent if t.author_id is not None}),
        warnings=tuple(continuity_warnings(channels, people, recent)),
        reminders_sent=len(sent),
        reminders_answered=len(answered),
        next_week=tuple(s for s in shifts_ahead if s.start < horizon and s.end > end),
    )
