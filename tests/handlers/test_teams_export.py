"""`export` in Teams, whose bots can't simply attach files: a private download link at
BATON_PUBLIC_URL, or a sentence saying who must set it."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest

from tests.handlers.conftest import TeamsWorld

ADA = "29:ada"
BEN = "29:ben"
PUBLIC = "https://baton.library.example"


async def library(teams: TeamsWorld) -> None:
    """Ada, the first coordinator, sets up Twitter; Ben joins and records a post."""
    teams.connector.add_member(ADA, "Ada Lovelace")
    teams.connector.add_member(BEN, "Ben Okri")
    await teams.say(ADA, "Ada Lovelace", "channel add Twitter kind=twitter")
    await teams.say(BEN, "Ben Okri", "join")
    said = await teams.say(
        BEN, "Ben Okri", 'posted twitter https://x.com/library/status/7 Café, "quotes"'
    )
    assert "Recorded your post" in said


@pytest.mark.parametrize("teams", [{"BATON_PUBLIC_URL": PUBLIC}], indirect=True)
async def test_coordinator_gets_a_download_link_at_the_public_address_when_they_export(
    teams: TeamsWorld,
) -> None:
    await library(teams)

    said = await teams.say(ADA, "Ada Lovelace", "export")

    assert "Your export is ready" in said
    assert "1 post, 2 shifts and 0 reminders now" in said
    found = re.search(re.escape(PUBLIC) + r"(/export/[A-Za-z0-9_-]+/baton-export\.zip)", said)
    assert found, said
    async with teams.http.get(teams.base_url + found.group(1)) as response:
        assert response.status == 200
        archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    text = archive.read("posts.csv").decode("utf-8-sig")
    (post,) = csv.DictReader(io.StringIO(text, newline=""))
    assert (post["Author"], post["Author's chat ID"]) == ("Ben Okri", BEN)
    assert post["Note"] == 'Café, "quotes"'

    teams.clock.advance(timedelta(hours=24))
    async with teams.http.get(teams.base_url + found.group(1)) as response:
        assert response.status == 404
        assert "works for 24 hours" in await response.text()


async def test_coordinator_is_told_who_must_set_the_public_address_when_it_is_missing(
    teams: TeamsWorld,
) -> None:
    await library(teams)

    said = await teams.say(ADA, "Ada Lovelace", "export")

    assert "Whoever runs Baton must set BATON_PUBLIC_URL" in said
    assert "/export/" not in said
    refused = await teams.say(BEN, "Ben Okri", "export")
    assert "Only coordinators and directors can do that" in refused
