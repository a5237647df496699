"""People come and go (§8): Slack's `team_join` and `user_change` events.

`user_change` arrives for any change to anyone's profile; Baton acts on people it knows:
a deactivated or deleted account (`deleted: true`) has left the workspace, and one that is
active again has come back. A member made a guest (`is_restricted`) is still in the
workspace and keeps their rotas. `team_join` remembers someone new, so they can be named
to Baton straight away; they are not messaged. Each event's id is claimed in the
transaction that acts on it: a retry is dropped, and the same news twice changes nothing
the second time.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services import Baton
from bot.services.people import Change
from handlers.slack.commands import PLATFORM
from handlers.slack.web import directory_entry

log = logging.getLogger(__name__)


async def _changed(baton: Baton, body: dict[str, Any], event: dict[str, Any], joined: bool) -> None:
    user = event.get("user")
    if not isinstance(user, dict) or not user.get("id") or user.get("is_stranger"):
        return  # not someone in this workspace
    entry = directory_entry(str(user["id"]), user)
    outcome = await asyncio.to_thread(
        lambda: baton.person_changed(
            PLATFORM,
            str(body.get("team_id") or ""),
            entry,
            joined_workspace=joined,
            event_id=_event_id(body),
        )
    )
    # Profile edits are frequent and routine; who joined, left or came back is worth a line.
    routine = outcome.change in (Change.IGNORED, Change.UPDATED, Change.REPEATED)
    log.log(
        logging.DEBUG if routine else logging.INFO,
        "%s: %s%s",
        event.get("type"),
        outcome.change.value,
        f" (person {outcome.person.id})" if outcome.person is not None else "",
    )


def _event_id(body: dict[str, Any]) -> str | None:
    return str(body["event_id"]) if body.get("event_id") else None


def register(app: AsyncApp, baton: Baton) -> None:
    """Answer `team_join` and `user_change`."""

    @app.event("team_join")
    async def team_join(event: dict[str, Any], body: dict[str, Any]) -> None:
        await _changed(baton, body, event, joined=True)

    @app.event("user_change")
    async def user_change(event: dict[str, Any], body: dict[str, Any]) -> None:
        await _changed(baton, body, event, joined=False)
