"""Handoffs and quiet-channel reminders, as staff see them in Slack: each exactly once.

The clock starts on Monday 30 November 2026, 10:00 in London (UTC in winter); the rota
hands over on Mondays at 09:00 and works Monday to Friday, 09:00–17:00.
"""

from __future__ import annotations

from datetime import timedelta

from tests.handlers.conftest import START, SlackWorld
from tests.handlers.staff import staff

DAY = timedelta(days=1)


async def library(slack: SlackWorld) -> None:
    """Twitter (quiet after 2 days) and a blog; Ben on duty this week, Cat the next."""
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0ADA", "channel add Blog kind=blog")
    await slack.duty("U0BEN", "join")
    await slack.duty("U0CAT", "join")


def reminders_to(slack: SlackWorld, user: str) -> list[str]:
    return [dm for dm in slack.dms(user) if "gone quiet" in dm]


async def test_new_person_is_told_and_the_last_one_thanked_when_a_shift_hands_over(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await slack.duty("U0BEN", "posted Twitter https://x.com/lib/1")
    assert await slack.run_job("handoff") == 0  # Ben was told when he joined

    slack.clock.set(START + 7 * DAY - timedelta(minutes=58))  # Mon 7 Dec 09:02
    assert await slack.run_job("handoff") == 2
    (welcome,) = [dm for dm in slack.dms("U0CAT") if "on duty" in dm]
    assert "You're on duty for the *social media* rota until Mon 14 Dec 09:00" in welcome
    assert "*Twitter*: last post 6 days ago" in welcome
    assert "*Blog*: no posts yet" in welcome
    (thanks,) = [dm for dm in slack.dms("U0BEN") if "Thank you" in dm]
    assert "You recorded 1 post." in thanks

    assert await slack.run_job("handoff") == 0  # the same tick again sends nothing
    slack.clock.advance(timedelta(hours=3))
    assert await slack.run_job("handoff") == 0


async def test_handoff_waits_for_working_hours_when_the_handoff_is_before_opening(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await slack.duty("U0ADA", 'rota set handoff="mon 07:00"')
    slack.clock.set(START + 14 * DAY - timedelta(hours=2, minutes=30))  # Mon 14 Dec 07:30
    assert await slack.run_job("handoff") == 0  # before 09:00: not yet
    slack.clock.set(START + 14 * DAY - timedelta(minutes=30))  # 09:30
    assert await slack.run_job("handoff") >= 1


async def test_person_on_duty_is_reminded_once_a_day_when_a_channel_goes_quiet(
    slack: SlackWorld,
) -> None:
    await library(slack)
    slack.clock.set(START + DAY)  # Tuesday: Twitter is 1 day quiet, not yet
    assert await slack.run_job("quiet-check") == 0

    slack.clock.set(START + 2 * DAY + timedelta(hours=1))  # Wed 2 Dec 11:00
    assert await slack.run_job("quiet-check") == 1
    (reminder,) = reminders_to(slack, "U0BEN")
    assert "You're on duty, and these outreach channels have gone quiet" in reminder
    assert "*Twitter*: no posts yet" in reminder
    assert "Blog" not in reminder

    slack.clock.advance(timedelta(hours=2))
    assert await slack.run_job("quiet-check") == 0  # one per channel per working day
    assert len(reminders_to(slack, "U0BEN")) == 1

    slack.clock.set(START + 3 * DAY + timedelta(hours=10))  # Thu 20:00: after hours
    assert await slack.run_job("quiet-check") == 0
    slack.clock.set(START + 4 * DAY - timedelta(hours=1, minutes=30))  # Fri 08:30: before
    assert await slack.run_job("quiet-check") == 0
    slack.clock.advance(timedelta(hours=1))  # 09:30
    assert await slack.run_job("quiet-check") == 1


async def test_a_coordinator_on_duty_is_not_told_of_her_own_unanswered_reminders(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0ADA", "role <@U0CAT|cat> coordinator")
    await slack.duty("U0ADA", "join")  # Ada, a coordinator, is on duty this week
    for day in (2, 3, 4):  # Wednesday to Friday
        slack.clock.set(START + day * DAY + timedelta(hours=1))
        await slack.run_job("quiet-check")
    assert len(reminders_to(slack, "U0ADA")) == 3
    assert not [dm for dm in slack.dms("U0ADA") if "unanswered" in dm]
    (escalation,) = [dm for dm in slack.dms("U0CAT") if "unanswered" in dm]
    assert "2 reminders to <@U0ADA> went unanswered" in escalation


async def test_post_ends_the_quiet_spell_when_recorded(slack: SlackWorld) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    await slack.run_job("quiet-check")
    await slack.duty("U0BEN", "posted Twitter https://x.com/lib/2")
    slack.clock.set(START + 3 * DAY + timedelta(hours=1))  # Thursday: 1 day since the post
    assert await slack.run_job("quiet-check") == 0
    assert len(reminders_to(slack, "U0BEN")) == 1


async def test_coordinators_are_told_when_two_reminders_go_unanswered(
    slack: SlackWorld,
) -> None:
    await library(slack)
    for day in (2, 3):  # Wednesday and Thursday
        slack.clock.set(START + day * DAY + timedelta(hours=1))
        await slack.run_job("quiet-check")
    assert not [dm for dm in slack.dms("U0ADA") if "still quiet" in dm or "unanswered" in dm]

    slack.clock.set(START + 4 * DAY + timedelta(hours=1))  # Friday
    assert await slack.run_job("quiet-check") == 2  # Ben's reminder, and the coordinators
    (escalation,) = [dm for dm in slack.dms("U0ADA") if "unanswered" in dm]
    assert "*Twitter* has had no post for 4 days" in escalation
    assert "2 reminders to <@U0BEN> went unanswered" in escalation

    slack.clock.set(START + 7 * DAY + timedelta(hours=1))  # Monday: told once per spell
    await slack.run_job("quiet-check")
    assert len([dm for dm in slack.dms("U0ADA") if "unanswered" in dm]) == 1


async def test_no_reminders_when_the_library_is_closed_or_it_is_the_weekend(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await slack.duty("U0ADA", "closure add 2026-12-02 2026-12-03 staff training")
    for day in (2, 3, 5, 6):  # Wed, Thu closed; Sat, Sun
        slack.clock.set(START + day * DAY + timedelta(hours=1))
        assert await slack.run_job("quiet-check") == 0
    slack.clock.set(START + 4 * DAY + timedelta(hours=1))  # Friday
    assert await slack.run_job("quiet-check") == 1


async def test_one_catch_up_reminder_when_the_bot_was_down_for_days(slack: SlackWorld) -> None:
    await library(slack)
    slack.clock.set(START + 16 * DAY + timedelta(hours=1))  # Wed 16 Dec, after 2 weeks down
    assert await slack.run_job("quiet-check") == 1
    reminders = reminders_to(slack, "U0BEN")  # Ben is back on duty in the third week
    assert len(reminders) == 1
    assert "*Twitter*" in reminders[0] and "*Blog*" in reminders[0]


async def test_unassigned_shift_reminds_the_coordinators_when_nobody_is_on_duty(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter")
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    assert await slack.run_job("quiet-check") == 1
    (reminder,) = reminders_to(slack, "U0ADA")
    assert "Nobody is on duty" in reminder


async def test_reminder_arrives_once_when_slack_fails_then_recovers(slack: SlackWorld) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    slack.fake.fail_next["chat.postMessage"] = [503]  # retried by the client
    assert await slack.run_job("quiet-check") == 1
    assert len(reminders_to(slack, "U0BEN")) == 1


async def test_failed_reminder_is_retried_then_shown_to_coordinators_when_slack_refuses_it(
    slack: SlackWorld,
) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    slack.fake.fail_next["chat.postMessage"] = [200]  # ok: false, not retried
    assert await slack.run_job("quiet-check") == 0
    reply = await slack.duty("U0ADA", "channels")
    assert "Messages that could not be sent" in reply
    assert "fatal_error" in reply
    slack.clock.advance(timedelta(minutes=15))
    assert await slack.run_job("quiet-check") == 1  # the next tick tries again
    assert len(reminders_to(slack, "U0BEN")) == 1
    reply = await slack.duty("U0ADA", "channels")
    assert "Messages that could not be sent" not in reply
    reply = await slack.duty("U0BEN", "channels")
    assert "Messages that could not be sent" not in reply


async def test_reminder_arrives_once_when_slack_asks_to_slow_down(slack: SlackWorld) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    slack.fake.fail_next["chat.postMessage"] = [429]  # with Retry-After: 1, then accepted
    assert await slack.run_job("quiet-check") == 1
    assert len(reminders_to(slack, "U0BEN")) == 1


async def test_digest_lists_messages_that_could_not_be_sent_when_slack_refused_them(
    slack: SlackWorld,
) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    slack.fake.fail_next["chat.postMessage"] = [200]
    await slack.run_job("quiet-check")
    reply = await slack.duty("U0ADA", "digest preview")
    assert "Messages that could not be sent" in reply
    assert "Reminder about Twitter (Wed 2 Dec 2026): ben: chat.postMessage: fatal_error" in reply


async def test_failed_reminder_is_not_retried_when_hours_are_over_or_a_post_ended_the_spell(
    slack: SlackWorld,
) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=6, minutes=50))  # Wed 16:50
    slack.fake.fail_next["chat.postMessage"] = [200]
    assert await slack.run_job("quiet-check") == 0
    slack.clock.advance(timedelta(minutes=15))  # 17:05: after hours
    assert await slack.run_job("quiet-check") == 0
    slack.clock.set(START + 3 * DAY)  # Thu 10:00: Wednesday's reminder is not sent late
    await slack.duty("U0BEN", "posted Twitter https://x.com/lib/77")
    assert await slack.run_job("quiet-check") == 0
    assert reminders_to(slack, "U0BEN") == []


async def test_retried_reminder_goes_to_whoever_is_on_duty_when_the_shift_passed_on(
    slack: SlackWorld,
) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))  # Wed 11:00
    slack.fake.fail_next["chat.postMessage"] = [200]
    await slack.run_job("quiet-check")
    await slack.duty("U0BEN", "skip")
    slack.clock.advance(timedelta(minutes=15))
    assert await slack.run_job("quiet-check") == 1
    assert reminders_to(slack, "U0BEN") == []
    assert len(reminders_to(slack, "U0CAT")) == 1


async def test_escalation_names_who_left_reminders_unanswered_and_counts_them_right(
    slack: SlackWorld,
) -> None:
    await library(slack)
    for day in (2, 3):
        slack.clock.set(START + day * DAY + timedelta(hours=1))
        await slack.run_job("quiet-check")
    await slack.duty("U0BEN", "skip")  # Cat takes over on Thursday
    slack.clock.set(START + 4 * DAY + timedelta(hours=1))  # Friday
    await slack.run_job("quiet-check")
    (escalation,) = [dm for dm in slack.dms("U0ADA") if "unanswered" in dm]
    assert "2 reminders to <@U0BEN> went unanswered" in escalation


async def test_coordinators_get_the_reminder_when_the_person_on_duty_is_away_that_day(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await slack.duty("U0BEN", "away 2026-12-02")  # one day: Ben stays on duty this week
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))  # Wednesday 2 Dec
    assert await slack.run_job("quiet-check") == 1
    assert reminders_to(slack, "U0BEN") == []
    (reminder,) = reminders_to(slack, "U0ADA")
    assert "Nobody is on duty" in reminder
    slack.clock.set(START + 3 * DAY + timedelta(hours=1))  # Thursday: Ben is back
    await slack.run_job("quiet-check")
    assert len(reminders_to(slack, "U0BEN")) == 1


async def test_coordinator_who_missed_a_shared_message_is_shown_when_the_others_got_it(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter")
    await slack.duty("U0ADA", "role <@U0CAT|cat> coordinator")
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    slack.fake.fail_next["chat.postMessage"] = [200]  # the first coordinator's copy fails
    assert await slack.run_job("quiet-check") == 1
    received = [u for u in ("U0ADA", "U0CAT") if reminders_to(slack, u)]
    assert len(received) == 1
    assert await slack.run_job("quiet-check") == 0  # the one who has it doesn't get it again
    channels = await slack.duty(received[0], "channels")
    assert "Messages that could not be sent" in channels
    assert "gone quiet: to" in channels and "fatal_error" in channels
