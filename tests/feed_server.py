"""A web server on a free loopback port that serves feed files as a blog host would:
ETag and Last-Modified with 304s, gzip when asked, redirects, errors and a hang."""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

FEEDS = Path(__file__).parent / "data" / "feeds"


def feed_file(name: str) -> bytes:
    """A feed document kept with the tests."""
    return (FEEDS / name).read_bytes()


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    redirect_to: str | None = None
    hang: bool = False


@dataclass
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    """Serves `pages` by path; every request is kept in `requests`."""

    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _port: int = 0
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    held: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once a request to a hanging page has arrived (and is being held)."""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._port}/{path.lstrip('/')}"

    def serve(self, path: str, body: bytes, **options: object) -> str:
        """Serve `body` at `path` (see Page for the options); its address."""
        self.pages[path.lstrip("/")] = Page(body=body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def release(self) -> None:
        """Let held requests go on: pages with a body are served, others answer 503."""
        self._release.set()

    def asked_for(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path.lstrip("/")]

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        self.requests.append(Request(path, dict(request.headers)))
        page = self.pages.get(path)
        if page is None:
            return web.Response(status=404, text="Not here")
        if page.hang:
            self.held.set()
            await self._release.wait()
            if not page.body:
                return web.Response(status=503)
        if page.redirect_to is not None:
            raise web.HTTPFound(page.redirect_to)
        headers: dict[str, str] = {}
        if page.etag:
            headers["ETag"] = page.etag
        if page.last_modified:
            headers["Last-Modified"] = page.last_modified
        fresh = (page.etag and request.headers.get("If-None-Match") == page.etag) or (
            page.last_modified and request.headers.get("If-Modified-Since") == page.last_modified
        )
        if fresh and page.status == 200:
            return web.Response(status=304, headers=headers)
        body = page.body
        if page.gzip and "gzip" in request.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = page.content_type
        return web.Response(status=page.status, body=body, headers=headers)
