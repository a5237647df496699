"""`rota set watch=#channel`: the chat channel whose links become posts, as typed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.commands import USAGE, CommandError, RotaSet, help_text, parse_command

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rota set watch=<#C0OUTREACH|outreach>", RotaSet(watch="C0OUTREACH")),
        ("rota set watch=<#G0PRIVATE|>", RotaSet(watch="G0PRIVATE")),
        ("rota set watch=none", RotaSet(watch="")),
        ("rota set watch=off", RotaSet(watch="")),
        (
            "rota set shift=day watch=<#C0OUTREACH|outreach>",
            RotaSet(shift_days=1, watch="C0OUTREACH"),
        ),
    ],
)
def test_watch_is_read_when_a_chat_channel_or_none_is_given(text: str, expected: RotaSet) -> None:
    assert parse_command(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rota set watch=nonsense", "`watch=nonsense` isn't a chat channel"),
        ("rota set watch=#outreach", "I can't tell which chat channel `#outreach` is"),
        ("rota set watch=<@U0ADA|ada>", "isn't a chat channel"),
        ("rota set watch=", "`watch=` needs a value"),
    ],
)
def test_watch_is_refused_with_its_usage_when_it_names_no_chat_channel(
    text: str, expected: str
) -> None:
    result = parse_command(text, TODAY)

    assert isinstance(result, CommandError)
    assert expected in result.message
    if "needs a value" not in expected:
        assert result.usage == USAGE["rota set watch"]
        assert "`watch=none`" in result.message or "`watch=#outreach`" in result.message


def test_rota_is_unchanged_when_only_the_watched_channel_is_set() -> None:
    assert not RotaSet(watch="C0OUTREACH").changes_rota()
    assert RotaSet(shift_days=7, watch="").changes_rota()


def test_help_shows_how_to_watch_a_chat_channel_when_a_coordinator_asks() -> None:
    assert "`/duty rota set watch=#channel|none`" in help_text(coordinator=True)
    assert "watch=" not in help_text(coordinator=False)
