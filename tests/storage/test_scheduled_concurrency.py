"""Several replicas on one database: every handoff and reminder goes out exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.clock import FixedClock
from bot.services import Baton, Caller
from bot.services.scheduled import ScheduledWork
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.fakes import FakeDirectory, FakeNotifier, staff_entry

START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday, 10:00 in London
REPLICAS = 3


LIBRARY = [
    ("U0ADA", "channel add Twitter kind=twitter"),
    ("U0ADA", "channel add Blog kind=blog quiet=1d"),
    ("U0BEN", "join"),
    ("U0CAT", "join"),
]
"""Twitter and a blog; Ben on duty this week, Cat the next."""


def seed(database_url: str, commands: list[tuple[str, str]] = LIBRARY) -> None:
    """Run `commands` as staff typing them on Monday morning."""
    engine = create_engine_for(database_url)
    directory = FakeDirectory(
        {
            "U0ADA": staff_entry("U0ADA", "ada", admin=True),
            "U0BEN": staff_entry("U0BEN", "ben"),
            "U0CAT": staff_entry("U0CAT", "cat"),
            "U0DAN": staff_entry("U0DAN", "dan"),
            "U0EVE": staff_entry("U0EVE", "eve"),
        }
    )
    baton = Baton(
        uow_factory=SqlAlchemyUnitOfWorkFactory(engine),
        clock=FixedClock(START),
        directory=directory,
        notifier=FakeNotifier(),
    )
    for user, text in commands:
        baton.run_command(Caller("slack", "T0LIB", user), text)
    engine.dispose()


def all_at_once(database_url: str, run: Callable[[ScheduledWork], int]) -> FakeNotifier:
    """Run `run` on REPLICAS replicas, each with its own engine, released together."""
    notifier = FakeNotifier()
    engines = [create_engine_for(database_url) for _ in range(REPLICAS)]
    works = [
        ScheduledWork(uow_factory=SqlAlchemyUnitOfWorkFactory(e), notifier=notifier)
        for e in engines
    ]
    barrier = threading.Barrier(REPLICAS)
    errors: list[BaseException] = []

    def replica(work: ScheduledWork) -> None:
        barrier.wait()
        try:
            run(work)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=replica, args=(w,)) for w in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    assert errors == []
    return notifier


def test_each_reminder_goes_out_once_when_replicas_check_at_the_same_moment(
    database_url: str,
) -> None:
    upgrade(database_url)
    seed(database_url)
    wednesday = START + timedelta(days=2, hours=1)
    notifier = all_at_once(database_url, lambda work: work.quiet_check(wednesday))
    reminders = notifier.to("U0BEN")
    assert len(reminders) == 1
    assert reminders[0].summary == "2 outreach channels gone quiet"
    assert len(notifier.sent) == 1


def test_each_handoff_goes_out_once_when_replicas_tick_at_the_same_moment(
    database_url: str,
) -> None:
    upgrade(database_url)
    seed(database_url)
    monday = START + timedelta(days=7, minutes=-55)  # Mon 7 Dec 09:05
    notifier = all_at_once(database_url, lambda work: work.handoffs(monday))
    assert [m.summary for m in notifier.to("U0CAT")] == ["You're on duty: social media"]
    assert len(notifier.to("U0BEN")) == 1  # the thank-you
    assert len(notifier.sent) == 2
    # A later tick by any replica sends nothing more.
    again = all_at_once(database_url, lambda work: work.handoffs(monday + timedelta(minutes=5)))
    assert again.sent == []


def test_digest_goes_out_once_when_replicas_run_the_job_at_the_same_moment(
    database_url: str,
) -> None:
    upgrade(database_url)
    seed(
        database_url,
        [
            ("U0ADA", "channel add Twitter kind=twitter"),
            ("U0BEN", "join"),
            ("U0BEN", "posted Twitter https://x.example/lib/1"),
            ("U0ADA", "role <@U0DAN|dan> director"),
            ("U0ADA", "digest to <@U0EVE|eve>"),
            ("U0ADA", "digest to <#C0OUTREACH|outreach>"),
        ],
    )
    friday = START + timedelta(days=4, hours=5)  # Fri 4 Dec 15:00 in London
    notifier = all_at_once(database_url, lambda work: work.digest(friday))
    assert sorted(who for who, _ in notifier.sent) == ["U0DAN", "U0EVE"]
    assert [where for where, _ in notifier.posted] == ["C0OUTREACH"]
    (digest,) = notifier.to("U0DAN")
    assert digest.summary == "Weekly digest: 1 post this week"
    again = all_at_once(database_url, lambda work: work.digest(friday + timedelta(minutes=15)))
    assert (again.sent, again.posted) == ([], [])
