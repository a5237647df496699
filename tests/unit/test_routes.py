"""Every command the parser knows has an answer, and help offers each of them."""

from __future__ import annotations

import typing
from datetime import date

from bot.domain import commands as c
from bot.services import ROUTES


def test_every_command_has_an_answer_when_parsed() -> None:
    every = set(typing.get_args(c.Command)) - {c.Help}
    assert every == set(ROUTES)


def test_help_offers_export_and_calendar_when_asked_by_a_coordinator() -> None:
    said = c.help_text(coordinator=True)
    assert "`/duty export`" in said
    assert "`/duty calendar" in said
    assert "`/duty export`" not in c.help_text(coordinator=False)


def test_digest_commands_are_answered_when_parsed() -> None:
    examples = [
        "digest preview",
        "digest send",
        "digest to <#C0123|outreach>",
        "digest to @jane",
        "digest to directors",
        "digest at fri 15:00",
    ]
    for example in examples:
        assert type(c.parse_command(example, date(2026, 11, 30))) in ROUTES
