"""The calendar feeds behind people's private calendar links, on Baton's one web server:

    GET /calendar/{token}/mine.ics    the person's shifts
    GET /calendar/{token}/rota.ics    every rota's shifts, naming who is on duty

The token is the whole key, so it never appears in a log line.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.services import Baton
from bot.services.calendars import FEEDS

log = logging.getLogger(__name__)

CALENDAR_BATON = web.AppKey("calendar_baton", Baton)
NOT_FOUND = (
    "There is no calendar at this address: the link was turned off with "
    "`/duty calendar reset`, or it was never one of Baton's. Ask Baton for yours with "
    "`/duty calendar`.\n"
)
FAILED = (
    "Baton couldn't put this calendar together just now; your calendar app will try again "
    "by itself.\n"
)
HEADERS = {
    "Cache-Control": "private",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def _plain(status: int, sentence: str) -> web.Response:
    return web.Response(status=status, text=sentence, content_type="text/plain", headers=HEADERS)


async def feed(request: web.Request) -> web.Response:
    """One feed, worked out now."""
    which = request.match_info["feed"]
    if which not in FEEDS:
        return _plain(404, NOT_FOUND)
    baton = request.app[CALENDAR_BATON]
    try:
        document = await asyncio.to_thread(baton.calendar_feed, request.match_info["token"], which)
    except Exception as error:  # noqa: BLE001 - its text may quote the token, so not logged
        log.error("a calendar feed (%s) could not be built: %s", which, type(error).__name__)
        return _plain(503, FAILED)
    if document is None:
        return _plain(404, NOT_FOUND)
    return web.Response(
        body=document,
        content_type="text/calendar",
        charset="utf-8",
        headers={**HEADERS, "Content-Disposition": f'inline; filename="baton-{which}.ics"'},
    )


def add_routes(web_app: web.Application, baton: Baton) -> None:
    """Serve the calendar feeds of `baton`."""
    web_app[CALENDAR_BATON] = baton
    web_app.router.add_get("/calendar/{token}/{feed}.ics", feed)
