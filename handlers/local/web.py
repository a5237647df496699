"""The playground's page and its small JSON API, on Baton's one aiohttp server.

    GET  /                          the page (static/index.html)
    GET  /playground/staff          the demo staff, how many messages each has, the clock
    POST /playground/command        {"as", "text"}: `/duty text` as that person
    POST /playground/press          {"as", "action", "value", "where": "message"|"home"}
    POST /playground/submit         {"as", "form_id", "answers", "submission"}
    GET  /playground/home?as=       a person's App Home
    GET  /playground/messages?as=   a person's direct messages, newest last
    GET  /playground/chat-channels  what was posted in the playground's chat channels
    GET  /playground/clock          the playground's time
    POST /playground/clock          {"step": "hour"|"day"|"week"}: move it, run the jobs
    POST /playground/reset          start the demo afresh
    POST /playground/leave          {"person"}: they leave the library (their account is
                                    deactivated, and Baton is told)
    POST /playground/come-back      {"person"}: they are back

Requests that change anything must be JSON (`Content-Type: application/json`), which a
page on another site can't send here without the browser asking first, and the page is
served with a Content-Security-Policy that allows only its own script and style.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.services.people import Change, Outcome
from handlers.local import demo
from handlers.local.chat import Delivered
from handlers.local.playground import (
    STEPS,
    ClockMove,
    JobRun,
    LeftLibraryError,
    Playground,
    UnknownPersonError,
)
from handlers.local.render import message_json, reply_json

STATIC = Path(__file__).resolve().parent / "static"
PLAYGROUND = web.AppKey("playground", Playground)
JOB_WORDS = {
    "handoff": "handoffs",
    "quiet-check": "quiet-channel reminders",
    "digest": "digest",
    "feed-watch": "feed problems",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequestError(Exception):
    """A request the API can't act on; the message says why, `status` how to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def moment_label(moment: datetime, zone: str) -> str:
    """`Wed 2 Dec 2026, 10:00` in the demo library's timezone."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def _short_label(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise BadRequestError("Send JSON, with Content-Type: application/json.", 415)
    try:
        body = json.loads(await request.text())
    except ValueError:
        raise BadRequestError("That isn't valid JSON.") from None
    if not isinstance(body, dict):
        raise BadRequestError("Send a JSON object.")
    return body


def _text(body: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = body.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise BadRequestError(f"`{key}` must be a string.")
    return value


def _who(value: str, playground: Playground) -> str:
    if playground.directory.entry(value) is None:
        names = ", ".join(e.external_id for e in playground.directory.everyone())
        raise BadRequestError(f"There is nobody called {value!r} here. Staff: {names}.")
    return value


@web.middleware
async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bad requests as JSON errors; security headers on every response."""
    try:
        response = await handler(request)
    except BadRequestError as error:
        response = _error(error.status, str(error))
    except UnknownPersonError as error:
        response = _error(400, f"There is nobody called {error} here.")
    except LeftLibraryError as error:
        response = _error(
            409,
            f"{error} has left the library, so nobody can act as them. Pick someone else "
            f"under “You are”, or bring {error} back.",
        )
    response.headers.update(SECURITY_HEADERS)
    return response


def _clock(playground: Playground) -> dict[str, str]:
    now = playground.now()
    return {
        "now": now.isoformat(),
        "label": moment_label(now, playground.timezone),
        "timezone": playground.timezone,
    }


def _delivered(item: Delivered, zone: str) -> dict[str, Any]:
    return {
        **message_json(item.message),
        "at": item.at.isoformat(),
        "at_label": _short_label(item.at, zone),
    }


def _move_summary(move: ClockMove, zone: str) -> str:
    said = f"The clock is now {moment_label(move.after, zone)}."
    if not move.runs:
        return f"{said} Nothing was due on the way."
    by_job: dict[str, list[JobRun]] = {}
    for run in move.runs:
        by_job.setdefault(run.job, []).append(run)
    parts = []
    for job, runs in by_job.items():
        sent = sum(run.sent for run in runs)
        first, last = _short_label(runs[0].at, zone), _short_label(runs[-1].at, zone)
        when = f"at {first}" if first == last else f"from {first} to {last}"
        parts.append(f"{JOB_WORDS.get(job, job)} ({sent}) {when}")
    count = "1 message" if move.sent == 1 else f"{move.sent} messages"
    return f"{said} On the way Baton sent {count}: {'; '.join(parts)}."


async def page(request: web.Request) -> web.FileResponse:
    del request
    return web.FileResponse(STATIC / "index.html")


async def staff(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    counts = playground.notifier.counts()
    people = [
        {
            "id": member.entry.external_id,
            "name": member.entry.display_name,
            "handle": member.entry.handle,
            "about": member.about,
            "messages": counts.get(member.entry.external_id, 0),
            "left": _has_left(playground, member.entry.external_id),
        }
        for member in demo.STAFF
    ]
    return web.json_response(
        {
            "workspace": demo.WORKSPACE_NAME,
            "staff": people,
            "chat_channels": list(playground.notifier.chat_channels),
            "clock": _clock(playground),
        }
    )


async def command(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    body = await _body(request)
    who = _who(_text(body, "as"), playground)
    typed = _text(body, "text", required=False)
    reply = await asyncio.to_thread(playground.run_command, who, typed)
    return web.json_response({"reply": reply_json(reply)})


async def press(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    body = await _body(request)
    who = _who(_text(body, "as"), playground)
    action = _text(body, "action")
    value = _text(body, "value", required=False)
    where = _text(body, "where", required=False) or "message"
    if where not in ("message", "home"):
        raise BadRequestError("`where` is `message` or `home`.")
    reply = await asyncio.to_thread(
        lambda: playground.press(who, action, value, on_home=where == "home")
    )
    return web.json_response({"reply": reply_json(reply), "where": where})


async def submit(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    body = await _body(request)
    who = _who(_text(body, "as"), playground)
    form_id = _text(body, "form_id")
    submission = _text(body, "submission", required=False)
    raw = body.get("answers", {})
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise BadRequestError("`answers` must map field names to strings.")
    answers = {str(k): v for k, v in raw.items()}
    reply = await asyncio.to_thread(playground.submit, who, form_id, answers, submission)
    return web.json_response({"reply": reply_json(reply)})


async def home(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    who = _who(request.query.get("as", ""), playground)
    view = await asyncio.to_thread(playground.home, who)
    return web.json_response({"home": message_json(view)})


async def messages(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    who = _who(request.query.get("as", ""), playground)
    items = playground.notifier.direct_messages(who)
    zone = playground.timezone
    return web.json_response({"messages": [_delivered(item, zone) for item in items]})


async def chat_channels(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    zone = playground.timezone
    listed = [
        {
            "name": name,
            "posts": [_delivered(item, zone) for item in playground.notifier.posts(name)],
        }
        for name in playground.notifier.chat_channels
    ]
    return web.json_response({"chat_channels": listed})


async def clock(request: web.Request) -> web.Response:
    return web.json_response({"clock": _clock(request.app[PLAYGROUND])})


async def move_clock(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    body = await _body(request)
    step = _text(body, "step")
    if step not in STEPS:
        raise BadRequestError(f"`step` is one of {', '.join(STEPS)}.")
    move = await asyncio.to_thread(playground.advance, step)
    zone = playground.timezone
    runs = [
        {
            "at": run.at.isoformat(),
            "at_label": _short_label(run.at, zone),
            "job": run.job,
            "sent": run.sent,
        }
        for run in move.runs
    ]
    return web.json_response(
        {
            "clock": _clock(playground),
            "sent": move.sent,
            "runs": runs,
            "summary": _move_summary(move, zone),
        }
    )


async def reset(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    await _body(request)
    refusal = await asyncio.to_thread(playground.reset)
    if refusal is not None:
        return _error(409, refusal)
    return web.json_response(
        {
            "clock": _clock(playground),
            "summary": "The demo library is back as it was, with its clock at the real time.",
        }
    )


def _has_left(playground: Playground, external_id: str) -> bool:
    entry = playground.directory.entry(external_id)
    return entry is not None and entry.deleted


def _names(people: list[str]) -> str:
    if len(people) <= 1:
        return "".join(people)
    return f"{', '.join(people[:-1])} and {people[-1]}"


def leaving_summary(outcome: Outcome, name: str) -> str:
    """What happened when someone left the library or came back, for the page's status line."""
    match outcome.change:
        case Change.LEFT:
            said = [f"{name} has left the library: their chat account is deactivated."]
            for rota, taker in outcome.handed_on:
                said.append(
                    f"Their shift on {rota} went to {taker.display_name}, who has a direct message."
                    if taker is not None
                    else f"Nobody else could take their shift on {rota}, so reminders go to "
                    "the coordinators."
                )
            if outcome.rotas_left:
                said.append(f"They are off the {_names(list(outcome.rotas_left))} rota.")
            if outcome.stewarded and outcome.coordinators_told:
                told = _names([p.display_name for p in outcome.coordinators_told])
                logins = "login" if len(outcome.stewarded) == 1 else "logins"
                short = list(outcome.short_of_stewards)
                needs = (
                    f", and that {_names(short)} {'needs' if len(short) == 1 else 'need'} "
                    "another steward"
                    if short
                    else ""
                )
                said.append(
                    f"They were a steward of {_names(list(outcome.stewarded))}, so {told} "
                    f"{'was' if len(outcome.coordinators_told) == 1 else 'were'} told to "
                    f"change the {logins}{needs}."
                )
            said.append("Their posts stay in the record.")
            return " ".join(said)
        case Change.UNCHANGED:
            return f"{name} has already left the library; nothing more happened."
        case Change.RETURNED:
            return (
                f"{name} is back. Baton knows them again, but they are on no rota until "
                "they type “join”."
            )
        case _:
            return f"{name} is still at the library, so there is nobody to bring back."


async def _leaving(request: web.Request, leaves: bool) -> web.Response:
    playground = request.app[PLAYGROUND]
    body = await _body(request)
    person = _who(_text(body, "person"), playground)
    change = playground.leaves if leaves else playground.comes_back
    outcome = await asyncio.to_thread(change, person)
    entry = playground.directory.entry(person)
    name = entry.display_name if entry is not None else person
    return web.json_response(
        {"change": outcome.change.value, "summary": leaving_summary(outcome, name)}
    )


async def leave(request: web.Request) -> web.Response:
    return await _leaving(request, leaves=True)


async def come_back(request: web.Request) -> web.Response:
    return await _leaving(request, leaves=False)


def add_routes(web_app: web.Application, playground: Playground) -> None:
    """Serve the playground's page, its static files and its API."""
    web_app[PLAYGROUND] = playground
    web_app.middlewares.append(_guarded)
    web_app.router.add_get("/", page)
    web_app.router.add_static("/static/", STATIC)
    web_app.router.add_get("/playground/staff", staff)
    web_app.router.add_post("/playground/command", command)
    web_app.router.add_post("/playground/press", press)
    web_app.router.add_post("/playground/submit", submit)
    web_app.router.add_get("/playground/home", home)
    web_app.router.add_get("/playground/messages", messages)
    web_app.router.add_get("/playground/chat-channels", chat_channels)
    web_app.router.add_get("/playground/clock", clock)
    web_app.router.add_post("/playground/clock", move_clock)
    web_app.router.add_post("/playground/reset", reset)
    web_app.router.add_post("/playground/leave", leave)
    web_app.router.add_post("/playground/come-back", come_back)
