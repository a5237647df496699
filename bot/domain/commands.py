"""What people type after `/duty`, parsed into typed commands (§5). Standard library only.

`parse_command` never raises: text it cannot understand becomes a `CommandError`, a short
friendly sentence plus the usage line of the command involved. Slack's escaped forms
(`<@U123|jane>`, `<#C123|outreach>`, `<https://…|…>`, `&amp;`) are understood, so handlers
pass the text on exactly as the platform sent it.

Who may run what (§2): `COORDINATOR_COMMANDS` are for coordinators,
`DIRECTOR_COMMANDS` for directors and coordinators, the rest for everyone.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TypeAlias

from bot.domain.access import secret_reason
from bot.domain.feeds import BACKFILL_ALL
from bot.domain.model import WEEKDAYS, ChannelKind, Role

# ---------------------------------------------------------------------------------------
# Commands


@dataclass(frozen=True, slots=True)
class PersonMention:
    """Someone named in a command: a platform user id, a plain @name, or both."""

    user_id: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class CommandError:
    """What was wrong with the text, and the usage line of the command involved."""

    message: str
    usage: str | None = None


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Join:
    rota: str | None = None


@dataclass(frozen=True, slots=True)
class Leave:
    rota: str | None = None


@dataclass(frozen=True, slots=True)
class Who:
    rota: str | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    count: int = 6


@dataclass(frozen=True, slots=True)
class Posted:
    channel: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PostedForm:
    pass


@dataclass(frozen=True, slots=True)
class AwayAdd:
    first_day: date
    last_day: date


@dataclass(frozen=True, slots=True)
class AwayList:
    pass


@dataclass(frozen=True, slots=True)
class AwayCancel:
    number: int


@dataclass(frozen=True, slots=True)
class Swap:
    person: PersonMention


@dataclass(frozen=True, slots=True)
class Skip:
    pass


@dataclass(frozen=True, slots=True)
class Channels:
    pass


@dataclass(frozen=True, slots=True)
class Export:
    """A CSV of everything; for directors and coordinators (see `DIRECTOR_COMMANDS`)."""


@dataclass(frozen=True, slots=True)
class Stats:
    days: int = 30


@dataclass(frozen=True, slots=True)
class Calendar:
    reset: bool = False


@dataclass(frozen=True, slots=True)
class ChannelAdd:
    name: str
    kind: ChannelKind | None = None
    quiet: timedelta | None = None
    feed: str | None = None
    match: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelSet:
    """Changes to an outreach channel; None leaves a field alone, "" clears feed or match."""

    name: str
    kind: ChannelKind | None = None
    quiet: timedelta | None = None
    feed: str | None = None
    match: str | None = None
    rename: str | None = None
    backfill: timedelta | None = None
    """Record the feed's entries of this last span that were left out as history."""


@dataclass(frozen=True, slots=True)
class ChannelRemove:
    name: str


@dataclass(frozen=True, slots=True)
class StewardAdd:
    channel: str
    person: PersonMention


@dataclass(frozen=True, slots=True)
class StewardRemove:
    channel: str
    person: PersonMention


@dataclass(frozen=True, slots=True)
class Access:
    channel: str
    note: str


@dataclass(frozen=True, slots=True)
class FeedAuthor:
    """Credit feed entries by the author `name` to `person` (None: stop); no name: list."""

    name: str | None = None
    person: PersonMention | None = None


@dataclass(frozen=True, slots=True)
class RotaSet:
    """Changes to a rota (None: the default rota; fields left None stay as they are)."""

    rota: str | None = None
    shift_days: int | None = None
    handoff_weekday: int | None = None
    handoff_time: time | None = None
    timezone: str | None = None
    working_days: frozenset[int] | None = None
    work_start: time | None = None
    work_end: time | None = None
    watch: str | None = None
    """The chat channel whose links to the library's posts become posts, for the whole
    workspace ("": none)."""

    def changes_rota(self) -> bool:
        """Whether it changes the rota's pattern (and not only the watched chat channel)."""
        return any(
            value is not None
            for value in (
                self.shift_days,
                self.handoff_weekday,
                self.handoff_time,
                self.timezone,
                self.working_days,
                self.work_start,
                self.work_end,
            )
        )


@dataclass(frozen=True, slots=True)
class ClosureAdd:
    first_day: date
    last_day: date
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ClosureHolidays:
    country: str
    subdivision: str | None = None


@dataclass(frozen=True, slots=True)
class ClosureList:
    pass


@dataclass(frozen=True, slots=True)
class ClosureRemove:
    number: int


@dataclass(frozen=True, slots=True)
class RoleSet:
    person: PersonMention
    role: Role


@dataclass(frozen=True, slots=True)
class DigestPreview:
    pass


@dataclass(frozen=True, slots=True)
class DigestSend:
    pass


@dataclass(frozen=True, slots=True)
class DigestTo:
    """Where the weekly digest goes: a chat channel or a person (at most one is set).

    Neither set (`digest to directors`) means the directors only: no chat channel and
    nobody else.
    """

    chat_channel_id: str | None = None
    person: PersonMention | None = None


@dataclass(frozen=True, slots=True)
class DigestAt:
    """When the weekly digest goes (None leaves that part as it is; one is set)."""

    weekday: int | None = None
    at: time | None = None


Command: TypeAlias = (
    Help
    | Join
    | Leave
    | Who
    | Schedule
    | Posted
    | PostedForm
    | AwayAdd
    | AwayList
    | AwayCancel
    | Swap
    | Skip
    | Channels
    | Export
    | Stats
    | Calendar
    | ChannelAdd
    | ChannelSet
    | ChannelRemove
    | StewardAdd
    | StewardRemove
    | Access
    | FeedAuthor
    | RotaSet
    | ClosureAdd
    | ClosureHolidays
    | ClosureList
    | ClosureRemove
    | RoleSet
    | DigestPreview
    | DigestSend
    | DigestTo
    | DigestAt
)

COORDINATOR_COMMANDS: tuple[type, ...] = (
    ChannelAdd,
    ChannelSet,
    ChannelRemove,
    StewardAdd,
    StewardRemove,
    Access,
    FeedAuthor,
    RotaSet,
    ClosureAdd,
    ClosureHolidays,
    ClosureRemove,
    RoleSet,
    DigestPreview,
    DigestSend,
    DigestTo,
    DigestAt,
)
"""Commands only coordinators may run; `ClosureList` is for everyone (§2)."""

DIRECTOR_COMMANDS: tuple[type, ...] = (Stats, Export)
"""Commands for directors, and for coordinators too (§2)."""

# ---------------------------------------------------------------------------------------
# Usage and help

_EVERYONE_USAGE: tuple[tuple[str, str], ...] = (
    ("help", "`/duty help` — this list"),
    ("join", "`/duty join [rota]` — take your turn posting"),
    ("leave", "`/duty leave [rota]` — stop taking turns"),
    ("who", "`/duty who [rota]` — who is on duty now, and the next three shifts"),
    ("schedule", "`/duty schedule [N]` — the next N shifts (default 6, at most 52)"),
    ("posted", "`/duty posted <channel> [url] [note…]` — record a post"),
    ("away", "`/duty away <from> [to]` — dates like 2026-12-21, today, tomorrow, friday"),
    ("away list", "`/duty away list` — your time off, numbered"),
    ("away cancel", "`/duty away cancel <n>` — cancel time off number n from `away list`"),
    ("swap", "`/duty swap @person` — ask someone to swap your next shift for theirs"),
    ("skip", "`/duty skip` — pass the rest of your shift to the next person"),
    ("channels", "`/duty channels` — every outreach channel: last post, days quiet, stewards"),
    (
        "calendar",
        "`/duty calendar [reset]` — private links to your shifts and the whole rota for "
        "Google Calendar or Outlook; `reset` turns the old ones off",
    ),
    ("closure list", "`/duty closure list` — the days the library is closed"),
)

_COORDINATOR_USAGE: tuple[tuple[str, str], ...] = (
    (
        "channel add",
        "`/duty channel add <name> [kind=twitter] [quiet=3d] [feed=URL] [match=PATTERN]`"
        " — a new outreach channel",
    ),
    (
        "channel set",
        "`/duty channel set <name> key=value…` — change its kind, quiet, feed, match or name; "
        "`backfill=90d` records older feed entries",
    ),
    ("channel remove", "`/duty channel remove <name>` — archive it; its history stays"),
    ("steward add", "`/duty steward add <channel> @person` — someone who can get into it"),
    ("steward remove", "`/duty steward remove <channel> @person`"),
    (
        "access",
        '`/duty access <channel> "<where the login lives>"` — never the password itself',
    ),
    (
        "author",
        '`/duty author "<name in a feed>" @person|none` — credit feed entries by that author '
        "to someone (otherwise whoever was on duty gets them); `/duty author` lists them",
    ),
    (
        "rota set",
        '`/duty rota set [rota] shift=week handoff="mon 09:00" tz=Europe/London '
        "days=mon-fri hours=09:00-17:00`",
    ),
    (
        "rota set watch",
        "`/duty rota set watch=#channel|none` — links to the library's posts shared in that "
        "chat channel are recorded as posts",
    ),
    ("closure add", "`/duty closure add <from> [to] [reason…]` — days the library is closed"),
    (
        "closure holidays",
        "`/duty closure holidays <country>[-<region>]` — public holidays, like GB or US-CA",
    ),
    ("closure remove", "`/duty closure remove <n>` — remove closure number n of `closure list`"),
    ("role", "`/duty role @person coordinator|director|member`"),
    ("digest preview", "`/duty digest preview` — see this week's digest, just for you"),
    ("digest send", "`/duty digest send` — send this week's digest now"),
    (
        "digest to",
        "`/duty digest to #channel|@person|directors` — where the weekly digest goes "
        "(directors always get it; `directors` alone clears the others)",
    ),
    ("digest at", "`/duty digest at fri 15:00` — when the weekly digest goes"),
)

_DIRECTOR_USAGE: tuple[tuple[str, str], ...] = (
    ("stats", "`/duty stats [days]` — posts per channel and per person (default 30 days)"),
    ("export", "`/duty export` — every post, shift and reminder, as spreadsheets (CSV)"),
)

_GROUP_WORDS = ("channel", "steward", "closure", "digest", "rota")


def _usage_table() -> dict[str, str]:
    table = dict(_EVERYONE_USAGE + _COORDINATOR_USAGE + _DIRECTOR_USAGE)
    for group in _GROUP_WORDS:
        table[group] = "\n".join(line for key, line in table.items() if key.startswith(f"{group} "))
    return table


USAGE: dict[str, str] = _usage_table()
"""The usage line of each command word ("join", "away", "channel add", …)."""


def help_text(
    coordinator: bool, *, director: bool = False, hidden: frozenset[str] = frozenset()
) -> str:
    """What Baton can do, grouped by role: each person sees the commands they may use.

    `hidden` names command words (keys of USAGE) this installation does not offer.
    """

    def shown(rows: tuple[tuple[str, str], ...]) -> list[str]:
        return [f"• {line}" for key, line in rows if key not in hidden]

    lines = ["Here's what you can ask me.", "*Everyone*", *shown(_EVERYONE_USAGE)]
    if coordinator:
        lines += ["*Coordinators*", *shown(_COORDINATOR_USAGE)]
    else:
        lines.append("*Coordinators* set up the outreach channels, rotas, closures and roles.")
    if coordinator or director:
        lines += ["*Coordinators and directors*", *shown(_DIRECTOR_USAGE)]
    else:
        lines.append("*Directors* get the weekly figures: `/duty stats`.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Words

_WEEKDAY_WORDS: dict[str, int] = {
    **{name: number for number, name in enumerate(WEEKDAYS)},
    **{
        name: number
        for number, names in enumerate(
            (
                ("monday",),
                ("tuesday", "tues"),
                ("wednesday", "weds"),
                ("thursday", "thur", "thurs"),
                ("friday",),
                ("saturday",),
                ("sunday",),
            )
        )
        for name in names
    },
}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DATE_CONNECTORS = frozenset({"to", "until", "till", "through", "-", "–", "—"})
_CLEAR_WORDS = frozenset({"none", "-", "off", "clear"})
_KIND_WORDS: dict[str, ChannelKind] = {kind.value: kind for kind in ChannelKind} | {
    "x": ChannelKind.TWITTER
}
_ROLE_WORDS: dict[str, Role] = {role.value: role for role in Role}
_HINTS: dict[str, str] = {
    "holiday": "away",
    "holidays": "away",
    "vacation": "away",
    "pto": "away",
    "log": "posted",
    "record": "posted",
    "status": "channels",
}

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"#?([0-9]{1,7})")
_DURATION = re.compile(
    r"([0-9]{1,6}(?:[.,][0-9]{1,4})?|[.,][0-9]{1,4})\s*([a-z]*)", re.ASCII | re.IGNORECASE
)
_DURATION_HOURS: dict[str, float] = {
    **dict.fromkeys(("", "d", "day", "days"), 24.0),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 1.0),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 168.0),
}
_SHIFT_WORDS: dict[str, int] = {
    "day": 1,
    "daily": 1,
    "week": 7,
    "weekly": 7,
    "fortnight": 14,
    "fortnightly": 14,
}
_SHIFT = re.compile(r"([0-9]{1,3})\s*(d|days?|w|weeks?)?", re.ASCII | re.IGNORECASE)
_TIME = re.compile(
    r"([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.ASCII | re.IGNORECASE
)
_COUNTRY = re.compile(r"([a-z]{2,3})(?:[-_ ]([a-z0-9]{1,10}))?", re.ASCII | re.IGNORECASE)
_MENTION = re.compile(r"<@([A-Za-z0-9][A-Za-z0-9:_.\-]{0,99})(?:\|([^<>]{0,80}))?>")
_CHAT_CHANNEL = re.compile(r"<#([A-Za-z0-9][A-Za-z0-9:_.@\-]{0,199})(?:\|[^<>]{0,80})?>")
_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_SLACK_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
_HTTP_URL = re.compile(r"https?://[^\s/<>|\"]+[^\s<>|\"]*", re.IGNORECASE)
_LEADING_DUTY = re.compile(r"\s*/?duty(?=\s|$)", re.IGNORECASE)
_DASHES = str.maketrans({"–": "-", "—": "-"})

_DOUBLE_QUOTES = '"“”„‟'
_SINGLE_QUOTES = "'‘’‚‛"
_NAME_LIMIT = 40
_NOTE_LIMIT = 1000
_ACCESS_LIMIT = 500
_REASON_LIMIT = 200
_MATCH_LIMIT = 200
_URL_LIMIT = 2000
_MAX_SPAN_DAYS = 366
_MAX_AHEAD_DAYS = 2 * 365
_BIG = 999_999


class _ParseError(Exception):
    """Raised by the parsers below; becomes a CommandError with the command's usage (or
    with the usage named by `usage_key`)."""

    def __init__(self, message: str, usage_key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage_key = usage_key


def _show(value: str, limit: int = 40) -> str:
    """User text as they typed it, shortened and made safe to put between backticks."""
    cleaned = "".join(
        "'" if ch == "`" else ch if ch.isprintable() or ch == " " else "?"
        for ch in _unescape(value)
    )
    cleaned = " ".join(cleaned.split()) or "?"
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return f"`{cleaned}`"


def _or_list(words: Sequence[str]) -> str:
    quoted = [f"`{word}`" for word in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    if len(word) > 40:
        return None
    matches = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _clean(text: str) -> str:
    """Text without control characters (bar newlines and tabs) or lone surrogates."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def _unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain(text: str) -> str:
    """Free text as the person typed it: Slack's links and mentions back to their words."""

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil in ("@", "#"):
            return f"{sigil}{label}" if label else match.group(0)
        if sigil == "!":
            return label or f"@{target}"
        return label or target

    return _unescape(_SLACK_MARKUP.sub(readable, text))


# ---------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    """The word with its quotes taken off."""
    start: int
    quoted: bool
    """The whole word was one quoted span, so it may hold spaces."""


def _tokenise(text: str) -> list[_Token]:
    """Words split on whitespace; quotes and Slack's `<…>` forms hold spaces together.

    A quote opens at the start of a word or after `=`, and closes at the next matching
    quote that ends a word; with no such quote, it runs to the end of the text.
    """
    tokens: list[_Token] = []
    last_angle = text.rfind(">")
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        parts: list[str] = []
        quoted_parts = 0
        while i < n and not text[i].isspace():
            ch = text[i]
            opens = i == start or text[i - 1] == "="
            if opens and (ch in _DOUBLE_QUOTES or ch in _SINGLE_QUOTES):
                close = _closing_quote(text, i)
                parts.append(text[i + 1 : close])
                i = close + 1
                quoted_parts += 1
            elif opens and ch == "<" and i < last_angle:
                close = text.index(">", i)
                parts.append(text[i : close + 1])
                i = close + 1
            else:
                parts.append(ch)
                i += 1
        quoted = quoted_parts == 1 and len(parts) == 1
        tokens.append(_Token("".join(parts), start, quoted))
    return tokens


def _closing_quote(text: str, opening: int) -> int:
    family = _DOUBLE_QUOTES if text[opening] in _DOUBLE_QUOTES else _SINGLE_QUOTES
    for i in range(opening + 1, len(text)):
        if text[i] in family and (i + 1 == len(text) or text[i + 1].isspace()):
            return i
    return len(text)


@dataclass(frozen=True, slots=True)
class _Args:
    """The words after a command word, with the text they came from."""

    words: tuple[_Token, ...]
    text: str
    today: date

    def after(self, count: int) -> _Args:
        return _Args(self.words[count:], self.text, self.today)

    def rest(self, index: int) -> str:
        """The text from word `index` to the end, as typed."""
        return self.text[self.words[index].start :].strip()


_Parser: TypeAlias = Callable[[_Args], Command]


def _nothing_after(args: _Args, index: int, word: str) -> None:
    if len(args.words) > index:
        extra = _show(args.rest(index))
        if index == 0:
            raise _ParseError(
                f"`{word}` takes no arguments, so I don't know what to do with {extra}."
            )
        raise _ParseError(f"That's more than `{word}` needs: I didn't expect {extra}.")


def _free_text(args: _Args, index: int, limit: int, what: str) -> str | None:
    """Everything from word `index` on, as the person typed it; None if there is nothing."""
    if index >= len(args.words):
        return None
    words = args.words[index:]
    raw = words[0].text if len(words) == 1 and words[0].quoted else args.rest(index)
    text = _clean(_plain(raw)).strip()
    if len(text) > limit:
        raise _ParseError(f"That {what} is {len(text)} characters long; please keep it to {limit}.")
    return text or None


# ---------------------------------------------------------------------------------------
# Values


def _number(word: str, low: int, high: int, example: str) -> int:
    match = _NUMBER.fullmatch(word)
    value = int(match.group(1)) if match else None
    if value is None or not low <= value <= high:
        wanted = f"a number from {low} to {high}" if high < _BIG else "a number like 1, 2 or 3"
        raise _ParseError(f"{_show(word)} isn't {wanted}. Try {example}.")
    return value


def _is_date_word(word: str) -> bool:
    lowered = word.lower()
    return (
        lowered in ("today", "tomorrow")
        or lowered in _WEEKDAY_WORDS
        or _ISO_DATE.fullmatch(word) is not None
    )


def _date(word: str, today: date, on_or_after: date) -> date:
    """A date typed as ISO, `today`, `tomorrow` or a weekday on or after `on_or_after`."""
    lowered = word.lower()
    try:
        if lowered == "today":
            return today
        if lowered == "tomorrow":
            return today + timedelta(days=1)
        if lowered in _WEEKDAY_WORDS:
            ahead = (_WEEKDAY_WORDS[lowered] - on_or_after.weekday()) % 7
            return on_or_after + timedelta(days=ahead)
    except OverflowError:
        raise _ParseError(f"{_show(word)} is further ahead than my calendar goes.") from None
    if _ISO_DATE.fullmatch(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            message = f"{_show(word)} isn't a real date; check the month and day."
            raise _ParseError(message) from None
    guess = _did_you_mean(word, ("today", "tomorrow", *_WEEKDAY_WORDS))
    hint = f" Did you mean `{guess}`?" if guess else ""
    raise _ParseError(
        f"I couldn't read {_show(word)} as a date.{hint} Use a date like `2026-12-21`, "
        "`today`, `tomorrow` or a weekday like `friday`."
    )


def _say_date(day: date) -> str:
    return f"{_DAY_NAMES[day.weekday()]} {day.isoformat()}"


def _clamped(day: date, days: int) -> date:
    """`day` moved by `days`, stopping at the ends of the calendar."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _dates(args: _Args, *, strict: bool) -> tuple[date, date, int]:
    """A first day and an optional last day (`friday`, `mon tue`, `mon to fri`).

    With `strict`, a second word must be the last day; otherwise it is the last day only
    if it looks like a date. Returns the days and how many words they took.
    """
    words = args.words
    first = _date(words[0].text, args.today, args.today)
    used = 1
    if (
        len(words) > used
        and words[used].text.lower() in _DATE_CONNECTORS
        and (strict or (len(words) > used + 1 and _is_date_word(words[used + 1].text)))
    ):
        used += 1
        if len(words) == used:
            raise _ParseError(f"Tell me the last day too, like `{words[0].text} to friday`.")
    last = first
    if len(words) > used and (strict or _is_date_word(words[used].text)):
        last = _date(words[used].text, args.today, first)
        used += 1
    if last < first:
        raise _ParseError(
            f"The last day ({_say_date(last)}) is before the first ({_say_date(first)}). "
            "Put the earlier date first."
        )
    if (last - first).days + 1 > _MAX_SPAN_DAYS:
        raise _ParseError(
            f"That's {(last - first).days + 1} days; please add at most "
            f"{_MAX_SPAN_DAYS} days at a time."
        )
    horizon = _clamped(args.today, _MAX_AHEAD_DAYS)
    if last > horizon:
        raise _ParseError(
            f"{_say_date(last)} is too far ahead; plan up to two years out, until "
            f"{_say_date(horizon)}."
        )
    if first < _clamped(args.today, -_MAX_AHEAD_DAYS):
        raise _ParseError(
            f"{_say_date(first)} is too long ago; use a date within the last two years."
        )
    return first, last, used


def _channel_name(text: str) -> str:
    """A channel name; spaces only reach here from quotes, which is when they are allowed."""
    name = " ".join(text.split())
    if text.startswith(("#", "<#")):
        raise _ParseError(
            "Write the outreach channel's name without `#`, like `twitter`, so I don't "
            "mistake it for a chat channel."
        )
    if len(name) > _NAME_LIMIT:
        raise _ParseError(
            f"{_show(name)} is {len(name)} characters long; keep channel names to {_NAME_LIMIT}."
        )
    if not name or not all(ch.isalnum() or ch in "-_." or ch == " " for ch in name):
        raise _ParseError(
            f"{_show(text)} isn't a name I can use. Channel names are letters, digits, "
            '`-`, `_` and `.`; put a name with spaces in quotes, like `"main blog"`.'
        )
    return name


def _rota_name(words: Sequence[_Token]) -> str | None:
    if not words:
        return None
    raw = words[0].text if len(words) == 1 else " ".join(word.text for word in words)
    name = " ".join(raw.split())
    if not name or len(name) > _NAME_LIMIT or not all(ch.isalnum() or ch in "-_. " for ch in name):
        raise _ParseError(
            f"{_show(raw)} isn't a rota name I can use. Rota names are up to {_NAME_LIMIT} "
            "letters, digits, spaces, `-`, `_` and `.`, like `social media`."
        )
    return name


def _person(token: _Token) -> PersonMention:
    text = token.text
    mention = _MENTION.fullmatch(text)
    if mention:
        name = _clean(_unescape(mention.group(2) or "")).strip()
        return PersonMention(user_id=mention.group(1), name=name or None)
    name = _clean(text[1:]).strip()
    if text.startswith("@") and 0 < len(name) <= 80 and not any(ch in "<>@`" for ch in name):
        return PersonMention(user_id=None, name=name)
    raise _ParseError(
        f"I need a person where you wrote {_show(text)}. Mention someone with @, like `@jane`."
    )


def _link(word: str) -> str | None:
    """The http(s) address in a word, typed plainly or as Slack's `<url>` or `<url|text>`."""
    slack = _SLACK_LINK.fullmatch(word)
    target = _unescape(slack.group(1) if slack else word)
    if len(target) <= _URL_LIMIT and target.isprintable() and _HTTP_URL.fullmatch(target):
        return target
    return None


def _kind(value: str) -> ChannelKind:
    kind = _KIND_WORDS.get(value.lower())
    if kind is None:
        kinds = ", ".join(k.value for k in ChannelKind)
        raise _ParseError(f"{_show(value)} isn't a kind of channel I know. Use one of: {kinds}.")
    return kind


def _quiet(value: str) -> timedelta:
    match = _DURATION.fullmatch(value)
    unit = _DURATION_HOURS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        raise _ParseError(
            f"{_show('quiet=' + value)} isn't a duration. Use a number of days like "
            "`quiet=3d`, or hours like `quiet=12h`."
        )
    hours = float(match.group(1).replace(",", ".")) * unit
    if not 1 <= hours <= 365 * 24:
        raise _ParseError(
            f"{_show('quiet=' + value)} is out of range: a channel goes quiet after "
            "between 1 hour and 365 days."
        )
    return timedelta(hours=hours)


def _backfill(value: str) -> timedelta:
    """How far back to record a feed's entries: days or weeks, or `all`."""
    if value.lower() in ("all", "everything"):
        return BACKFILL_ALL
    match = _DURATION.fullmatch(value)
    unit = _DURATION_HOURS.get(match.group(2).lower()) if match else None
    if match is None or unit is None or unit < 24:
        raise _ParseError(
            f"{_show('backfill=' + value)} isn't a number of days. Use `backfill=90d`, "
            "`backfill=12w` or `backfill=all`."
        )
    days = float(match.group(1).replace(",", ".")) * unit / 24
    if not 1 <= days <= 3650:
        raise _ParseError(
            f"{_show('backfill=' + value)} is out of range: between 1 day and 10 years, "
            "or `backfill=all`."
        )
    return timedelta(days=days)


def _feed(value: str) -> str:
    """A feed address; "" when the person asks for no feed."""
    if value.lower() in _CLEAR_WORDS:
        return ""
    url = _link(value)
    if url is None:
        raise _ParseError(
            f"{_show('feed=' + value)} isn't a web address. Give the feed's full address, "
            "like `feed=https://library.example.org/blog/feed`."
        )
    return url


def _match(value: str) -> str:
    """A URL pattern; "" when the person asks for none."""
    if value.lower() in _CLEAR_WORDS:
        return ""
    slack = _SLACK_LINK.fullmatch(value)
    pattern = _clean(_unescape((slack.group(2) or slack.group(1)) if slack else value)).strip()
    if not pattern or len(pattern) > _MATCH_LIMIT:
        raise _ParseError(f"Keep the `match` pattern between 1 and {_MATCH_LIMIT} characters.")
    return pattern


def _watch(value: str) -> str:
    """The chat channel to watch for links; "" when the person asks for none."""
    if value.lower() in _CLEAR_WORDS:
        return ""
    chat_channel = _CHAT_CHANNEL.fullmatch(value)
    if chat_channel:
        return chat_channel.group(1)
    if value.startswith("#"):
        raise _ParseError(
            f"I can't tell which chat channel {_show(value)} is. Pick it from the autocomplete "
            "as you type `#`, so it becomes a link, like `watch=#outreach`.",
            "rota set watch",
        )
    raise _ParseError(
        f"{_show('watch=' + value)} isn't a chat channel. Pick one from the autocomplete, "
        "like `watch=#outreach`, or stop watching with `watch=none`.",
        "rota set watch",
    )


def _time(value: str) -> time | None:
    match = _TIME.fullmatch(value.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _shift(value: str) -> int:
    lowered = value.lower()
    days = _SHIFT_WORDS.get(lowered)
    match = _SHIFT.fullmatch(lowered)
    if days is None and match:
        days = int(match.group(1)) * (7 if (match.group(2) or "d").startswith("w") else 1)
    if days is None or not 1 <= days <= 28:
        raise _ParseError(
            f"{_show('shift=' + value)} isn't a shift length I can use. Use `day`, `week`, "
            "or a number of days from 1 to 28, like `shift=14d`."
        )
    return days


def _handoff(value: str) -> tuple[int | None, time | None]:
    parts = re.sub(r"\s+(?=(?:a|p)\.?m\.?$)", "", value.strip(), flags=re.IGNORECASE).split()
    weekday = _WEEKDAY_WORDS.get(parts[0].lower()) if parts else None
    if len(parts) == 1 and weekday is not None:
        return weekday, None
    at = _time(parts[-1]) if parts else None
    if at is not None and (len(parts) == 1 or (len(parts) == 2 and weekday is not None)):
        return weekday, at
    raise _ParseError(
        f"{_show('handoff=' + value)} isn't a handoff I understand. Use a weekday and a time, "
        'like `handoff="mon 09:00"`, or just `09:00` or `mon`.'
    )


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _zone_exists(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except Exception:  # ZoneInfo raises many kinds of error for names that aren't zones.
        return False
    return True


def _timezone(value: str) -> str:
    """An IANA timezone name, spelt as the tz database spells it."""
    if value in _known_zones():
        return value
    by_lower = {zone.lower(): zone for zone in _known_zones()}
    if value.lower() in by_lower:
        return by_lower[value.lower()]
    if _zone_exists(value):
        return value
    guess = _did_you_mean(value, by_lower)
    hint = f" Did you mean `{by_lower[guess]}`?" if guess else ""
    raise _ParseError(
        f"{_show('tz=' + value)} isn't a timezone I know. Use a name like `Europe/London` "
        f"or `America/New_York`.{hint}"
    )


def _weekday(word: str) -> int:
    number = _WEEKDAY_WORDS.get(word)
    if number is None:
        raise _ParseError(f"{_show(word)} isn't a day of the week.")
    return number


def _days(value: str) -> frozenset[int]:
    lowered = value.lower().translate(_DASHES).replace(" ", "")
    if lowered == "weekdays":
        return frozenset(range(5))
    if lowered in ("all", "everyday", "daily"):
        return frozenset(range(7))
    days: set[int] = set()
    try:
        for part in lowered.split(","):
            first, dash, last = part.partition("-")
            start = _weekday(first)
            end = _weekday(last) if dash else start
            days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    except _ParseError:
        raise _ParseError(
            f"{_show('days=' + value)} isn't a set of days I understand. Use `mon-fri`, "
            "`mon,wed,fri` or `sat-mon`."
        ) from None
    return frozenset(days)


def _hours(value: str) -> tuple[time, time]:
    normalised = value.translate(_DASHES)
    normalised = re.sub(r"\s+to\s+", "-", normalised, flags=re.IGNORECASE)
    first, dash, last = normalised.partition("-")
    start, end = (_time(first), _time(last)) if dash else (None, None)
    if start is None or end is None:
        raise _ParseError(
            f"{_show('hours=' + value)} isn't a range of hours. Use `09:00-17:00` or `9am-5pm`."
        )
    if start >= end:
        raise _ParseError(
            f"The working day must start before it ends: {_show('hours=' + value)} doesn't."
        )
    return start, end


def _settings(words: Sequence[_Token], keys: Mapping[str, str]) -> dict[str, str]:
    """`key=value` words by canonical key; a word without `=` continues the previous value."""
    values: dict[str, str] = {}
    current: str | None = None
    for word in words:
        key, equals, value = word.text.partition("=")
        if not equals or word.quoted:
            if current is None:
                raise _ParseError(f"I expected `key=value` settings, not {_show(word.text)}.")
            values[current] = f"{values[current]} {word.text}"
            continue
        canonical = keys.get(key.strip().lower())
        if canonical is None:
            names = list(dict.fromkeys(keys.values()))
            guess = _did_you_mean(key.strip(), keys)
            hint = f" Did you mean `{keys[guess]}`?" if guess else ""
            raise _ParseError(
                f"I don't know the setting {_show(key or word.text)}.{hint} Use {_or_list(names)}."
            )
        if canonical in values:
            raise _ParseError(f"You gave `{canonical}` twice; give it once.")
        values[canonical] = value
        current = canonical
    for key, value in list(values.items()):
        values[key] = value.strip()
        if not values[key]:
            raise _ParseError(f"`{key}=` needs a value after the `=`.")
    return values


# ---------------------------------------------------------------------------------------
# Everyone's commands


def _rota_command(factory: Callable[[str | None], Command], word: str) -> _Parser:
    def parse(args: _Args) -> Command:
        if word == "leave" and args.words and _is_date_word(args.words[0].text):
            raise _ParseError(
                f"`leave` takes you off the rota. For time off, use "
                f"`/duty away {args.words[0].text}`."
            )
        return factory(_rota_name(args.words))

    return parse


def _bare(factory: Callable[[], Command], word: str) -> _Parser:
    def parse(args: _Args) -> Command:
        _nothing_after(args, 0, word)
        return factory()

    return parse


def _schedule(args: _Args) -> Schedule:
    if not args.words:
        return Schedule()
    _nothing_after(args, 1, "schedule")
    return Schedule(_number(args.words[0].text, 1, 52, "`/duty schedule 10`"))


def _stats(args: _Args) -> Stats:
    if not args.words:
        return Stats()
    _nothing_after(args, 1, "stats")
    return Stats(_number(args.words[0].text, 1, 3650, "`/duty stats 90`"))


def _posted(args: _Args) -> Posted | PostedForm:
    if not args.words:
        return PostedForm()
    if _link(args.words[0].text):
        raise _ParseError(
            "Start with the outreach channel's name, like `/duty posted twitter https://…`."
        )
    channel = _channel_name(args.words[0].text)
    url = _link(args.words[1].text) if len(args.words) > 1 else None
    note = _free_text(args, 2 if url else 1, _NOTE_LIMIT, "note")
    return Posted(channel, url=url, note=note)


def _away(args: _Args) -> AwayAdd:
    if not args.words:
        raise _ParseError(
            "Tell me the first day you're away, like `/duty away friday` "
            "or `/duty away 2026-12-21 2026-12-24`."
        )
    first_word = args.words[0].text
    guess = None if _is_date_word(first_word) else _did_you_mean(first_word, ("list", "cancel"))
    if guess:
        shown = _show(f"away {first_word}")
        raise _ParseError(f"I don't know {shown}. Did you mean `away {guess}`?")
    first, last, used = _dates(args, strict=True)
    _nothing_after(args, used, "away")
    if last < args.today:
        raise _ParseError(
            f"{_say_date(last)} is already past. Time off needs to end today or later."
        )
    return AwayAdd(first, last)


def _away_cancel(args: _Args) -> AwayCancel:
    if not args.words:
        raise _ParseError("Tell me which one, by its number in `/duty away list`.")
    _nothing_after(args, 1, "away cancel")
    return AwayCancel(_number(args.words[0].text, 1, _BIG, "`/duty away cancel 1`"))


def _swap(args: _Args) -> Swap:
    if not args.words:
        raise _ParseError("Tell me who to swap with, like `/duty swap @jane`.")
    _nothing_after(args, 1, "swap")
    return Swap(_person(args.words[0]))


def _calendar(args: _Args) -> Calendar:
    if args.words:
        shown = _show(args.words[0].text)
        raise _ParseError(f"`calendar` only takes `reset`; I don't know {shown}.")
    return Calendar()


def _calendar_reset(args: _Args) -> Calendar:
    _nothing_after(args, 0, "calendar reset")
    return Calendar(reset=True)


# ---------------------------------------------------------------------------------------
# Coordinators' commands

_CHANNEL_ADD_KEYS = {"kind": "kind", "quiet": "quiet", "feed": "feed", "match": "match"}
_CHANNEL_SET_KEYS = _CHANNEL_ADD_KEYS | {"name": "name", "rename": "name", "backfill": "backfill"}
_ROTA_KEYS = {
    "shift": "shift",
    "handoff": "handoff",
    "tz": "tz",
    "timezone": "tz",
    "days": "days",
    "hours": "hours",
    "watch": "watch",
}


def _channel_and_settings(
    args: _Args, keys: Mapping[str, str], example: str
) -> tuple[str, dict[str, str]]:
    first = args.words[0] if args.words else None
    if first is None or ("=" in first.text and not first.quoted):
        raise _ParseError(f"Start with the outreach channel's name, like `{example}`.")
    name = _channel_name(first.text)
    rest = args.words[1:]
    if rest and ("=" not in rest[0].text or rest[0].quoted):
        raise _ParseError(
            f"I don't understand {_show(rest[0].text)}. Settings look like `kind=blog`; "
            'a name with spaces needs quotes, like `"main blog"`.'
        )
    return name, _settings(rest, keys)


def _channel_add(args: _Args) -> ChannelAdd:
    name, values = _channel_and_settings(
        args, _CHANNEL_ADD_KEYS, "/duty channel add twitter kind=twitter"
    )
    return ChannelAdd(
        name,
        kind=_kind(values["kind"]) if "kind" in values else None,
        quiet=_quiet(values["quiet"]) if "quiet" in values else None,
        feed=(_feed(values["feed"]) or None) if "feed" in values else None,
        match=(_match(values["match"]) or None) if "match" in values else None,
    )


def _channel_set(args: _Args) -> ChannelSet:
    name, values = _channel_and_settings(
        args, _CHANNEL_SET_KEYS, "/duty channel set blog quiet=14d"
    )
    if not values:
        raise _ParseError(f"Tell me what to change, like `/duty channel set {name} quiet=14d`.")
    rename = values.get("name")
    return ChannelSet(
        name,
        kind=_kind(values["kind"]) if "kind" in values else None,
        quiet=_quiet(values["quiet"]) if "quiet" in values else None,
        feed=_feed(values["feed"]) if "feed" in values else None,
        match=_match(values["match"]) if "match" in values else None,
        rename=_channel_name(rename) if rename is not None else None,
        backfill=_backfill(values["backfill"]) if "backfill" in values else None,
    )


def _channel_remove(args: _Args) -> ChannelRemove:
    if not args.words:
        raise _ParseError("Tell me which outreach channel, like `/duty channel remove twitter`.")
    _nothing_after(args, 1, "channel remove")
    return ChannelRemove(_channel_name(args.words[0].text))


def _steward(factory: Callable[[str, PersonMention], Command], word: str) -> _Parser:
    def parse(args: _Args) -> Command:
        if len(args.words) < 2:
            raise _ParseError(
                f"Tell me the outreach channel and the person, like `/duty {word} twitter @jane`."
            )
        _nothing_after(args, 2, word)
        return factory(_channel_name(args.words[0].text), _person(args.words[1]))

    return parse


def _access(args: _Args) -> Access:
    if not args.words:
        raise _ParseError(
            "Tell me the outreach channel and where its login lives, like "
            '`/duty access twitter "library password manager → Social → Twitter"`.'
        )
    channel = _channel_name(args.words[0].text)
    note = _free_text(args, 1, _ACCESS_LIMIT, "note")
    if note is None:
        raise _ParseError(
            f"Tell me where the login for {channel} lives, like "
            f'`/duty access {channel} "library password manager → Social"`.'
        )
    reason = secret_reason(note) or secret_reason(_unescape(args.rest(1)))
    if reason:
        raise _ParseError(reason)
    return Access(channel, note)


_AUTHOR_LIMIT = 200
_NOBODY = ("none", "nobody", "remove")


def _feed_author(args: _Args) -> FeedAuthor:
    if not args.words:
        return FeedAuthor()
    if len(args.words) < 2:
        raise _ParseError(
            'Tell me the name as the feed gives it and the person, like `/duty author "Jane '
            'Doe" @jane`, or `none` to stop crediting that name to anyone.'
        )
    last = args.words[-1]
    words = args.words[:-1]
    raw = words[0].text if len(words) == 1 and words[0].quoted else " ".join(w.text for w in words)
    name = " ".join(_clean(_plain(raw)).split())
    if not name or len(name) > _AUTHOR_LIMIT:
        raise _ParseError(f"Keep the author's name between 1 and {_AUTHOR_LIMIT} characters.")
    if not last.quoted and last.text.lower() in _NOBODY:
        return FeedAuthor(name, None)
    return FeedAuthor(name, _person(last))


def _rota_set(args: _Args) -> RotaSet:
    split = next(
        (i for i, word in enumerate(args.words) if "=" in word.text and not word.quoted),
        len(args.words),
    )
    rota = _rota_name(args.words[:split])
    values = _settings(args.words[split:], _ROTA_KEYS)
    if not values:
        raise _ParseError(
            'Tell me what to change, like `/duty rota set shift=week handoff="mon 09:00"`.'
        )
    weekday, at = _handoff(values["handoff"]) if "handoff" in values else (None, None)
    start, end = _hours(values["hours"]) if "hours" in values else (None, None)
    return RotaSet(
        rota=rota,
        shift_days=_shift(values["shift"]) if "shift" in values else None,
        handoff_weekday=weekday,
        handoff_time=at,
        timezone=_timezone(values["tz"]) if "tz" in values else None,
        working_days=_days(values["days"]) if "days" in values else None,
        work_start=start,
        work_end=end,
        watch=_watch(values["watch"]) if "watch" in values else None,
    )


def _closure_add(args: _Args) -> ClosureAdd:
    if not args.words:
        raise _ParseError(
            "Tell me the first day the library is closed, like "
            "`/duty closure add 2026-12-24 2026-12-26 Christmas`."
        )
    first, last, used = _dates(args, strict=False)
    return ClosureAdd(first, last, _free_text(args, used, _REASON_LIMIT, "reason"))


def _closure_holidays(args: _Args) -> ClosureHolidays:
    words = [word.text for word in args.words]
    match = _COUNTRY.fullmatch(" ".join(words)) if 1 <= len(words) <= 2 else None
    if match is None:
        raise _ParseError(
            "Give a country code like `GB`, or a country and region like `US-CA`."
            if not words
            else f"{_show(' '.join(words))} isn't a country code. Use two or three letters "
            "like `GB`, or a country and region like `US-CA`."
        )
    subdivision = match.group(2)
    return ClosureHolidays(match.group(1).upper(), subdivision.upper() if subdivision else None)


def _closure_remove(args: _Args) -> ClosureRemove:
    if not args.words:
        raise _ParseError("Tell me which one, by its number in `/duty closure list`.")
    _nothing_after(args, 1, "closure remove")
    return ClosureRemove(_number(args.words[0].text, 1, _BIG, "`/duty closure remove 1`"))


def _role(args: _Args) -> RoleSet:
    if len(args.words) < 2:
        raise _ParseError("Tell me who and which role, like `/duty role @jane coordinator`.")
    _nothing_after(args, 2, "role")
    person_word, role_word = args.words[0], args.words[1]
    if role_word.text.lower() not in _ROLE_WORDS and person_word.text.lower() in _ROLE_WORDS:
        person_word, role_word = role_word, person_word
    role = _ROLE_WORDS.get(role_word.text.lower())
    if role is None:
        raise _ParseError(
            f"{_show(role_word.text)} isn't a role. Use {_or_list([r.value for r in Role])}."
        )
    return RoleSet(_person(person_word), role)


def _digest_to(args: _Args) -> DigestTo:
    if not args.words:
        raise _ParseError("Tell me where it goes, like `/duty digest to #outreach` or `@jane`.")
    _nothing_after(args, 1, "digest to")
    word = args.words[0].text
    chat_channel = _CHAT_CHANNEL.fullmatch(word)
    if chat_channel:
        return DigestTo(chat_channel_id=chat_channel.group(1))
    if word.startswith("#"):
        raise _ParseError(
            f"I can't tell which chat channel {_show(word)} is. Pick it from the "
            "autocomplete as you type it (`#` in Slack, `@` in Teams), so it becomes a link."
        )
    if word.startswith(("@", "<@")):
        return DigestTo(person=_person(args.words[0]))
    if word.lower() in _CLEAR_WORDS | {"directors"}:
        return DigestTo()
    raise _ParseError(
        f"{_show(word)} isn't a chat channel or a person. Pick a `#channel` or `@person` "
        "from the autocomplete."
    )


def _digest_at(args: _Args) -> DigestAt:
    value = " ".join(word.text for word in args.words)
    if not value:
        raise _ParseError("Tell me when it goes, like `/duty digest at fri 15:00`.")
    try:
        weekday, at = _handoff(value)
    except _ParseError:
        raise _ParseError(
            f"{_show(value)} isn't a time I understand. Use a weekday and a time, like "
            "`/duty digest at fri 15:00`, or just `16:30` or `mon`."
        ) from None
    return DigestAt(weekday, at)


# ---------------------------------------------------------------------------------------
# Dispatch


@dataclass(frozen=True, slots=True)
class _Group:
    """A command word with subcommands, and what it means without one (if anything)."""

    subcommands: Mapping[str, _Parser]
    default: _Parser | None = None


_COMMANDS: dict[str, _Parser] = {
    "help": lambda _args: Help(),
    "?": lambda _args: Help(),
    "join": _rota_command(Join, "join"),
    "leave": _rota_command(Leave, "leave"),
    "who": _rota_command(Who, "who"),
    "schedule": _schedule,
    "posted": _posted,
    "swap": _swap,
    "skip": _bare(Skip, "skip"),
    "channels": _bare(Channels, "channels"),
    "stats": _stats,
    "export": _bare(Export, "export"),
    "access": _access,
    "author": _feed_author,
    "role": _role,
}

_GROUPS: dict[str, _Group] = {
    "away": _Group({"list": _bare(AwayList, "away list"), "cancel": _away_cancel}, default=_away),
    "calendar": _Group({"reset": _calendar_reset}, default=_calendar),
    "channel": _Group({"add": _channel_add, "set": _channel_set, "remove": _channel_remove}),
    "steward": _Group(
        {
            "add": _steward(StewardAdd, "steward add"),
            "remove": _steward(StewardRemove, "steward remove"),
        }
    ),
    "rota": _Group({"set": _rota_set}),
    "closure": _Group(
        {
            "add": _closure_add,
            "holidays": _closure_holidays,
            "list": _bare(ClosureList, "closure list"),
            "remove": _closure_remove,
        }
    ),
    "digest": _Group(
        {
            "preview": _bare(DigestPreview, "digest preview"),
            "send": _bare(DigestSend, "digest send"),
            "to": _digest_to,
            "at": _digest_at,
        }
    ),
}

_WORDS = tuple(word for word in (*_COMMANDS, *_GROUPS) if word != "?")


def parse_command(text: str, today: date) -> Command | CommandError:
    """The command in what someone typed after `/duty`; `today` is their local date."""
    duty = _LEADING_DUTY.match(text)
    body = text[duty.end() :] if duty else text
    words = _tokenise(body)
    if not words:
        return Help()
    word = words[0].text.lower()
    args = _Args(tuple(words[1:]), body, today)
    if word in _COMMANDS:
        return _run(word, _COMMANDS[word], args)
    if word in _GROUPS:
        return _run_group(word, _GROUPS[word], args)
    return _unknown(words[0].text)


def _run(usage_key: str, parser: _Parser, args: _Args) -> Command | CommandError:
    try:
        return parser(args)
    except _ParseError as error:
        return CommandError(error.message, USAGE.get(error.usage_key or usage_key))


def _run_group(word: str, group: _Group, args: _Args) -> Command | CommandError:
    sub = args.words[0].text.lower() if args.words else None
    if sub is not None and sub in group.subcommands:
        return _run(f"{word} {sub}", group.subcommands[sub], args.after(1))
    if group.default is not None:
        return _run(word, group.default, args)
    choices = _or_list(list(group.subcommands))
    if sub is None:
        return CommandError(f"`{word}` needs one more word: {choices}.", USAGE[word])
    guess = _did_you_mean(sub, group.subcommands)
    hint = f"Did you mean `{word} {guess}`?" if guess else f"Use {choices}."
    shown = _show(f"{word} {args.words[0].text}")
    return CommandError(f"I don't know {shown}. {hint}", USAGE[word])


def _unknown(word: str) -> CommandError:
    guess = _HINTS.get(word.lower()) or _did_you_mean(word, _WORDS)
    if guess:
        return CommandError(
            f"I don't know the word {_show(word)}. Did you mean `{guess}`?", USAGE.get(guess)
        )
    return CommandError(
        f"I don't know the word {_show(word)}. Send `/duty help` to see what I can do."
    )
