"""A new library's first week with Baton, as the staff see it in Slack."""

from __future__ import annotations

from datetime import timedelta

from tests.handlers.conftest import SlackWorld


async def test_first_week_when_a_new_library_sets_up_baton(slack: SlackWorld) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    slack.add_user("U0BEN", "ben")
    slack.add_user("U0CAT", "cat")
    slack.add_user("U0DAN", "dan")

    reply = await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    assert "Added the outreach channel *Twitter*" in reply
    reply = await slack.duty("U0ADA", "channel add Blog kind=blog quiet=10d")
    assert "quiet after 10 days" in reply

    reply = await slack.duty("U0BEN", "join")
    assert "Nobody was on duty, so you are" in reply
    reply = await slack.duty("U0CAT", "join")
    assert "Your first shift: Mon 7 Dec 09:00" in reply
    reply = await slack.duty("U0DAN", "join")
    assert "Your first shift: Mon 14 Dec 09:00" in reply

    reply = await slack.duty("U0ADA", "who")
    assert "<@U0BEN>" in reply.split("\n")[1]
    lines = reply.split("• ")
    assert "<@U0CAT>" in lines[1] and "<@U0DAN>" in lines[2] and "<@U0BEN>" in lines[3]

    reply = await slack.duty("U0CAT", "away 2026-12-07 2026-12-11")
    assert "Noted: you are away Mon 7 Dec 2026 – Fri 11 Dec 2026" in reply
    # Dan's turn came forward a week, and he was told.
    assert any("Mon 7 Dec 09:00" in dm for dm in slack.dms("U0DAN"))

    reply = await slack.duty("U0ADA", "schedule 4")
    assert reply.index("<@U0BEN>") < reply.index("<@U0DAN>") < reply.index("<@U0CAT>")

    slack.clock.advance(timedelta(days=1))
    reply = await slack.duty("U0BEN", "skip")
    # Cat has waited longest and is not away for the rest of this week, so she takes over.
    assert "<@U0CAT> is on duty now" in reply
    assert any("passed their shift" in dm for dm in slack.dms("U0CAT"))
    reply = await slack.duty("U0ADA", "who")
    assert "<@U0CAT>" in reply.split("\n")[1]

    reply = await slack.duty("U0CAT", "posted twitter https://x.com/library/status/1 Storytime!")
    assert "Recorded your post on *Twitter*" in reply
    reply = await slack.duty("U0DAN", "posted twitter https://x.com/library/status/1")
    assert "already recorded" in reply

    reply = await slack.duty("U0BEN", "channels")
    assert "*Twitter*" in reply and "today" in reply
    assert "*Blog*" in reply

    reply = await slack.duty("U0ADA", "stats")
    assert "1 post in all" in reply
    assert "<@U0CAT>: 1" in reply


async def test_member_is_refused_when_running_a_coordinator_command(slack: SlackWorld) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    slack.add_user("U0BEN", "ben")
    await slack.duty("U0ADA", "help")
    reply = await slack.duty("U0BEN", "channel add Twitter")
    assert "Only coordinators can do that" in reply
    assert "<@U0ADA>" in reply
    reply = await slack.duty("U0BEN", "channels")
    assert "No outreach channels yet" in reply
