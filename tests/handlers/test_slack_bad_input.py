"""Requests Slack didn't sign, and people typing things Baton can't use."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.handlers.conftest import SlackWorld


def _row_counts(database_url: str) -> dict[str, int]:
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if name != "alembic_version"
        ]
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608


async def test_unsigned_request_is_refused_and_changes_nothing_when_signature_is_missing(
    slack: SlackWorld,
) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    before = _row_counts(slack.database_url)
    response = await slack.post(slack.form("U0ADA", "channel add Twitter", "x"), signed=False)
    assert response.status == 401
    assert _row_counts(slack.database_url) == before
    assert slack.fake.calls == []


async def test_request_is_refused_when_signed_with_the_wrong_secret(slack: SlackWorld) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    response = await slack.post(slack.form("U0ADA", "join", "x"), secret="not-the-secret")
    assert response.status == 401
    assert slack.fake.calls == []


async def test_stale_request_is_refused_and_changes_nothing_when_older_than_five_minutes(
    slack: SlackWorld,
) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    before = _row_counts(slack.database_url)
    stale = int(time.time()) - 301  # noqa: TID251 - Slack's replay window is real time
    response = await slack.post(slack.form("U0ADA", "join", "x"), timestamp=stale)
    assert response.status == 401
    assert _row_counts(slack.database_url) == before
    assert slack.fake.calls == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jion", "Did you mean `join`"),
        ("posted nowhere https://x.org/1", "I don't know an outreach channel called “nowhere”"),
        ("posted Twiter https://x.org/1", "Did you mean “Twitter”?"),
        ("away someday", "someday"),
        ("away 2026-02-30", "2026-02-30"),
        ("away 2026-12-10 2026-12-01", "before"),
        ("away cancel 3", "no time away planned"),
        ("schedule lots", "lots"),
        ("stats -4", "-4"),
        ("channel add Blog quiet=abc", "`quiet=abc` isn't a duration"),
        ("channel add Blog kind=myspace", "myspace"),
        ("channel set Nowhere quiet=3d", "I don't know an outreach channel called “Nowhere”"),
        ("steward add Twitter @nobody", "I don't know anyone called @nobody"),
        ("steward add Twitter <@U0GHOST|ghost>", "can't find that person"),
        ("role <@U0BEN|ben> overlord", "overlord"),
        ("rota set tz=Mars/Olympus", "Mars/Olympus"),
        ("rota set hours=17:00-09:00", "hours"),
        ('access Twitter "password: hunter2"', "password"),
        ("closure holidays XX", "XX"),
        ("skip", "not on duty"),
        ("leave", "not on the"),
        ("join nowhere", "There is no rota called “nowhere”"),
        ("who nowhere", "There is no rota called “nowhere”"),
        ("schedule 100", "100"),
        ("role", "Usage"),
        ("channel", "Usage"),
        ("channel remove", "Usage"),
        ("steward add Twitter", "@"),
        ("rota set", "Usage"),
        ("access Twitter", "Usage"),
        ("closure remove x", "Usage"),
        ("closure remove 4", "no closures"),
        ("away cancel x", "Usage"),
        ("digest to #general", "autocomplete"),
        ("who who who", "There is no rota called “who who”"),
    ],
)
async def test_friendly_reply_when_input_is_malformed(
    slack: SlackWorld, text: str, expected: str
) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    slack.add_user("U0BEN", "ben")
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    before = _row_counts(slack.database_url)
    reply = await slack.duty("U0ADA", text)
    assert expected in reply
    assert "Traceback" not in reply and "Error" not in reply
    assert _row_counts(slack.database_url) == before


async def test_long_emoji_and_right_to_left_notes_are_kept_as_typed_when_recording_posts(
    slack: SlackWorld,
) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    await slack.duty("U0ADA", "channel add Twitter")
    reply = await slack.duty("U0ADA", "posted Twitter " + "x" * 10_000)
    assert "That note is 10000 characters long; please keep it to 1000." in reply
    reply = await slack.duty("U0ADA", "posted Twitter 📚✨ مكتبة الأطفال")
    assert "Recorded your post" in reply
    reply = await slack.duty("U0ADA", "stats")
    assert "1 post in all" in reply


async def test_injected_mentions_are_shown_literally_when_typed_into_text(
    slack: SlackWorld,
) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    reply = await slack.duty("U0ADA", "channel add <!channel>")
    assert "<!channel>" not in reply
    await slack.duty("U0ADA", "channel add Blog kind=blog")
    # Someone types: access Blog "binder <!channel> <@U0ADA> & co" — Slack escapes what
    # was typed, and turns a real @channel into <!channel>.
    typed = 'access Blog "binder &lt;!channel&gt; &lt;@U0ADA&gt; &amp; co <!channel>"'
    reply = await slack.duty("U0ADA", typed)
    assert "<!channel>" not in reply and "<@U0ADA>" not in reply
    assert "binder &lt;!channel&gt; &lt;@U0ADA&gt; &amp; co @channel" in reply
    reply = await slack.duty("U0ADA", "channels")
    assert "binder &lt;!channel&gt; &lt;@U0ADA&gt; &amp; co @channel" in reply
    assert "<!channel>" not in reply


async def test_first_person_becomes_coordinator_when_the_workspace_has_none(
    slack: SlackWorld,
) -> None:
    slack.add_user("U0BEN", "ben")
    slack.add_user("U0CAT", "cat")
    reply = await slack.duty("U0BEN", "channel add Twitter")
    assert "no coordinator yet, so you are its first" in reply
    assert "Added the outreach channel *Twitter*" in reply
    reply = await slack.duty("U0CAT", "channel add Blog")
    assert "Only coordinators can do that" in reply and "<@U0BEN>" in reply


async def test_unknown_word_is_quoted_as_typed_when_it_has_angle_brackets(
    slack: SlackWorld,
) -> None:
    slack.add_user("U0ADA", "ada", admin=True)
    reply = await slack.duty("U0ADA", "&lt;script&gt;")  # Slack's escaping of <script>
    assert "I don't know the word `&lt;script&gt;`" in reply  # shown to the person as <script>
    assert "&amp;lt;" not in reply
