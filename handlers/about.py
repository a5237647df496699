"""Baton's own page at `/` when it serves Slack or Teams: what it is, what it keeps
(the privacy statement the Teams app links to), and the terms it is offered on."""

from __future__ import annotations

from aiohttp import web

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Baton: shared posting duty</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 2rem auto;
       padding: 0 1rem; color: #1b1b1b; }
h1 { color: #1f5c99; }
</style>
</head>
<body>
<h1>Baton</h1>
<p>Baton shares a library's social-media posting duty among its staff, in Slack and
Microsoft Teams. Staff opt in to a fair rota; whoever is on duty is told when their shift
starts and reminded when an outreach channel goes quiet; posts are recorded; directors get a
weekly digest.</p>
<p>This server is run by your library. Ask its IT team about it.</p>

<h2 id="privacy">Privacy</h2>
<p>Baton keeps, in its own database run by your library:</p>
<ul>
<li>for each person who uses it, is named to it, or joins the Slack workspace: their chat
user id, name, handle, timezone, role in Baton, and whether they have left;</li>
<li>the rota: who joined or left and when, shifts, time away, swaps;</li>
<li>the posts people record (the outreach channel, a link and a note they typed);</li>
<li>which reminders and other messages it sent, and whether they arrived;</li>
<li>in Teams, a reference to each conversation it is part of, so it can write later.</li>
</ul>
<p>Baton reads only what is sent to it: its commands, button presses and forms; in Slack,
who joins or leaves the workspace; and, only if a coordinator chooses a channel to watch,
the messages in that one channel, of which it keeps the links to the library's own posts.
It reads no other messages in your channels or chats, and sends nothing to anyone outside your
workspace or tenant besides the chat service itself. Records stay until your library
deletes them; people who leave keep their past posts in the record.</p>

<h2 id="terms">Terms of use</h2>
<p>Baton is provided by your library for its staff, as is, under the library's own rules
for its systems. Use it for the library's outreach work.</p>
</body>
</html>
"""


async def about(request: web.Request) -> web.Response:
    """The page itself."""
    del request
    return web.Response(
        text=PAGE,
        content_type="text/html",
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
    )


def add_routes(web_app: web.Application) -> None:
    """Serve the page at `/`."""
    web_app.router.add_get("/", about)
