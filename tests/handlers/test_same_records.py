"""One library's week, typed in Slack and in Teams: Baton keeps the same records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from tests.handlers.conftest import SlackWorld, TeamsWorld

STAFF = {"ada": "Ada Lovelace", "ben": "Ben Okri", "cat": "Cat Stevens", "dan": "Dan Brown"}

WEEK: list[tuple[str, str]] = [
    ("ada", "rota set tz=Europe/London days=mon-fri hours=09:00-17:00"),
    ("ada", "channel add Twitter kind=twitter"),
    ("ada", "channel add Blog kind=blog quiet=5d"),
    ("ben", "join"),
    ("cat", "join"),
    ("dan", "join"),
    ("ben", "posted Twitter https://x.com/lib/1 Storytime photos"),
    ("cat", "away 2026-12-08 2026-12-09"),
    ("ada", "role {dan} director"),
    ("ben", "skip"),
    ("cat", "posted Blog https://blog.library.example/winter-hours Winter hours"),
    ("dan", "leave"),
]

RECORDS = {
    "channels": "SELECT name, kind, quiet_after_seconds, archived FROM outreach_channels",
    "people": "SELECT display_name, role, deleted FROM people",
    "memberships": (
        "SELECT p.display_name, r.name, m.joined_at, m.left_at FROM memberships m "
        "JOIN people p ON p.id = m.person_id JOIN rotas r ON r.id = m.rota_id"
    ),
    "shifts": (
        "SELECT s.starts_at, s.ends_at, p.display_name, s.origin, s.handed_over FROM shifts s "
        "LEFT JOIN people p ON p.id = s.person_id"
    ),
    "posts": (
        "SELECT c.name, a.display_name, po.url, po.note, po.source, po.posted_at FROM posts po "
        "JOIN outreach_channels c ON c.id = po.channel_id "
        "LEFT JOIN people a ON a.id = po.author_id"
    ),
    "away": (
        "SELECT p.display_name, w.first_day, w.last_day FROM away_periods w "
        "JOIN people p ON p.id = w.person_id"
    ),
    "rotas": (
        "SELECT name, shift_days, handoff_weekday, handoff_time, timezone, working_days, "
        "work_start, work_end FROM rotas"
    ),
}


def records(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                name: sorted((tuple(row) for row in connection.execute(sa.text(query))), key=repr)
                for name, query in RECORDS.items()
            }
    finally:
        engine.dispose()


async def test_the_same_week_keeps_the_same_records_when_typed_in_slack_and_in_teams(
    slack: SlackWorld, teams: TeamsWorld
) -> None:
    slack_ids = {key: f"U0{key.upper()}" for key in STAFF}
    teams_ids = {key: f"29:{key}" for key in STAFF}
    for key, name in STAFF.items():
        slack.add_user(slack_ids[key], key, real_name=name)
        slack.fake.users[slack_ids[key]]["profile"]["display_name"] = name
        teams.connector.add_member(teams_ids[key], name)

    for day, (who, command) in enumerate(WEEK):
        moment = slack.clock.now() + timedelta(hours=1 if day % 4 else 20)
        slack.clock.set(moment)
        teams.clock.set(moment)
        slack_text = command.format(dan=f"<@{slack_ids['dan']}|dan>")
        teams_text = command.format(dan="<at>Dan Brown</at>")
        mentions = [(teams_ids["dan"], "Dan Brown")] if "{dan}" in command else []
        in_slack = await slack.duty(slack_ids[who], slack_text)
        in_teams = await teams.say(teams_ids[who], STAFF[who], teams_text, mentions=mentions)
        assert "Sorry" not in in_slack and "Sorry" not in in_teams
        for job in ("handoff", "quiet-check"):
            assert await slack.run_job(job) == await teams.run_job(job)

    in_slack, in_teams = records(slack.database_url), records(teams.database_url)
    assert in_slack["posts"] and in_slack["shifts"] and in_slack["away"]
    assert in_slack == in_teams
