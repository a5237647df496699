"""Passing a shift on, and people Baton can't or shouldn't put on duty."""

from __future__ import annotations

from datetime import timedelta

from tests.handlers.conftest import SlackWorld
from tests.handlers.staff import next_holders, now_line, rota_of_three, staff


async def test_shift_goes_to_someone_new_when_a_second_person_skips_it(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    slack.clock.advance(timedelta(hours=1))
    reply = await slack.duty("U0BEN", "skip")
    assert "<@U0CAT> is on duty now" in reply
    slack.clock.advance(timedelta(hours=1))
    reply = await slack.duty("U0CAT", "skip")
    assert "<@U0DAN> is on duty now" in reply
    assert not any("passed their shift" in dm for dm in slack.dms("U0BEN"))
    slack.clock.advance(timedelta(hours=1))
    reply = await slack.duty("U0DAN", "skip")
    assert "Nobody else on the *social media* rota is free to take over" in reply
    who = await slack.duty("U0ADA", "who")
    assert "<@U0DAN>" in now_line(who)


async def test_leaver_passes_the_shift_to_someone_who_has_not_passed_it_on_when_leaving(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    slack.clock.advance(timedelta(hours=1))
    await slack.duty("U0BEN", "skip")
    slack.clock.advance(timedelta(hours=1))
    reply = await slack.duty("U0CAT", "leave")
    assert "Your current shift has passed to <@U0DAN>" in reply


async def test_member_who_left_the_workspace_is_off_the_rota_when_looked_up_again(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    await slack.duty("U0ADA", "steward add Twitter <@U0DAN|dan>")
    await slack.duty("U0ADA", "steward add Twitter <@U0CAT|cat>")
    slack.fake.users["U0DAN"]["deleted"] = True
    slack.clock.advance(timedelta(days=2))  # Baton looks people up again after a day

    reply = await slack.duty("U0ADA", "steward remove Twitter <@U0DAN|dan>")
    assert "<@U0DAN> is no longer a steward of *Twitter*" in reply
    who = await slack.duty("U0ADA", "who")
    assert "<@U0DAN>" not in who
    assert next_holders(who) == ["<@U0CAT>", "<@U0BEN>", "<@U0CAT>"]
    reply = await slack.duty("U0ADA", "steward add Twitter <@U0DAN|dan>")
    assert "I can't find that person" in reply


async def test_bot_cannot_be_made_a_coordinator_when_mentioned(slack: SlackWorld) -> None:
    staff(slack)
    slack.add_user("U0BOT", "otterbot")
    slack.fake.users["U0BOT"]["is_bot"] = True
    reply = await slack.duty("U0ADA", "role <@U0BOT|otterbot> coordinator")
    assert "I can't find that person" in reply
    reply = await slack.duty("U0BEN", "channel add Blog")
    assert "Ask <@U0ADA>." in reply


async def test_commands_still_work_when_slack_cannot_say_who_someone_is(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter")
    slack.fake.fail_next["users.info"] = [200]
    reply = await slack.duty("U0BEN", "join")
    assert "Welcome to the *social media* rota!" in reply
    slack.fake.fail_next["users.info"] = [200]
    reply = await slack.duty("U0ADA", "steward add Twitter <@U0CAT>")
    assert "couldn't reach the chat service" in reply
    # With the name Slack sent along, Baton carries on and looks Cat up later.
    slack.fake.fail_next["users.info"] = [200]
    reply = await slack.duty("U0ADA", "steward add Twitter <@U0CAT|cat>")
    assert "<@U0CAT> is now a steward of *Twitter*" in reply
    # Slack is back: Ben is looked up again, since his record was a stand-in.
    reply = await slack.duty("U0BEN", "who")
    assert "<@U0BEN>" in now_line(reply)
    assert (
        sum(c.method == "users.info" and c.params.get("user") == "U0BEN" for c in slack.fake.calls)
        == 1
    )


async def test_promotion_only_happens_when_a_coordinator_command_is_run(
    slack: SlackWorld,
) -> None:
    slack.add_user("U0BEN", "ben")
    slack.add_user("U0CAT", "cat")
    reply = await slack.duty("U0BEN", "stats")
    assert "Only coordinators and directors can do that" in reply
    assert "you are its first" not in reply
    reply = await slack.duty("U0CAT", "rota set hours=08:00-16:00")
    assert "you are its first" in reply


async def test_taker_is_told_by_the_handoff_job_when_the_skip_message_failed(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    slack.clock.advance(timedelta(hours=1))
    slack.fake.fail_next["chat.postMessage"] = [200]  # Cat's message is refused
    reply = await slack.duty("U0BEN", "skip")
    assert "<@U0CAT> is on duty now" in reply
    assert slack.dms("U0CAT") == [dm for dm in slack.dms("U0CAT") if "moved" in dm]
    channels = await slack.duty("U0ADA", "channels")
    assert "Messages that could not be sent" in channels and "fatal_error" in channels
    assert await slack.run_job("handoff") == 1
    assert any("You're on duty for the *social media* rota" in dm for dm in slack.dms("U0CAT"))
    assert "Messages that could not be sent" not in await slack.duty("U0ADA", "channels")


async def test_failed_message_from_a_command_is_shown_to_coordinators_when_slack_refuses_it(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    slack.fake.fail_next["chat.postMessage"] = [200]
    await slack.duty("U0CAT", "swap <@U0DAN|dan>")
    channels = await slack.duty("U0ADA", "channels")
    assert "Notice message: to dan (cat asks to swap shifts): chat.postMessage: fatal_error" in (
        channels
    )
