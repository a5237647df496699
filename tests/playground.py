"""The local playground for tests: the real server on a free loopback port, over a SQLite
file in a temporary folder, with its clock at START until something moves it.

Shared by the playground's HTTP tests (tests/handlers) and its browser test (tests/browser).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.app import Running, start_playground
from bot.clock import FixedClock
from bot.settings import Settings
from storage.migrate import upgrade

# Wednesday 2 December 2026, 10:00 in London: the demo's "now".
START = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


async def start_demo(database: Path) -> Running:
    """Serve the playground over the SQLite file `database` on a free port of 127.0.0.1
    (seeding the demo library when the file has none), its clock starting at START."""
    settings = Settings.model_validate(
        {"DATABASE_URL": f"sqlite:///{database}", "BATON_HOST": "127.0.0.1", "BATON_PORT": 0}
    )
    return await start_playground(settings, FixedClock(START))


@asynccontextmanager
async def demo_playground(folder: Path) -> AsyncIterator[str]:
    """A fresh demo library kept in `folder`, served while the block runs; its address."""
    database = folder / "playground.db"
    upgrade(f"sqlite:///{database}")
    running = await start_demo(database)
    try:
        yield f"http://127.0.0.1:{running.port}"
    finally:
        await running.stop()
