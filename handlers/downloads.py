"""Exports behind people's private download links, on Baton's one web server:

    GET /export/{token}/baton-export.zip    posts.csv, shifts.csv and reminders.csv

The zip is put together from the records when it is downloaded. The token is the whole key,
so it never appears in a log line.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.domain.export import ZIP_NAME
from bot.services import Baton

log = logging.getLogger(__name__)

DOWNLOAD_BATON = web.AppKey("download_baton", Baton)
NOT_FOUND = (
    "There is no export at this address any more: a download link works for 24 hours, and "
    "only for the coordinator or director it was made for. Ask Baton for a new one with "
    "`export` (in Slack, `/duty export`).\n"
)
FAILED = "Baton couldn't put the export together just now. Please try again in a minute.\n"
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def _plain(status: int, sentence: str) -> web.Response:
    return web.Response(status=status, text=sentence, content_type="text/plain", headers=HEADERS)


async def export_zip(request: web.Request) -> web.Response:
    """The export behind a download link, put together now."""
    baton = request.app[DOWNLOAD_BATON]
    try:
        archive = await asyncio.to_thread(baton.export_archive, request.match_info["token"])
    except Exception as error:  # noqa: BLE001 - its text may quote the token, so not logged
        log.error("an export could not be put together: %s", type(error).__name__)
        return _plain(503, FAILED)
    if archive is None:
        return _plain(404, NOT_FOUND)
    return web.Response(
        body=archive.content,
        content_type="application/zip",
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{archive.filename}"',
        },
    )


def add_routes(web_app: web.Application, baton: Baton) -> None:
    """Serve the exports of `baton`."""
    web_app[DOWNLOAD_BATON] = baton
    web_app.router.add_get(f"/export/{{token}}/{ZIP_NAME}", export_zip)
