"""Every command the parser knows has an answer, and help offers only what is answered."""

from __future__ import annotations

import typing
from datetime import date

from bot.domain import commands as c
from bot.services import NOT_OFFERED, NOT_YET, ROUTES


def test_every_command_has_an_answer_when_parsed() -> None:
    every = set(typing.get_args(c.Command)) - {c.Help}
    assert every == set(ROUTES) | set(NOT_YET)
    assert not set(ROUTES) & set(NOT_YET)


def test_help_hides_exactly_the_commands_not_offered_when_listing_usage() -> None:
    examples = {
        "calendar": "calendar",
        "export": "export",
    }
    assert set(examples) == set(NOT_OFFERED)
    for word, example in examples.items():
        assert word in c.USAGE
        assert type(c.parse_command(example, date(2026, 11, 30))) in NOT_YET


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
