"""Beyond the first week: what coordinators set up and what members do, as staff see it in Slack.

Every test talks to the real app over HTTP and asserts only what a person would notice:
the private reply, the direct messages they get, and what `who`, `schedule`, `channels`,
`closure list` and `stats` say afterwards. The clock starts on Monday 30 November 2026,
10:00 in London; the default rota hands over on Mondays at 09:00.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.feed_server import FeedServer, feed_file
from tests.handlers.conftest import START, SlackWorld
from tests.handlers.staff import field, next_holders, next_lines, now_line, rota_of_three, staff

# ---------------------------------------------------------------------------------------
# Outreach channels


async def test_channel_shows_its_new_name_kind_and_threshold_when_a_coordinator_sets_them(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")

    reply = await slack.duty("U0ADA", "channel set Twitter name=Mastodon kind=mastodon quiet=5d")
    assert "Updated *Mastodon*: renamed to Mastodon; kind mastodon; quiet after 5 days." in reply

    reply = await slack.duty("U0BEN", "channels")
    assert "*Mastodon* (mastodon)" in reply
    assert "*Quiet after*\n5 days" in reply
    assert "Twitter" not in reply
    reply = await slack.duty("U0BEN", "posted Twitter")
    assert "I don't know an outreach channel called “Twitter”" in reply
    reply = await slack.duty("U0BEN", "posted mastodon https://mastodon.social/@library/1")
    assert "Recorded your post on *Mastodon*" in reply


async def test_feed_and_match_are_set_and_cleared_when_a_coordinator_changes_them(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Blog kind=blog")
    blog = FeedServer()
    await blog.start()
    try:
        feed = blog.serve("feed", feed_file("news-atom.xml"), content_type="application/atom+xml")
        # Slack wraps a typed address in <…>.
        reply = await slack.duty(
            "U0ADA", f"channel set Blog feed=<{feed}> match=library.example.org/blog/"
        )
    finally:
        await blog.stop()
    assert "Updated *Blog*" in reply
    assert f"feed {feed}" in reply
    assert "posts match library.example.org/blog/" in reply
    assert "Its feed has 2 entries." in reply

    reply = await slack.duty("U0ADA", "channel set blog feed=none match=none")
    assert "Updated *Blog*: no feed; no match pattern." in reply

    reply = await slack.duty("U0ADA", "channel set Blog")
    assert "Tell me what to change" in reply


async def test_rename_is_refused_when_another_channel_already_has_the_name(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0ADA", "channel add Blog kind=blog")
    await slack.duty("U0ADA", "channel add Facebook kind=facebook")
    await slack.duty("U0ADA", "channel remove Facebook")

    reply = await slack.duty("U0ADA", "channel set Blog name=twitter")
    assert "“twitter” is already the name of another outreach channel. Pick another name." in reply
    reply = await slack.duty("U0ADA", "channel set Blog name=FACEBOOK")
    assert "already the name of another outreach channel (archived)" in reply

    reply = await slack.duty("U0ADA", "channels")
    assert "*Blog* (blog)" in reply and "*Twitter* (twitter)" in reply
    assert "Facebook" not in reply

    # A change of case is not a clash with itself.
    reply = await slack.duty("U0ADA", "channel set Blog name=BLOG")
    assert "Updated *BLOG*: renamed to BLOG." in reply


async def test_channel_leaves_channels_but_keeps_its_posts_when_removed(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0ADA", "channel add Blog kind=blog")
    await slack.duty("U0BEN", "posted twitter https://x.com/library/status/1")

    reply = await slack.duty("U0ADA", "channel remove twitter")
    assert "Archived *Twitter*. Its posts stay in the record" in reply

    reply = await slack.duty("U0BEN", "channels")
    assert "*Blog*" in reply and "Twitter" not in reply
    reply = await slack.duty("U0ADA", "stats")
    assert "*Twitter*: 1" in reply and "<@U0BEN>: 1" in reply
    reply = await slack.duty("U0BEN", "posted twitter https://x.com/library/status/2")
    assert "I don't know an outreach channel called “twitter”" in reply
    reply = await slack.duty("U0ADA", "channel remove twitter")
    assert "I don't know an outreach channel called “twitter”" in reply


async def test_channel_comes_back_as_it_was_when_re_added_with_the_same_name(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter quiet=3d")
    await slack.duty("U0ADA", "steward add Twitter <@U0BEN|ben>")
    await slack.duty("U0ADA", 'access Twitter "library password manager → Social → Twitter"')
    await slack.duty("U0BEN", "posted Twitter https://x.com/library/status/1")
    await slack.duty("U0ADA", "channel remove Twitter")

    slack.clock.advance(timedelta(days=1))
    reply = await slack.duty("U0ADA", "channel add twitter")
    assert "Restored the outreach channel *twitter* (twitter, quiet after 3 days)" in reply

    reply = await slack.duty("U0BEN", "channels")
    assert "*twitter* (twitter)" in reply
    assert "*Last post*\nyesterday" in reply
    assert "*Quiet after*\n3 days" in reply
    assert field(reply, "Stewards") == "<@U0BEN>"
    assert "library password manager → Social → Twitter" in reply
    reply = await slack.duty("U0BEN", "posted twitter https://x.com/library/status/1")
    assert "already recorded" in reply

    # Saying what is new on re-adding changes just that.
    await slack.duty("U0ADA", "channel remove twitter")
    reply = await slack.duty("U0ADA", "channel add Twitter kind=bluesky")
    assert "Restored the outreach channel *Twitter* (bluesky, quiet after 2 days)" in reply


# ---------------------------------------------------------------------------------------
# Stewards and access notes


async def test_stewards_are_listed_in_channels_when_named_by_mention_or_known_name(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0DAN", "who")  # Baton knows Dan now; Cat it has never seen

    reply = await slack.duty("U0ADA", "steward add Twitter <@U0BEN|ben>")
    assert "<@U0BEN> is now a steward of *Twitter*" in reply
    reply = await slack.duty("U0ADA", "steward add Twitter <@U0CAT>")
    assert "<@U0CAT> is now a steward of *Twitter*" in reply
    reply = await slack.duty("U0ADA", "steward add twitter @dan")
    assert "<@U0DAN> is now a steward of *Twitter*" in reply
    reply = await slack.duty("U0ADA", "steward add Twitter @Dan")
    assert "<@U0DAN> is already a steward of *Twitter*." in reply

    reply = await slack.duty("U0BEN", "channels")
    stewards = field(reply, "Stewards")
    assert all(f"<@{user}>" in stewards for user in ("U0BEN", "U0CAT", "U0DAN"))


async def test_friendly_reply_when_a_steward_is_named_that_baton_does_not_know(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")

    reply = await slack.duty("U0ADA", "steward add Twitter @eve")
    assert "I don't know anyone called @eve yet. Pick them from the @ autocomplete" in reply
    reply = await slack.duty("U0ADA", "steward add Twitter <@U0EVE|eve>")
    assert "I can't find that person (`eve`) in this workspace" in reply
    reply = await slack.duty("U0ADA", "channels")
    assert field(reply, "Stewards") == "none yet"


async def test_removing_a_steward_warns_when_fewer_than_two_remain(slack: SlackWorld) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    for user in ("U0BEN", "U0CAT", "U0DAN"):
        await slack.duty("U0ADA", f"steward add Twitter <@{user}>")

    reply = await slack.duty("U0ADA", "steward remove Twitter <@U0DAN|dan>")
    assert "<@U0DAN> is no longer a steward of *Twitter*." in reply
    assert "steward now" not in reply

    reply = await slack.duty("U0ADA", "steward remove Twitter @cat")
    assert "<@U0CAT> is no longer a steward of *Twitter*." in reply
    assert "It has 1 steward now; two or more keep it safe when someone is away." in reply

    reply = await slack.duty("U0ADA", "steward remove Twitter @cat")
    assert "<@U0CAT> is not a steward of *Twitter*." in reply
    reply = await slack.duty("U0ADA", "channels")
    assert field(reply, "Stewards") == "<@U0BEN>"


async def test_access_note_is_shown_in_channels_when_a_coordinator_saves_it(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")

    reply = await slack.duty(
        "U0ADA", 'access Twitter "library password manager → Social → Twitter"'
    )
    assert "Saved where the login for *Twitter* lives: library password manager → Social" in reply
    reply = await slack.duty("U0BEN", "channels")
    assert "*Login*\nlibrary password manager → Social → Twitter" in reply

    reply = await slack.duty("U0ADA", "access Twitter the red binder in the director's office")
    assert "lives: the red binder in the director's office" in reply
    reply = await slack.duty("U0BEN", "channels")
    assert "*Login*\nthe red binder in the director's office" in reply
    assert "password manager" not in reply


@pytest.mark.parametrize(
    "note",
    [
        "pw=Tr0ub4dor&amp;3",  # Slack escapes the & someone typed
        '"password: hunter2"',
        "login is libraryadmin / x7#Kq!9zP@2mLw$4",
    ],
)
async def test_access_note_is_refused_and_nothing_stored_when_it_looks_like_a_password(
    slack: SlackWorld, note: str
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0ADA", 'access Twitter "library password manager → Social"')

    reply = await slack.duty("U0ADA", f"access Twitter {note}")
    assert "Baton never keeps passwords or tokens" in reply
    assert "hunter2" not in reply and "Tr0ub4dor" not in reply and "x7#Kq" not in reply

    reply = await slack.duty("U0ADA", "channels")
    assert "*Login*\nlibrary password manager → Social" in reply
    assert "hunter2" not in reply and "Tr0ub4dor" not in reply and "x7#Kq" not in reply


# ---------------------------------------------------------------------------------------
# The rota's pattern


async def test_schedule_turns_daily_after_the_current_shift_when_shift_is_set_to_day(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)

    reply = await slack.duty("U0ADA", "rota set shift=day hours=10:00-18:00")
    assert (
        "Updated the *social media* rota: daily on working days, handing over at 09:00; "
        "Europe/London; working days mon, tue, wed, thu, fri, 10:00–18:00" in reply
    )
    assert "The current shift keeps its end (Mon 7 Dec 09:00); the new pattern starts then." in (
        reply
    )

    reply = await slack.duty("U0BEN", "schedule 4")
    assert now_line(reply) == "*Now* Mon 30 Nov 10:00 – Mon 7 Dec 09:00: <@U0BEN>"
    assert next_lines(reply) == [
        "Mon 7 Dec 09:00 – Tue 8 Dec 09:00: <@U0CAT>",
        "Tue 8 Dec 09:00 – Wed 9 Dec 09:00: <@U0DAN>",
        "Wed 9 Dec 09:00 – Thu 10 Dec 09:00: <@U0BEN>",
    ]
    # Cat's next shift still starts when it did; Dan's and Ben's came forward, and they heard.
    assert slack.dms("U0CAT") == []
    assert any("it is now Tue 8 Dec 09:00 – Wed 9 Dec 09:00" in dm for dm in slack.dms("U0DAN"))
    assert any("it is now Wed 9 Dec 09:00 – Thu 10 Dec 09:00" in dm for dm in slack.dms("U0BEN"))


async def test_schedule_hands_over_only_on_working_days_when_days_are_set(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)

    reply = await slack.duty("U0ADA", "rota set shift=day days=mon,wed,fri")
    assert "working days mon, wed, fri, 09:00–17:00" in reply

    reply = await slack.duty("U0ADA", "schedule 4")
    assert next_lines(reply) == [
        "Mon 7 Dec 09:00 – Wed 9 Dec 09:00: <@U0CAT>",
        "Wed 9 Dec 09:00 – Fri 11 Dec 09:00: <@U0DAN>",
        "Fri 11 Dec 09:00 – Mon 14 Dec 09:00: <@U0BEN>",
    ]


async def test_schedule_bridges_to_the_new_handoff_when_the_handoff_day_moves(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)

    reply = await slack.duty("U0ADA", 'rota set handoff="wed 10:00"')
    assert "weekly, handing over wed 10:00; Europe/London" in reply
    assert (
        "The current shift keeps its end (Mon 7 Dec 09:00); the next shift runs until "
        "Wed 16 Dec 10:00, and the new pattern carries on from there." in reply
    )

    reply = await slack.duty("U0ADA", "schedule 4")
    assert now_line(reply) == "*Now* Mon 30 Nov 10:00 – Mon 7 Dec 09:00: <@U0BEN>"
    planned = next_lines(reply)
    # Two days to Wednesday is too short a turn: it is folded into the next week.
    assert planned[0].startswith("Mon 7 Dec 09:00 – Wed 16 Dec 10:00: ")
    assert planned[1].startswith("Wed 16 Dec 10:00 – Wed 23 Dec 10:00: ")
    assert planned[2].startswith("Wed 23 Dec 10:00 – Wed 30 Dec 10:00: ")

    # Dan was told his turn moved, to when it really comes.
    assert planned[1].endswith("<@U0DAN>")
    assert "it is now Wed 16 Dec 10:00 – Wed 23 Dec 10:00." in slack.dms("U0DAN")[-1]

    # What the schedule said is what happens: Tuesday 8th, then Thursday 17th at 10:00.
    for line, later in zip(planned, (timedelta(days=8), timedelta(days=17)), strict=False):
        slack.clock.set(START + later)
        who = await slack.duty("U0ADA", "who")
        assert now_line(who) == f"*Now* {line}"


async def test_schedule_is_told_in_the_new_timezone_when_tz_changes(slack: SlackWorld) -> None:
    await rota_of_three(slack)

    reply = await slack.duty("U0ADA", "rota set tz=America/New_York")
    assert "weekly, handing over mon 09:00; America/New_York" in reply
    # 09:00 in London is 04:00 in New York: five hours to the new handoff is too short a
    # turn, so the next shift runs to the handoff after.
    assert (
        "The current shift keeps its end (Mon 7 Dec 04:00); the next shift runs until "
        "Mon 14 Dec 09:00, and the new pattern carries on from there." in reply
    )

    reply = await slack.duty("U0ADA", "schedule 3")
    assert now_line(reply) == "*Now* Mon 30 Nov 05:00 – Mon 7 Dec 04:00: <@U0BEN>"
    planned = next_lines(reply)
    assert planned == [
        "Mon 7 Dec 04:00 – Mon 14 Dec 09:00: <@U0CAT>",
        "Mon 14 Dec 09:00 – Mon 21 Dec 09:00: <@U0DAN>",
    ]

    assert "it is now Mon 14 Dec 09:00 – Mon 21 Dec 09:00." in slack.dms("U0DAN")[-1]

    slack.clock.advance(timedelta(days=14, hours=4))  # Mon 14 Dec 09:00 in New York
    who = await slack.duty("U0ADA", "who")
    assert now_line(who) == f"*Now* {planned[-1]}"


async def test_refusal_when_a_member_sets_the_rota(slack: SlackWorld) -> None:
    await rota_of_three(slack)
    reply = await slack.duty("U0BEN", "rota set shift=day")
    assert "Only coordinators can do that, and nothing was changed. Ask <@U0ADA>." in reply
    reply = await slack.duty("U0BEN", "schedule 2")
    assert next_lines(reply) == ["Mon 7 Dec 09:00 – Mon 14 Dec 09:00: <@U0CAT>"]


# ---------------------------------------------------------------------------------------
# Closures


async def test_closures_are_listed_and_removed_by_number_when_a_coordinator_manages_them(
    slack: SlackWorld,
) -> None:
    staff(slack)
    reply = await slack.duty("U0BEN", "closure list")
    assert "No closures yet." in reply

    reply = await slack.duty("U0ADA", "closure add 2026-12-24 2026-12-26 Christmas")
    assert "Noted: the library is closed Thu 24 Dec 2026 – Sat 26 Dec 2026 (Christmas)." in reply
    reply = await slack.duty("U0ADA", "closure add tomorrow")
    assert "Noted: the library is closed Tue 1 Dec 2026." in reply
    reply = await slack.duty("U0ADA", "closure holidays GB")
    assert "Public holidays for GB are now closure days" in reply
    reply = await slack.duty("U0ADA", "closure holidays gb")
    assert "Public holidays for GB are already closure days." in reply
    reply = await slack.duty("U0ADA", "closure holidays US-CA")
    assert "Public holidays for US-CA are now closure days" in reply

    reply = await slack.duty("U0BEN", "closure list")
    assert next_lines(reply) == [
        "1. public holidays in GB",
        "2. public holidays in US-CA",
        "3. closed Tue 1 Dec 2026",
        "4. closed Thu 24 Dec 2026 – Sat 26 Dec 2026 (Christmas)",
    ]

    reply = await slack.duty("U0ADA", "closure remove 7")
    assert "There is no number 7; closures go from 1 to 4. `/duty closure list` shows them." in (
        reply
    )
    reply = await slack.duty("U0ADA", "closure remove second")
    assert "`second` isn't a number" in reply
    assert "*Usage:* `/duty closure remove &lt;n&gt;`" in reply  # bold that Slack shows as bold
    reply = await slack.duty("U0BEN", "closure remove 1")
    assert "Only coordinators can do that" in reply

    reply = await slack.duty("U0ADA", "closure remove 3")
    assert "Removed: closed Tue 1 Dec 2026." in reply
    reply = await slack.duty("U0ADA", "closure remove 2")
    assert "Removed: public holidays in US-CA." in reply
    reply = await slack.duty("U0BEN", "closure list")
    assert next_lines(reply) == [
        "1. public holidays in GB",
        "2. closed Thu 24 Dec 2026 – Sat 26 Dec 2026 (Christmas)",
    ]


# ---------------------------------------------------------------------------------------
# Roles


async def test_promoted_person_runs_coordinator_commands_when_made_coordinator(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "who")
    reply = await slack.duty("U0BEN", "channel add Blog")
    assert "Only coordinators can do that" in reply

    reply = await slack.duty("U0ADA", "role <@U0BEN> coordinator")
    assert "<@U0BEN> is now a coordinator: they can set up channels, rotas and closures." in reply
    reply = await slack.duty("U0BEN", "channel add Blog kind=blog")
    assert "Added the outreach channel *Blog*" in reply
    reply = await slack.duty("U0BEN", "help")
    assert "*Coordinators*\n• `/duty channel add" in reply

    # A member asking for help is told who to ask, and the refusal now names Ben too.
    reply = await slack.duty("U0CAT", "closure add friday")
    assert "Only coordinators can do that" in reply
    assert "<@U0ADA>" in reply and "<@U0BEN>" in reply


async def test_director_may_see_stats_but_not_configure_when_made_director(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "who")
    reply = await slack.duty("U0ADA", "role <@U0CAT|cat> director")
    assert "<@U0CAT> is now a director: they get the weekly digest, `stats` and `export`." in reply

    reply = await slack.duty("U0CAT", "stats")
    assert "Posts in the last 30 days" in reply
    reply = await slack.duty("U0CAT", "channel add Blog")
    assert "Only coordinators can do that" in reply
    reply = await slack.duty("U0BEN", "stats")
    assert "Only coordinators and directors can do that, and nothing was changed." in reply
    reply = await slack.duty("U0BEN", "export")
    assert "Only coordinators and directors can do that, and nothing was changed." in reply

    reply = await slack.duty("U0ADA", "role @cat member")
    assert "<@U0CAT> is now a member." in reply
    reply = await slack.duty("U0CAT", "stats")
    assert "Only coordinators and directors can do that" in reply


async def test_demoting_the_only_coordinator_is_refused_when_the_workspace_has_no_admin(
    slack: SlackWorld,
) -> None:
    slack.add_user("U0BEN", "ben")
    slack.add_user("U0CAT", "cat")
    reply = await slack.duty("U0BEN", "channel add Twitter")
    assert "no coordinator yet, so you are its first" in reply

    reply = await slack.duty("U0BEN", "role @ben member")
    assert "<@U0BEN> is the only coordinator. Make someone else a coordinator first" in reply
    reply = await slack.duty("U0BEN", "channel add Blog")
    assert "Added the outreach channel *Blog*" in reply
    assert "first" not in reply.split("Added")[0]

    await slack.duty("U0BEN", "role <@U0CAT> coordinator")
    reply = await slack.duty("U0CAT", "role <@U0BEN|ben> member")
    assert "<@U0BEN> is now a member." in reply
    reply = await slack.duty("U0BEN", "channel add Newsletter")
    assert "Only coordinators can do that" in reply and "<@U0CAT>" in reply
    reply = await slack.duty("U0CAT", "role <@U0CAT> director")
    assert "<@U0CAT> is the only coordinator" in reply


@pytest.mark.parametrize("slack", [{"BATON_COORDINATORS": "U0CAT"}], indirect=True)
async def test_listed_coordinator_is_named_and_obeyed_when_baton_coordinators_is_set(
    slack: SlackWorld,
) -> None:
    staff(slack)
    # Nobody has run a coordinator command yet, but Cat is listed: Ben is not made one.
    reply = await slack.duty("U0BEN", "channel add Twitter")
    assert "Only coordinators can do that, and nothing was changed. Ask <@U0CAT>." in reply

    reply = await slack.duty("U0CAT", "channel add Twitter")
    assert reply.startswith("Added the outreach channel *Twitter*")

    reply = await slack.duty("U0CAT", "role <@U0CAT> member")
    assert "<@U0CAT> is now a member. They stay a coordinator all the same" in reply
    reply = await slack.duty("U0CAT", "role <@U0BEN> coordinator")
    assert "<@U0BEN> is now a coordinator" in reply
    reply = await slack.duty("U0CAT", "role <@U0BEN> member")
    assert "<@U0BEN> is now a member." in reply


# ---------------------------------------------------------------------------------------
# Members over the weeks


async def test_shift_passes_to_the_next_member_who_is_told_when_the_person_on_duty_leaves(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    slack.clock.advance(timedelta(days=1))
    dms_to_ben = len(slack.dms("U0BEN"))

    reply = await slack.duty("U0BEN", "leave")
    assert "You have left the *social media* rota." in reply
    assert "Your current shift has passed to <@U0CAT>, who has been told." in reply
    assert any(
        "<@U0BEN> has passed their shift on *social media* to you: you are on duty now until "
        "Mon 7 Dec 09:00" in dm
        for dm in slack.dms("U0CAT")
    )

    reply = await slack.duty("U0DAN", "who")
    assert now_line(reply) == "*Now* Tue 1 Dec 10:00 – Mon 7 Dec 09:00: <@U0CAT>"
    assert next_holders(reply) == ["<@U0DAN>", "<@U0CAT>", "<@U0DAN>"]
    assert "<@U0BEN>" not in reply
    assert any("it is now Mon 7 Dec 09:00" in dm for dm in slack.dms("U0DAN"))
    assert len(slack.dms("U0BEN")) == dms_to_ben  # he knows: he left


async def test_shift_passes_on_when_skipped_at_the_very_moment_it_began(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    slack.clock.set(START + timedelta(days=6, hours=23))  # Mon 7 Dec 09:00: Cat's turn begins
    reply = await slack.duty("U0CAT", "skip")
    assert "<@U0DAN> is on duty now until Mon 14 Dec 09:00" in reply


async def test_member_is_on_duty_at_once_when_joining_a_rota_nobody_is_on(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0BEN", "join")
    slack.clock.advance(timedelta(days=2))
    reply = await slack.duty("U0BEN", "leave")
    assert "Nobody else is free to take your current shift" in reply
    reply = await slack.duty("U0CAT", "who")
    assert now_line(reply) == (
        "*Now* Wed 2 Dec 10:00 – Mon 7 Dec 09:00: nobody (reminders go to the coordinators)"
    )

    slack.clock.advance(timedelta(hours=3))
    reply = await slack.duty("U0CAT", "join")
    assert (
        "Welcome to the *social media* rota! Nobody was on duty, so you are, from now until "
        "Mon 7 Dec 09:00." in reply
    )
    reply = await slack.duty("U0DAN", "who")
    assert now_line(reply) == "*Now* Wed 2 Dec 13:00 – Mon 7 Dec 09:00: <@U0CAT>"
    assert all(line.endswith("<@U0CAT>") for line in next_lines(reply))


async def test_cancelled_time_away_moves_the_others_back_when_cancelled_by_number(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    await slack.duty("U0CAT", "away 2026-12-07 2026-12-11")
    await slack.duty("U0CAT", "away 2026-12-18")
    assert [dm for dm in slack.dms("U0DAN") if "it is now Mon 7 Dec 09:00" in dm]

    reply = await slack.duty("U0CAT", "away list")
    assert next_lines(reply) == ["1. Mon 7 Dec 2026 – Fri 11 Dec 2026", "2. Fri 18 Dec 2026"]

    reply = await slack.duty("U0CAT", "away cancel 3")
    assert "There is no number 3 in your list; it goes from 1 to 2." in reply
    reply = await slack.duty("U0CAT", "away cancel 1")
    assert "Cancelled: away Mon 7 Dec 2026 – Fri 11 Dec 2026." in reply
    assert "it is now Mon 14 Dec 09:00" in slack.dms("U0DAN")[-1]

    reply = await slack.duty("U0CAT", "away list")
    assert next_lines(reply) == ["1. Fri 18 Dec 2026"]
    reply = await slack.duty("U0BEN", "who")
    assert next_holders(reply) == ["<@U0CAT>", "<@U0DAN>", "<@U0BEN>"]


async def test_who_shows_whoever_waited_longest_when_weeks_pass_without_commands(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    await slack.duty("U0CAT", "away 2026-12-07 2026-12-11")

    # Two weeks and a day with nobody typing anything: Ben served the first week, Dan the
    # second (Cat was away), and Cat, who kept her place, has the third.
    slack.clock.advance(timedelta(days=15))
    reply = await slack.duty("U0BEN", "who")
    assert now_line(reply) == "*Now* Mon 14 Dec 09:00 – Mon 21 Dec 09:00: <@U0CAT>"
    assert next_lines(reply) == [
        "Mon 21 Dec 09:00 – Mon 28 Dec 09:00: <@U0BEN>",
        "Mon 28 Dec 09:00 – Mon 4 Jan 09:00: <@U0DAN>",
        "Mon 4 Jan 09:00 – Mon 11 Jan 09:00: <@U0CAT>",
    ]

    slack.clock.advance(timedelta(days=14))
    reply = await slack.duty("U0CAT", "schedule 2")
    assert now_line(reply) == "*Now* Mon 28 Dec 09:00 – Mon 4 Jan 09:00: <@U0DAN>"
    assert next_lines(reply) == ["Mon 4 Jan 09:00 – Mon 11 Jan 09:00: <@U0CAT>"]


# ---------------------------------------------------------------------------------------
# Help, and what this version doesn't do


async def test_help_shows_the_coordinator_section_only_when_asked_by_a_coordinator(
    slack: SlackWorld,
) -> None:
    staff(slack)
    member = await slack.duty("U0BEN", "help")
    coordinator = await slack.duty("U0ADA", "help")
    empty = await slack.duty("U0BEN", "")

    for reply in (member, coordinator):
        assert "*Everyone*" in reply and "`/duty join [rota]`" in reply
    assert "`/duty channel add" not in member and "`/duty rota set" not in member
    assert "*Coordinators* set up the outreach channels" in member
    assert "`/duty channel add" in coordinator and "`/duty role @person" in coordinator
    assert "`/duty rota set watch=#channel|none`" in coordinator  # Slack can watch one
    assert empty == member


async def test_stats_are_for_directors_and_coordinators_when_a_member_asks(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter")
    await slack.duty("U0BEN", "posted Twitter")
    reply = await slack.duty("U0CAT", "stats")
    assert "Only coordinators and directors can do that" in reply
    await slack.duty("U0ADA", "role <@U0CAT> director")
    reply = await slack.duty("U0CAT", "stats")
    assert "*Twitter*: 1" in reply


async def test_nothing_changes_when_a_channel_is_set_to_what_it_already_is(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    reply = await slack.duty("U0ADA", "channel set TWITTER name=Twitter kind=twitter")
    assert "*Twitter* already has those settings; nothing changed." in reply


async def test_quiet_threshold_follows_the_kind_when_it_was_the_usual_one(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add News kind=twitter")
    reply = await slack.duty("U0ADA", "channel set News kind=newsletter")
    assert "kind newsletter; quiet after 30 days, the usual for newsletter" in reply
    await slack.duty("U0ADA", "channel add Photos kind=twitter quiet=5d")
    reply = await slack.duty("U0ADA", "channel set Photos kind=instagram")
    assert reply.endswith("Updated *Photos*: kind instagram.")


async def test_last_post_reads_yesterday_when_it_was_made_the_evening_before(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter")
    slack.clock.set(START + timedelta(days=6, hours=7))  # Sunday 6 Dec, 17:00 in London
    await slack.duty("U0BEN", "posted Twitter")
    slack.clock.advance(timedelta(hours=16))  # Monday 09:00
    reply = await slack.duty("U0BEN", "channels")
    assert field(reply, "Last post") == "yesterday"
