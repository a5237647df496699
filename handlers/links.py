"""What people's private links open, on Baton's one web server:

    GET /calendar/{token}/mine.ics          the person's shifts
    GET /calendar/{token}/rota.ics          every rota's shifts, naming who is on duty
    GET /export/{token}/baton-export.zip    posts.csv, shifts.csv and reminders.csv

Each is put together from the records when it is fetched. The token is the whole key, so
it never appears in a log line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from bot.domain.export import ZIP_NAME
from bot.services import Baton
from bot.services.calendars import FEEDS

log = logging.getLogger(__name__)

T = TypeVar("T")

LINKS_BATON = web.AppKey("links_baton", Baton)
CALENDAR_GONE = (
    "There is no calendar at this address: the link was turned off with "
    "`/duty calendar reset`, or it was never one of Baton's. Ask Baton for yours with "
    "`/duty calendar`.\n"
)
CALENDAR_FAILED = (
    "Baton couldn't put this calendar together just now; your calendar app will try again "
    "by itself.\n"
)
EXPORT_GONE = (
    "There is no export at this address any more: a download link works for 24 hours, and "
    "only for the coordinator or director it was made for. Ask Baton for a new one with "
    "`export` (in Slack, `/duty export`).\n"
)
EXPORT_FAILED = "Baton couldn't put the export together just now. Please try again in a minute.\n"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
CALENDAR_CACHING = {"Cache-Control": "private"}
EXPORT_CACHING = {"Cache-Control": "no-store"}


def _plain(status: int, sentence: str, caching: dict[str, str]) -> web.Response:
    return web.Response(
        status=status, text=sentence, content_type="text/plain", headers={**HEADERS, **caching}
    )


async def _built(
    build: Callable[[], T | None], what: str, gone: str, failed: str, caching: dict[str, str]
) -> T | web.Response:
    """What a link opens, built off the event loop; a plain answer when there is nothing
    (404) or building it failed (503)."""
    try:
        found = await asyncio.to_thread(build)
    except Exception as error:  # noqa: BLE001 - its text may quote the token, so not logged
        log.error("%s could not be built: %s", what, type(error).__name__)
        return _plain(503, failed, caching)
    return _plain(404, gone, caching) if found is None else found


async def calendar(request: web.Request) -> web.Response:
    """One calendar feed."""
    which = request.match_info["feed"]
    caching = CALENDAR_CACHING
    if which not in FEEDS:
        return _plain(404, CALENDAR_GONE, caching)
    baton, token = request.app[LINKS_BATON], request.match_info["token"]
    document = await _built(
        lambda: baton.calendar_feed(token, which),
        f"a calendar feed ({which})",
        CALENDAR_GONE,
        CALENDAR_FAILED,
        caching,
    )
    if isinstance(document, web.Response):
        return document
    return web.Response(
        body=document,
        content_type="text/calendar",
        charset="utf-8",
        headers={
            **HEADERS,
            **caching,
            "Content-Disposition": f'inline; filename="baton-{which}.ics"',
        },
    )


async def export_zip(request: web.Request) -> web.Response:
    """The export behind a download link."""
    baton, token = request.app[LINKS_BATON], request.match_info["token"]
    archive = await _built(
        lambda: baton.export_archive(token), "an export", EXPORT_GONE, EXPORT_FAILED, EXPORT_CACHING
    )
    if isinstance(archive, web.Response):
        return archive
    return web.Response(
        body=archive.content,
        content_type="application/zip",
        headers={
            **HEADERS,
            **EXPORT_CACHING,
            "Content-Disposition": f'attachment; filename="{archive.filename}"',
        },
    )


def add_routes(web_app: web.Application, baton: Baton) -> None:
    """Serve the calendar feeds and export downloads of `baton`."""
    web_app[LINKS_BATON] = baton
    web_app.router.add_get("/calendar/{token}/{feed}.ics", calendar)
    web_app.router.add_get(f"/export/{{token}}/{ZIP_NAME}", export_zip)
