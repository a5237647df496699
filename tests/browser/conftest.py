"""Real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, on a playground
served from a temporary folder on a free loopback port. Nothing leaves 127.0.0.1.

Without Chromium these tests are skipped, unless `CI` is set, where that is a failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Route, async_playwright

from tests.databases import running_in_ci
from tests.playground import demo_playground

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and quiet: without the background-networking flags Chromium reaches out to
# Google's services, which a test machine may not (and should not) reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Visit:
    """A browser tab on the playground, and what went wrong in it that no locator shows."""

    page: Page
    base_url: str
    problems: list[str] = field(default_factory=list)
    """Script errors, console errors and requests that tried to leave the playground."""


def require_chromium() -> None:
    """Skip the test when Debian's Chromium is missing; in CI, fail it instead."""
    if CHROMIUM.exists():
        return
    reason = (
        f"no Chromium at {CHROMIUM}: `apt-get install chromium` "
        "(Playwright's own browser download is not used)"
    )
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set, so browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def visit(chromium: Browser, tmp_path: Path) -> AsyncIterator[Visit]:
    """A fresh demo library and a new browser context on it (the page's own CSP applies)."""
    async with demo_playground(tmp_path) as base_url:
        context = await chromium.new_context(
            base_url=base_url, viewport={"width": 1280, "height": 900}
        )
        page = await context.new_page()
        found = Visit(page, base_url)

        async def only_the_playground(route: Route) -> None:
            if route.request.url.startswith(f"{base_url}/"):
                await route.continue_()
            else:
                found.problems.append(f"blocked a request to {route.request.url}")
                await route.abort()

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                found.problems.append(f"console error: {message.text}")

        await context.route("**/*", only_the_playground)
        page.on("console", console)
        page.on("pageerror", lambda error: found.problems.append(f"script error: {error}"))
        try:
            yield found
        finally:
            await context.close()
