"""People come and go (§8) in Slack: `user_change` and `team_join` events, signed, against
the running app and the fake Slack Web API."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.fakes import slack_user
from tests.handlers.conftest import SlackWorld
from tests.handlers.staff import next_holders, now_line, staff


class Handled(logging.Handler):
    """Notes each member event the app finished with (one log line each), for the test's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self._loop = loop
        self._changed = asyncio.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        self._loop.call_soon_threadsafe(self._loop.create_task, self._note(record.getMessage()))

    async def _note(self, line: str) -> None:
        async with self._changed:
            self.lines.append(line)
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[list[str]], bool]) -> None:
        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self.lines))

        await asyncio.wait_for(satisfied(), 10)


@pytest.fixture
async def handled() -> AsyncIterator[Handled]:
    logger = logging.getLogger("handlers.slack.members")
    handler = Handled(asyncio.get_running_loop())
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def user_change(user: dict[str, Any]) -> dict[str, Any]:
    return {"type": "user_change", "user": user, "cache_ts": 1764496800}


async def library(slack: SlackWorld) -> None:
    """Twitter, with Ben and Cat its stewards; Ben on duty this week, then Cat, then Dan;
    Ben has posted twice."""
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0ADA", "steward add Twitter <@U0BEN|ben>")
    await slack.duty("U0ADA", "steward add Twitter <@U0CAT|cat>")
    for user in ("U0BEN", "U0CAT", "U0DAN"):
        await slack.duty(user, "join")
    await slack.duty("U0BEN", "posted Twitter https://x.com/lib/status/1 Storytime")
    await slack.duty("U0BEN", "posted Twitter https://x.com/lib/status/2 Craft club")
    assert "<@U0BEN>" in now_line(await slack.duty("U0ADA", "who"))


async def deactivate(slack: SlackWorld, user_id: str, event_id: str, retry: int = 0) -> None:
    """An admin deactivates the account: Slack says so in users.info and in an event."""
    slack.fake.users[user_id]["deleted"] = True
    response = await slack.post_event(user_change(slack.fake.users[user_id]), event_id, retry)
    assert response.status == 200


async def test_rota_and_stewards_heal_when_the_person_on_duty_is_deactivated(
    slack: SlackWorld, handled: Handled
) -> None:
    await library(slack)
    before = {user: len(slack.dms(user)) for user in ("U0ADA", "U0BEN", "U0CAT")}

    await deactivate(slack, "U0BEN", "Ev0BEN1")
    await handled.wait_for(lambda lines: "user_change: left" in " ".join(lines))

    await slack.fake.wait_for(
        lambda _: (
            len(slack.dms("U0CAT")) > before["U0CAT"] and len(slack.dms("U0ADA")) > before["U0ADA"]
        )
    )
    [handoff] = [dm for dm in slack.dms("U0CAT") if "has left the workspace" in dm]
    assert handoff == (
        "<@U0BEN> has left the workspace, so the rest of their shift on *social media* passes "
        "to you: you are on duty now until Mon 7 Dec 09:00. `/duty channels` shows what needs "
        "a post."
    )
    [notice] = slack.dms("U0ADA")[before["U0ADA"] :]
    assert "<@U0BEN> has left the workspace. They were a steward of *Twitter*" in notice
    assert "*Twitter* has 1 steward" in notice
    assert "`/duty steward add Twitter @person`" in notice
    assert len(slack.dms("U0BEN")) == before["U0BEN"]
    who = await slack.duty("U0DAN", "who")
    assert "<@U0CAT>" in now_line(who)
    assert "<@U0BEN>" not in who
    assert next_holders(who) == ["<@U0DAN>", "<@U0CAT>", "<@U0DAN>"]
    stats = await slack.duty("U0ADA", "stats")
    assert "*Twitter*: 2" in stats
    assert "<@U0BEN>: 2" in stats
    channels = await slack.duty("U0ADA", "channels")
    assert "<@U0BEN>, a steward of *Twitter*, has left the workspace" in channels


async def test_a_deactivation_acts_once_when_slack_retries_it_or_sends_it_again(
    slack: SlackWorld, handled: Handled
) -> None:
    await library(slack)
    await deactivate(slack, "U0BEN", "Ev0BEN1")
    await handled.wait_for(lambda lines: len(lines) == 1)
    await slack.fake.wait_for(lambda _: bool(slack.dms("U0ADA")))
    sent = len([c for c in slack.fake.calls if c.method == "chat.postMessage"])

    await deactivate(slack, "U0BEN", "Ev0BEN1", retry=1)  # the same event, a new envelope
    await deactivate(slack, "U0BEN", "Ev0BEN2")  # the same change, told again
    await handled.wait_for(lambda lines: len(lines) == 3)

    assert sorted(line.split(" (")[0] for line in handled.lines[1:]) == [
        "user_change: repeated",
        "user_change: unchanged",
    ]
    assert len([c for c in slack.fake.calls if c.method == "chat.postMessage"]) == sent
    assert len(slack.dms("U0ADA")) == 1
    assert "<@U0CAT>" in now_line(await slack.duty("U0DAN", "who"))


async def test_a_reactivated_person_is_back_but_not_on_the_rota(
    slack: SlackWorld, handled: Handled
) -> None:
    await library(slack)
    await deactivate(slack, "U0BEN", "Ev0BEN1")
    slack.fake.users["U0BEN"]["deleted"] = False

    await slack.post_event(user_change(slack.fake.users["U0BEN"]), "Ev0BEN2")
    await handled.wait_for(lambda lines: "user_change: returned" in " ".join(lines))

    assert "<@U0BEN>" not in await slack.duty("U0ADA", "who")
    assert "has left" not in await slack.duty("U0ADA", "channels")
    assert "Welcome to the *social media* rota!" in await slack.duty("U0BEN", "join")


async def test_a_newcomer_can_be_named_at_once_when_they_join_the_workspace(
    slack: SlackWorld, handled: Handled
) -> None:
    await library(slack)
    reply = await slack.duty("U0ADA", "role @nina director")
    assert "I don't know anyone called @nina" in reply

    nina = slack_user("U0NINA", "nina", real_name="Nina Newcomer")
    response = await slack.post_event({"type": "team_join", "user": nina}, "Ev0NINA")
    assert response.status == 200
    await handled.wait_for(lambda lines: "team_join: joined" in " ".join(lines))

    reply = await slack.duty("U0ADA", "role @nina director")
    assert "<@U0NINA> is now a director" in reply
    assert slack.dms("U0NINA") == []
    assert not any(c.params.get("user") == "U0NINA" for c in slack.fake.calls)


async def test_a_deactivation_whose_handling_failed_is_acted_on_when_slack_retries_it(
    slack: SlackWorld, handled: Handled
) -> None:
    await library(slack)
    # The database refuses to mark anyone departed for a while (a disk hiccup, say).
    database = sqlite3.connect(slack.database_url.removeprefix("sqlite:///"))
    with database:
        database.executescript(
            """
            CREATE TABLE hiccup (on_ integer);
            INSERT INTO hiccup VALUES (1);
            CREATE TRIGGER hiccup BEFORE UPDATE OF deleted ON people
            WHEN NEW.deleted AND EXISTS (SELECT 1 FROM hiccup)
            BEGIN SELECT RAISE(ABORT, 'disk hiccup'); END;
            """
        )
    failures = Handled(asyncio.get_running_loop())
    bolt = logging.getLogger("baton.slack")
    bolt.addHandler(failures)
    try:
        await deactivate(slack, "U0BEN", "Ev0BEN1")
        await failures.wait_for(lambda lines: "Failed to run listener" in " ".join(lines))
    finally:
        bolt.removeHandler(failures)
    assert "<@U0BEN>" in now_line(await slack.duty("U0ADA", "who"))  # nothing half-done

    with database:
        database.execute("DELETE FROM hiccup")
    database.close()
    await deactivate(slack, "U0BEN", "Ev0BEN1", retry=1)  # Slack tries the same event again
    await handled.wait_for(lambda lines: "user_change: left" in " ".join(lines))
    assert "<@U0CAT>" in now_line(await slack.duty("U0ADA", "who"))
