"""Calendar links in the playground: they point at the playground's own address, and the
feeds behind them hold the demo library's history and plan."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from icalendar import Calendar

from tests.playground import START, demo_playground


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[tuple[str, aiohttp.ClientSession]]:
    async with aiohttp.ClientSession() as http, demo_playground(tmp_path) as base_url:
        yield base_url, http


async def duty(http: aiohttp.ClientSession, base_url: str, person: str, text: str) -> str:
    body = {"as": person, "text": text}
    async with http.post(f"{base_url}/playground/command", json=body) as response:
        assert response.status == 200
        return str((await response.json())["reply"]["text"])


def feed_links(base_url: str, reply: str) -> dict[str, str]:
    pattern = re.escape(base_url) + r"/calendar/[A-Za-z0-9_-]{43}/(mine|rota)\.ics"
    found = {m.group(1): m.group(0) for m in re.finditer(pattern, reply)}
    assert set(found) == {"mine", "rota"}, reply
    return found


async def test_calendar_link_opens_on_the_playground_when_a_demo_person_asks(
    playground: tuple[str, aiohttp.ClientSession],
) -> None:
    base_url, http = playground
    reply = await duty(http, base_url, "cat", "calendar")
    assert "Your calendar links" in reply
    links = feed_links(base_url, reply)

    async with http.get(links["mine"]) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        mine = Calendar.from_ical(await response.text()).walk("VEVENT")
    async with http.get(links["rota"]) as response:
        rota = Calendar.from_ical(await response.text()).walk("VEVENT")

    starts = [event.decoded("DTSTART") for event in mine]
    assert any(start < START for start in starts)  # shifts Cat served
    assert any(start > START for start in starts)  # and those to come
    assert all(start >= START - timedelta(weeks=9) for start in starts)
    assert {str(event["SUMMARY"]) for event in mine} == {"On duty: social media"}
    assert "Ada on duty: social media" in {str(event["SUMMARY"]) for event in rota}
    assert len(rota) > len(mine)

    new = feed_links(base_url, await duty(http, base_url, "cat", "calendar reset"))
    async with http.get(links["mine"]) as response:
        assert response.status == 404
    async with http.get(new["mine"]) as response:
        assert response.status == 200
