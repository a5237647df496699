"""The demo library: its staff, and a few months of its history as commands on past days.

`history(now)` is plain data: who typed what, and when. The playground replays it through
the real Baton on a clock moved back in time, so the records (channels, stewards, posts,
shifts served, time away) are exactly what the same commands would have made in Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.ports import DirectoryEntry

TIMEZONE = "Europe/London"
WORKSPACE_NAME = "Riverside Library (demo)"
HISTORY_WEEKS = 13
"""How far back the history goes: a little more than the digest's 12-week trend."""
CHAT_CHANNELS = ("outreach", "general")


@dataclass(frozen=True, slots=True)
class StaffMember:
    """Someone at the demo library, and a line saying who they are, for the page."""

    entry: DirectoryEntry
    about: str


def _member(handle: str, name: str, about: str, *, admin: bool = False) -> StaffMember:
    return StaffMember(DirectoryEntry(handle, name, handle, TIMEZONE, admin, False), about)


STAFF: tuple[StaffMember, ...] = (
    _member(
        "ada",
        "Ada",
        "Outreach coordinator. A workspace admin, so a Baton coordinator: she set up the "
        "channels and can change anything.",
        admin=True,
    ),
    _member("ben", "Ben", "Children's librarian. Joined the rota early on; keeps Twitter going."),
    _member("cat", "Cat", "Reference desk. Joined the rota early on; looks after Instagram."),
    _member("dan", "Dan", "Local history. Joined the rota early on; writes the blog."),
    _member(
        "eve", "Eve", "Started this month, before anyone asked her to join the rota: try “join”."
    ),
    _member(
        "flo",
        "Flo",
        "The library director. Gets the weekly digest on Fridays at 15:00, and can see “stats”.",
    ),
)


@dataclass(frozen=True, slots=True)
class Step:
    """One command typed by one person at one moment."""

    at: datetime
    person: str
    text: str


_TWEETS = (
    "Storytime photos",
    "New graphic novels on the shelf",
    "Half-term craft session",
    "Author talk on Thursday",
    "Reading challenge winners",
    "Seed library is open",
    "Digital skills drop-in",
    "Rainy day? Board games in the foyer",
    "Local history walk booking",
    "Homework club is back",
)
_PICTURES = (
    "Autumn book display",
    "Behind the scenes: mending old maps",
    "Knit and natter group",
    "Our new picture book corner",
    "Staff picks of the month",
)
_ARTICLES = (
    "the-mill-strike-of-1911",
    "ten-books-for-long-evenings",
    "how-to-use-the-family-history-databases",
    "what-the-flood-of-1953-left-in-the-archive",
    "meet-the-volunteers",
    "riverside-in-old-postcards",
    "why-we-keep-phone-books",
)
_SETUP = (
    ("ada", "channel add Twitter kind=twitter"),
    ("ada", "channel add Instagram kind=instagram"),
    ("ada", "channel add Blog kind=blog"),
    ("ada", "channel add Newsletter kind=newsletter"),
    ("ada", 'access Twitter "library password manager → Social → Twitter"'),
    ("ada", 'access Instagram "library password manager → Social → Instagram"'),
    ("ada", 'access Blog "website admin: ask IT for an editor account"'),
    ("ada", 'access Newsletter "mailing list service: shared outreach login in the safe"'),
    ("ada", "steward add Twitter @ben"),
    ("ada", "steward add Instagram @cat"),
    ("ada", "steward add Instagram @ada"),
    ("ada", "steward add Blog @dan"),
    ("ada", "steward add Blog @ada"),
    ("ada", "steward add Newsletter @ada"),
    ("ada", "steward add Newsletter @flo"),
    ("ada", "closure holidays GB-ENG"),
    ("ada", "role @flo director"),
    ("ben", "join"),
    ("cat", "join"),
    ("dan", "join"),
)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, ZoneInfo(TIMEZONE)).astimezone(UTC)


def _posts_on(day: date, week: int, count: list[int]) -> list[Step]:
    """The posts made on a working day of the history: Twitter mostly by Ben (enough for a
    continuity warning), Instagram mostly by Cat, the blog every other week, the
    newsletter every four."""
    steps: list[Step] = []
    weekday = day.weekday()
    if weekday in (0, 2, 4):
        count[0] += 1
        n = count[0]
        author = ("cat", "dan", "ada")[n // 5 % 3] if n % 5 == 4 else "ben"
        note = _TWEETS[n % len(_TWEETS)]
        url = f"https://x.com/riversidelib/status/{1_860_000_000 + n}"
        steps.append(Step(_at(day, time(10, 15)), author, f"posted Twitter {url} {note}"))
    if weekday in (1, 3):
        count[1] += 1
        n = count[1]
        author = "ada" if n % 3 == 0 else "cat"
        note = _PICTURES[n % len(_PICTURES)]
        url = f"https://www.instagram.com/p/riverside{n:03d}/"
        steps.append(Step(_at(day, time(13, 30)), author, f"posted Instagram {url} {note}"))
    if weekday == 3 and week % 2 == 1:
        count[2] += 1
        n = count[2]
        author = "ada" if n % 3 == 0 else "dan"
        slug = _ARTICLES[n % len(_ARTICLES)]
        url = f"https://riverside-library.example/blog/{slug}"
        steps.append(Step(_at(day, time(16, 0)), author, f"posted Blog {url}"))
    if weekday == 0 and week % 4 == 1:
        url = f"https://riverside-library.example/news/{day:%Y-%m-%d}"
        steps.append(Step(_at(day, time(11, 0)), "ada", f"posted Newsletter {url} Monthly news"))
    return steps


def history(now: datetime) -> list[Step]:
    """The demo library's last few months up to yesterday, oldest first.

    Ada sets the channels up on a Monday about 13 weeks before `now`, Ben, Cat and Dan
    join that day and Ada two weeks later; Dan books a week away; posts follow through
    every working day until yesterday.
    """
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    first = today - timedelta(weeks=HISTORY_WEEKS)
    first -= timedelta(days=first.weekday())
    steps = [
        Step(_at(first, time(9, 30)) + timedelta(minutes=2 * i), person, text)
        for i, (person, text) in enumerate(_SETUP)
    ]
    away_from = first + timedelta(weeks=5)
    dated = {
        first + timedelta(weeks=2): [(time(9, 40), "ada", "join")],
        first + timedelta(weeks=3): [
            (time(12, 0), "dan", f"away {away_from} {away_from + timedelta(days=4)}")
        ],
    }
    count = [0, 0, 0]
    day = first + timedelta(days=1)
    while day < today:
        if day.weekday() < 5:
            week = (day - first).days // 7
            steps += [Step(_at(day, clock), who, text) for clock, who, text in dated.get(day, [])]
            steps += _posts_on(day, week, count)
        day += timedelta(days=1)
    return sorted(steps, key=lambda step: step.at)
