"""`channels` shows the continuity warnings of §6 under each outreach channel, by the same
rules as the weekly digest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.storage.staff import START, Library


@pytest.fixture
def library(uow_factory: SqlAlchemyUnitOfWorkFactory) -> Iterator[Library]:
    world = Library(uow_factory)
    setup = [
        ("U0ADA", "channel add Twitter kind=twitter"),
        ("U0ADA", "channel add Blog kind=blog"),
        ("U0ADA", "channel add Newsletter kind=newsletter"),
        ("U0ADA", "steward add Twitter <@U0BEN|ben>"),
        ("U0ADA", "steward add Twitter <@U0CAT|cat>"),
        ("U0ADA", "steward add Blog <@U0CAT|cat>"),
        ("U0ADA", "steward add Newsletter <@U0ADA|ada>"),
        ("U0ADA", "steward add Newsletter <@U0CAT|cat>"),
        ("U0ADA", "steward add Newsletter <@U0DAN|dan>"),
    ]
    for user, text in setup:
        world.duty(user, text)
    for n in range(6):  # Ben makes five of Twitter's six posts
        world.clock.set(START - timedelta(days=30 - n))
        author = "U0CAT" if n == 0 else "U0BEN"
        world.duty(author, f"posted Twitter https://x.com/lib/status/{n}")
    world.clock.set(START)
    world.leaves("U0DAN")
    yield world


def test_channels_warns_of_each_continuity_risk_under_its_channel_when_asked_by_a_coordinator(
    library: Library,
) -> None:
    channels = library.duty("U0ADA", "channels")

    assert "@ben made 5 of the 6 posts on Twitter in the last 90 days." in channels
    assert (
        "Blog has 1 steward; two or more keep it going when someone is away: "
        "`/duty steward add Blog @person`."
    ) in channels
    assert (
        "@dan, a steward of Newsletter, has left the workspace; change the login and "
        "`/duty steward remove Newsletter @person`."
    ) in channels
    assert "Newsletter has" not in channels  # Ada and Cat are still there
    twitter = channels.split("Twitter (twitter)")[1].split("Blog (blog)")[0]
    assert "@ben made 5 of the 6 posts" in twitter
    assert "steward" not in twitter.split("Stewards:")[1].split("\n", 1)[1]


def test_members_see_the_steward_warnings_but_not_who_made_most_posts(library: Library) -> None:
    channels = library.duty("U0CAT", "channels")

    assert "made 5 of the 6 posts" not in channels
    assert "Blog has 1 steward" in channels
    assert "@dan, a steward of Newsletter, has left the workspace" in channels


def test_the_digest_warns_the_same_way_when_previewed(library: Library) -> None:
    channels = library.duty("U0ADA", "channels")
    digest = library.duty("U0ADA", "digest preview")

    warnings = [
        line
        for line in channels.splitlines()
        if "made 5 of" in line or "has left" in line or " has 1 steward" in line
    ]
    assert len(warnings) == 3
    assert all(line in digest.splitlines() for line in warnings)
