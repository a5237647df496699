"""People come and go (§8), through Baton's services on SQLite and PostgreSQL: someone who
leaves the workspace leaves every rota, their shift passes on, coordinators hear about the
channels they could get into; the same news twice does nothing more."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.services import Baton
from bot.services.people import Change
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.fakes import FakeDirectory, FakeNotifier, staff_entry
from tests.storage.staff import STAFF, START, TEAM, Library, gone, on_duty

LIBRARY = [
    ("U0ADA", "channel add Twitter kind=twitter"),
    ("U0ADA", "channel add Blog kind=blog"),
    ("U0ADA", "steward add Twitter <@U0BEN|ben>"),
    ("U0ADA", "steward add Twitter <@U0CAT|cat>"),
    ("U0ADA", "steward add Blog <@U0BEN|ben>"),
    ("U0BEN", "join"),
    ("U0CAT", "join"),
    ("U0DAN", "join"),
    ("U0BEN", "posted Twitter https://x.com/lib/status/1 Storytime"),
]
"""Twitter (stewards Ben and Cat) and the blog (Ben alone); Ben is on duty this week, then
Cat, then Dan; Ben has posted once."""


@pytest.fixture
def library(uow_factory: SqlAlchemyUnitOfWorkFactory) -> Iterator[Library]:
    world = Library(uow_factory)
    for user, text in LIBRARY:
        world.duty(user, text)
    world.notifier.sent.clear()
    yield world


def test_the_shift_passes_on_and_coordinators_hear_when_a_steward_on_duty_leaves(
    library: Library,
) -> None:
    assert on_duty(library.duty("U0DAN", "who")) == "@ben"

    outcome = library.baton.person_changed("slack", TEAM, gone("U0BEN"))

    assert outcome.change is Change.LEFT
    assert outcome.rotas_left == ("social media",)
    assert [(rota, p.display_name if p else None) for rota, p in outcome.handed_on] == [
        ("social media", "cat")
    ]
    assert outcome.short_of_stewards == ("Blog", "Twitter")
    handoff = library.dms("U0CAT")
    assert handoff[0] == (
        "@ben has left the workspace, so the rest of their shift on social media passes to "
        "you: you are on duty now until Mon 7 Dec 09:00. `/duty channels` shows what needs a "
        "post."
    )
    [notice] = library.dms("U0ADA")
    assert "@ben has left the workspace. They were a steward of Blog, Twitter" in notice
    assert "change the logins" in notice
    assert "Twitter has 1 steward" in notice
    assert "`/duty steward add Twitter @person`" in notice
    assert "Blog has 0 stewards" in notice
    assert library.dms("U0BEN") == []
    who = library.duty("U0DAN", "who")
    assert on_duty(who) == "@cat"
    assert "@ben" not in who


def test_their_posts_and_past_shifts_stay_when_someone_leaves(library: Library) -> None:
    library.clock.set(START + timedelta(days=2))  # two days into Ben's shift
    library.leaves("U0BEN")

    stats = library.duty("U0ADA", "stats")

    assert "Twitter: 1" in stats
    assert "@ben: 1" in stats
    digest = library.duty("U0ADA", "digest preview")
    assert "@ben: 1 post, 1 shift served" in digest
    assert "@ben, a steward of Twitter, has left the workspace" in digest


def test_nothing_changes_and_nothing_is_sent_when_the_same_departure_comes_twice(
    library: Library,
) -> None:
    library.leaves("U0BEN")
    sent = len(library.notifier.sent)
    who = library.duty("U0DAN", "who")

    again = library.leaves("U0BEN")

    assert again.change is Change.UNCHANGED
    assert len(library.notifier.sent) == sent
    assert library.duty("U0DAN", "who") == who


def test_one_departure_is_made_when_the_same_news_arrives_on_two_replicas_at_once(
    database_url: str,
) -> None:
    upgrade(database_url)
    seed_engine = create_engine_for(database_url)
    seeded = Library(SqlAlchemyUnitOfWorkFactory(seed_engine))
    for user, text in LIBRARY:
        seeded.duty(user, text)
    seed_engine.dispose()
    engines = [create_engine_for(database_url) for _ in range(2)]
    notifier = FakeNotifier()
    batons = [
        Baton(
            uow_factory=SqlAlchemyUnitOfWorkFactory(engine),
            clock=FixedClock(START),
            directory=FakeDirectory({**STAFF, "U0BEN": gone("U0BEN")}),
            notifier=notifier,
        )
        for engine in engines
    ]
    barrier = threading.Barrier(len(batons))
    changes: list[Change] = []

    def replica(baton: Baton) -> None:
        barrier.wait()
        changes.append(baton.person_changed("slack", TEAM, gone("U0BEN")).change)

    threads = [threading.Thread(target=replica, args=(b,)) for b in batons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()

    assert sorted(changes) == sorted([Change.LEFT, Change.UNCHANGED])
    handoffs = [m for m in notifier.to("U0CAT") if m.summary.startswith("@ben has left")]
    assert len(handoffs) == 1
    assert len(notifier.to("U0ADA")) == 1


def test_the_next_shifts_move_and_nobody_is_told_about_stewards_when_a_member_leaves(
    library: Library,
) -> None:
    outcome = library.leaves("U0DAN")  # on the rota, third in line, no steward

    assert outcome.change is Change.LEFT
    assert outcome.handed_on == ()
    assert library.dms("U0ADA") == []
    assert library.dms("U0CAT") == []  # Cat's turn comes next week as before
    assert "dan" not in library.duty("U0ADA", "schedule 4")


def test_nobody_is_on_duty_when_the_last_member_leaves(library: Library) -> None:
    library.duty("U0CAT", "leave")
    library.duty("U0DAN", "leave")

    outcome = library.leaves("U0BEN")

    assert outcome.handed_on[0][1] is None
    assert on_duty(library.duty("U0ADA", "who")) == "nobody (reminders go to the coordinators)"


def test_a_person_who_comes_back_is_present_but_not_on_the_rota(library: Library) -> None:
    library.leaves("U0BEN")
    library.directory.users["U0BEN"] = STAFF["U0BEN"]

    outcome = library.baton.person_changed("slack", TEAM, STAFF["U0BEN"])

    assert outcome.change is Change.RETURNED
    assert library.dms("U0BEN") == []
    assert "ben" not in library.duty("U0ADA", "schedule 4")
    assert "Twitter has" not in library.duty("U0ADA", "channels")  # a steward again
    assert "Welcome to the social media rota!" in library.duty("U0BEN", "join")


def test_a_newcomer_is_known_by_name_when_they_join_the_workspace(library: Library) -> None:
    nina = staff_entry("U0NINA", "nina")
    assert "I don't know anyone called @nina" in library.duty("U0ADA", "role @nina director")

    outcome = library.baton.person_changed("slack", TEAM, nina, joined_workspace=True)

    assert outcome.change is Change.JOINED
    assert "@nina is now a director" in library.duty("U0ADA", "role @nina director")
    assert library.dms("U0NINA") == []


def test_a_profile_change_is_kept_only_for_people_baton_knows(library: Library) -> None:
    stranger = staff_entry("U0OLA", "ola")

    ignored = library.baton.person_changed("slack", TEAM, stranger)
    renamed = library.baton.person_changed(
        "slack", TEAM, replace(STAFF["U0CAT"], display_name="Catherine")
    )

    assert ignored.change is Change.IGNORED
    assert "I don't know anyone called @ola" in library.duty("U0ADA", "steward add Blog @ola")
    assert renamed.change is Change.UPDATED
    assert "@Catherine" in library.duty("U0ADA", "channels")


def test_nothing_happens_when_the_workspace_or_the_user_is_not_one_baton_serves(
    library: Library,
) -> None:
    elsewhere = library.baton.person_changed("slack", "T0OTHER", gone("U0BEN"))
    bot = library.baton.person_changed(
        "slack", TEAM, replace(STAFF["U0BEN"], deleted=True, is_bot=True)
    )

    assert (elsewhere.change, bot.change) == (Change.IGNORED, Change.IGNORED)
    assert on_duty(library.duty("U0DAN", "who")) == "@ben"
    assert library.notifier.sent == []


def test_a_steward_who_left_can_be_removed_by_name_when_the_platform_no_longer_offers_them(
    library: Library,
) -> None:
    library.leaves("U0BEN")

    reply = library.duty("U0ADA", "steward remove Blog @ben")

    assert reply == (
        "@ben is no longer a steward of Blog. It has 0 stewards now; two or more keep it "
        "safe when someone is away."
    )
    channels = library.duty("U0ADA", "channels")
    assert "@ben, a steward of Blog, has left" not in channels
    assert "@ben, a steward of Twitter, has left" in channels
