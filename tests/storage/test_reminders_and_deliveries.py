"""Reminders and deliveries: claimed once under their key, tried, sent or failed, answered."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from bot.domain.model import Delivery, DeliveryKind, OutreachChannel, Reminder, Workspace
from bot.ports import UnitOfWork
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.storage.seed import T0, add_channel, add_person

LATER = T0 + timedelta(days=1)
"""A `stale_before` after every try here: tries in flight count as abandoned."""

DAY = timedelta(days=1)
MONDAY = T0.date()
SPELL = T0 - 3 * DAY
"""When the test channels went quiet: their last post, the Friday before T0."""
HANDOFF_KEY = "rota-1/2025-03-03"
RACERS = 6

_T = TypeVar("_T")


def _claim(
    uow: UnitOfWork,
    channel: OutreachChannel,
    *,
    spell_start: datetime = SPELL,
    day: date = MONDAY,
    person_id: int | None = None,
    created_at: datetime = T0,
) -> Reminder | None:
    return uow.reminders.claim(
        channel.workspace_id,
        channel_id=channel.id,
        spell_start=spell_start,
        day=day,
        person_id=person_id,
        created_at=created_at,
    )


def _claimed(uow: UnitOfWork, channel: OutreachChannel, **changes: Any) -> Reminder:
    """A reminder that must be new."""
    reminder = _claim(uow, channel, **changes)
    assert reminder is not None
    return reminder


def _delivered(
    uow: UnitOfWork,
    workspace: Workspace,
    kind: DeliveryKind = DeliveryKind.HANDOFF,
    key: str = HANDOFF_KEY,
    created_at: datetime = T0,
) -> Delivery:
    """A delivery that must be new."""
    delivery = uow.deliveries.claim(workspace.id, kind, key, created_at)
    assert delivery is not None
    return delivery


def _race(database_url: str, attempt: Callable[[UnitOfWork], _T]) -> list[_T]:
    """Run `attempt` at once in several threads, each with its own engine and unit of work.

    Each unit commits after its attempt; the result is what each attempt returned.
    """
    engines = [create_engine_for(database_url) for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS, timeout=10)

    def run(engine: Engine) -> _T:
        with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
            barrier.wait()
            result = attempt(uow)
            uow.commit()
        return result

    try:
        for engine in engines:  # connect first, so the threads only race on the claim
            with engine.connect():
                pass
        with ThreadPoolExecutor(max_workers=RACERS) as pool:
            return list(pool.map(run, engines))
    finally:
        for engine in engines:
            engine.dispose()


# -- reminders ----------------------------------------------------------------------------


def test_reminder_round_trips_when_claimed(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        twitter = add_channel(uow, workspace.id, "Twitter")
        claimed = _claimed(uow, twitter, person_id=ann.id)
        uow.commit()

    with uow_factory() as uow:
        stored = uow.reminders.of_spell(twitter.id, SPELL)

    assert claimed == Reminder(
        id=claimed.id,
        workspace_id=workspace.id,
        channel_id=twitter.id,
        spell_start=SPELL,
        day=MONDAY,
        person_id=ann.id,
        created_at=T0,
        sent_at=None,
        answered_at=None,
        attempts=0,
        last_error=None,
    )
    assert stored == [claimed]


def test_second_claim_gets_none_and_changes_nothing_when_the_reminder_exists(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        bob = add_person(uow, workspace.id, "U2", "Bob")
        twitter = add_channel(uow, workspace.id, "Twitter")
        first = _claimed(uow, twitter, person_id=ann.id)
        uow.reminders.start_attempt(first.id, 0, T0)
        uow.reminders.mark_failed(first.id, "channel_not_found")
        uow.commit()
    same_spell_in_berlin = SPELL.astimezone(ZoneInfo("Europe/Berlin"))

    with uow_factory() as uow:
        again = _claim(uow, twitter, person_id=bob.id, created_at=T0 + DAY)
        same_instant = _claim(uow, twitter, spell_start=same_spell_in_berlin)
        uow.commit()

    with uow_factory() as uow:
        stored = uow.reminders.of_spell(twitter.id, SPELL)

    assert again is None
    assert same_instant is None
    assert len(stored) == 1
    assert stored[0].id == first.id
    assert stored[0].person_id == ann.id
    assert stored[0].created_at == T0
    assert stored[0].attempts == 1
    assert stored[0].last_error == "channel_not_found"


def test_claims_coexist_when_the_day_spell_or_channel_differs(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    later_spell = T0 + 5 * DAY
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        monday = _claimed(uow, twitter)
        tuesday = _claimed(uow, twitter, day=MONDAY + DAY, created_at=T0 + DAY)
        next_spell = _claimed(uow, twitter, spell_start=later_spell, day=MONDAY + 7 * DAY)
        on_blog = _claimed(uow, blog)
        uow.commit()

    with uow_factory() as uow:
        spell = uow.reminders.of_spell(twitter.id, SPELL)
        later = uow.reminders.of_spell(twitter.id, later_spell)
        blogs = uow.reminders.of_spell(blog.id, SPELL)

    assert len({monday.id, tuesday.id, next_spell.id, on_blog.id}) == 4
    assert spell == [monday, tuesday]
    assert later == [next_spell]
    assert blogs == [on_blog]


def test_start_attempt_lets_only_one_caller_through_when_both_saw_the_same_count(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        reminder = _claimed(uow, twitter)
        first = uow.reminders.start_attempt(reminder.id, 0, T0)
        same_count = uow.reminders.start_attempt(reminder.id, 0, T0)
        uow.commit()

    with uow_factory() as uow:
        stale = uow.reminders.start_attempt(reminder.id, 0, T0)
        next_try = uow.reminders.start_attempt(reminder.id, 1, T0)
        unknown = uow.reminders.start_attempt(reminder.id + 1000, 0, T0)
        uow.commit()

    with uow_factory() as uow:
        (stored,) = uow.reminders.of_spell(twitter.id, SPELL)

    assert (first, same_count, stale, next_try, unknown) == (True, False, False, True, False)
    assert stored.attempts == 2


def test_start_attempt_is_refused_when_the_reminder_was_sent(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        reminder = _claimed(uow, twitter)
        assert uow.reminders.start_attempt(reminder.id, 0, T0)
        uow.reminders.mark_sent(reminder.id, T0)

        assert not uow.reminders.start_attempt(reminder.id, 1, T0)


def test_mark_sent_records_the_time_and_clears_the_error_when_a_retry_succeeds(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        reminder = _claimed(uow, twitter)
        uow.reminders.start_attempt(reminder.id, 0, T0)
        uow.reminders.mark_failed(reminder.id, "ratelimited")
        uow.reminders.start_attempt(reminder.id, 1, T0)
        uow.reminders.mark_sent(reminder.id, T0 + timedelta(minutes=5))
        uow.commit()

    with uow_factory() as uow:
        (stored,) = uow.reminders.of_spell(twitter.id, SPELL)
        pending = uow.reminders.pending(workspace.id, max_attempts=5, stale_before=LATER)
        failed = uow.reminders.failed(workspace.id)

    assert stored.sent_at == T0 + timedelta(minutes=5)
    assert stored.last_error is None
    assert stored.attempts == 2
    assert pending == []
    assert failed == []


def test_mark_failed_keeps_the_first_200_characters_when_the_reason_is_longer(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    reason = "invalid_blocks: " + "x" * 300
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        reminder = _claimed(uow, twitter)
        uow.reminders.mark_failed(reminder.id, reason)
        uow.commit()

    with uow_factory() as uow:
        (stored,) = uow.reminders.of_spell(twitter.id, SPELL)

    assert stored.last_error == reason[:200]
    assert stored.sent_at is None


def test_marking_raises_lookup_error_when_the_reminder_is_unknown(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        with pytest.raises(LookupError, match="reminder"):
            uow.reminders.mark_sent(404, T0)
        with pytest.raises(LookupError, match="reminder"):
            uow.reminders.mark_failed(404, "channel_not_found")


def test_pending_lists_unsent_reminders_with_tries_left_oldest_first_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        elsewhere = uow.workspaces.add("slack", "T2", "Elsewhere")
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        foreign = add_channel(uow, elsewhere.id, "Twitter")
        newer = _claimed(uow, twitter, day=MONDAY + DAY, created_at=T0 + DAY)
        older = _claimed(uow, blog, created_at=T0 - DAY)
        retrying = _claimed(uow, twitter, created_at=T0)
        uow.reminders.start_attempt(retrying.id, 0, T0)
        uow.reminders.mark_failed(retrying.id, "ratelimited")
        exhausted = _claimed(uow, twitter, day=MONDAY + 2 * DAY, created_at=T0 - 2 * DAY)
        for seen in range(3):
            uow.reminders.start_attempt(exhausted.id, seen, T0)
        sent = _claimed(uow, blog, day=MONDAY + DAY, created_at=T0 - 3 * DAY)
        uow.reminders.mark_sent(sent.id, T0)
        _claimed(uow, foreign)
        uow.commit()

    with uow_factory() as uow:
        pending = uow.reminders.pending(workspace.id, max_attempts=3, stale_before=LATER)

    assert [reminder.id for reminder in pending] == [older.id, retrying.id, newer.id]
    assert pending[1].attempts == 1
    assert pending[1].last_error == "ratelimited"


def test_failed_lists_unsent_reminders_whose_last_try_failed_newest_first_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        elsewhere = uow.workspaces.add("slack", "T2", "Elsewhere")
        twitter = add_channel(uow, workspace.id, "Twitter")
        foreign = add_channel(uow, elsewhere.id, "Twitter")
        older = _claimed(uow, twitter, created_at=T0)
        newer = _claimed(uow, twitter, day=MONDAY + DAY, created_at=T0 + DAY)
        untried = _claimed(uow, twitter, day=MONDAY + 2 * DAY, created_at=T0 + 2 * DAY)
        recovered = _claimed(uow, twitter, day=MONDAY + 3 * DAY, created_at=T0 + 3 * DAY)
        lost_abroad = _claimed(uow, foreign, created_at=T0)
        for reminder in (older, newer, recovered, lost_abroad):
            uow.reminders.start_attempt(reminder.id, 0, T0)
            uow.reminders.mark_failed(reminder.id, "channel_not_found")
        uow.reminders.mark_sent(recovered.id, T0 + 3 * DAY)
        uow.commit()

    with uow_factory() as uow:
        failed = uow.reminders.failed(workspace.id)

    assert [reminder.id for reminder in failed] == [newer.id, older.id]
    assert untried.id not in {reminder.id for reminder in failed}
    assert {reminder.last_error for reminder in failed} == {"channel_not_found"}


def test_answer_marks_only_the_channels_sent_unanswered_reminders_when_someone_posts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    earlier_spell = SPELL - 10 * DAY
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        answered_before = _claimed(uow, twitter, spell_start=earlier_spell, day=MONDAY - 7 * DAY)
        uow.reminders.mark_sent(answered_before.id, T0 - 7 * DAY)
        assert uow.reminders.answer(twitter.id, T0 - 6 * DAY) == 1
        monday = _claimed(uow, twitter)
        tuesday = _claimed(uow, twitter, day=MONDAY + DAY, created_at=T0 + DAY)
        unsent = _claimed(uow, twitter, day=MONDAY + 2 * DAY, created_at=T0 + 2 * DAY)
        on_blog = _claimed(uow, blog)
        for reminder in (monday, tuesday, on_blog):
            uow.reminders.mark_sent(reminder.id, reminder.created_at)
        uow.commit()

    with uow_factory() as uow:
        answered = uow.reminders.answer(twitter.id, T0 + 2 * DAY)
        again = uow.reminders.answer(twitter.id, T0 + 3 * DAY)
        uow.commit()

    with uow_factory() as uow:
        before = uow.reminders.of_spell(twitter.id, earlier_spell)
        spell = uow.reminders.of_spell(twitter.id, SPELL)
        blogs = uow.reminders.of_spell(blog.id, SPELL)

    assert (answered, again) == (2, 0)
    assert [reminder.answered_at for reminder in before] == [T0 - 6 * DAY]
    assert [(reminder.id, reminder.answered_at) for reminder in spell] == [
        (monday.id, T0 + 2 * DAY),
        (tuesday.id, T0 + 2 * DAY),
        (unsent.id, None),
    ]
    assert [reminder.answered_at for reminder in blogs] == [None]


def test_between_lists_reminders_created_in_the_half_open_window_when_asked(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        elsewhere = uow.workspaces.add("slack", "T2", "Elsewhere")
        twitter = add_channel(uow, workspace.id, "Twitter")
        foreign = add_channel(uow, elsewhere.id, "Twitter")
        at_end = _claimed(uow, twitter, day=MONDAY + 7 * DAY, created_at=T0 + 7 * DAY)
        middle = _claimed(uow, twitter, day=MONDAY + 3 * DAY, created_at=T0 + 3 * DAY)
        at_start = _claimed(uow, twitter, created_at=T0)
        _claimed(uow, twitter, day=MONDAY - DAY, created_at=T0 - timedelta(microseconds=1))
        _claimed(uow, foreign, created_at=T0 + DAY)
        uow.commit()

    with uow_factory() as uow:
        week = uow.reminders.between(workspace.id, T0, T0 + 7 * DAY)

    assert week == [at_start, middle]
    assert at_end not in week


def test_reminders_follow_their_channel_and_person_when_those_are_deleted(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        twitter = add_channel(uow, workspace.id, "Twitter")
        blog = add_channel(uow, workspace.id, "Blog")
        kept = _claimed(uow, twitter, person_id=ann.id)
        _claimed(uow, blog, person_id=ann.id)
        uow.commit()

    with uow_factory.engine.begin() as connection:
        connection.execute(text("DELETE FROM people WHERE id = :id"), {"id": ann.id})
        connection.execute(text("DELETE FROM outreach_channels WHERE id = :id"), {"id": blog.id})

    with uow_factory() as uow:
        reminders = uow.reminders.between(workspace.id, T0, T0 + DAY)

    assert [(reminder.id, reminder.person_id) for reminder in reminders] == [(kept.id, None)]


# -- deliveries ---------------------------------------------------------------------------


def test_delivery_round_trips_when_claimed_and_found_by_its_key(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        claimed = _delivered(uow, workspace, DeliveryKind.DIGEST, "2025-W10")
        uow.commit()

    with uow_factory() as uow:
        found = uow.deliveries.get(workspace.id, DeliveryKind.DIGEST, "2025-W10")
        other_kind = uow.deliveries.get(workspace.id, DeliveryKind.HANDOFF, "2025-W10")
        other_key = uow.deliveries.get(workspace.id, DeliveryKind.DIGEST, "2025-W11")

    assert (
        found
        == claimed
        == Delivery(
            id=claimed.id,
            workspace_id=workspace.id,
            kind=DeliveryKind.DIGEST,
            key="2025-W10",
            created_at=T0,
            sent_at=None,
            attempts=0,
            last_error=None,
        )
    )
    assert other_kind is None
    assert other_key is None


def test_second_claim_gets_none_and_changes_nothing_when_the_delivery_exists(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        first = _delivered(uow, workspace)
        uow.commit()

    with uow_factory() as uow:
        again = uow.deliveries.claim(workspace.id, DeliveryKind.HANDOFF, HANDOFF_KEY, T0 + DAY)
        uow.commit()

    with uow_factory() as uow:
        stored = uow.deliveries.get(workspace.id, DeliveryKind.HANDOFF, HANDOFF_KEY)

    assert again is None
    assert stored == first


def test_delivery_keys_are_free_when_another_kind_or_workspace_uses_them(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        elsewhere = uow.workspaces.add("slack", "T2", "Elsewhere")
        handoff = _delivered(uow, workspace, DeliveryKind.HANDOFF)
        escalation = _delivered(uow, workspace, DeliveryKind.ESCALATION)
        abroad = _delivered(uow, elsewhere, DeliveryKind.HANDOFF)
        uow.commit()

    assert len({handoff.id, escalation.id, abroad.id}) == 3


def test_delivery_attempts_move_through_failure_to_sent_when_retried(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        delivery = _delivered(uow, workspace)
        assert uow.deliveries.start_attempt(delivery.id, 0, T0)
        assert not uow.deliveries.start_attempt(delivery.id, 0, T0)
        uow.deliveries.mark_failed(delivery.id, "not_in_channel " + "y" * 250)
        uow.commit()

    with uow_factory() as uow:
        failed = uow.deliveries.failed(workspace.id)
        pending = uow.deliveries.pending(workspace.id, max_attempts=3, stale_before=LATER)
        exhausted = uow.deliveries.pending(workspace.id, max_attempts=1, stale_before=LATER)
        assert uow.deliveries.start_attempt(delivery.id, 1, T0)
        uow.deliveries.mark_sent(delivery.id, T0 + DAY)
        assert not uow.deliveries.start_attempt(delivery.id, 2, T0)
        uow.commit()

    with uow_factory() as uow:
        stored = uow.deliveries.get(workspace.id, DeliveryKind.HANDOFF, HANDOFF_KEY)
        pending_after = uow.deliveries.pending(workspace.id, max_attempts=3, stale_before=LATER)
        failed_after = uow.deliveries.failed(workspace.id)

    assert [d.id for d in failed] == [d.id for d in pending] == [delivery.id]
    assert failed[0].attempts == 1
    assert failed[0].last_error == ("not_in_channel " + "y" * 250)[:200]
    assert exhausted == []
    assert stored is not None
    assert (stored.attempts, stored.sent_at, stored.last_error) == (2, T0 + DAY, None)
    assert pending_after == failed_after == []


def test_delivery_lists_order_and_filter_when_there_are_several(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        elsewhere = uow.workspaces.add("slack", "T2", "Elsewhere")
        newer = _delivered(uow, workspace, DeliveryKind.DIGEST, "2025-W10", T0 + DAY)
        older = _delivered(uow, workspace, DeliveryKind.ESCALATION, "rota-1/2025-03-03", T0)
        sent = _delivered(uow, workspace, DeliveryKind.HANDOFF, HANDOFF_KEY, T0 - DAY)
        abroad = _delivered(uow, elsewhere, DeliveryKind.DIGEST, "2025-W10", T0)
        uow.deliveries.mark_sent(sent.id, T0)
        for delivery in (newer, older, abroad):
            uow.deliveries.mark_failed(delivery.id, "ratelimited")
        uow.commit()

    with uow_factory() as uow:
        pending = uow.deliveries.pending(workspace.id, max_attempts=3, stale_before=LATER)
        failed = uow.deliveries.failed(workspace.id)

    assert [d.id for d in pending] == [older.id, newer.id]
    assert [d.id for d in failed] == [newer.id, older.id]


def test_marking_raises_lookup_error_when_the_delivery_is_unknown(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        with pytest.raises(LookupError, match="delivery"):
            uow.deliveries.mark_sent(404, T0)
        with pytest.raises(LookupError, match="delivery"):
            uow.deliveries.mark_failed(404, "ratelimited")


# -- claims inside a unit of work, and between processes ----------------------------------


def test_unit_stays_usable_and_commits_its_other_writes_when_a_claim_conflicts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        monday = _claimed(uow, twitter)
        handoff = _delivered(uow, workspace)
        uow.commit()

    with uow_factory() as uow:
        ann = add_person(uow, workspace.id, "U1", "Ann")
        lost_reminder = _claim(uow, twitter, person_id=ann.id, created_at=T0 + DAY)
        lost_delivery = uow.deliveries.claim(
            workspace.id, DeliveryKind.HANDOFF, HANDOFF_KEY, T0 + DAY
        )
        tuesday = _claimed(uow, twitter, day=MONDAY + DAY, person_id=ann.id, created_at=T0 + DAY)
        digest = _delivered(uow, workspace, DeliveryKind.DIGEST, "2025-W10", T0 + DAY)
        uow.commit()

    with uow_factory() as uow:
        person = uow.people.get(ann.id)
        spell = uow.reminders.of_spell(twitter.id, SPELL)
        deliveries = uow.deliveries.pending(workspace.id, max_attempts=1, stale_before=LATER)

    assert lost_reminder is None
    assert lost_delivery is None
    assert person == ann
    assert spell == [monday, tuesday]
    assert deliveries == [handoff, digest]


def test_exactly_one_process_gets_the_delivery_when_several_claim_it_at_once(
    database_url: str, uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    results = _race(
        database_url,
        lambda uow: uow.deliveries.claim(workspace.id, DeliveryKind.HANDOFF, HANDOFF_KEY, T0),
    )

    with uow_factory() as uow:
        stored = uow.deliveries.pending(workspace.id, max_attempts=1, stale_before=LATER)

    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert results.count(None) == RACERS - 1
    assert stored == winners


def test_exactly_one_process_gets_the_reminder_when_several_claim_it_at_once(
    database_url: str, uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        twitter = add_channel(uow, workspace.id, "Twitter")
        uow.commit()

    results = _race(database_url, lambda uow: _claim(uow, twitter))

    with uow_factory() as uow:
        stored = uow.reminders.of_spell(twitter.id, SPELL)

    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert stored == winners


def test_exactly_one_process_takes_the_attempt_when_several_saw_the_same_count(
    database_url: str, uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        delivery = _delivered(uow, workspace)
        uow.commit()

    results = _race(database_url, lambda uow: uow.deliveries.start_attempt(delivery.id, 0, T0))

    with uow_factory() as uow:
        stored = uow.deliveries.get(workspace.id, DeliveryKind.HANDOFF, HANDOFF_KEY)

    assert sorted(results) == [False] * (RACERS - 1) + [True]
    assert stored is not None
    assert stored.attempts == 1


def test_try_in_flight_is_not_pending_when_another_replica_looks_soon_after(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        delivery = uow.deliveries.claim(workspace.id, DeliveryKind.HANDOFF, "in-flight", T0)
        assert delivery is not None
        assert uow.deliveries.start_attempt(delivery.id, 0, T0)
        uow.commit()
    with uow_factory() as uow:
        soon = uow.deliveries.pending(workspace.id, 3, stale_before=T0 - timedelta(minutes=30))
        abandoned = uow.deliveries.pending(workspace.id, 3, stale_before=T0 + timedelta(hours=1))
        uow.deliveries.mark_failed(delivery.id, "fatal_error")
        failed = uow.deliveries.pending(workspace.id, 3, stale_before=T0 - timedelta(minutes=30))
    assert soon == []
    assert [d.id for d in abandoned] == [delivery.id]
    assert [d.id for d in failed] == [delivery.id]


def test_new_try_clears_the_last_error_when_it_starts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, workspace: Workspace
) -> None:
    with uow_factory() as uow:
        delivery = uow.deliveries.claim(workspace.id, DeliveryKind.HANDOFF, "retry", T0)
        assert delivery is not None
        uow.deliveries.start_attempt(delivery.id, 0, T0)
        uow.deliveries.mark_failed(delivery.id, "fatal_error")
        assert [d.id for d in uow.deliveries.failed(workspace.id)] == [delivery.id]
        uow.deliveries.start_attempt(delivery.id, 1, T0 + timedelta(minutes=15))
        assert uow.deliveries.failed(workspace.id) == []
