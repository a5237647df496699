"""Swapping shifts: ask, accept or decline, and what the rota does afterwards."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from tests.handlers.conftest import START, SlackWorld
from tests.handlers.staff import next_lines, now_line, rota_of_three, staff


def swap_request_blocks(slack: SlackWorld, user: str) -> list[dict[str, Any]]:
    calls = [
        c
        for c in slack.fake.calls
        if c.method == "chat.postMessage"
        and c.params.get("channel") == user
        and "asks to swap" in str(c.params.get("text"))
    ]
    blocks: list[dict[str, Any]] = calls[-1].params["blocks"]
    return blocks


async def test_accepted_swap_exchanges_the_two_shifts_when_the_partner_agrees(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)  # Ben now, Cat from Mon 7 Dec, Dan from Mon 14 Dec
    reply = await slack.duty("U0CAT", "swap <@U0DAN|dan>")
    assert (
        "Asked <@U0DAN> to take your shift Mon 7 Dec 09:00 – Mon 14 Dec 09:00 in exchange "
        "for theirs, Mon 14 Dec 09:00 – Mon 21 Dec 09:00." in reply
    )
    key = await slack.press("U0DAN", swap_request_blocks(slack, "U0DAN"), "Accept")
    assert "Swapped. You're on duty from Mon 7 Dec 09:00" in await slack.answer(key)
    assert any("accepted your swap" in dm for dm in slack.dms("U0CAT"))

    schedule = next_lines(await slack.duty("U0BEN", "schedule 4"))
    assert schedule[:2] == [
        "Mon 7 Dec 09:00 – Mon 14 Dec 09:00: <@U0DAN>",
        "Mon 14 Dec 09:00 – Mon 21 Dec 09:00: <@U0CAT>",
    ]
    slack.clock.set(START + timedelta(days=7))  # Mon 7 Dec 10:00: the swap holds
    assert "<@U0DAN>" in now_line(await slack.duty("U0BEN", "who"))

    key = await slack.press("U0DAN", swap_request_blocks(slack, "U0DAN"), "Accept")
    assert "You already answered that swap" in await slack.answer(key)


async def test_declined_swap_changes_nothing_and_the_asker_is_told(slack: SlackWorld) -> None:
    await rota_of_three(slack)
    await slack.duty("U0CAT", "swap <@U0DAN|dan>")
    key = await slack.press("U0DAN", swap_request_blocks(slack, "U0DAN"), "Decline")
    assert "Declined. <@U0CAT> has been told." in await slack.answer(key)
    assert any("declined your swap" in dm for dm in slack.dms("U0CAT"))
    schedule = next_lines(await slack.duty("U0BEN", "schedule 3"))
    assert schedule[0].endswith("<@U0CAT>") and schedule[1].endswith("<@U0DAN>")


async def test_one_swap_wins_when_two_people_accept_the_same_shift_at_once(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    await slack.duty("U0CAT", "swap <@U0DAN|dan>")
    await slack.duty("U0CAT", "swap <@U0BEN|ben>")
    keys = await asyncio.gather(
        slack.press("U0DAN", swap_request_blocks(slack, "U0DAN"), "Accept"),
        slack.press("U0BEN", swap_request_blocks(slack, "U0BEN"), "Accept"),
    )
    answers = [await slack.answer(key) for key in keys]
    assert sum("Swapped." in a for a in answers) == 1
    assert sum("Too late" in a for a in answers) == 1
    schedule = next_lines(await slack.duty("U0ADA", "schedule 4"))
    holders = [line.split(": ")[-1] for line in schedule]
    assert holders[0] in ("<@U0DAN>", "<@U0BEN>")
    assert holders.count("<@U0CAT>") == 1


async def test_friendly_reply_when_a_swap_cannot_be_asked_for(slack: SlackWorld) -> None:
    staff(slack)
    await slack.duty("U0BEN", "join")
    assert "can't swap with yourself" in await slack.duty("U0BEN", "swap <@U0BEN|ben>")
    assert "isn't on the *social media* rota" in await slack.duty("U0BEN", "swap <@U0CAT|cat>")
    assert "You're not on the" in await slack.duty("U0DAN", "swap <@U0BEN|ben>")


async def test_swap_with_someone_further_down_moves_only_the_two_when_agreed(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    slack.add_user("U0EVE", "eve")
    await slack.duty("U0EVE", "join")  # Ben now; Cat 7 Dec, Dan 14 Dec, Eve 21 Dec
    dms_to_dan = len(slack.dms("U0DAN"))
    await slack.duty("U0CAT", "swap <@U0EVE|eve>")
    key = await slack.press("U0EVE", swap_request_blocks(slack, "U0EVE"), "Accept")
    assert "Swapped." in await slack.answer(key)
    holders = [line.split(": ")[-1] for line in next_lines(await slack.duty("U0ADA", "schedule 5"))]
    assert holders == ["<@U0EVE>", "<@U0DAN>", "<@U0CAT>", "<@U0BEN>"]
    assert len(slack.dms("U0DAN")) == dms_to_dan  # Dan's turn did not move


async def test_swapped_shift_can_be_swapped_again_when_its_new_holder_agrees(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)
    await slack.duty("U0CAT", "swap <@U0DAN|dan>")
    await slack.answer(await slack.press("U0DAN", swap_request_blocks(slack, "U0DAN"), "Accept"))
    await slack.duty("U0DAN", "swap <@U0BEN|ben>")  # Dan now holds 7 Dec; Ben holds 21 Dec
    key = await slack.press("U0BEN", swap_request_blocks(slack, "U0BEN"), "Accept")
    assert "Swapped." in await slack.answer(key)
    schedule = next_lines(await slack.duty("U0ADA", "schedule 4"))
    assert schedule[0] == "Mon 7 Dec 09:00 – Mon 14 Dec 09:00: <@U0BEN>"
