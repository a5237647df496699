"""`export` in the playground, which can't attach files to a message as Teams can't: a
private link to a zip of the CSV files, served by Baton's own web server for 24 hours."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.playground import demo_playground


async def duty(http: aiohttp.ClientSession, base: str, person: str, text: str) -> dict[str, Any]:
    async with http.post(
        f"{base}/playground/command", json={"as": person, "text": text}
    ) as response:
        assert response.status == 200
        return dict((await response.json())["reply"])


def link_in(reply: dict[str, Any]) -> str:
    found = re.search(r'href="([^"]+)"', reply["html"])
    assert found, reply["html"]
    return found.group(1).replace("&amp;", "&")


def csv_rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    async with aiohttp.ClientSession() as http, demo_playground(tmp_path) as base_url:
        yield http, base_url


async def test_coordinator_downloads_a_zip_of_the_records_when_they_follow_the_link(
    world: tuple[aiohttp.ClientSession, str],
) -> None:
    http, base = world

    reply = await duty(http, base, "ada", "export")

    assert "Your export is ready: baton-export.zip" in reply["text"]
    assert "works for 24 hours" in reply["text"]
    url = link_in(reply)
    assert re.fullmatch(re.escape(base) + r"/export/[A-Za-z0-9_-]{40,}/baton-export\.zip", url)
    said = re.search(r"\((\d+) posts", reply["text"])
    assert said, reply["text"]
    posts_said = int(said.group(1))

    async with http.get(url) as response:
        assert response.status == 200
        assert response.content_type == "application/zip"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="baton-export.zip"'
        )
        archive = zipfile.ZipFile(io.BytesIO(await response.read()))

    assert archive.namelist() == ["posts.csv", "shifts.csv", "reminders.csv"]
    posts = csv_rows(archive, "posts.csv")
    assert len(posts) == posts_said > 0
    assert {"Ben", "Cat", "Dan"} <= {row["Author"] for row in posts}
    assert {row["Timezone"] for row in posts} == {"Europe/London"}
    shifts = csv_rows(archive, "shifts.csv")
    assert shifts and all(row["Rota"] == "social media" for row in shifts)
    assert archive.read("reminders.csv").decode("utf-8-sig").startswith("Reminder ID,")

    # The zip is made when it is downloaded, so a post recorded since is in it.
    await duty(http, base, "ben", "posted twitter https://x.com/riversidelib/status/99 Late one")
    async with http.get(url) as response:
        again = zipfile.ZipFile(io.BytesIO(await response.read()))
    newest = csv_rows(again, "posts.csv")
    assert len(newest) == posts_said + 1
    assert "Late one" in {row["Note"] for row in newest}


async def test_link_stops_working_when_a_day_has_passed(
    world: tuple[aiohttp.ClientSession, str],
) -> None:
    http, base = world
    url = link_in(await duty(http, base, "flo", "export"))  # Flo is the director
    async with http.post(f"{base}/playground/clock", json={"step": "hour"}) as response:
        assert response.status == 200
    async with http.get(url) as response:
        assert response.status == 200

    async with http.post(f"{base}/playground/clock", json={"step": "day"}) as response:
        assert response.status == 200
    async with http.get(url) as response:
        assert response.status == 404
        said = await response.text()

    assert "a download link works for 24 hours" in said
    assert "Ask Baton for a new one" in said


async def test_unknown_link_is_not_found_and_a_member_gets_no_link(
    world: tuple[aiohttp.ClientSession, str],
) -> None:
    http, base = world

    async with http.get(f"{base}/export/not-a-real-token-at-all/baton-export.zip") as response:
        assert response.status == 404
    reply = await duty(http, base, "eve", "export")

    assert "Only coordinators and directors can do that" in reply["text"]
    assert "/export/" not in reply["html"]
