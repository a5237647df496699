"""The post form and the buttons on reminders, pressed as staff would in Slack."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.handlers.conftest import START, SlackWorld
from tests.handlers.staff import now_line, staff
from tests.handlers.test_slack_scheduled import DAY, library, reminders_to


def reminder_blocks(slack: SlackWorld, user: str) -> list[dict[str, Any]]:
    """The blocks of the latest reminder sent to `user`."""
    calls = [
        c
        for c in slack.fake.calls
        if c.method == "chat.postMessage"
        and c.params.get("channel") == user
        and "gone quiet" in str(c.params.get("text"))
    ]
    blocks: list[dict[str, Any]] = calls[-1].params["blocks"]
    return blocks


async def test_posted_alone_opens_a_form_that_records_the_post_when_submitted(
    slack: SlackWorld,
) -> None:
    await library(slack)
    key = await slack.start_command("U0BEN", "posted")
    view = await slack.opened_form(key)
    assert view["title"]["text"] == "Record a post"
    select = view["blocks"][0]["element"]
    assert [o["text"]["text"] for o in select["options"]] == ["Blog", "Twitter"]

    twitter = next(o["value"] for o in select["options"] if o["text"]["text"] == "Twitter")
    answer = await slack.submit("U0BEN", view, {"channel": twitter, "url": "not a link"})
    assert answer == {
        "response_action": "errors",
        "errors": {"url": "Paste the post's web address, starting with https://"},
    }
    answer = await slack.submit(
        "U0BEN", view, {"channel": twitter, "url": "https://x.com/lib/9", "note": "Storytime"}
    )
    assert answer == {}
    await slack.fake.wait_for(
        lambda _calls: any("Recorded your post" in m for m in slack.dms("U0BEN"))
    )
    reply = await slack.duty("U0ADA", "stats")
    assert "*Twitter*: 1" in reply and "<@U0BEN>: 1" in reply


async def test_snooze_holds_reminders_for_a_day_when_pressed(slack: SlackWorld) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))  # Wed 11:00
    await slack.run_job("quiet-check")
    key = await slack.press("U0BEN", reminder_blocks(slack, "U0BEN"), "Snooze 1 day")
    assert "Snoozed: no reminders about Twitter until Thu 3 Dec 11:00." in await slack.answer(key)

    slack.clock.set(START + 3 * DAY)  # Thu 10:00: still snoozed
    assert await slack.run_job("quiet-check") == 0
    slack.clock.set(START + 3 * DAY + timedelta(hours=2))  # Thu 12:00
    assert await slack.run_job("quiet-check") == 1
    assert len(reminders_to(slack, "U0BEN")) == 2


async def test_log_a_post_opens_the_form_for_that_channel_when_pressed(
    slack: SlackWorld,
) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    await slack.run_job("quiet-check")
    key = await slack.press("U0BEN", reminder_blocks(slack, "U0BEN"), "Log a post")
    view = await slack.opened_form(key)
    chosen = view["blocks"][0]["element"]["initial_option"]
    assert chosen["text"]["text"] == "Twitter"
    await slack.submit("U0BEN", view, {"channel": chosen["value"], "url": "https://x.com/l/3"})
    slack.clock.set(START + 3 * DAY + timedelta(hours=1))
    assert await slack.run_job("quiet-check") == 0  # the post ended the quiet spell


async def test_pass_hands_the_shift_on_when_pressed(slack: SlackWorld) -> None:
    await library(slack)
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    await slack.run_job("quiet-check")
    key = await slack.press("U0BEN", reminder_blocks(slack, "U0BEN"), "Pass to next person")
    assert "<@U0CAT> is on duty now" in await slack.answer(key)
    assert "<@U0CAT>" in now_line(await slack.duty("U0ADA", "who"))


async def test_pressed_reminders_count_as_answered_when_deciding_to_escalate(
    slack: SlackWorld,
) -> None:
    await library(slack)
    for day in (2, 3, 4):  # Wednesday to Friday, each reminder snoozed
        slack.clock.set(START + day * DAY + timedelta(hours=3))
        await slack.run_job("quiet-check")
        key = await slack.press("U0BEN", reminder_blocks(slack, "U0BEN"), "Snooze 1 day")
        await slack.answer(key)
    assert not [dm for dm in slack.dms("U0ADA") if "unanswered" in dm]


async def test_coordinators_get_no_pass_button_when_nobody_is_on_duty(
    slack: SlackWorld,
) -> None:
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter")
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))
    await slack.run_job("quiet-check")
    labels = [
        element["text"]["text"]
        for block in reminder_blocks(slack, "U0ADA")
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert labels == ["Log a post", "Snooze 1 day"]


async def test_log_a_post_answers_every_channel_in_the_reminder_when_pressed(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await slack.duty("U0ADA", "channel set Blog quiet=1d")
    for day in (2, 3, 4):  # both channels quiet each day; Ben presses Log a post, then cancels
        slack.clock.set(START + day * DAY + timedelta(hours=3))
        await slack.run_job("quiet-check")
        reminder = reminder_blocks(slack, "U0BEN")
        assert "Twitter" in str(reminder) and "Blog" in str(reminder)
        await slack.opened_form(await slack.press("U0BEN", reminder, "Log a post"))
    assert not [dm for dm in slack.dms("U0ADA") if "unanswered" in dm]


async def test_form_sent_twice_records_the_post_once_when_slack_resends_it(
    slack: SlackWorld,
) -> None:
    await library(slack)
    view = await slack.opened_form(await slack.start_command("U0BEN", "posted"))
    twitter = next(
        o["value"]
        for o in view["blocks"][0]["element"]["options"]
        if o["text"]["text"] == "Twitter"
    )
    for _ in range(2):
        assert await slack.submit("U0BEN", view, {"channel": twitter, "note": "Storytime"}) == {}
    await slack.fake.wait_for(
        lambda _calls: any("already recorded" in m for m in slack.dms("U0BEN"))
    )
    assert "1 post in all" in await slack.duty("U0ADA", "stats")
