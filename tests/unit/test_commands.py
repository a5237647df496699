"""Parsing what people type after `/duty` into typed commands (§5)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import commands as c
from bot.domain.commands import (
    COORDINATOR_COMMANDS,
    DIRECTOR_COMMANDS,
    USAGE,
    Access,
    AwayAdd,
    AwayCancel,
    AwayList,
    Calendar,
    ChannelAdd,
    ChannelRemove,
    Channels,
    ChannelSet,
    ClosureAdd,
    ClosureHolidays,
    ClosureList,
    ClosureRemove,
    CommandError,
    DigestAt,
    DigestPreview,
    DigestSend,
    DigestTo,
    Export,
    FeedAuthor,
    Help,
    Join,
    Leave,
    PersonMention,
    Posted,
    PostedForm,
    RoleSet,
    RotaSet,
    Schedule,
    Skip,
    Stats,
    StewardAdd,
    StewardRemove,
    Swap,
    Who,
    help_text,
    parse_command,
)
from bot.domain.feeds import BACKFILL_ALL
from bot.domain.model import ChannelKind, Role

TODAY = date(2026, 12, 16)  # a Wednesday
COMMAND_TYPES: tuple[type, ...] = typing.get_args(c.Command)
JANE = PersonMention(user_id="U0123ABC", name="jane")
PLAIN_JANE = PersonMention(user_id=None, name="jane")


def d(day: int, month: int = 12, year: int = 2026) -> date:
    return date(year, month, day)


def parse(text: str) -> c.Command | CommandError:
    return parse_command(text, TODAY)


def error_for(text: str) -> CommandError:
    result = parse(text)
    assert isinstance(result, CommandError), f"{text!r} parsed as {result!r}"
    return result


VALID: list[tuple[str, c.Command]] = [
    # help
    ("", Help()),
    ("   ", Help()),
    ("help", Help()),
    ("  HeLp  ", Help()),
    ("?", Help()),
    ("help away", Help()),
    ("duty", Help()),
    ("duty help", Help()),
    ("DUTY help", Help()),
    ("/duty help", Help()),
    # join, leave, who
    ("join", Join()),
    ("JOIN", Join()),
    ("duty join", Join()),
    ("join social media", Join("social media")),
    ('join "social media"', Join("social media")),
    ("join “social media”", Join("social media")),
    ("join 'social  media'", Join("social media")),
    ("leave", Leave()),
    ("leave Blog-Team", Leave("Blog-Team")),
    ("who", Who()),
    ("who social media", Who("social media")),
    # schedule and stats
    ("schedule", Schedule()),
    ("schedule 1", Schedule(1)),
    ("schedule 52", Schedule(52)),
    ("stats", Stats()),
    ("stats 1", Stats(1)),
    ("stats 3650", Stats(3650)),
    # posted
    ("posted", PostedForm()),
    ("posted twitter", Posted("twitter")),
    ("posted Twitter", Posted("Twitter")),
    ("posted twitter https://x.org/a", Posted("twitter", url="https://x.org/a")),
    ("posted twitter HTTP://X.org/a", Posted("twitter", url="HTTP://X.org/a")),
    ("posted twitter <https://x.org/a>", Posted("twitter", url="https://x.org/a")),
    (
        "posted twitter <https://x.org/a|x.org/a> story time",
        Posted("twitter", url="https://x.org/a", note="story time"),
    ),
    (
        "posted blog <https://x.org/?a=1&amp;b=2>",
        Posted("blog", url="https://x.org/?a=1&b=2"),
    ),
    ("posted twitter thread about  story time", Posted("twitter", note="thread about  story time")),
    ("posted twitter Sam's great post", Posted("twitter", note="Sam's great post")),
    ('posted twitter "a quoted note"', Posted("twitter", note="a quoted note")),
    ("posted facebook Fish &amp; chips &lt;3", Posted("facebook", note="Fish & chips <3")),
    (
        "posted twitter <mailto:a@b.org|a@b.org> asked",
        Posted("twitter", note="a@b.org asked"),
    ),
    (
        "posted twitter thanks <@U1|sam> and <!here>",
        Posted("twitter", note="thanks @sam and @here"),
    ),
    ('posted "main blog" https://x.org/p', Posted("main blog", url="https://x.org/p")),
    ("posted “main blog”", Posted("main blog")),
    ("posted Ιστολόγιο", Posted("Ιστολόγιο")),
    ("posted blog.main_2-b https://x.org", Posted("blog.main_2-b", url="https://x.org")),
    ("posted twitter " + "x" * 1000, Posted("twitter", note="x" * 1000)),
    # away
    ("away today", AwayAdd(TODAY, TODAY)),
    ("away TODAY", AwayAdd(TODAY, TODAY)),
    ("away tomorrow", AwayAdd(d(17), d(17))),
    ("away wednesday", AwayAdd(TODAY, TODAY)),
    ("away wed", AwayAdd(TODAY, TODAY)),
    ("away fri", AwayAdd(d(18), d(18))),
    ("away Tue", AwayAdd(d(22), d(22))),
    ("away 2026-12-21", AwayAdd(d(21), d(21))),
    ("away 2026-12-21 2026-12-24", AwayAdd(d(21), d(24))),
    ("away mon fri", AwayAdd(d(21), d(25))),
    ("away fri mon", AwayAdd(d(18), d(21))),
    ("away fri fri", AwayAdd(d(18), d(18))),
    ("away mon to fri", AwayAdd(d(21), d(25))),
    ("away 2026-12-21 until 2026-12-24", AwayAdd(d(21), d(24))),
    ("away 2026-12-01 today", AwayAdd(d(1), TODAY)),
    ("away 2026-12-21 2027-12-21", AwayAdd(d(21), d(21, year=2027))),
    ("away list", AwayList()),
    ("away LIST", AwayList()),
    ("away cancel 2", AwayCancel(2)),
    ("away cancel #3", AwayCancel(3)),
    # swap, skip, channels, export, calendar
    ("swap <@U0123ABC|jane>", Swap(JANE)),
    ("swap <@U0123ABC>", Swap(PersonMention("U0123ABC", None))),
    ("swap <@W0123>", Swap(PersonMention("W0123", None))),
    ("swap @jane.doe", Swap(PersonMention(None, "jane.doe"))),
    ('swap "@Jane Doe"', Swap(PersonMention(None, "Jane Doe"))),
    ("skip", Skip()),
    ("SKIP", Skip()),
    ("channels", Channels()),
    ("export", Export()),
    ("calendar", Calendar()),
    ("calendar reset", Calendar(reset=True)),
    ("Calendar RESET", Calendar(reset=True)),
    # channel add
    ("channel add twitter", ChannelAdd("twitter")),
    ("CHANNEL ADD Twitter KIND=Twitter", ChannelAdd("Twitter", kind=ChannelKind.TWITTER)),
    ("channel add x kind=x", ChannelAdd("x", kind=ChannelKind.TWITTER)),
    (
        "channel add bsky kind=bluesky quiet=3d",
        ChannelAdd("bsky", kind=ChannelKind.BLUESKY, quiet=timedelta(days=3)),
    ),
    ("channel add a quiet=3", ChannelAdd("a", quiet=timedelta(days=3))),
    ("channel add a quiet=12h", ChannelAdd("a", quiet=timedelta(hours=12))),
    ("channel add a quiet=2w", ChannelAdd("a", quiet=timedelta(weeks=2))),
    ("channel add a quiet=1.5d", ChannelAdd("a", quiet=timedelta(hours=36))),
    ("channel add a quiet=1h", ChannelAdd("a", quiet=timedelta(hours=1))),
    ("channel add a quiet=365d", ChannelAdd("a", quiet=timedelta(days=365))),
    ('channel add a quiet="4 days"', ChannelAdd("a", quiet=timedelta(days=4))),
    (
        "channel add blog kind=blog feed=https://x.org/feed",
        ChannelAdd("blog", kind=ChannelKind.BLOG, feed="https://x.org/feed"),
    ),
    ("channel add blog feed=<https://x.org/feed>", ChannelAdd("blog", feed="https://x.org/feed")),
    ("channel add blog feed=none", ChannelAdd("blog")),
    (
        "channel add twitter match=<http://x.com/ourlib|x.com/ourlib>",
        ChannelAdd("twitter", match="x.com/ourlib"),
    ),
    ('channel add "main blog" kind=blog', ChannelAdd("main blog", kind=ChannelKind.BLOG)),
    ("channel add ‘main blog’", ChannelAdd("main blog")),
    # channel set and remove
    ("channel set blog quiet=14d", ChannelSet("blog", quiet=timedelta(days=14))),
    ("channel set blog feed=none", ChannelSet("blog", feed="")),
    ("channel set blog match=-", ChannelSet("blog", match="")),
    ("channel set blog name=news", ChannelSet("blog", rename="news")),
    ("channel set blog backfill=90d", ChannelSet("blog", backfill=timedelta(days=90))),
    ("channel set blog backfill=12w", ChannelSet("blog", backfill=timedelta(days=84))),
    ("channel set blog backfill=ALL", ChannelSet("blog", backfill=BACKFILL_ALL)),
    # feed authors
    ("author", FeedAuthor()),
    (
        'author "Jane  Doe" <@U0JANE|jane>',
        FeedAuthor("Jane Doe", PersonMention("U0JANE", "jane")),
    ),
    ("author Web Team @ben", FeedAuthor("Web Team", PersonMention(None, "ben"))),
    ('author "Web Team" none', FeedAuthor("Web Team", None)),
    ('channel set blog name="Main Blog"', ChannelSet("blog", rename="Main Blog")),
    (
        "channel set blog kind=newsletter feed=https://x.org/rss match=x.org/news",
        ChannelSet(
            "blog",
            kind=ChannelKind.NEWSLETTER,
            feed="https://x.org/rss",
            match="x.org/news",
        ),
    ),
    ("channel remove twitter", ChannelRemove("twitter")),
    ('channel remove "main blog"', ChannelRemove("main blog")),
    # stewards and access
    ("steward add twitter <@U0123ABC|jane>", StewardAdd("twitter", JANE)),
    ("steward remove twitter @jane", StewardRemove("twitter", PLAIN_JANE)),
    (
        'access twitter "library password manager → Social → Twitter"',
        Access("twitter", "library password manager → Social → Twitter"),
    ),
    (
        "access twitter Ask Sam; the login is in the red binder",
        Access("twitter", "Ask Sam; the login is in the red binder"),
    ),
    (
        "access instagram 1Password vault 'Outreach'",
        Access("instagram", "1Password vault 'Outreach'"),
    ),
    ("access blog Shared Drive &gt; Outreach", Access("blog", "Shared Drive > Outreach")),
    # rota set
    (
        'rota set shift=week handoff="mon 09:00" tz=Europe/London days=mon-fri hours=09:00-17:00',
        RotaSet(
            shift_days=7,
            handoff_weekday=0,
            handoff_time=time(9, 0),
            timezone="Europe/London",
            working_days=frozenset({0, 1, 2, 3, 4}),
            work_start=time(9, 0),
            work_end=time(17, 0),
        ),
    ),
    ("rota set social media shift=day", RotaSet(rota="social media", shift_days=1)),
    ('rota set "social media" shift=3d', RotaSet(rota="social media", shift_days=3)),
    ("rota set shift=10", RotaSet(shift_days=10)),
    ("rota set shift=2w", RotaSet(shift_days=14)),
    ("rota set shift=28d", RotaSet(shift_days=28)),
    ("rota set handoff=mon", RotaSet(handoff_weekday=0)),
    ("rota set handoff=9am", RotaSet(handoff_time=time(9, 0))),
    ("rota set handoff=“Friday 5pm”", RotaSet(handoff_weekday=4, handoff_time=time(17, 0))),
    ("rota set handoff=tue 9:30", RotaSet(handoff_weekday=1, handoff_time=time(9, 30))),
    ("rota set handoff='sun 12am'", RotaSet(handoff_weekday=6, handoff_time=time(0, 0))),
    ("rota set handoff=12pm", RotaSet(handoff_time=time(12, 0))),
    ("rota set tz=UTC", RotaSet(timezone="UTC")),
    ("rota set tz=europe/london", RotaSet(timezone="Europe/London")),
    ("rota set timezone=America/New_York", RotaSet(timezone="America/New_York")),
    ("rota set days=mon,wed,fri", RotaSet(working_days=frozenset({0, 2, 4}))),
    ("rota set days=mon-wed,fri", RotaSet(working_days=frozenset({0, 1, 2, 4}))),
    ("rota set days=sat-mon", RotaSet(working_days=frozenset({5, 6, 0}))),
    ("rota set days=Tuesday", RotaSet(working_days=frozenset({1}))),
    ("rota set days=weekdays", RotaSet(working_days=frozenset(range(5)))),
    ("rota set hours=9am-5pm", RotaSet(work_start=time(9, 0), work_end=time(17, 0))),
    ('rota set hours="8:30 - 17:30"', RotaSet(work_start=time(8, 30), work_end=time(17, 30))),
    # closures
    ("closure add 2026-12-24", ClosureAdd(d(24), d(24))),
    (
        "closure add 2026-12-24 2026-12-26 Christmas",
        ClosureAdd(d(24), d(26), "Christmas"),
    ),
    (
        "closure add 2026-12-24 to 2026-12-26 Christmas Eve to Boxing Day",
        ClosureAdd(d(24), d(26), "Christmas Eve to Boxing Day"),
    ),
    ("closure add friday Staff training", ClosureAdd(d(18), d(18), "Staff training")),
    ("closure add 2026-01-01 New Year", ClosureAdd(d(1, 1), d(1, 1), "New Year")),
    ("closure holidays GB", ClosureHolidays("GB")),
    ("closure holidays us-ca", ClosureHolidays("US", "CA")),
    ("closure holidays GB ENG", ClosureHolidays("GB", "ENG")),
    ("closure holidays deu", ClosureHolidays("DEU")),
    ("closure list", ClosureList()),
    ("closure remove 1", ClosureRemove(1)),
    # roles and the digest
    ("role <@U0123ABC|jane> coordinator", RoleSet(JANE, Role.COORDINATOR)),
    ("role @jane DIRECTOR", RoleSet(PLAIN_JANE, Role.DIRECTOR)),
    ("role member @jane", RoleSet(PLAIN_JANE, Role.MEMBER)),
    ("digest preview", DigestPreview()),
    ("digest send", DigestSend()),
    ("digest to <#C0123|outreach>", DigestTo(chat_channel_id="C0123")),
    ("digest to <#C0123>", DigestTo(chat_channel_id="C0123")),
    ("digest to <@U0123ABC|jane>", DigestTo(person=JANE)),
    ("digest to @jane", DigestTo(person=PLAIN_JANE)),
    ("digest to directors", DigestTo()),
    ("digest to none", DigestTo()),
    ("digest at fri 15:00", DigestAt(4, time(15, 0))),
    ("digest at Monday 9am", DigestAt(0, time(9, 0))),
    ("digest at 16:30", DigestAt(None, time(16, 30))),
    ("digest at thu", DigestAt(3, None)),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parses_command_when_text_is_valid(text: str, expected: c.Command) -> None:
    assert parse(text) == expected


ERRORS: list[tuple[str, str]] = [
    # unknown words
    ("jion", "I don't know the word `jion`. Did you mean `join`?"),
    ("frobnicate", "Send `/duty help`"),
    ("vacation", "Did you mean `away`?"),
    ("chanel add blog", "Did you mean `channel`?"),
    # arguments where none belong
    ("skip now please", "`skip` takes no arguments"),
    ("channels all", "`channels` takes no arguments"),
    ("export csv", "`export` takes no arguments"),
    ("away list all", "`away list` takes no arguments"),
    ("closure list 2026", "`closure list` takes no arguments"),
    ("digest send now", "`digest send` takes no arguments"),
    ("calendar reset please", "`calendar reset` takes no arguments"),
    ("calendar now", "only takes `reset`"),
    # numbers
    ("schedule 0", "from 1 to 52"),
    ("schedule 53", "from 1 to 52"),
    ("schedule ten", "`ten` isn't a number"),
    ("schedule ٣", "isn't a number"),
    ("schedule 5 6", "I didn't expect `6`"),
    ("stats 0", "from 1 to 3650"),
    ("stats 3651", "from 1 to 3650"),
    ("stats " + "9" * 5000, "isn't a number"),
    # posted
    ("posted https://x.org/a", "Start with the outreach channel's name"),
    ("posted #twitter", "without `#`"),
    ("posted tw!tter", "isn't a name I can use"),
    ("posted " + "a" * 41, "keep channel names to 40"),
    ("posted twitter " + "x" * 1001, "keep it to 1000"),
    # away
    ("away", "first day you're away"),
    ("away someday", "I couldn't read `someday` as a date"),
    ("away someday", "2026-12-21"),
    ("away tommorow", "Did you mean `tomorrow`?"),
    ("away 2026-02-30", "isn't a real date"),
    ("away 21/12/2026", "Use a date like `2026-12-21`"),
    ("away 20261221", "couldn't read"),
    ("away 2026-12-24 2026-12-21", "is before the first"),
    ("away fri 2026-12-17", "is before the first"),
    ("away 2026-12-01", "already past"),
    ("away 2026-12-01 2026-12-15", "already past"),
    ("away 2026-12-21 2027-12-22", "367 days"),
    ("away mon to", "Tell me the last day too"),
    ("away mon frob", "couldn't read `frob`"),
    ("away mon tue wed", "I didn't expect `wed`"),
    ("away lsit", "Did you mean `away list`?"),
    ("away cancel", "by its number"),
    ("away cancel 0", "isn't a number"),
    ("away cancel two", "isn't a number"),
    ("away cancel 1 2", "I didn't expect `2`"),
    # people
    ("swap", "Tell me who to swap with"),
    ("swap jane", "Mention someone with @, like `@jane`."),
    ("swap <!channel>", "Mention someone with @"),
    ("swap @", "Mention someone with @"),
    ("swap <#C0123|outreach>", "Mention someone with @"),
    ("swap @jane @sam", "I didn't expect `@sam`"),
    # channel
    ("channel", "`channel` needs one more word: `add`, `set` or `remove`"),
    ("channel frob", "I don't know `channel frob`"),
    ("channel ad twitter", "Did you mean `channel add`?"),
    ("channel add", "Start with the outreach channel's name"),
    ("channel add kind=blog", "Start with the outreach channel's name"),
    ("channel add main blog kind=blog", 'a name with spaces needs quotes, like `"main blog"`'),
    ("channel add twitter kind=myspace", "Use one of: twitter, bluesky, mastodon"),
    ("channel add twitter colour=red", "I don't know the setting `colour`"),
    ("channel add twitter colour=red", "`kind`, `quiet`, `feed` or `match`"),
    ("channel add twitter qiet=3d", "Did you mean `quiet`?"),
    (
        "channel add twitter quiet=abc",
        "`quiet=abc` isn't a duration. Use a number of days like `quiet=3d`, "
        "or hours like `quiet=12h`.",
    ),
    ("channel add twitter quiet=30m", "isn't a duration"),
    ("channel add twitter quiet=0h", "between 1 hour and 365 days"),
    ("channel add twitter quiet=366d", "between 1 hour and 365 days"),
    ("channel add twitter quiet=9999999d", "isn't a duration"),
    ("channel add twitter feed=ftp://x.org/feed", "isn't a web address"),
    ("channel add twitter feed=<mailto:a@b.org>", "isn't a web address"),
    ("channel add twitter feed=https://", "isn't a web address"),
    ("channel add twitter quiet=3d quiet=4d", "You gave `quiet` twice"),
    ("channel add twitter kind=", "`kind=` needs a value"),
    ("channel add twitter match=" + "x" * 201, "between 1 and 200 characters"),
    ("channel add tw!tter", "isn't a name I can use"),
    ('channel add "main blog kind=blog', "isn't a name I can use"),
    ("channel set blog", "Tell me what to change"),
    ("channel set blog name=a/b", "isn't a name I can use"),
    ("channel set blog backfill=12h", "isn't a number of days"),
    ("channel set blog backfill=soon", "isn't a number of days"),
    ("channel set blog backfill=9999d", "between 1 day and 10 years"),
    ('author "Jane Doe"', "Tell me the name as the feed gives it and the person"),
    ('author "Jane Doe" jane', "I need a person where you wrote `jane`"),
    ('author "" @jane', "Keep the author's name between 1 and 200 characters"),
    ("channel remove", "Tell me which outreach channel"),
    ("channel remove a b", "I didn't expect `b`"),
    # stewards and access
    ("steward", "`add` or `remove`"),
    ("steward add twitter", "the outreach channel and the person"),
    ("steward add twitter jane", "Mention someone with @"),
    ("steward add twitter @jane @sam", "I didn't expect `@sam`"),
    ("access", "where its login lives"),
    ("access twitter", "where the login for twitter lives"),
    ("access twitter password: hunter2", "never keeps passwords"),
    ("access twitter pw=hunter2", "where the login lives"),
    ("access twitter xoxb-1234567890-abcdefghijkl", "a Slack token"),
    ("access twitter <https://jane:s3cret@vault.example.org|the vault>", "never keeps"),
    ("access twitter " + "word " * 101, "keep it to 500"),
    # rota
    ("rota", "`rota` needs one more word: `set`"),
    ("rota set", "Tell me what to change"),
    ("rota set social media", "Tell me what to change"),
    ("rota set a/b shift=week", "isn't a rota name"),
    ("rota set shift=fortnightlyish", "isn't a shift length"),
    ("rota set shift=29d", "from 1 to 28"),
    ("rota set shift=0", "from 1 to 28"),
    ("rota set handoff=someday", "isn't a handoff I understand"),
    ('rota set handoff="mon 25:00"', "isn't a handoff I understand"),
    ('rota set handoff="09:00 mon"', "isn't a handoff I understand"),
    ("rota set tz=Mars/Olympus", "isn't a timezone I know. Use a name like `Europe/London`"),
    ("rota set tz=Europe/Londn", "Did you mean `Europe/London`?"),
    ("rota set tz=../etc", "Europe/London"),
    ("rota set tz=/etc/passwd", "isn't a timezone"),
    ("rota set tz=Europe", "isn't a timezone"),
    ("rota set tz=Europe/London\x00", "isn't a timezone"),
    ("rota set days=funday", "isn't a set of days"),
    ("rota set days=mon-", "isn't a set of days"),
    ("rota set days=mon,,fri", "isn't a set of days"),
    ("rota set hours=17:00-09:00", "must start before it ends"),
    ("rota set hours=9:00-9:00", "must start before it ends"),
    ("rota set hours=9", "isn't a range of hours"),
    ("rota set hours=13pm-5pm", "isn't a range of hours"),
    ("rota set hours=9:60-17:00", "isn't a range of hours"),
    ("rota set colour=red", "I don't know the setting `colour`"),
    ("rota set tz=UTC timezone=UTC", "You gave `tz` twice"),
    # closures
    ("closure", "`add`, `holidays`, `list` or `remove`"),
    ("closure add", "first day the library is closed"),
    ("closure add someday", "couldn't read `someday`"),
    ("closure add 2026-12-26 2026-12-24", "is before the first"),
    ("closure add 2026-01-01 2027-01-02", "367 days"),
    ("closure add 2026-12-24 " + "x" * 201, "keep it to 200"),
    ("closure holidays", "country code like `GB`"),
    ("closure holidays Britain", "`Britain` isn't a country code"),
    ("closure holidays G", "isn't a country code"),
    ("closure holidays US CA LA", "isn't a country code"),
    ("closure remove", "by its number in `/duty closure list`"),
    ("closure remove x", "isn't a number"),
    # roles
    ("role", "Tell me who and which role"),
    ("role @jane", "Tell me who and which role"),
    ("role @jane boss", "`boss` isn't a role. Use `member`, `coordinator` or `director`."),
    ("role jane coordinator", "Mention someone with @"),
    ("role @jane coordinator now", "I didn't expect `now`"),
    # digest
    ("digest", "`preview`, `send`, `to` or `at`"),
    ("digest at", "Tell me when it goes"),
    ("digest at someday", "`someday` isn't a time I understand"),
    ("digest at fri 25:00", "isn't a time I understand"),
    ("digest at fri 15:00 weekly", "isn't a time I understand"),
    ("digest to", "Tell me where it goes"),
    ("digest to #outreach", "autocomplete"),
    ("digest to outreach", "isn't a chat channel or a person"),
    # mistaken meanings
    ("leave friday", "For time off, use `/duty away friday`"),
    ("join a/b", "isn't a rota name"),
]


@pytest.mark.parametrize(("text", "phrase"), ERRORS)
def test_explains_mistake_when_text_is_invalid(text: str, phrase: str) -> None:
    assert phrase in error_for(text).message


@pytest.mark.parametrize(
    ("text", "usage_key"),
    [
        ("away someday", "away"),
        ("away cancel x", "away cancel"),
        ("skip now", "skip"),
        ("channel add", "channel add"),
        ("channel set blog", "channel set"),
        ("channel frob", "channel"),
        ("rota set", "rota set"),
        ("closure holidays", "closure holidays"),
        ("access twitter password: hunter2", "access"),
        ("jion", "join"),
        ("chanel", "channel"),
    ],
)
def test_error_carries_usage_of_command_when_text_is_invalid(text: str, usage_key: str) -> None:
    assert error_for(text).usage == USAGE[usage_key]


def test_error_has_no_usage_when_word_is_unknown_and_unlike_any_command() -> None:
    assert error_for("xyzzy").usage is None


def test_away_usage_reads_as_specified_when_shown_in_an_error() -> None:
    assert USAGE["away"] == (
        "`/duty away <from> [to]` — dates like 2026-12-21, today, tomorrow, friday"
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("mon", d(21)),
        ("monday", d(21)),
        ("Tue", d(22)),
        ("tues", d(22)),
        ("wed", TODAY),
        ("Wednesday", TODAY),
        ("thu", d(17)),
        ("thurs", d(17)),
        ("fri", d(18)),
        ("sat", d(19)),
        ("sunday", d(20)),
    ],
)
def test_weekday_means_next_such_day_when_given_as_first_day(word: str, expected: date) -> None:
    assert parse(f"away {word}") == AwayAdd(expected, expected)


def test_weekday_counts_from_first_day_when_given_as_last_day() -> None:
    assert parse("away 2026-12-24 wed") == AwayAdd(d(24), d(30))


@pytest.mark.parametrize("text", ["away tomorrow", "away sat", "closure add tomorrow"])
def test_refuses_gently_when_date_is_beyond_the_calendar(text: str) -> None:
    result = parse_command(text, date.max)
    assert isinstance(result, CommandError)


def test_keeps_past_days_when_closure_is_in_the_past() -> None:
    assert parse("closure add 2025-12-24 2025-12-26") == ClosureAdd(
        d(24, year=2025), d(26, year=2025)
    )


def test_quotes_echoed_text_safely_when_error_repeats_long_input() -> None:
    message = error_for("x`y" * 5000).message
    assert len(message) < 200
    assert "x'y" in message


def test_names_keep_their_case_when_parsed() -> None:
    assert parse("channel remove MainBlog") == ChannelRemove("MainBlog")


def test_person_name_is_unescaped_when_slack_escaped_it() -> None:
    assert parse("swap <@U1|sam &amp; co>") == Swap(PersonMention("U1", "sam & co"))


def test_note_drops_control_characters_when_text_has_them() -> None:
    assert parse("posted blog a\x00b\x07c\nd") == Posted("blog", note="abc\nd")


# ---------------------------------------------------------------------------------------
# Never raises

INPUT_WORDS = sorted({key.split()[0] for key in USAGE} | set(USAGE) | {"duty", "?", "help"})
PIECES = [
    "2026-12-21",
    "today",
    "tomorrow",
    "fri",
    "to",
    "<@U1|x>",
    "<#C1|y>",
    "@jane",
    '"',
    "'",
    "“",
    "”",
    "=",
    "kind=",
    "quiet=",
    "feed=",
    "match=",
    "name=",
    "shift=",
    "handoff=",
    "tz=",
    "days=",
    "hours=",
    "<",
    ">",
    "<https://a.b/c|c>",
    "&amp;",
    "none",
    "mon-fri",
    "9am",
    "Europe/London",
    "password: x",
]


@settings(deadline=None)
@given(st.text(), st.dates())
def test_returns_command_or_error_when_text_is_arbitrary(text: str, today: date) -> None:
    result = parse_command(text, today)
    assert isinstance(result, (*COMMAND_TYPES, CommandError))
    if isinstance(result, CommandError):
        assert result.message
        assert len(result.message) < 600


@settings(deadline=None)
@given(
    st.sampled_from(INPUT_WORDS),
    st.lists(
        st.one_of(
            st.sampled_from(PIECES),
            st.text(st.characters(exclude_categories=()), max_size=12),
        ),
        max_size=8,
    ),
    st.sampled_from([" ", "", "\t", "\u00a0"]),
    st.dates(),
)
def test_returns_command_or_error_when_command_word_has_arbitrary_arguments(
    word: str, pieces: list[str], separator: str, today: date
) -> None:
    text = word + " " + separator.join(pieces)
    assert isinstance(parse_command(text, today), (*COMMAND_TYPES, CommandError))


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "posted twitter " + "é" * 10_000,
        "😀" * 2_500,
        "posted блог مرحبا بالعالم שלום עולם",
        "\u202eyalp\u202c skip",
        "\x00\x01\x02\x1b[31m join",
        '"=' * 5_000,
        '="' * 5_000,
        "<a " * 3_000,
        "channel add x " + "kind=" * 2_000,
        "rota set tz=" + "a/" * 3_000,
        "away " + "9" * 10_000,
        "posted \ud800 \udfff",
        "'" * 10_000,
        "channel set " + "“" * 5_000,
    ],
)
def test_returns_command_or_error_when_text_is_hostile(text: str) -> None:
    assert isinstance(parse(text), (*COMMAND_TYPES, CommandError))


# ---------------------------------------------------------------------------------------
# Commands themselves, usage and help


def test_command_is_immutable_when_constructed() -> None:
    command = Posted("twitter")
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.channel = "blog"  # type: ignore[misc]
    assert not hasattr(command, "__dict__")


def test_command_union_lists_every_command_when_inspected() -> None:
    assert Help in COMMAND_TYPES
    assert DigestTo in COMMAND_TYPES
    assert DigestAt in COMMAND_TYPES
    assert FeedAuthor in COMMAND_TYPES
    assert len(COMMAND_TYPES) == 33


def test_coordinator_commands_exclude_everyones_commands_when_listed() -> None:
    assert ChannelAdd in COORDINATOR_COMMANDS
    assert RoleSet in COORDINATOR_COMMANDS
    assert ClosureList not in COORDINATOR_COMMANDS
    assert Join not in COORDINATOR_COMMANDS
    assert not set(COORDINATOR_COMMANDS) & set(DIRECTOR_COMMANDS)


def test_directors_may_see_stats_and_export_when_listed() -> None:
    assert set(DIRECTOR_COMMANDS) == {Stats, Export}


@pytest.mark.parametrize(
    "key",
    [
        "help",
        "join",
        "leave",
        "who",
        "schedule",
        "posted",
        "away",
        "away list",
        "away cancel",
        "swap",
        "skip",
        "channels",
        "stats",
        "calendar",
        "channel add",
        "channel set",
        "channel remove",
        "steward add",
        "steward remove",
        "access",
        "rota set",
        "closure add",
        "closure holidays",
        "closure list",
        "closure remove",
        "role",
        "digest preview",
        "digest send",
        "digest to",
        "digest at",
        "export",
    ],
)
def test_usage_names_the_command_when_looked_up(key: str) -> None:
    assert USAGE[key].startswith(f"`/duty {key}")


@pytest.mark.parametrize("coordinator", [True, False])
def test_help_is_grouped_by_role_when_shown(coordinator: bool) -> None:
    text = help_text(coordinator)
    assert "*Everyone*" in text
    assert "*Coordinators*" in text
    assert ("*Coordinators and directors*" if coordinator else "*Directors*") in text
    assert "`/duty join [rota]`" in text
    assert "```" not in text
    assert all(line.count("`") % 2 == 0 for line in text.splitlines())


def test_help_lists_coordinator_commands_when_asked_by_coordinator() -> None:
    assert "`/duty channel add" in help_text(coordinator=True)
    assert "`/duty role @person" in help_text(coordinator=True)


def test_help_leaves_out_coordinator_commands_when_asked_by_member() -> None:
    text = help_text(coordinator=False)
    assert "`/duty channel add" not in text
    assert "`/duty closure list`" in text
    assert "`/duty export`" not in text


def test_help_shows_director_commands_when_asked_by_a_director() -> None:
    text = help_text(coordinator=False, director=True)
    assert "`/duty stats [days]`" in text
    assert "`/duty channel add" not in text


def test_help_leaves_out_hidden_commands_when_the_installation_does_not_offer_them() -> None:
    text = help_text(coordinator=True, hidden=frozenset({"swap", "export"}))
    assert "`/duty swap" not in text and "`/duty export" not in text
    assert "`/duty skip`" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("away 9999-12-31", "too far ahead"),
        ("away 2029-01-01", "too far ahead"),
        ("closure add 2020-01-01", "too long ago"),
    ],
)
def test_dates_are_refused_when_further_than_two_years_from_today(text: str, expected: str) -> None:
    result = parse_command(text, date(2026, 11, 30))
    assert isinstance(result, CommandError)
    assert expected in result.message


def test_date_two_years_ahead_is_accepted_when_planning_far_out() -> None:
    assert parse_command("away 2028-11-29", date(2026, 11, 30)) == AwayAdd(
        date(2028, 11, 29), date(2028, 11, 29)
    )
