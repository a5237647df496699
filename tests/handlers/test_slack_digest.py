"""The weekly digest, as directors and the outreach channel see it in Slack (§6).

Three weeks of a library's history, from Monday 16 November 2026 in London (UTC in
winter): Twitter (quiet after 2 days) and the blog (quiet after 3 days); Ben and Cat take
turns, handing over on Mondays at 09:00; Dan is a director; Ada, a coordinator, gets the
digest too, and it is posted in #outreach. It goes on Friday 4 December at 15:00, and
"this week" is Friday 27 November 15:00 to Friday 4 December 15:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.handlers.conftest import SlackWorld
from tests.handlers.staff import staff

OUTREACH = "C0OUTREACH"
DIGEST_AT = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # Friday 15:00 in London


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


async def history(slack: SlackWorld) -> None:
    """Posts, shifts and reminders over three weeks, up to the digest's moment."""
    slack.clock.set(at(16, 10))  # Monday 16 November
    staff(slack)
    slack.add_user("U0EVE", "eve")
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0ADA", "channel add Blog kind=blog quiet=3d")
    await slack.duty("U0BEN", "join")  # on duty at once, until Mon 23 Nov
    await slack.duty("U0CAT", "join")  # then Cat, Ben from Mon 30 Nov, Cat from Mon 7 Dec
    for steward, channel in (("ben", "Twitter"), ("cat", "Twitter"), ("ben", "Blog")):
        await slack.duty("U0ADA", f"steward add {channel} <@U0{steward.upper()}|{steward}>")
    await slack.duty("U0ADA", "steward add Blog <@U0EVE|eve>")
    await slack.duty("U0ADA", "role <@U0DAN|dan> director")
    await slack.duty("U0ADA", f"digest to <#{OUTREACH}|outreach>")
    await slack.duty("U0ADA", "digest to <@U0ADA|ada>")

    async def post(user: str, channel: str, when: datetime) -> None:
        slack.clock.set(when)
        await slack.duty(user, f"posted {channel} https://example.org/{when:%m%d%H}/{user}")

    await post("U0BEN", "Twitter", at(17, 11))
    await post("U0BEN", "Twitter", at(18, 11))
    await post("U0CAT", "Twitter", at(24, 11))
    await post("U0BEN", "Blog", at(25, 11))
    slack.clock.set(at(27, 11))  # Twitter quiet: Cat, on duty, is reminded (last week)
    assert await slack.run_job("quiet-check") == 1
    slack.clock.set(at(30, 10, 11))  # Twitter and the blog quiet: Ben is reminded of both
    assert await slack.run_job("quiet-check") == 1
    await post("U0BEN", "Twitter", at(1, 11, 12))  # answers Twitter's reminder
    slack.clock.set(at(2, 10, 12))  # the blog still quiet: reminded again
    assert await slack.run_job("quiet-check") == 1
    await post("U0BEN", "Twitter", at(2, 11, 12))
    await post("U0BEN", "Twitter", at(3, 10, 12))
    await post("U0CAT", "Twitter", at(3, 11, 12))
    # Eve leaves the library; Baton learns it when Slack next tells it about her.
    slack.add_user("U0EVE", "eve", deleted=True)
    slack.clock.set(at(3, 12, 12))
    await slack.duty("U0EVE", "who")


def digest_lines(message: str) -> list[str]:
    return message.split("\n")


EXPECTED = [
    "Weekly digest: Fri 27 Nov – Fri 4 Dec 2026",
    "4 posts this week on 2 outreach channels; 2 different people posted in the last 90 days.",
    "*Outreach channels*",
    "• *Blog*: 0 posts this week, down from a 4-week average of 0.25; 12 weeks "
    "`··········█·`; 9 days since the last post (quiet)",
    "• *Twitter*: 4 posts this week, up from a 4-week average of 0.75; 12 weeks "
    "`·········▄▂█`; 1 day since the last post",
    "*People*",
    "• <@U0BEN>: 3 posts, 1 shift served",
    "• <@U0CAT>: 1 post, 0 shifts served",
    "*Continuity*",
    "• *Blog* has 1 steward; two or more keep it going when someone is away: "
    "`/duty steward add Blog @person`.",
    "• <@U0EVE>, a steward of *Blog*, has left the workspace; change the login and "
    "`/duty steward remove Blog @person`.",
    "• <@U0BEN> made 5 of the 7 posts on *Twitter* in the last 90 days.",
    "*Reminders*",
    "3 reminders sent this week, 1 acted on.",
    "*On duty next*",
    "• <@U0BEN>, Mon 30 Nov 09:00 – Mon 7 Dec 09:00",
    "• <@U0CAT>, Mon 7 Dec 09:00 – Mon 14 Dec 09:00",
]


def digests(slack: SlackWorld, recipient: str) -> list[str]:
    return [m for m in slack.fake.direct_messages(recipient) if m.startswith("Weekly digest")]


async def test_directors_and_the_channel_get_it_once_when_friday_15_00_comes(
    slack: SlackWorld,
) -> None:
    await history(slack)
    slack.clock.set(DIGEST_AT - timedelta(minutes=15))
    assert await slack.run_job("digest") == 0  # not yet

    slack.clock.set(DIGEST_AT)
    assert await slack.run_job("digest") == 3
    (to_dan,) = digests(slack, "U0DAN")
    (to_ada,) = digests(slack, "U0ADA")
    (in_channel,) = digests(slack, OUTREACH)
    assert digest_lines(to_dan) == EXPECTED
    assert to_ada == to_dan == in_channel
    assert digests(slack, "U0BEN") == [] and digests(slack, "U0CAT") == []

    assert await slack.run_job("digest") == 0  # the same tick again
    slack.clock.advance(timedelta(minutes=15))
    assert await slack.run_job("digest") == 0
    await slack.run_job("handoff")  # other jobs send pending messages too, never a digest again
    await slack.run_job("quiet-check")
    assert len(digests(slack, "U0DAN")) == len(digests(slack, OUTREACH)) == 1

    reply = await slack.duty("U0ADA", "digest at sat 10:00")  # this week's has gone
    assert "every Saturday at 10:00 (Europe/London); next on Sat 12 Dec 10:00" in reply
    slack.clock.set(DIGEST_AT + timedelta(hours=19))  # Saturday 10:00
    assert await slack.run_job("digest") == 0


async def test_late_digest_keeps_its_week_when_baton_was_down_at_15_00(slack: SlackWorld) -> None:
    await history(slack)
    slack.clock.set(DIGEST_AT + timedelta(hours=20))  # Saturday morning
    assert await slack.run_job("digest") == 3
    assert digest_lines(digests(slack, "U0DAN")[0]) == EXPECTED


async def test_preview_shows_the_figures_to_the_coordinator_alone_when_asked(
    slack: SlackWorld,
) -> None:
    await history(slack)
    slack.clock.set(DIGEST_AT)
    reply = await slack.duty("U0ADA", "digest preview")
    lines = digest_lines(reply)
    assert lines[: len(EXPECTED)] == EXPECTED
    assert lines[len(EXPECTED)] == (
        f"It goes to <@U0ADA>, <@U0DAN>, <#{OUTREACH}>, every Friday at 15:00 (Europe/London); "
        "next on Fri 11 Dec 15:00. Directors always get it; `/duty digest to #channel|@person` "
        "and `/duty digest at fri 15:00` change the rest."
    )
    assert digests(slack, "U0DAN") == [] and digests(slack, OUTREACH) == []


async def test_send_goes_now_and_leaves_the_weekly_one_when_a_coordinator_asks(
    slack: SlackWorld,
) -> None:
    await history(slack)
    slack.clock.set(DIGEST_AT - timedelta(days=1))  # Thursday
    reply = await slack.duty("U0ADA", "digest send")
    assert reply == (
        f"Sent this week's digest to <@U0ADA>, <@U0DAN>, <#{OUTREACH}>. "
        "The weekly one still goes at its time."
    )
    await slack.fake.wait_for(
        lambda calls: sum(c.params.get("channel") == OUTREACH for c in calls) == 1
    )
    assert len(digests(slack, "U0DAN")) == len(digests(slack, "U0ADA")) == 1
    assert digests(slack, "U0DAN")[0].startswith("Weekly digest: Thu 26 Nov – Thu 3 Dec 2026")

    slack.clock.set(DIGEST_AT)
    assert await slack.run_job("digest") == 3
    assert len(digests(slack, "U0DAN")) == 2


async def test_digest_to_and_at_say_where_and_when_it_goes_when_changed(
    slack: SlackWorld,
) -> None:
    staff(slack)
    reply = await slack.duty("U0ADA", f"digest to <#{OUTREACH}|outreach>")
    assert f"The weekly digest will be posted in <#{OUTREACH}>." in reply
    assert "`/invite @Baton`" in reply
    assert (
        f"It goes to <#{OUTREACH}>, every Friday at 15:00 (Europe/London); next on Fri 4 Dec"
        in reply
    )

    reply = await slack.duty("U0ADA", "digest to <@U0CAT|cat>")
    assert "<@U0CAT> will get the weekly digest too." in reply
    assert await slack.duty("U0ADA", "digest to @cat") == (
        "<@U0CAT> already gets the weekly digest."
    )
    await slack.duty("U0ADA", "role <@U0DAN|dan> director")
    assert await slack.duty("U0ADA", "digest to <@U0DAN|dan>") == (
        "<@U0DAN> already gets the weekly digest, as a director."
    )

    reply = await slack.duty("U0ADA", "digest at mon 9am")
    assert "The weekly digest now goes every Monday at 09:00 (Europe/London)." in reply
    assert "next on Mon 7 Dec 09:00" in reply

    reply = await slack.duty("U0ADA", "digest to directors")
    assert "The weekly digest goes to the directors only now." in reply
    assert "It goes to <@U0DAN>, every Monday at 09:00" in reply

    slack.clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert await slack.run_job("digest") == 1
    assert len(digests(slack, "U0DAN")) == 1
    assert digests(slack, "U0CAT") == [] and digests(slack, OUTREACH) == []


async def test_nothing_is_claimed_when_nobody_gets_the_digest(slack: SlackWorld) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter")
    slack.clock.set(DIGEST_AT)
    assert await slack.run_job("digest") == 0
    reply = await slack.duty("U0ADA", "digest send")
    assert "Nobody gets the digest yet" in reply

    await slack.duty("U0ADA", "role <@U0DAN|dan> director")  # named later that Friday
    slack.clock.advance(timedelta(minutes=15))
    assert await slack.run_job("digest") == 1


async def test_member_is_refused_and_nothing_changes_when_they_try_digest_commands(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "role <@U0DAN|dan> director")
    for text in ("digest preview", "digest send", f"digest to <#{OUTREACH}>", "digest at mon"):
        reply = await slack.duty("U0BEN", text)
        assert reply.startswith("Only coordinators can do that, and nothing was changed.")
    slack.clock.set(DIGEST_AT)
    assert await slack.run_job("digest") == 1  # still Friday 15:00, to Dan alone
    assert digests(slack, "U0BEN") == [] and digests(slack, OUTREACH) == []


async def test_refusal_by_the_channel_is_shown_and_retried_when_baton_is_not_in_it(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter")
    await slack.duty("U0ADA", "role <@U0DAN|dan> director")
    await slack.duty("U0ADA", f"digest to <#{OUTREACH}|outreach>")
    slack.fake.outside_channels.add(OUTREACH)

    slack.clock.set(DIGEST_AT)
    assert await slack.run_job("digest") == 1  # Dan has it; the channel refused
    reply = await slack.duty("U0ADA", "channels")
    assert "Messages that could not be sent" in reply
    assert (
        "Digest message: the chat channel: Baton isn't in that channel yet; invite it there "
        "with `/invite @Baton`"
    ) in reply

    reply = await slack.duty("U0ADA", "digest send")
    assert (
        f"I couldn't post it in <#{OUTREACH}>: Baton isn't in that channel yet; invite it there "
        "with `/invite @Baton`."
    ) in reply

    slack.fake.outside_channels.clear()  # a coordinator invited @Baton
    slack.clock.advance(timedelta(minutes=15))
    assert await slack.run_job("digest") == 1
    assert len(digests(slack, OUTREACH)) == 1
    assert len(digests(slack, "U0DAN")) == 2  # the weekly one, and `digest send`
    assert "Messages that could not be sent" not in await slack.duty("U0ADA", "channels")


async def test_digest_goes_at_15_00_local_when_new_york_has_left_daylight_saving(
    slack: SlackWorld,
) -> None:
    slack.clock.set(datetime(2026, 11, 2, 15, 0, tzinfo=UTC))  # Monday 10:00 in New York
    staff(slack)
    await slack.duty("U0ADA", "rota set tz=America/New_York")
    await slack.duty("U0ADA", "role <@U0DAN|dan> director")

    slack.clock.set(datetime(2026, 11, 6, 19, 59, tzinfo=UTC))  # Friday 14:59 EST
    assert await slack.run_job("digest") == 0
    slack.clock.set(datetime(2026, 11, 6, 20, 0, tzinfo=UTC))  # 15:00 EST
    assert await slack.run_job("digest") == 1
    (digest,) = digests(slack, "U0DAN")
    assert digest.startswith("Weekly digest: Fri 30 Oct – Fri 6 Nov 2026\n")
