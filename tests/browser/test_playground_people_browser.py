"""Someone leaves the demo library in real Chromium, by keyboard: the page says what Baton
did, and nobody can act as them until they come back."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser


async def settled(page: Page) -> None:
    """Wait until the page has finished what the last press started (aria-busy)."""
    await expect(page.locator("body")).not_to_have_attribute("aria-busy", "true")


async def test_someone_leaves_and_comes_back_when_the_controls_are_used_by_keyboard(
    visit: Visit,
) -> None:
    page = visit.page
    await page.goto("/")
    await settled(page)
    controls = page.get_by_role("region", name="Who you are and the time")
    person = controls.get_by_role("combobox", name="You are")
    await person.select_option(label="Ben (@ben)")
    await settled(page)

    leaver = controls.get_by_role("combobox", name="Someone leaves the library")
    await expect(leaver).to_have_accessible_description(re.compile("deactivates"))
    await leaver.select_option(label="Ben (@ben)")
    leave = controls.get_by_role("button", name="Leaves the library")
    await leave.focus()
    await page.keyboard.press("Enter")
    await settled(page)

    status = page.get_by_role("status")
    await expect(status).to_contain_text("Ben has left the library")
    await expect(status).to_contain_text("so Ada was told to change the login")
    # The page acts as a coordinator now, and Ben can't be picked until he is back.
    await expect(person).to_have_value("ada")
    await expect(person.locator("option", has_text="Ben (@ben)")).to_be_disabled()
    await expect(page.get_by_role("region", name="Direct messages")).to_contain_text(
        "@Ben has left the workspace. They were a steward of Twitter"
    )

    await controls.get_by_role("button", name="Comes back").click()
    await settled(page)
    await expect(status).to_contain_text("Ben is back.")
    await expect(person.locator("option", has_text="Ben (@ben)")).to_be_enabled()
    assert visit.problems == []
