"""The local playground, end to end over HTTP: the page, the demo library, its clock."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import (
    PlaygroundUnavailableError,
    Running,
    SqlDemoStore,
    build_playground,
)
from bot.clock import FixedClock
from bot.settings import Settings
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.playground import START, demo_playground, start_demo


@dataclass
class PlaygroundDriver:
    """Uses the playground's API as its page does."""

    base_url: str
    http: aiohttp.ClientSession

    async def get(self, path: str, status: int = 200) -> dict[str, Any]:
        async with self.http.get(f"{self.base_url}{path}") as response:
            assert response.status == status, await response.text()
            return dict(await response.json())

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        async with self.http.post(f"{self.base_url}{path}", json=body) as response:
            assert response.status == status, await response.text()
            return dict(await response.json())

    async def duty(self, person: str, text: str) -> dict[str, Any]:
        """`/duty text` as `person`; the reply as the page gets it."""
        reply = (await self.post("/playground/command", {"as": person, "text": text}))["reply"]
        return dict(reply)

    async def press(
        self, person: str, button: dict[str, str], where: str = "message"
    ) -> dict[str, Any]:
        body = {"as": person, "action": button["action"], "value": button["value"]}
        reply = (await self.post("/playground/press", {**body, "where": where}))["reply"]
        return dict(reply)

    async def dms(self, person: str) -> list[dict[str, Any]]:
        return list((await self.get(f"/playground/messages?as={person}"))["messages"])

    async def everyone_dms(self) -> dict[str, list[dict[str, Any]]]:
        staff = (await self.get("/playground/staff"))["staff"]
        return {member["id"]: await self.dms(member["id"]) for member in staff}

    async def step(self, step: str) -> dict[str, Any]:
        return await self.post("/playground/clock", {"step": step})


async def _started(database: Path, http: aiohttp.ClientSession) -> tuple[Running, PlaygroundDriver]:
    running = await start_demo(database)
    return running, PlaygroundDriver(f"http://127.0.0.1:{running.port}", http)


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[PlaygroundDriver]:
    async with aiohttp.ClientSession() as http, demo_playground(tmp_path) as base_url:
        yield PlaygroundDriver(base_url, http)


async def test_page_and_its_files_are_served_when_the_playground_starts(
    playground: PlaygroundDriver,
) -> None:
    async with playground.http.get(f"{playground.base_url}/") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        page = await response.text()
    assert "<h1>Baton playground</h1>" in page
    assert '<label for="person">You are</label>' in page
    assert '<label for="command">' in page
    assert 'aria-live="polite"' in page
    for asset, kind in (("playground.js", "javascript"), ("playground.css", "text/css")):
        async with playground.http.get(f"{playground.base_url}/static/{asset}") as response:
            assert response.status == 200
            assert kind in response.content_type
    async with playground.http.get(f"{playground.base_url}/healthz") as response:
        assert response.status == 200


async def test_demo_library_has_months_of_history_when_first_started(
    playground: PlaygroundDriver,
) -> None:
    listed = await playground.get("/playground/staff")
    assert [m["id"] for m in listed["staff"]] == ["ada", "ben", "cat", "dan", "eve", "flo"]
    assert listed["clock"]["label"] == "Wed 2 Dec 2026, 10:00"

    stats = await playground.duty("flo", "stats 90")
    assert stats["text"].startswith("Posts in the last 90 days")
    for line in ("• Twitter:", "• Instagram:", "• Blog:", "• Newsletter:", "• @Ben:", "• @Cat:"):
        assert line in stats["text"]
    total = int(stats["text"].split("\n")[1].split()[0])
    assert total > 50

    who = await playground.duty("eve", "who")
    assert "Now Mon 30 Nov 09:00 – Mon 7 Dec 09:00: @Ada" in who["text"]
    channels = await playground.duty("ada", "channels")
    assert "Stewards: @Ben" in channels["text"]
    assert "Login: library password manager → Social → Twitter" in channels["text"]
    # The handoff job ran at "now": Ada was told she is on duty.
    assert any("You're on duty" in m["text"] for m in await playground.dms("ada"))


async def test_a_week_brings_handoff_reminders_and_digest_when_the_clock_moves(
    playground: PlaygroundDriver,
) -> None:
    joined = await playground.duty("eve", "join")
    assert "Welcome to the social media rota" in joined["text"]
    posted = await playground.duty(
        "eve", "posted twitter https://x.com/riversidelib/status/42 Storytime photos"
    )
    assert posted["text"] == "Recorded your post on Twitter. Thank you!"

    moved = await playground.step("week")
    assert moved["clock"]["label"] == "Wed 9 Dec 2026, 10:00"
    jobs = {run["job"] for run in moved["runs"]}
    assert jobs == {"handoff", "quiet-check", "digest"}
    assert "handoffs (2) at Mon 7 Dec 09:05" in moved["summary"]
    # Each job is told once, with when it first and last sent something.
    assert moved["summary"].count("quiet-channel reminders (") == 1
    assert re.search(r"quiet-channel reminders \(\d+\) from \w{3} \d+ Dec", moved["summary"])

    everyone = await playground.everyone_dms()
    handoffs = [
        who for who, dms in everyone.items() if any("You're on duty" in m["text"] for m in dms)
    ]
    assert "dan" in handoffs
    reminders = [
        (who, m)
        for who, dms in everyone.items()
        for m in dms
        if "these outreach channels have gone quiet" in m["text"]
    ]
    assert reminders
    who, reminder = reminders[-1]
    assert 'data-action="snooze_day"' in reminder["html"]
    snooze = next(b for b in reminder["buttons"] if b["label"] == "Snooze 1 day")
    snoozed = await playground.press(who, snooze)
    assert snoozed["text"].startswith("Snoozed: no reminders about ")

    digests = [m for m in everyone["flo"] if m["summary"].startswith("Weekly digest")]
    assert len(digests) == 1
    assert digests[0]["at_label"] == "Fri 4 Dec 15:00"
    assert "Weekly digest: Fri 27 Nov – Fri 4 Dec 2026" in digests[0]["text"]
    assert "@Ben made" in digests[0]["text"]  # the continuity warning of the demo's Twitter


async def test_hour_moves_the_clock_and_runs_the_jobs_once_when_pressed(
    playground: PlaygroundDriver,
) -> None:
    moved = await playground.step("hour")
    assert moved["clock"]["label"] == "Wed 2 Dec 2026, 11:00"
    assert (await playground.get("/playground/clock"))["clock"]["now"] == (
        "2026-12-02T11:00:00+00:00"
    )
    # Twitter's last post was Monday 10:15, so it is quiet now: Ada, on duty, hears of it.
    assert [run["job"] for run in moved["runs"]] == ["quiet-check"]
    assert any("gone quiet" in m["summary"] for m in await playground.dms("ada"))


async def test_post_form_records_a_post_once_when_sent_back_filled_in(
    playground: PlaygroundDriver,
) -> None:
    form = await playground.duty("cat", "posted")
    assert form["kind"] == "form"
    assert form["fields"] == ["channel", "url", "note"]
    assert '<label for="' in form["html"] and 'name="channel"' in form["html"]
    channel = re.findall(r'<option value="([0-9]+)">Twitter</option>', form["html"])[0]
    body = {"as": "cat", "form_id": form["form_id"], "submission": "s1"}
    wrong = await playground.post(
        "/playground/submit", {**body, "answers": {"channel": channel, "url": "not a link"}}
    )
    assert wrong["reply"] == {
        "kind": "errors",
        "errors": {"url": "Paste the post's web address, starting with https://"},
    }
    answers = {"channel": channel, "url": "https://x.com/riversidelib/status/7", "note": "Hi"}
    sent = await playground.post("/playground/submit", {**body, "answers": answers})
    assert sent["reply"]["text"] == "Recorded your post on Twitter. Thank you!"
    again = await playground.post("/playground/submit", {**body, "answers": answers})
    assert "already recorded" in again["reply"]["text"]


async def test_home_join_button_puts_a_newcomer_on_the_rota_when_pressed(
    playground: PlaygroundDriver,
) -> None:
    home = (await playground.get("/playground/home?as=eve"))["home"]
    assert "You're not on the social media rota" in home["text"]
    join = next(b for b in home["buttons"] if b["label"] == "Join the rota")
    after = await playground.press("eve", join, where="home")
    assert "Welcome to the social media rota" in after["text"]
    assert "Your next shift" in after["text"]
    assert any(b["label"] == "Leave the rota" for b in after["buttons"])


async def test_digest_reaches_a_chat_channel_when_a_coordinator_chooses_one(
    playground: PlaygroundDriver,
) -> None:
    chosen = await playground.duty("ada", "digest to #outreach")
    assert "The weekly digest will be posted in #outreach" in chosen["text"]
    assert '<span class="chat-channel">#outreach</span>' in chosen["html"]
    sent = await playground.duty("ada", "digest send")
    assert sent["text"].startswith("Sent this week's digest to @Flo, #outreach")
    posted = (await playground.get("/playground/chat-channels"))["chat_channels"]
    outreach = next(channel for channel in posted if channel["name"] == "outreach")
    assert outreach["posts"][0]["summary"].startswith("Weekly digest")


async def test_reset_restores_the_demo_when_asked(playground: PlaygroundDriver) -> None:
    await playground.duty("eve", "join")
    await playground.duty("ada", "channel add Mastodon kind=mastodon")
    await playground.step("day")
    assert await playground.dms("eve") or await playground.dms("ada")

    reset = await playground.post("/playground/reset", {})
    assert reset["clock"]["label"] == "Wed 2 Dec 2026, 10:00"
    home = (await playground.get("/playground/home?as=eve"))["home"]
    assert "You're not on the social media rota" in home["text"]
    assert "Mastodon" not in (await playground.duty("ada", "channels"))["text"]
    assert await playground.dms("eve") == []
    stats = await playground.duty("flo", "stats")
    assert "• @Ben:" in stats["text"]


async def test_user_text_comes_back_escaped_when_it_holds_markup(
    playground: PlaygroundDriver,
) -> None:
    saved = await playground.duty("ada", "access Twitter '<script>steal()</script> & <b>safe</b>'")
    assert "<script>steal()</script> & <b>safe</b>" in saved["text"]
    assert "&lt;script&gt;steal()&lt;/script&gt; &amp; &lt;b&gt;safe&lt;/b&gt;" in saved["html"]
    assert "<script" not in saved["html"] and "<b>" not in saved["html"]
    channels = await playground.duty("cat", "channels")
    assert "&lt;script&gt;steal()&lt;/script&gt;" in channels["html"]
    assert "<script" not in channels["html"]


async def test_bad_requests_are_refused_with_a_reason_when_malformed(
    playground: PlaygroundDriver,
) -> None:
    nobody = await playground.post("/playground/command", {"as": "zed", "text": "who"}, 400)
    assert "nobody called 'zed'" in nobody["error"]
    step = await playground.post("/playground/clock", {"step": "year"}, 400)
    assert "hour, day, week" in step["error"]
    async with playground.http.post(
        f"{playground.base_url}/playground/command", data='{"as": "eve", "text": "join"}'
    ) as response:
        assert response.status == 415  # not JSON: a form post from another site can't act
    assert (
        "not on the social media rota"
        in ((await playground.get("/playground/home?as=eve"))["home"]["text"])
    )


async def test_demo_carries_on_from_where_its_clock_was_when_restarted(tmp_path: Path) -> None:
    database = tmp_path / "playground.db"
    upgrade(f"sqlite:///{database}")
    async with aiohttp.ClientSession() as http:
        running, driver = await _started(database, http)
        try:
            await driver.duty("eve", "join")
            await driver.step("day")
        finally:
            await running.stop()
        running, driver = await _started(database, http)
        try:
            clock = (await driver.get("/playground/clock"))["clock"]
            assert clock["label"] == "Thu 3 Dec 2026, 10:00"
            home = (await driver.get("/playground/home?as=eve"))["home"]
            assert "Your next shift" in home["text"]
        finally:
            await running.stop()


def test_playground_refuses_a_database_when_it_holds_slack_workspaces(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(url)
    engine = create_engine_for(url)
    with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
        uow.workspaces.add("slack", "T0LIBRARY", "Library")
        uow.commit()
    store = SqlDemoStore(url, engine, SqlAlchemyUnitOfWorkFactory(engine))
    refusal = store.wipe()
    engine.dispose()
    assert refusal is not None and "slack records" in refusal
    assert (tmp_path / "baton.db").exists()
    settings = Settings.model_validate({"DATABASE_URL": url})
    with pytest.raises(PlaygroundUnavailableError, match="DATABASE_URL holds slack records"):
        build_playground(settings, FixedClock(START))


def test_reset_is_refused_politely_when_the_database_is_not_a_sqlite_file() -> None:
    url = "postgresql+psycopg://baton:hunter2@db.example.org/baton"
    engine = create_engine_for(url)  # never connects: the refusal comes first
    store = SqlDemoStore(url, engine, SqlAlchemyUnitOfWorkFactory(engine))
    refusal = store.wipe()
    assert store.clock_file is None
    assert refusal is not None
    assert "a postgresql database" in refusal and "sqlite:///playground.db" in refusal
    assert "hunter2" not in refusal
