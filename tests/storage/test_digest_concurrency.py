"""Several replicas on one database: the weekly digest goes out exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot.clock import FixedClock
from bot.services import Baton, Caller
from bot.services.scheduled import ScheduledWork
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.fakes import FakeDirectory, FakeNotifier, staff_entry

MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 10:00 in London
FRIDAY_3PM = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
REPLICAS = 3


def seed(database_url: str) -> None:
    """Twitter with one post; Dan a director; Eve gets it too; posted in #outreach."""
    engine = create_engine_for(database_url)
    directory = FakeDirectory(
        {
            "U0ADA": staff_entry("U0ADA", "ada", admin=True),
            "U0BEN": staff_entry("U0BEN", "ben"),
            "U0DAN": staff_entry("U0DAN", "dan"),
            "U0EVE": staff_entry("U0EVE", "eve"),
        }
    )
    baton = Baton(
        uow_factory=SqlAlchemyUnitOfWorkFactory(engine),
        clock=FixedClock(MONDAY),
        directory=directory,
        notifier=FakeNotifier(),
    )
    for user, text in [
        ("U0ADA", "channel add Twitter kind=twitter"),
        ("U0BEN", "join"),
        ("U0BEN", "posted Twitter https://x.example/lib/1"),
        ("U0ADA", "role <@U0DAN|dan> director"),
        ("U0ADA", "digest to <@U0EVE|eve>"),
        ("U0ADA", "digest to <#C0OUTREACH|outreach>"),
    ]:
        baton.run_command(Caller("slack", "T0LIB", user), text)
    engine.dispose()


def all_at_once(database_url: str, now: datetime) -> tuple[FakeNotifier, list[int]]:
    """The digest job on REPLICAS replicas, each with its own engine, released together."""
    notifier = FakeNotifier()
    engines = [create_engine_for(database_url) for _ in range(REPLICAS)]
    works = [
        ScheduledWork(uow_factory=SqlAlchemyUnitOfWorkFactory(e), notifier=notifier)
        for e in engines
    ]
    barrier = threading.Barrier(REPLICAS)
    errors: list[BaseException] = []
    counts: list[int] = []

    def replica(work: ScheduledWork) -> None:
        barrier.wait()
        try:
            counts.append(work.digest(now))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=replica, args=(w,)) for w in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    assert errors == []
    return notifier, counts


def test_digest_goes_out_once_when_replicas_run_the_job_at_the_same_moment(
    database_url: str,
) -> None:
    upgrade(database_url)
    seed(database_url)

    notifier, counts = all_at_once(database_url, FRIDAY_3PM)

    assert sorted(who for who, _ in notifier.sent) == ["U0DAN", "U0EVE"]
    assert [where for where, _ in notifier.posted] == ["C0OUTREACH"]
    assert sum(counts) == 3
    (digest,) = notifier.to("U0DAN")
    assert digest.summary == "Weekly digest: 1 post this week"
    again, counts = all_at_once(database_url, FRIDAY_3PM + timedelta(minutes=15))
    assert (again.sent, again.posted, counts) == ([], [], [0, 0, 0])
