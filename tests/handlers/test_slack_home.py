"""The App Home tab, and events that act once however often Slack retries them."""

from __future__ import annotations

from typing import Any

from tests.fakes import message_text
from tests.handlers.conftest import SlackWorld
from tests.handlers.test_slack_scheduled import library


def homes(slack: SlackWorld, user: str) -> list[dict[str, Any]]:
    return [
        call.params
        for call in slack.fake.calls
        if call.method == "views.publish" and call.params.get("user_id") == user
    ]


def home_text(view: dict[str, Any]) -> str:
    return message_text({"blocks": view["view"]["blocks"]})


async def open_home(slack: SlackWorld, user: str, event_id: str, retry: int = 0) -> None:
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    response = await slack.post_event(event, event_id, retry)
    assert response.status == 200


async def test_home_shows_your_shift_the_rota_and_channel_health_when_opened(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await open_home(slack, "U0CAT", "Ev1")
    await slack.fake.wait_for(lambda _calls: bool(homes(slack, "U0CAT")))
    shown = home_text(homes(slack, "U0CAT")[0])
    assert "*Your next shift:* Mon 7 Dec 09:00 – Mon 14 Dec 09:00." in shown
    assert "*On duty now:* <@U0BEN> until Mon 7 Dec 09:00" in shown
    assert "*Twitter*: no posts yet" in shown
    assert "Leave the rota" in shown and "Log a post" in shown


async def test_retried_event_acts_once_when_slack_delivers_it_again(slack: SlackWorld) -> None:
    await library(slack)
    await open_home(slack, "U0CAT", "Ev2")
    await slack.fake.wait_for(lambda _calls: bool(homes(slack, "U0CAT")))
    await open_home(slack, "U0CAT", "Ev2", retry=1)
    await open_home(slack, "U0CAT", "Ev3")  # a new event is answered again
    await slack.fake.wait_for(lambda _calls: len(homes(slack, "U0CAT")) >= 2)
    assert len(homes(slack, "U0CAT")) == 2


async def test_join_from_the_home_tab_updates_it_when_pressed(slack: SlackWorld) -> None:
    await library(slack)
    slack.add_user("U0DAN", "dan")
    await open_home(slack, "U0DAN", "Ev4")
    await slack.fake.wait_for(lambda _calls: bool(homes(slack, "U0DAN")))
    view = homes(slack, "U0DAN")[0]["view"]
    assert "You're not on the *social media* rota" in home_text(homes(slack, "U0DAN")[0])
    payload = {
        "type": "block_actions",
        "team": {"id": "T0LIBRARY"},
        "user": {"id": "U0DAN", "team_id": "T0LIBRARY"},
        "trigger_id": "trigger-home",
        "view": {"type": "home", "id": "V0HOME"},
        "actions": [
            {
                "type": "button",
                "action_id": next(
                    e["action_id"]
                    for b in view["blocks"]
                    if b["type"] == "actions"
                    for e in b["elements"]
                    if e["text"]["text"] == "Join the rota"
                ),
                "block_id": "b",
                "value": "",
            }
        ],
    }
    response = await slack.post_payload(payload)
    assert response.status == 200
    await slack.fake.wait_for(lambda _calls: len(homes(slack, "U0DAN")) >= 2)
    shown = home_text(homes(slack, "U0DAN")[1])
    assert "Welcome to the *social media* rota!" in shown
    assert "Leave the rota" in shown
