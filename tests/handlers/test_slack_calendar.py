"""Calendar links in Slack: `/duty calendar` gives a private link, the feeds behind it are
served by Baton's own web server, and `/duty calendar reset` turns the old one off."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from tests.handlers.conftest import START, SlackWorld
from tests.handlers.staff import rota_of_three, staff

PUBLIC = "https://baton.example.org"
WITH_PUBLIC_URL = pytest.mark.parametrize("slack", [{"BATON_PUBLIC_URL": PUBLIC}], indirect=True)
LINK = re.compile(
    r"<(https://baton\.example\.org(/calendar/[A-Za-z0-9_-]{43}/(?:mine|rota)\.ics))>"
)


def links(reply: str) -> dict[str, str]:
    """The feeds' paths on the server, by feed, from a `calendar` reply (Baton sits behind
    https://baton.example.org, whose paths the test server serves as they are)."""
    found = {path.rsplit("/", 1)[1].removesuffix(".ics"): path for _, path in LINK.findall(reply)}
    assert set(found) == {"mine", "rota"}, reply
    return found


async def fetch(slack: SlackWorld, path: str) -> tuple[int, str, dict[str, str]]:
    async with slack.http.get(f"{slack.base_url}{path}") as response:
        return response.status, await response.text(), dict(response.headers)


async def events(slack: SlackWorld, path: str) -> list[tuple[datetime, datetime, str]]:
    """The feed's events as a calendar app reads them: start, end and summary."""
    status, body, headers = await fetch(slack, path)
    assert status == 200, body
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Cache-Control"] == "private"
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    return [
        (e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"]))
        for e in calendar.walk("VEVENT")
    ]


def monday(day: int, month: int = 12, year: int = 2026) -> datetime:
    """A Monday's 09:00 handoff in London in winter (09:00 UTC)."""
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


@WITH_PUBLIC_URL
async def test_person_sees_their_shifts_and_the_rota_when_they_subscribe_to_their_link(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)  # Ben now, Cat from Mon 7 Dec, Dan from Mon 14 Dec
    reply = await slack.duty("U0CAT", "calendar")

    assert "Your calendar links" in reply
    assert "Other calendars" in reply and "From URL" in reply
    assert "Add calendar → Subscribe from web" in reply
    assert "private to you" in reply and "`/duty calendar reset`" in reply
    feeds = links(reply)
    assert feeds["mine"].split("/")[2] == feeds["rota"].split("/")[2]  # one token, two feeds

    mine = await events(slack, feeds["mine"])
    assert {summary for _, _, summary in mine} == {"On duty: social media"}
    assert [(start, end) for start, end, _ in mine[:3]] == [
        (monday(7), monday(14)),
        (monday(28), monday(4, 1, 2027)),
        (monday(18, 1, 2027), monday(25, 1, 2027)),
    ]
    assert len(mine) == 9  # every third week, for the next 26 weeks
    assert all(start < START + timedelta(weeks=26) for start, _, _ in mine)

    rota = await events(slack, feeds["rota"])
    assert rota[:5] == [
        (monday(30, 11), START, "Nobody on duty: social media"),  # until Ben joined
        (START, monday(7), "ben on duty: social media"),
        (monday(7), monday(14), "cat on duty: social media"),
        (monday(14), monday(21), "dan on duty: social media"),
        (monday(21), monday(28), "ben on duty: social media"),
    ]

    again = await slack.duty("U0CAT", "calendar")
    assert links(again) == feeds


@WITH_PUBLIC_URL
async def test_feeds_follow_a_skip_when_fetched_again(slack: SlackWorld) -> None:
    await rota_of_three(slack)
    feeds = links(await slack.duty("U0CAT", "calendar"))
    slack.clock.advance(timedelta(hours=2))  # Monday 12:00
    assert "is on duty now" in await slack.duty("U0BEN", "skip")

    mine = await events(slack, feeds["mine"])
    rota = await events(slack, feeds["rota"])

    noon = START + timedelta(hours=2)
    assert mine[0] == (noon, monday(7), "On duty: social media")
    assert rota[1:3] == [
        (START, noon, "ben on duty: social media"),
        (noon, monday(7), "cat on duty: social media"),
    ]


@WITH_PUBLIC_URL
async def test_old_link_stops_working_when_the_person_resets_it(slack: SlackWorld) -> None:
    await rota_of_three(slack)
    old = links(await slack.duty("U0DAN", "calendar"))

    reply = await slack.duty("U0DAN", "calendar reset")

    assert "New calendar links" in reply
    assert "Your old calendar links no longer work" in reply
    new = links(reply)
    assert new["mine"] != old["mine"] and new["rota"] != old["rota"]
    for path in old.values():
        status, body, headers = await fetch(slack, path)
        assert status == 404
        assert headers["Content-Type"].startswith("text/plain")
        assert "There is no calendar at this address" in body
        assert "`/duty calendar`" in body
    mine = await events(slack, new["mine"])
    assert mine[0][:2] == (monday(14), monday(21))
    assert links(await slack.duty("U0DAN", "calendar")) == new


@WITH_PUBLIC_URL
async def test_link_is_refused_when_the_token_or_the_feed_is_made_up(slack: SlackWorld) -> None:
    staff(slack)
    feeds = links(await slack.duty("U0BEN", "calendar"))
    token = feeds["mine"].split("/")[2]
    for path in (
        f"/calendar/{'A' * 43}/mine.ics",
        f"/calendar/{token[:-1]}/mine.ics",
        f"/calendar/{token}/everyone.ics",
        "/calendar/x%00y/rota.ics",
    ):
        status, body, _ = await fetch(slack, path)
        assert status == 404, path
        assert "There is no calendar at this address" in body
    status, _, _ = await fetch(slack, feeds["mine"])
    assert status == 200


@WITH_PUBLIC_URL
async def test_link_stops_working_when_its_person_leaves_the_workspace(slack: SlackWorld) -> None:
    await rota_of_three(slack)
    await slack.duty("U0ADA", "steward add Twitter <@U0DAN|dan>")
    feeds = links(await slack.duty("U0DAN", "calendar"))
    slack.fake.users["U0DAN"]["deleted"] = True
    slack.clock.advance(timedelta(days=2))  # Baton looks people up again after a day
    reply = await slack.duty("U0ADA", "steward remove Twitter <@U0DAN|dan>")
    assert "<@U0DAN> is no longer a steward" in reply  # and Baton has learnt Dan left

    for path in feeds.values():
        status, body, _ = await fetch(slack, path)
        assert status == 404
        assert "There is no calendar at this address" in body


async def test_person_is_told_who_must_set_the_address_when_baton_has_no_public_url(
    slack: SlackWorld,
) -> None:
    staff(slack)
    reply = await slack.duty("U0BEN", "calendar")
    assert "whoever runs Baton needs to set BATON_PUBLIC_URL" in reply
    assert "`/duty schedule` lists the coming shifts" in reply
    assert "/calendar/" not in reply
    reply = await slack.duty("U0BEN", "calendar reset")
    assert "whoever runs Baton needs to set BATON_PUBLIC_URL" in reply


async def test_help_offers_the_calendar_when_a_member_asks(slack: SlackWorld) -> None:
    staff(slack)
    reply = await slack.duty("U0BEN", "help")
    assert "`/duty calendar [reset]` — private links to your shifts and the whole rota" in reply


@WITH_PUBLIC_URL
async def test_a_swapped_shift_says_so_in_the_calendar_once_it_has_begun(
    slack: SlackWorld,
) -> None:
    await rota_of_three(slack)  # Ben now, Cat from Mon 7 Dec, Dan from Mon 14 Dec
    await slack.duty("U0CAT", "swap <@U0DAN|dan>")
    swap = next(
        c.params["blocks"]
        for c in slack.fake.calls
        if c.method == "chat.postMessage" and "asks to swap" in str(c.params.get("text"))
    )
    await slack.answer(await slack.press("U0DAN", swap, "Accept"))
    slack.clock.set(START + timedelta(days=7))  # Mon 7 Dec 10:00: Dan's swapped shift is on
    mine = links(await slack.duty("U0DAN", "calendar"))["mine"]
    status, body, _ = await fetch(slack, mine)
    assert status == 200
    (current,) = [
        e for e in Calendar.from_ical(body).walk("VEVENT") if e.decoded("DTSTART") == monday(7)
    ]
    assert "Swapped." in str(current["DESCRIPTION"])
