"""A month in the life of a library, as its staff see it in Slack (§4–§6).

Monday 30 November to Monday 28 December 2026, in London (UTC in winter). Ada is the
coordinator, Eve the director who reads the Friday digests; Ben, Cat and Dan take weekly
turns on the *social media* rota, handing over on Mondays at 09:00. Twitter goes quiet
after 2 days without a post, the blog after 14.

`Library.walk_to` plays the scheduler: every day, weekends included, at 09:05, 11:00 and
15:00 it runs the handoff, quiet-check and digest jobs at that moment and files each
message they send under the job and the moment. Staff act between the stops. Every figure
a digest shows is worked out here from the posts, presses, shifts and reminders of the
story itself, never copied from Baton.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes import message_text
from tests.handlers.conftest import START, SlackWorld
from tests.handlers.staff import now_line, staff

LONDON = ZoneInfo("Europe/London")
STOPS = (time(9, 5), time(11, 0), time(15, 0))
JOBS = ("handoff", "quiet-check", "digest")
ADA, BEN, CAT, DAN, EVE = "U0ADA", "U0BEN", "U0CAT", "U0DAN", "U0EVE"
NAMES = {ADA: "ada", BEN: "ben", CAT: "cat", DAN: "dan", EVE: "eve"}
MEMBERS = (BEN, CAT, DAN)
QUIET_AFTER = {"Blog": timedelta(days=14), "Twitter": timedelta(days=2)}
WEEK = timedelta(days=7)
RECENT = timedelta(days=90)
BARS = "▁▂▃▄▅▆▇█"


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    """A London wall-clock moment, in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def when(moment: datetime) -> str:
    """A moment as Baton writes it: `Mon 7 Dec 09:00`."""
    local = moment.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural_noun or noun + 's'}"


def local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


# The rota as the story leaves it: Ben joins first and is on duty at once; Dan's swap with
# Ben brings Ben's second turn forward; Dan holds the week the library is closed.
ROTA = (
    (START, at(12, 7, 9), BEN),
    (at(12, 7, 9), at(12, 14, 9), CAT),
    (at(12, 14, 9), at(12, 21, 9), BEN),
    (at(12, 21, 9), at(12, 28, 9), DAN),
    (at(12, 28, 9), at(1, 4, 9, year=2027), CAT),
)
CLOSED = (date(2026, 12, 21), date(2026, 12, 25))


@dataclass(frozen=True)
class Sent:
    """One message Baton sent: when, by which job (or `chat`, for what people did), to whom."""

    at: datetime
    by: str
    to: str
    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class Post:
    at: datetime
    channel: str
    author: str


@dataclass
class Library:
    """The story's own record of what happened, and the scheduler that drives Baton."""

    slack: SlackWorld
    sent: list[Sent] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    answers: list[tuple[datetime, str]] = field(default_factory=list)
    """Each moment a channel's reminders were answered: a post, or a button pressed."""
    _filed: int = 0

    # -- driving it ------------------------------------------------------------------------

    def file(self, by: str) -> list[Sent]:
        """File the messages sent since the last look, as sent now by `by`."""
        calls = self.slack.fake.calls
        new = [
            Sent(
                self.slack.clock.now(),
                by,
                str(call.params.get("channel")),
                message_text(call.params),
                list(call.params.get("blocks") or []),
            )
            for call in calls[self._filed :]
            if call.method == "chat.postMessage"
        ]
        self._filed = len(calls)
        self.sent += new
        return new

    async def walk_to(self, moment: datetime) -> None:
        """Be the scheduler until `moment`: each job at each stop of each day, in order."""
        assert moment >= self.slack.clock.now()
        self.file("chat")
        day = local_day(self.slack.clock.now())
        while True:
            for stop in STOPS:
                tick = datetime.combine(day, stop, tzinfo=LONDON).astimezone(UTC)
                if tick <= self.slack.clock.now():
                    continue
                if tick > moment:
                    self.slack.clock.set(moment)
                    return
                self.slack.clock.set(tick)
                for job in JOBS:
                    await self.slack.run_job(job)
                    self.file(job)
            day += timedelta(days=1)

    async def duty(self, user: str, text: str) -> str:
        reply = await self.slack.duty(user, text)
        self.file("chat")
        return reply

    async def posted(self, user: str, channel: str, url: str, note: str) -> str:
        reply = await self.duty(user, f"posted {channel} {url} {note}")
        assert f"Recorded your post on *{channel}*. Thank you!" in reply
        self.record(user, channel)
        return reply

    def record(self, user: str, channel: str) -> None:
        now = self.slack.clock.now()
        self.posts.append(Post(now, channel, user))
        self.answers.append((now, channel))

    async def press(self, user: str, message: Sent, label: str, channels: list[str]) -> str:
        """Press a button on a message; `channels` are the reminders it answers."""
        key = await self.slack.press(user, message.blocks, label)
        self.answers += [(self.slack.clock.now(), channel) for channel in channels]
        answer = await self.slack.answer(key)
        self.file("chat")
        return answer

    # -- reading what people received --------------------------------------------------------

    def to(self, user: str, by: str | None = None, containing: str = "") -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.to == user and (by is None or s.by == by) and containing in s.text
        ]

    def reminders(self, user: str | None = None) -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.by == "quiet-check" and "gone quiet" in s.text and (user is None or s.to == user)
        ]

    def sent_on(self, first: date, last: date) -> list[Sent]:
        return [s for s in self.sent if first <= local_day(s.at) <= last]

    # -- what the records say ------------------------------------------------------------------

    def last_post(self, channel: str, before: datetime) -> datetime:
        return max(p.at for p in self.posts if p.channel == channel and p.at < before)

    def channel_line(self, channel: str, now: datetime) -> str:
        """How a handoff or a reminder shows a channel: `*Twitter*: last post 2 days ago`."""
        days = (now - self.last_post(channel, now)).days
        return f"*{channel}*: last post {plural(days, 'day')} ago"

    def count(self, start: datetime, end: datetime, channel: str | None = None) -> int:
        return sum(
            start <= p.at < end and (channel is None or p.channel == channel) for p in self.posts
        )

    def digest_pattern(self, end: datetime) -> str:
        """The whole digest Eve should get at `end`, as a regular expression (only each
        trend's bar heights are left to Baton; which weeks are empty is not)."""
        start = end - WEEK
        lines: list[str] = []

        def exactly(line: str) -> None:
            lines.append(re.escape(line))

        first, last = start.astimezone(LONDON), end.astimezone(LONDON)
        exactly(
            f"Weekly digest: {first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b %Y}"
        )
        recent = [p for p in self.posts if end - RECENT <= p.at < end]
        posters = {p.author for p in recent}
        exactly(
            f"{plural(self.count(start, end), 'post')} this week on 2 outreach channels; "
            f"{plural(len(posters), 'person', 'different people')} posted in the last 90 days."
        )

        exactly("*Outreach channels*")
        for channel, quiet_after in QUIET_AFTER.items():
            weekly = [
                self.count(end - (k + 1) * WEEK, end - k * WEEK, channel) for k in range(11, -1, -1)
            ]
            this_week, before = weekly[-1], sum(weekly[-5:-1])
            trend = (
                "up from a"
                if this_week * 4 > before
                else "down from a"
                if this_week * 4 < before
                else "level with the"
            )
            average = f"{before / 4:.2f}".rstrip("0").rstrip(".")
            silence = end - self.last_post(channel, end)
            quiet = " (quiet)" if silence > quiet_after else ""
            bars = "".join("·" if n == 0 else f"[{BARS}]" for n in weekly)
            lines.append(
                re.escape(
                    f"• *{channel}*: {plural(this_week, 'post')} this week, {trend} "
                    f"4-week average of {average}; 12 weeks `"
                )
                + bars
                + re.escape(f"`; {plural(silence.days, 'day')} since the last post{quiet}")
            )

        exactly("*People*")
        shifts = Counter(person for begins, _, person in ROTA if start <= begins < end)
        authors = Counter(p.author for p in self.posts if start <= p.at < end)
        involved = set(MEMBERS) | set(authors) | set(shifts)
        for person in sorted(involved, key=lambda u: (-authors[u], -shifts[u], NAMES[u])):
            exactly(
                f"• <@{person}>: {plural(authors[person], 'post')}, "
                f"{plural(shifts[person], 'shift')} served"
            )

        exactly("*Continuity*")
        for channel in QUIET_AFTER:
            on_it = Counter(p.author for p in recent if p.channel == channel)
            total = sum(on_it.values())
            if total >= 5:
                (top, made), *_ = on_it.most_common(1)
                if made * 100 > total * 70:
                    exactly(
                        f"• <@{top}> made {made} of the {total} posts on *{channel}* "
                        "in the last 90 days."
                    )
            if channel == "Blog":  # Ada alone has the blog's login
                exactly(
                    "• *Blog* has 1 steward; two or more keep it going when someone is away: "
                    "`/duty steward add Blog @person`."
                )

        exactly("*Reminders*")
        reminded = [
            (s.at, channel)
            for s in self.reminders()
            if start <= s.at < end
            for channel in re.findall(r"\*(\w+)\*: last post", s.text)
        ]
        acted_on = [
            (sent, channel)
            for sent, channel in reminded
            if any(ch == channel and sent < moment < end for moment, ch in self.answers)
        ]
        exactly(f"{plural(len(reminded), 'reminder')} sent this week, {len(acted_on)} acted on.")

        exactly("*On duty next*")
        for begins, ends, person in ROTA:
            if begins < end + WEEK and ends > end:
                exactly(f"• <@{person}>, {when(begins)} – {when(ends)}")
        return "\n".join(lines)

    def check_digest(self, end: datetime) -> str:
        """Eve, and nobody else, got this week's digest once, at its moment, as recorded."""
        digests = [s for s in self.sent if s.text.startswith("Weekly digest")]
        assert [(s.at, s.to, s.by) for s in digests if s.at > end - WEEK] == [(end, EVE, "digest")]
        (digest,) = (s.text for s in digests if s.at == end)
        assert re.fullmatch(self.digest_pattern(end), digest), digest
        return digest

    def check_handoff(
        self, moment: datetime, on: str, off: str, until: datetime, shift_start: datetime
    ) -> None:
        """The new person is told once, with each channel's silence; the last one thanked."""
        handoffs = [s for s in self.sent if s.by == "handoff" and s.at == moment]
        assert sorted(s.to for s in handoffs) == sorted([on, off])
        (welcome,) = (s for s in handoffs if s.to == on)
        assert f"You're on duty for the *social media* rota until {when(until)}." in welcome.text
        for channel in QUIET_AFTER:
            assert self.channel_line(channel, moment) in welcome.text
        (thanks,) = (s for s in handoffs if s.to == off)
        tally = sum(p.author == off and p.at >= shift_start for p in self.posts)
        assert thanks.text == (
            "Thank you for your shift on *social media*! "
            f"You recorded {plural(tally, 'post')}. You're off duty now; "
            "`/duty who` shows who has it."
        )


async def test_month_in_the_life_of_a_library_when_baton_runs_by_itself(
    slack: SlackWorld,
) -> None:
    lib = Library(slack)

    # -- Monday 30 November, 10:00: Ada sets Baton up, and the staff opt in. ----------------
    staff(slack)
    slack.add_user(EVE, "eve")
    await lib.duty(ADA, "channel add Twitter kind=twitter")
    await lib.duty(ADA, "channel add Blog kind=blog")
    for steward, channel in ((BEN, "Twitter"), (CAT, "Twitter"), (ADA, "Blog")):
        await lib.duty(ADA, f"steward add {channel} <@{steward}|{NAMES[steward]}>")
    await lib.duty(ADA, f"role <@{EVE}|eve> director")
    assert "Nobody was on duty, so you are, from now until Mon 7 Dec 09:00" in await lib.duty(
        BEN, "join"
    )
    assert "Your first shift: Mon 7 Dec 09:00" in await lib.duty(CAT, "join")
    assert "Your first shift: Mon 14 Dec 09:00" in await lib.duty(DAN, "join")

    await lib.walk_to(at(11, 30, 10, 30))
    await lib.posted(BEN, "Twitter", "https://x.com/library/status/1", "December opening hours")
    await lib.walk_to(at(11, 30, 10, 40))
    await lib.posted(ADA, "Blog", "https://library.example.org/blog/advent", "Advent talks")

    # -- Week 1, Ben on duty. Twitter goes quiet on Wednesday and Ben lets it be. ----------
    await lib.walk_to(at(12, 4, 9, 30))
    assert [s.at for s in lib.reminders()] == [at(12, 2, 11), at(12, 3, 9, 5), at(12, 4, 9, 5)]
    for reminder in lib.reminders():
        assert reminder.to == BEN
        assert "You're on duty, and these outreach channels have gone quiet" in reminder.text
        assert lib.channel_line("Twitter", reminder.at) in reminder.text
        assert "*Blog*" not in reminder.text
    # After two unanswered reminders, the coordinator hears of it with the third; Eve doesn't.
    (escalation,) = (s for s in lib.sent if "unanswered" in s.text)
    assert (escalation.at, escalation.to, escalation.by) == (at(12, 4, 9, 5), ADA, "quiet-check")
    assert escalation.text == (
        "*Twitter* has had no post for 3 days, and 2 reminders to <@U0BEN> went unanswered. "
        "Could you help find someone to post?"
    )

    await lib.walk_to(at(12, 4, 10))
    reply = await lib.posted(BEN, "Twitter", "https://x.com/library/status/2", "Advent calendar")
    assert "It had been quiet for 3 days: that's the quiet spell over." in reply
    await lib.walk_to(at(12, 4, 15))
    lib.check_digest(at(12, 4, 15))
    assert len(lib.reminders()) == 3  # the post ended the spell: nothing more on Friday

    # -- Week 2, Cat on duty. She snoozes Monday's reminder, then logs a post from Tuesday's.
    await lib.walk_to(at(12, 7, 9, 5))
    lib.check_handoff(at(12, 7, 9, 5), on=CAT, off=BEN, until=at(12, 14, 9), shift_start=START)
    (monday,) = lib.reminders(CAT)
    assert monday.at == at(12, 7, 9, 5)
    assert lib.channel_line("Twitter", monday.at) in monday.text

    await lib.walk_to(at(12, 7, 14))
    answer = await lib.press(CAT, monday, "Snooze 1 day", ["Twitter"])
    assert answer == "Snoozed: no reminders about Twitter until Tue 8 Dec 14:00."
    await lib.walk_to(at(12, 8, 15, 30))
    # Tuesday's 09:05 and 11:00 checks held it; it came at 15:00, once the day was up.
    assert [s.at for s in lib.reminders(CAT)] == [at(12, 7, 9, 5), at(12, 8, 15)]
    tuesday = lib.reminders(CAT)[-1]

    key = await slack.press(CAT, tuesday.blocks, "Log a post")
    lib.answers.append((slack.clock.now(), "Twitter"))
    view = await slack.opened_form(key)
    chosen = view["blocks"][0]["element"]["initial_option"]
    assert chosen["text"]["text"] == "Twitter"
    url = "https://x.com/library/status/3"
    values = {"channel": chosen["value"], "url": url, "note": "Gingerbread workshop"}
    assert await slack.submit(CAT, view, values) == {}
    lib.record(CAT, "Twitter")
    await slack.fake.wait_for(lambda _calls: any("Recorded your post" in m for m in slack.dms(CAT)))
    (recorded,) = [s for s in lib.file("chat") if s.to == CAT]
    assert "It had been quiet for 4 days: that's the quiet spell over." in recorded.text

    # Wednesday: Dan asks Ben to swap; Ben accepts with the button.
    await lib.walk_to(at(12, 9, 10))
    reply = await lib.duty(DAN, "swap <@U0BEN|ben>")
    assert (
        "Asked <@U0BEN> to take your shift Mon 14 Dec 09:00 – Mon 21 Dec 09:00 in exchange "
        "for theirs, Mon 21 Dec 09:00 – Mon 28 Dec 09:00." in reply
    )
    (request,) = lib.to(BEN, "chat", "asks to swap")
    await lib.walk_to(at(12, 9, 10, 30))
    answer = await lib.press(BEN, request, "Accept", [])
    assert answer.startswith("Swapped. You're on duty from Mon 14 Dec 09:00")
    await slack.fake.wait_for(lambda _calls: any("accepted your swap" in m for m in slack.dms(DAN)))
    lib.file("chat")

    await lib.walk_to(at(12, 10, 12))
    await lib.posted(DAN, "Blog", "https://library.example.org/blog/winter", "Winter reading")
    # Friday morning Twitter is quiet again; Cat posts only after the digest has gone.
    await lib.walk_to(at(12, 11, 15))
    assert [s.at for s in lib.reminders(CAT)][-1] == at(12, 11, 9, 5)
    lib.check_digest(at(12, 11, 15))
    await lib.walk_to(at(12, 11, 16))
    await lib.posted(CAT, "Twitter", "https://x.com/library/status/4", "Carol singers")

    # -- Week 3: the swap holds. Ben is on duty, not Dan. ------------------------------------
    await lib.walk_to(at(12, 14, 9, 5))
    lib.check_handoff(
        at(12, 14, 9, 5), on=BEN, off=CAT, until=at(12, 21, 9), shift_start=at(12, 7, 9)
    )
    assert lib.to(DAN, "handoff") == []
    assert "<@U0BEN>" in now_line(await lib.duty(DAN, "who"))
    assert lib.reminders()[-1].at == at(12, 14, 9, 5)  # quiet since Friday afternoon
    for day, note in ((14, "Library quiz"), (16, "Book sale"), (18, "Last day before closing")):
        await lib.walk_to(at(12, day, 10))
        await lib.posted(BEN, "Twitter", f"https://x.com/library/status/1{day}", note)
        if day == 16:
            reply = await lib.duty(ADA, "closure add 2026-12-21 2026-12-25 Christmas")
            assert reply == (
                "Noted: the library is closed Mon 21 Dec 2026 – Fri 25 Dec 2026 (Christmas). "
                "No reminders go out on closed days."
            )
    await lib.walk_to(at(12, 18, 15))
    assert lib.reminders()[-1].at == at(12, 14, 9, 5)  # Ben kept Twitter going all week
    digest = lib.check_digest(at(12, 18, 15))
    assert "• <@U0BEN> made 5 of the 7 posts on *Twitter* in the last 90 days." in digest

    # -- Week 4: the library is closed. Twitter and the blog go quiet, and nobody is nagged;
    # the digest still goes on Christmas Day, since it keeps its own time.
    await lib.walk_to(at(12, 28, 9))
    assert [(s.at, s.to, s.by) for s in lib.sent_on(date(2026, 12, 19), date(2026, 12, 27))] == [
        (at(12, 25, 15), EVE, "digest")
    ]
    digest = lib.check_digest(at(12, 25, 15))
    assert "0 reminders sent this week, 0 acted on." in digest
    assert "(quiet)" in digest

    # -- Monday 28 December: open again. Cat takes over from Dan and hears of both channels.
    # (No handoff went on the closed Monday, so the thanks go to Dan, who held the closed
    # week; Ben's week before it is not thanked late.)
    await lib.walk_to(at(12, 28, 15))
    lib.check_handoff(
        at(12, 28, 9, 5), on=CAT, off=DAN, until=at(1, 4, 9, year=2027), shift_start=ROTA[3][0]
    )
    (after_closing,) = (s for s in lib.reminders() if local_day(s.at) == date(2026, 12, 28))
    assert (after_closing.at, after_closing.to) == (at(12, 28, 9, 5), CAT)
    for channel in ("Twitter", "Blog"):
        assert lib.channel_line(channel, after_closing.at) in after_closing.text

    # -- The month as a whole. --------------------------------------------------------------
    # Each new person on duty was told exactly once, on the Monday their week began.
    welcomes = [(s.at, s.to) for s in lib.sent if s.by == "handoff" and "You're on duty" in s.text]
    assert welcomes == [(at(12, 7, 9, 5), CAT), (at(12, 14, 9, 5), BEN), (at(12, 28, 9, 5), CAT)]
    assert {s.at for s in lib.sent if s.by == "handoff"} == {at(12, d, 9, 5) for d in (7, 14, 28)}
    # Reminders only on open working days, at most one a day for each person.
    reminded_days = [(local_day(s.at), s.to) for s in lib.reminders()]
    assert len(reminded_days) == len(set(reminded_days)) == 8
    assert all(day.weekday() < 5 and not CLOSED[0] <= day <= CLOSED[1] for day, _ in reminded_days)
    # Nothing at all went out at weekends, and nobody got the same message twice in a day.
    assert not [s for s in lib.sent if local_day(s.at).weekday() >= 5]
    repeats = Counter((s.to, s.text, local_day(s.at)) for s in lib.sent)
    assert [message for message, times in repeats.items() if times > 1] == []
    # Eve, the director, heard only the digests; Ada only the one escalation.
    assert {s.by for s in lib.to(EVE)} == {"digest"} and len(lib.to(EVE)) == 4
    assert [s.by for s in lib.to(ADA) if s.by != "chat"] == ["quiet-check"]
