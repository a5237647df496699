"""Posts from chat (§7), as staff see them in Slack: the message shortcut "Record as
outreach post", and the watched chat channel whose links become posts by themselves.

Every test talks to the real app over HTTP with signed requests; Slack's side is the fake
Web API on loopback. The clock starts on Monday 30 November 2026, 10:00 in London.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.fakes import Call
from tests.handlers.conftest import START, TEAM, SlackWorld
from tests.handlers.staff import field, staff

OUTREACH = "C0OUTREACH"
GENERAL = "C0GENERAL"
EVENTS = "C0EVENTS"
TWEET = "https://x.com/riversidelib/status/42"
BLOG_POST = "https://library.example.org/blog/2026/storytime"


def ts(minutes_before_start: int, serial: int = 0) -> str:
    """A Slack message timestamp, some minutes before the tests' start."""
    moment = START - timedelta(minutes=minutes_before_start)
    return f"{int(moment.timestamp())}.{serial:06d}"


async def library(slack: SlackWorld) -> None:
    """Ada (admin), Ben, Cat and Dan; Twitter (by its domain), a Blog with a pattern, and a
    Newsletter with none."""
    staff(slack)
    await slack.duty("U0ADA", "channel add Twitter kind=twitter")
    await slack.duty("U0ADA", "channel add Blog kind=blog match=library.example.org/blog/")
    await slack.duty("U0ADA", "channel add Newsletter kind=newsletter")


def message(user: str, text: str, stamp: str, **extra: Any) -> dict[str, Any]:
    """A `message` event, shaped as Slack sends it for a channel Baton is in."""
    return {
        "type": "message",
        "channel": OUTREACH,
        "user": user,
        "text": text,
        "ts": stamp,
        "event_ts": stamp,
        "channel_type": "channel",
        **extra,
    }


def edited(user: str, text: str, stamp: str, at: str) -> dict[str, Any]:
    """The `message_changed` event of an edit made at `at`."""
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": OUTREACH,
        "message": {
            "type": "message",
            "user": user,
            "text": text,
            "ts": stamp,
            "edited": {"user": user, "ts": at},
        },
        "previous_message": {"type": "message", "user": user, "text": "…", "ts": stamp},
        "ts": at,
        "event_ts": at,
        "channel_type": "channel",
    }


def deleted(stamp: str, at: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": OUTREACH,
        "deleted_ts": stamp,
        "ts": at,
        "event_ts": at,
        "channel_type": "channel",
    }


def reactions(
    slack: SlackWorld, method: str, stamp: str, chat_channel: str = OUTREACH
) -> list[Call]:
    """The calls that marked a message (`reactions.add`) or unmarked it."""
    return [
        c
        for c in slack.fake.calls
        if c.method == method
        and c.params.get("timestamp") == stamp
        and c.params.get("channel") == chat_channel
        and c.params.get("name") == "white_check_mark"
    ]


async def deliver(slack: SlackWorld, event: dict[str, Any], event_id: str, retry: int = 0) -> None:
    response = await slack.post_event(event, event_id, retry)
    assert response.status == 200


async def marked(
    slack: SlackWorld, stamp: str, times: int = 1, chat_channel: str = OUTREACH
) -> None:
    """Wait until the message has been marked recorded `times` times."""
    await slack.fake.wait_for(
        lambda _: len(reactions(slack, "reactions.add", stamp, chat_channel)) >= times
    )


async def eventually(slack: SlackWorld, text: str, check: Callable[[str], bool]) -> str:
    """Ask `/duty text` until the answer passes `check` (an event is acted on after Slack
    has its 200); the last answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        reply = await slack.duty("U0ADA", text)
        if check(reply) or loop.time() > deadline:
            return reply


async def watch_outreach(slack: SlackWorld) -> str:
    return await slack.duty("U0ADA", f"rota set watch=<#{OUTREACH}|outreach>")


async def shortcut(
    slack: SlackWorld, user: str, msg: dict[str, Any], key: str, channel: str = GENERAL
) -> dict[str, Any]:
    """Press "Record as outreach post" on a message; the modal Baton opened."""
    payload = {
        "type": "message_action",
        "callback_id": "record_post",
        "trigger_id": f"trigger-{key}",
        "response_url": slack.fake.response_url(key),
        "team": {"id": TEAM, "domain": "library"},
        "channel": {"id": channel, "name": "general"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "message_ts": msg["ts"],
        "message": msg,
        "api_app_id": "A0BATON",
    }
    response = await slack.post_payload(payload)
    assert response.status == 200
    return await slack.opened_form(key)


def last_post(channels: str, name: str) -> str:
    """When an outreach channel last had a post, as `channels` says."""
    return field(channels.split(f"*{name}* (")[1], "Last post")


def chosen(view: dict[str, Any], name: str) -> Any:
    """What a field of the opened modal holds: a select's label or a text's value."""
    element = next(b["element"] for b in view["blocks"] if b.get("block_id") == name)
    if element["type"] == "static_select":
        return (element.get("initial_option") or {}).get("text", {}).get("text")
    return element.get("initial_value")


def option(view: dict[str, Any], label: str) -> str:
    element = next(b["element"] for b in view["blocks"] if b.get("block_id") == "channel")
    return str(next(o["value"] for o in element["options"] if o["text"]["text"] == label))


# ---------------------------------------------------------------------------------------
# The message shortcut


async def test_shortcut_opens_the_form_filled_in_and_credits_the_author_when_submitted(
    slack: SlackWorld,
) -> None:
    await library(slack)
    said = {
        "type": "message",
        "user": "U0BEN",
        "text": f"Storytime photos are up! <{TWEET}|x.com/riversidelib/status/42>",
        "ts": ts(30),
    }

    view = await shortcut(slack, "U0CAT", said, "short1")

    assert view["title"]["text"] == "Record a post"
    assert "From <@U0BEN>'s message: the post will be credited to them." in str(view["blocks"][0])
    assert chosen(view, "channel") == "Twitter"
    assert chosen(view, "url") == TWEET
    assert chosen(view, "note") == "Storytime photos are up!"

    assert await slack.submit("U0CAT", view, {}) == {}
    await slack.fake.wait_for(
        lambda _: any("Recorded <@U0BEN>'s post on *Twitter*" in m for m in slack.dms("U0CAT"))
    )
    stats = await slack.duty("U0ADA", "stats")
    assert "*Twitter*: 1" in stats and "<@U0BEN>: 1" in stats and "<@U0CAT>" not in stats
    channels = await slack.duty("U0BEN", "channels")
    assert last_post(channels, "Twitter") == "today"

    again = await shortcut(slack, "U0DAN", said, "short2")
    assert await slack.submit("U0DAN", again, {}) == {}
    await slack.fake.wait_for(
        lambda _: any(
            "That post is already recorded for *Twitter* (by <@U0BEN>)" in m
            for m in slack.dms("U0DAN")
        )
    )
    assert "*Twitter*: 1" in await slack.duty("U0ADA", "stats")


async def test_shortcut_leaves_the_link_to_fill_in_when_the_message_has_none(
    slack: SlackWorld,
) -> None:
    await library(slack)
    said = {"type": "message", "user": "U0BEN", "text": "Newsletter went out :tada:", "ts": ts(5)}

    view = await shortcut(slack, "U0BEN", said, "short1")

    intro = str(view["blocks"][0])
    assert "From your message" in intro and "There is no link in it" in intro
    assert chosen(view, "channel") is None and chosen(view, "url") is None
    answer = await slack.submit("U0BEN", view, {})
    assert answer == {
        "response_action": "errors",
        "errors": {"channel": "Pick the outreach channel you posted on."},
    }
    assert await slack.submit("U0BEN", view, {"channel": option(view, "Newsletter")}) == {}
    await slack.fake.wait_for(
        lambda _: any("Recorded your post on *Newsletter*" in m for m in slack.dms("U0BEN"))
    )


async def test_shortcut_credits_whoever_pressed_it_when_an_app_sent_the_message(
    slack: SlackWorld,
) -> None:
    await library(slack)
    said = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B0ZAPIER",
        "text": f"New post on the blog: <{BLOG_POST}>",
        "ts": ts(5),
    }

    view = await shortcut(slack, "U0CAT", said, "short1")

    assert "came from an app, so the post will be credited to you" in str(view["blocks"][0])
    assert chosen(view, "channel") == "Blog"
    assert await slack.submit("U0CAT", view, {}) == {}
    await slack.fake.wait_for(
        lambda _: any("Recorded your post on *Blog*" in m for m in slack.dms("U0CAT"))
    )
    assert "<@U0CAT>: 1" in await slack.duty("U0ADA", "stats")


async def test_shortcut_says_how_to_start_when_there_are_no_outreach_channels(
    slack: SlackWorld,
) -> None:
    staff(slack)
    key = "short1"
    payload = {
        "type": "message_action",
        "callback_id": "record_post",
        "trigger_id": f"trigger-{key}",
        "response_url": slack.fake.response_url(key),
        "team": {"id": TEAM, "domain": "library"},
        "channel": {"id": GENERAL, "name": "general"},
        "user": {"id": "U0BEN", "username": "ben", "team_id": TEAM},
        "message_ts": ts(1),
        "message": {"type": "message", "user": "U0BEN", "text": TWEET, "ts": ts(1)},
    }
    assert (await slack.post_payload(payload)).status == 200

    assert "There are no outreach channels yet" in await slack.answer(key)
    assert not any(c.method == "views.open" for c in slack.fake.calls)


# ---------------------------------------------------------------------------------------
# The watched chat channel


async def test_link_in_the_watched_channel_becomes_the_authors_post_when_shared(
    slack: SlackWorld,
) -> None:
    await library(slack)

    reply = await watch_outreach(slack)
    assert f"Watching <#{OUTREACH}>" in reply
    assert "Links count for *Blog*, *Twitter*." in reply
    assert "*Newsletter* can't be told apart by their links yet" in reply
    (announcement,) = slack.fake.direct_messages(OUTREACH)
    assert "Baton is watching this channel" in announcement
    assert "(Blog, Twitter)" in announcement

    first = ts(20)
    await deliver(slack, message("U0BEN", f"Up now: <{TWEET}>", first), "Ev1")
    await marked(slack, first)

    stats = await slack.duty("U0ADA", "stats")
    assert "*Twitter*: 1" in stats and "<@U0BEN>: 1" in stats
    channels = await slack.duty("U0CAT", "channels")
    assert last_post(channels, "Twitter") == "today"
    assert f"shared in <#{OUTREACH}> are recorded by themselves" in channels


async def test_each_matching_link_is_a_post_when_one_message_has_several(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await watch_outreach(slack)
    stamp = ts(10)

    text = f"Busy day: <{TWEET}> and <{BLOG_POST}|the write-up>, and <https://example.com/cats>"
    await deliver(slack, message("U0CAT", text, stamp), "Ev1")
    await marked(slack, stamp)

    stats = await slack.duty("U0ADA", "stats")
    assert "2 posts in all" in stats
    assert "*Twitter*: 1" in stats and "*Blog*: 1" in stats and "<@U0CAT>: 2" in stats


async def test_edit_and_delete_change_the_record_when_the_message_changes(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await watch_outreach(slack)
    stamp = ts(30)
    await deliver(slack, message("U0BEN", f"Posted <{TWEET}>", stamp), "Ev1")
    await marked(slack, stamp)

    # The link was the wrong one: Ben edits it to the blog post.
    await deliver(slack, edited("U0BEN", f"Posted <{BLOG_POST}>", stamp, ts(25)), "Ev2")
    await marked(slack, stamp, times=2)
    stats = await slack.duty("U0ADA", "stats")
    assert "*Blog*: 1" in stats and "*Twitter*" not in stats

    # The link goes altogether: the post is withdrawn and the mark taken off.
    await deliver(slack, edited("U0BEN", "Posted (link to follow)", stamp, ts(24)), "Ev3")
    await slack.fake.wait_for(lambda _: bool(reactions(slack, "reactions.remove", stamp)))
    assert "No posts recorded" in await slack.duty("U0ADA", "stats")

    # A new message with a link, then deleted: its post is withdrawn.
    later = ts(20)
    await deliver(slack, message("U0DAN", f"Mine: <{TWEET}>", later), "Ev4")
    await marked(slack, later)
    assert "<@U0DAN>: 1" in await slack.duty("U0ADA", "stats")
    await deliver(slack, deleted(later, ts(19)), "Ev5")
    stats = await eventually(slack, "stats", lambda reply: "No posts recorded" in reply)
    assert "No posts recorded" in stats


async def test_record_follows_the_edit_when_it_overtakes_the_message_it_edits(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await watch_outreach(slack)
    stamp = ts(30)

    await deliver(slack, edited("U0BEN", f"Posted <{BLOG_POST}>", stamp, ts(29)), "Ev2")
    await marked(slack, stamp)
    await deliver(slack, message("U0BEN", f"Posted <{TWEET}>", stamp), "Ev1")
    later = ts(20)
    await deliver(slack, message("U0CAT", f"<{TWEET}>", later), "Ev3")
    await marked(slack, later)

    stats = await slack.duty("U0ADA", "stats")
    assert "<@U0BEN>: 1" in stats and "<@U0CAT>: 1" in stats and "*Blog*: 1" in stats
    assert len(reactions(slack, "reactions.add", stamp)) == 1


async def test_retried_event_records_once_when_slack_sends_it_again(slack: SlackWorld) -> None:
    await library(slack)
    await watch_outreach(slack)
    stamp = ts(15)
    event = message("U0BEN", f"<{TWEET}>", stamp)

    await deliver(slack, event, "Ev1")
    await marked(slack, stamp)
    await deliver(slack, event, "Ev1", retry=1)
    await deliver(slack, event, "Ev1", retry=2)
    # A later message, acted on after the retries arrived.
    later = ts(14)
    await deliver(slack, message("U0CAT", f"<{BLOG_POST}>", later), "Ev2")
    await marked(slack, later)

    stats = await slack.duty("U0ADA", "stats")
    assert "<@U0BEN>: 1" in stats and "2 posts in all" in stats
    assert len(reactions(slack, "reactions.add", stamp)) == 1


async def test_messages_without_a_matching_link_change_nothing_when_shared(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await watch_outreach(slack)
    ignored = {
        ts(40): message("U0BEN", "Morning all! Anyone seen the stapler?", ts(40)),
        ts(39): message("U0BEN", "Look: <https://example.com/cats>", ts(39)),
        ts(38): {
            **message("", f"<{TWEET}>", ts(38)),
            "subtype": "bot_message",
            "bot_id": "B0ZAPIER",
        },
        ts(37): {**message("U0BEN", f"<{TWEET}>", ts(37)), "channel": GENERAL},
        ts(36): message("U0BEN", "<@U0BEN> has joined the channel", ts(36), subtype="channel_join"),
    }
    for number, event in enumerate(ignored.values()):
        await deliver(slack, event, f"EvIgnored{number}")
    # A thread reply sent to the channel too still counts, once.
    counted = ts(30)
    broadcast = message(
        "U0CAT", f"<{BLOG_POST}>", counted, subtype="thread_broadcast", thread_ts=ts(40)
    )
    await deliver(slack, broadcast, "EvCounted")
    await marked(slack, counted)

    stats = await slack.duty("U0ADA", "stats")
    assert "1 post in all" in stats and "<@U0CAT>: 1" in stats
    assert not any(reactions(slack, "reactions.add", stamp) for stamp in ignored)


async def test_links_stop_counting_when_the_channel_is_no_longer_watched(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await watch_outreach(slack)

    reply = await slack.duty("U0ADA", "rota set watch=none")
    assert f"Stopped watching <#{OUTREACH}>" in reply
    await deliver(slack, message("U0BEN", f"<{TWEET}>", ts(10)), "Ev1")
    # Another chat channel is watched now: what is shared there counts.
    await slack.duty("U0ADA", f"rota set watch=<#{EVENTS}|events>")
    await deliver(slack, {**message("U0CAT", f"<{BLOG_POST}>", ts(5)), "channel": EVENTS}, "Ev2")
    await marked(slack, ts(5), chat_channel=EVENTS)

    stats = await slack.duty("U0ADA", "stats")
    assert "1 post in all" in stats and "<@U0CAT>: 1" in stats and "<@U0BEN>" not in stats
    assert not reactions(slack, "reactions.add", ts(10))


@pytest.mark.parametrize("slack", [{"BATON_WATCH_CHANNEL": OUTREACH}], indirect=True)
async def test_installations_watched_channel_counts_when_no_coordinator_chose_one(
    slack: SlackWorld,
) -> None:
    await library(slack)
    await deliver(slack, message("U0BEN", f"<{TWEET}>", ts(20)), "Ev1")
    await marked(slack, ts(20))
    assert "<@U0BEN>: 1" in await slack.duty("U0ADA", "stats")

    reply = await slack.duty("U0ADA", "rota set watch=none")
    assert f"Stopped watching <#{OUTREACH}>" in reply
    assert "recorded by themselves" not in await slack.duty("U0ADA", "channels")


# ---------------------------------------------------------------------------------------
# Choosing the watched chat channel


async def test_watch_is_refused_with_usage_when_the_value_is_not_a_chat_channel(
    slack: SlackWorld,
) -> None:
    await library(slack)

    reply = await slack.duty("U0ADA", "rota set watch=nonsense")
    assert "`watch=nonsense` isn't a chat channel" in reply
    assert "*Usage:* `/duty rota set watch=#channel|none`" in reply

    reply = await slack.duty("U0ADA", "rota set watch=#outreach")
    assert "I can't tell which chat channel `#outreach` is" in reply

    reply = await slack.duty("U0ADA", "rota set watch=none")
    assert "No chat channel was being watched, so nothing changed." in reply
    assert not slack.fake.direct_messages(OUTREACH)


async def test_member_may_not_choose_the_watched_channel_when_not_a_coordinator(
    slack: SlackWorld,
) -> None:
    await library(slack)

    reply = await slack.duty("U0BEN", f"rota set watch=<#{OUTREACH}|outreach>")
    assert "Only coordinators can do that, and nothing was changed" in reply
    assert "recorded by themselves" not in await slack.duty("U0ADA", "channels")


async def test_coordinator_is_told_to_invite_baton_when_it_is_not_in_the_channel(
    slack: SlackWorld,
) -> None:
    await library(slack)
    slack.fake.outside_channels.add(OUTREACH)

    reply = await watch_outreach(slack)

    assert f"Watching <#{OUTREACH}>" in reply
    assert "Baton isn't in that channel yet; invite it there with `/invite @Baton`" in reply
    assert "I'm already watching" in await watch_outreach(slack)


async def test_rota_pattern_and_watch_change_together_when_both_are_given(
    slack: SlackWorld,
) -> None:
    await library(slack)

    reply = await slack.duty("U0ADA", f"rota set hours=08:00-16:00 watch=<#{OUTREACH}|x>")

    assert "Updated the *social media* rota" in reply and "08:00–16:00" in reply
    assert f"Watching <#{OUTREACH}>" in reply
