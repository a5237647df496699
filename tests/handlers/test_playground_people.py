"""People come and go in the playground: someone leaves the demo library and the rota and
the stewards heal, over HTTP as the page does it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.playground import demo_playground


class Page:
    """The playground's API, as its page uses it."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession) -> None:
        self.base_url = base_url
        self.http = http

    async def get(self, path: str) -> dict[str, Any]:
        async with self.http.get(f"{self.base_url}{path}") as response:
            assert response.status == 200, await response.text()
            return dict(await response.json())

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        async with self.http.post(f"{self.base_url}{path}", json=body) as response:
            assert response.status == status, await response.text()
            return dict(await response.json())

    async def duty(self, person: str, text: str) -> str:
        reply = await self.post("/playground/command", {"as": person, "text": text})
        return str(reply["reply"]["text"])

    async def dms(self, person: str) -> list[str]:
        messages = (await self.get(f"/playground/messages?as={person}"))["messages"]
        return [str(m["text"]) for m in messages]

    async def left(self) -> set[str]:
        return {m["id"] for m in (await self.get("/playground/staff"))["staff"] if m["left"]}

    async def on_duty(self) -> str:
        """The handle of whoever is on duty now, from `who`."""
        who = await self.duty("ada", "who")
        line = next(line for line in who.splitlines() if line.startswith("Now "))
        return line.rsplit("@", 1)[1].strip().lower()


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    async with aiohttp.ClientSession() as http, demo_playground(tmp_path) as base_url:
        yield Page(base_url, http)


async def test_rota_and_stewards_heal_when_the_person_on_duty_leaves_the_library(
    page: Page,
) -> None:
    if await page.on_duty() == "ada":  # the coordinator passes it on, so she hears of it
        await page.duty("ada", "skip")
    holder = await page.on_duty()
    ada_before = len(await page.dms("ada"))

    answer = await page.post("/playground/leave", {"person": holder})

    assert answer["change"] == "left"
    assert await page.left() == {holder}
    taker = await page.on_duty()
    assert taker != holder
    assert f"went to {taker.title()}, who has a direct message" in answer["summary"]
    assert "so Ada was told to change the login" in answer["summary"]
    assert "Their posts stay in the record." in answer["summary"]
    assert any(
        f"@{holder.title()} has left the workspace, so the rest of their shift" in dm
        for dm in await page.dms(taker)
    )
    [notice] = (await page.dms("ada"))[ada_before:]
    assert f"@{holder.title()} has left the workspace. They were a steward of" in notice
    assert f"@{holder}" not in await page.duty("ada", "schedule 4")
    refused = await page.post("/playground/command", {"as": holder, "text": "who"}, status=409)
    assert refused["error"].startswith(f"{holder.title()} has left the library")
    assert "has left the workspace" in await page.duty("ada", "channels")


async def test_leaving_twice_does_nothing_more_and_coming_back_needs_a_join(page: Page) -> None:
    await page.post("/playground/leave", {"person": "dan"})
    sent = {person: len(await page.dms(person)) for person in ("ada", "ben", "cat")}

    again = await page.post("/playground/leave", {"person": "dan"})
    back = await page.post("/playground/come-back", {"person": "dan"})

    assert again["summary"] == "Dan has already left the library; nothing more happened."
    assert {person: len(await page.dms(person)) for person in sent} == sent
    assert back["change"] == "returned"
    assert "on no rota until they type “join”" in back["summary"]
    assert await page.left() == set()
    assert "@dan" not in await page.duty("ada", "schedule 6")
    assert "Welcome to the social media rota!" in await page.duty("dan", "join")


async def test_someone_still_at_the_library_cannot_come_back(page: Page) -> None:
    answer = await page.post("/playground/come-back", {"person": "eve"})
    nobody = await page.post("/playground/leave", {"person": "zed"}, status=400)

    assert answer["summary"] == "Eve is still at the library, so there is nobody to bring back."
    assert "There is nobody called 'zed' here." in nobody["error"]
