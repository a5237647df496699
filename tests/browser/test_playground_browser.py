"""The playground's page in real Chromium, clicked through as a newcomer would: the README's
five-minute tour, asserting on what a person sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser


async def settled(page: Page) -> None:
    """Wait until the page has finished what the last click started (it says so with
    aria-busy); until then it ignores presses of Send and of buttons in messages."""
    await expect(page.locator("body")).not_to_have_attribute("aria-busy", "true")


async def test_newcomer_sees_handoff_reminder_and_digest_when_a_week_passes_in_the_page(
    visit: Visit, tmp_path: Path
) -> None:
    page = visit.page
    await page.goto("/")
    await settled(page)
    await expect(page.get_by_role("heading", name="Baton playground", level=1)).to_be_visible()
    controls = page.get_by_role("region", name="Who you are and the time")
    clock = controls.get_by_role("paragraph").filter(has_text="Playground time")
    await expect(clock).to_have_text(re.compile(r"Playground time\s*Wed 2 Dec 2026, 10:00"))

    # Be Eve, who has just started.
    person = controls.get_by_role("combobox", name="You are")
    await person.select_option(label="Eve (@eve)")
    await expect(person).to_have_accessible_description(
        re.compile("before anyone asked her to join the rota")
    )

    # Join: the hint fills the command box, Send sends it.
    talk = page.get_by_role("region", name="Commands")
    await talk.get_by_role("button", name="join", exact=True).click()
    command = talk.get_by_role("combobox", name="Type a command")
    await expect(command).to_have_value("join")
    await talk.get_by_role("button", name="Send").click()
    replies = page.get_by_role("log", name="Replies to you")
    await expect(replies.get_by_text("You: /duty join")).to_be_visible()
    await expect(
        replies.get_by_text("Welcome to the social media rota! Your first shift: Mon 28 Dec")
    ).to_be_visible()
    home = page.get_by_role("region", name="Home")
    await expect(home).to_contain_text("Your next shift")
    await expect(home.get_by_role("button", name="Leave the rota")).to_be_visible()
    await settled(page)

    # Log a post with the form that Home's button opens.
    await home.get_by_role("button", name="Log a post").click()
    form = replies.get_by_role("form", name="Record a post")
    await form.get_by_label("Outreach channel").select_option(label="Twitter")
    await form.get_by_label("Link to the post").fill("https://x.com/riversidelib/status/1")
    await form.get_by_label("Note").fill("Storytime photos")
    await form.get_by_role("button", name="Record").click()
    await expect(replies.get_by_text("Recorded your post on Twitter. Thank you!")).to_be_visible()
    await expect(form).to_have_count(0)
    await settled(page)

    # A week goes by: the Monday handoff, reminders and Friday's digest are sent on the way.
    await controls.get_by_role("button", name="+1 week").click()
    status = page.get_by_role("status")
    await expect(status).to_contain_text("The clock is now Wed 9 Dec 2026, 10:00.")
    await expect(status).to_contain_text(
        re.compile(r"New messages for [^.]*\bDan\b[^.]*: pick them under “You are”")
    )
    await expect(clock).to_have_text(re.compile(r"Playground time\s*Wed 9 Dec 2026, 10:00"))
    await settled(page)

    # Dan's shift began on Monday: the handoff, then reminders about quiet channels.
    dan = person.get_by_role("option", name=re.compile(r"^Dan \(@dan\): \d+ new messages$"))
    await expect(dan).to_have_count(1)
    await person.select_option("dan")
    dms = page.get_by_role("region", name="Direct messages")
    handoff = dms.get_by_role("article").filter(
        has=page.get_by_role("heading", name="You're on duty: social media")
    )
    await expect(handoff).to_contain_text("You're on duty for the social media rota until Mon 14")
    reminders = dms.get_by_role("article").filter(
        has_text="You're on duty, and these outreach channels have gone quiet"
    )
    await expect(reminders.first).to_be_visible()
    await expect(reminders.last).to_contain_text("Twitter: last post")
    await reminders.last.get_by_role("button", name="Snooze 1 day").click()
    await expect(replies.get_by_text("You pressed “Snooze 1 day”")).to_be_visible()
    await expect(replies.get_by_text(re.compile(r"^Snoozed: no reminders about"))).to_be_visible()
    await settled(page)

    # Flo, the director, has Friday's weekly digest, with Eve's post in it.
    await person.select_option("flo")
    digest = dms.get_by_role("article").filter(
        has=page.get_by_role("heading", name="Weekly digest: Fri 27 Nov – Fri 4 Dec 2026")
    )
    await expect(digest).to_be_visible()
    await expect(digest).to_contain_text("Fri 4 Dec 15:00")
    await expect(digest.get_by_text("@Eve: 1 post")).to_be_visible()

    screenshot = tmp_path / "playground-digest.png"
    await page.screenshot(path=screenshot, full_page=True)
    print(f"screenshot of the playground: {screenshot}")  # noqa: T201
    assert visit.problems == []
