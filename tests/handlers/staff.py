"""A library's staff in the fake Slack, and how to read Baton's replies to them."""

from __future__ import annotations

from tests.handlers.conftest import SlackWorld


def now_line(reply: str) -> str:
    """The `Now …` line of a `who` or `schedule` reply."""
    return next(line for line in reply.split("\n") if line.startswith("*Now*"))


def next_lines(reply: str) -> list[str]:
    """The upcoming shifts of a `who` or `schedule` reply, one line each."""
    return [line.removeprefix("• ") for line in reply.split("\n") if line.startswith("• ")]


def next_holders(reply: str) -> list[str]:
    """Who holds each upcoming shift of a `who` or `schedule` reply."""
    return [line.split(": ")[-1] for line in next_lines(reply)]


def field(reply: str, label: str) -> str:
    """The first value shown under `label` in a `channels` reply."""
    return reply.split(f"*{label}*\n")[1].split("\n")[0]


def staff(slack: SlackWorld) -> None:
    """Ada the workspace admin, and Ben, Cat and Dan on the staff."""
    slack.add_user("U0ADA", "ada", admin=True)
    slack.add_user("U0BEN", "ben")
    slack.add_user("U0CAT", "cat")
    slack.add_user("U0DAN", "dan")


async def rota_of_three(slack: SlackWorld) -> None:
    """Ben on duty now; Cat from Mon 7 Dec, Dan from Mon 14 Dec."""
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    for user in ("U0BEN", "U0CAT", "U0DAN"):
        await slack.duty(user, "join")
    who = await slack.duty("U0ADA", "who")
    assert "<@U0BEN>" in now_line(who)
    assert next_holders(who) == ["<@U0CAT>", "<@U0DAN>", "<@U0BEN>"]
