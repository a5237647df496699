"""A whole database through a JSON export and back into an empty database, with nothing lost,
on SQLite and PostgreSQL and from one to the other."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.domain.digest import DigestSettings
from bot.domain.model import (
    ChannelKind,
    Closure,
    DeliveryKind,
    PostSource,
    Role,
    Rota,
    Shift,
    ShiftOrigin,
    SwapStatus,
)
from storage.migrate import current_revision, head_revision, upgrade
from storage.orm import FeedAuthorRow, FeedEntryRow, FeedStateRow, PostRow, metadata
from storage.transfer import TransferError, load, read_export, write_json
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.databases import fresh_database
from tests.storage.seed import T0, add_person

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
EXPORTED_AT = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)
NOTES = (
    'Storytime, "The Gruffalo" edition',
    "Two lines:\nfirst, then second",
    "Zoë's café — naïve 📚 ümlaut",
    '=HYPERLINK("http://evil.example")',
    "tab\tand\r\ncarriage return",
)


@contextmanager
def factory(url: str) -> Iterator[SqlAlchemyUnitOfWorkFactory]:
    engine = create_engine_for(url)
    try:
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        engine.dispose()


def dialect_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


@contextmanager
def another(dialect: str, folder: Path) -> Iterator[str]:
    """A second empty database of `dialect`, beside the test's own."""
    folder.mkdir()
    with fresh_database(dialect, folder) as url:
        yield url


def populate(url: str) -> None:
    """A realistic library: three workspaces, with every kind of record Baton keeps."""
    upgrade(url)
    with factory(url) as uow_factory, uow_factory() as uow:
        town = uow.workspaces.add("slack", "T0TOWN", "Town Library")
        hill = uow.workspaces.add("teams", "8f0c7a1e-1111-4c2b-9d3e-5a6b7c8d9e0f", "Hill Branch")
        uow.workspaces.add("local", "demo", "")

        ann = add_person(uow, town.id, "U0ANN", "Ann Ó Súilleabháin", handle="ann")
        bob = add_person(uow, town.id, "U0BOB", "Bob", handle="bob")
        cat = add_person(uow, town.id, "U0CAT", "Cat", handle="cat")
        dan = add_person(uow, town.id, "U0DAN", "Dan (left)", deleted=True)
        eve = add_person(uow, hill.id, "29:1eve", "Eve Müller")
        uow.people.set_role(ann.id, Role.COORDINATOR)
        uow.people.set_role(cat.id, Role.DIRECTOR)

        twitter = uow.channels.add(
            town.id,
            name="Twitter",
            kind=ChannelKind.TWITTER,
            quiet_after_seconds=2 * 86400,
            created_at=T0,
            feed_url=None,
            match_pattern="x.com/townlib",
        )
        blog = uow.channels.add(
            town.id,
            name="Blog",
            kind=ChannelKind.BLOG,
            quiet_after_seconds=14 * 86400,
            created_at=T0,
            feed_url="https://town.example/feed.xml",
            match_pattern=None,
        )
        old = uow.channels.add(
            town.id,
            name="Myspace",
            kind=ChannelKind.OTHER,
            quiet_after_seconds=86400,
            created_at=T0 - 300 * DAY,
            feed_url=None,
            match_pattern=None,
        )
        hill_news = uow.channels.add(
            hill.id,
            name="Newsletter",
            kind=ChannelKind.NEWSLETTER,
            quiet_after_seconds=30 * 86400,
            created_at=T0,
            feed_url=None,
            match_pattern=None,
        )
        uow.channels.update(
            replace(
                twitter,
                access_note="Library password manager → Social → Twitter",
                snoozed_until=T0 + 3 * DAY,
            )
        )
        uow.channels.update(replace(old, archived=True))
        for channel, person in ((twitter, ann), (twitter, dan), (blog, bob)):
            uow.channels.add_steward(channel.id, person.id)

        social = uow.rotas.all(town.id)[0] if uow.rotas.all(town.id) else None
        social = social or uow.rotas.add(Rota(id=0, workspace_id=town.id, name="social media"))
        uow.rotas.update(
            replace(
                social,
                timezone="Europe/London",
                handoff_time=time(9, 30),
                working_days=frozenset({0, 1, 2, 3}),
                work_start=time(8, 45),
                work_end=time(16, 15),
            )
        )
        letters = uow.rotas.add(
            Rota(
                id=0,
                workspace_id=town.id,
                name="Blog rota",
                shift_days=1,
                channel_ids=frozenset({blog.id}),
            )
        )
        hill_rota = uow.rotas.add(Rota(id=0, workspace_id=hill.id, name="social media"))

        uow.memberships.add(social.id, ann.id, T0)
        uow.memberships.add(social.id, bob.id, T0 + timedelta(microseconds=1))
        uow.memberships.add(social.id, dan.id, T0)
        uow.memberships.end(social.id, dan.id, T0 + 10 * DAY)
        uow.memberships.add(letters.id, bob.id, T0)
        uow.memberships.add(hill_rota.id, eve.id, T0)

        origins = list(ShiftOrigin)
        for week in range(6):
            start = T0 + week * WEEK
            uow.shifts.add(
                Shift(
                    rota_id=social.id,
                    start=start,
                    end=start + WEEK,
                    person_id=(ann, bob, dan, None, ann, bob)[week].id
                    if (ann, bob, dan, None, ann, bob)[week] is not None
                    else None,
                    origin=origins[week % len(origins)],
                    handed_over=week == 2,
                )
            )
        uow.shifts.add(Shift(letters.id, T0, T0 + DAY, bob.id))
        uow.shifts.add(Shift(hill_rota.id, T0, T0 + WEEK, eve.id, ShiftOrigin.OVERRIDE))

        uow.away.add(ann.id, date(2025, 3, 17), date(2025, 3, 21), T0)
        uow.away.add(dan.id, date(2025, 4, 1), date(2025, 4, 1), T0 + DAY)
        uow.closures.add(
            Closure(
                0, town.id, date(2025, 12, 24), date(2026, 1, 1), "Winter closure, all branches"
            )
        )
        uow.closures.add(Closure(0, town.id, country="GB", subdivision="SCT"))

        sources = (PostSource.MANUAL, PostSource.FEED, PostSource.CHAT_MESSAGE)
        for number, note in enumerate(NOTES):
            uow.posts.add(
                town.id,
                channel_id=(twitter, blog)[number % 2].id,
                author_id=(ann, bob, dan, None, cat)[number].id if number != 3 else None,
                posted_at=T0 + number * DAY + timedelta(microseconds=123456),
                source=sources[number % 3],
                recorded_by_id=ann.id if number % 2 else None,
                recorded_at=T0 + number * DAY + timedelta(hours=1),
                url=f"https://x.com/townlib/status/{number}" if number != 4 else None,
                note=note,
            )
        uow.posts.add(
            hill.id,
            channel_id=hill_news.id,
            author_id=eve.id,
            posted_at=T0,
            source=PostSource.MANUAL,
            recorded_by_id=eve.id,
            recorded_at=T0,
            url=None,
            note=None,
        )

        sent = uow.reminders.claim(
            town.id,
            channel_id=twitter.id,
            spell_start=T0,
            day=date(2025, 3, 5),
            person_id=bob.id,
            created_at=T0 + 2 * DAY,
        )
        failed = uow.reminders.claim(
            town.id,
            channel_id=blog.id,
            spell_start=T0 - DAY,
            day=date(2025, 3, 6),
            person_id=None,
            created_at=T0 + 3 * DAY,
        )
        assert sent is not None and failed is not None
        uow.reminders.start_attempt(sent.id, 0, T0 + 2 * DAY)
        uow.reminders.mark_sent(sent.id, T0 + 2 * DAY)
        uow.reminders.answer(twitter.id, T0 + 2 * DAY + timedelta(hours=2))
        uow.reminders.start_attempt(failed.id, 0, T0 + 3 * DAY)
        uow.reminders.mark_failed(failed.id, "chat.postMessage: channel_not_found")

        handoff = uow.deliveries.claim(town.id, DeliveryKind.HANDOFF, "rota-1:2025-03-03", T0)
        digest = uow.deliveries.claim(town.id, DeliveryKind.DIGEST, "2025-W10", T0 + 4 * DAY)
        assert handoff is not None and digest is not None
        uow.deliveries.start_attempt(handoff.id, 0, T0)
        uow.deliveries.mark_sent(handoff.id, T0)
        uow.deliveries.start_attempt(digest.id, 0, T0 + 4 * DAY)
        uow.deliveries.mark_failed(digest.id, "to Cat (digest): ratelimited")
        uow.digests.save(
            DigestSettings(
                workspace_id=town.id,
                chat_channel_id="C0OUTREACH",
                weekday=3,
                at=time(14, 30),
                person_ids=frozenset({bob.id}),
            )
        )

        swap = uow.swaps.add(
            town.id,
            rota_id=social.id,
            requester_id=ann.id,
            partner_id=bob.id,
            requester_start=T0 + 6 * WEEK,
            partner_start=T0 + 7 * WEEK,
            created_at=T0 + DAY,
        )
        uow.swaps.decide(swap.id, SwapStatus.ACCEPTED, T0 + 2 * DAY)
        uow.swaps.pin(social.id, T0 + 6 * WEEK, bob.id, swap.id)
        uow.swaps.pin(social.id, T0 + 7 * WEEK, ann.id, swap.id)
        uow.swaps.add(
            town.id,
            rota_id=social.id,
            requester_id=bob.id,
            partner_id=ann.id,
            requester_start=T0 + 8 * WEEK,
            partner_start=T0 + 9 * WEEK,
            created_at=T0 + 3 * DAY,
        )

        uow.addresses.put(hill.id, "person:29:1eve", '{"conversation": {"id": "a:1"}}', T0)
        uow.addresses.put(hill.id, "team:19:team", '{"conversation": {"id": "19:x"}}', T0)
        uow.events.first_time("slack", "Ev0001", T0)
        uow.links.add(
            town.id, person_id=ann.id, kind="calendar", token="cal-ann-0123", created_at=T0
        )
        uow.links.add(
            town.id,
            person_id=cat.id,
            kind="export",
            token="exp-cat-0123",
            created_at=T0,
            expires_at=T0 + DAY,
        )
        uow.links.revoke(ann.id, "calendar", T0 + DAY)
        uow.commit()
        blog_id, ann_id, town_id = blog.id, ann.id, town.id

    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(FeedStateRow),
                {
                    "channel_id": blog_id,
                    "url": "https://town.example/feed.xml",
                    "etag": 'W/"abc"',
                    "last_modified": "Mon, 03 Mar 2025 09:00:00 GMT",
                    "taken_from": T0,
                    "checked_at": T0 + DAY,
                    "ok_at": T0 + DAY,
                    "entries": 12,
                    "error": None,
                    "error_since": None,
                    "error_told_at": None,
                },
            )
            post_id = connection.execute(
                select(func.min(PostRow.id)).where(PostRow.channel_id == blog_id)
            ).scalar_one()
            connection.execute(
                insert(FeedEntryRow),
                [
                    {
                        "channel_id": blog_id,
                        "entry_key": "guid:1",
                        "seen_at": T0,
                        "post_id": post_id,
                    },
                    {
                        "channel_id": blog_id,
                        "entry_key": "link:old",
                        "seen_at": T0,
                        "post_id": None,
                    },
                ],
            )
            connection.execute(
                insert(FeedAuthorRow),
                {
                    "workspace_id": town_id,
                    "name": "Ann O.",
                    "name_key": "ann o.",
                    "person_id": ann_id,
                },
            )
    finally:
        engine.dispose()


def export_of(url: str, path: Path) -> dict[str, Any]:
    write_json(url, path, EXPORTED_AT)
    return read_export(path)


def test_every_table_round_trips_unchanged_when_imported_into_an_empty_database(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    first = export_of(database_url, tmp_path / "first.json")

    with another(dialect_of(database_url), tmp_path / "target") as target:
        loaded = load(target, first)
        second = export_of(target, tmp_path / "second.json")
        assert current_revision(target) == head_revision()

    assert second == first
    assert set(first["tables"]) == {table.name for table in metadata.sorted_tables}
    empty = [name for name, table in first["tables"].items() if not table["rows"]]
    assert empty == [], "the data set should give every table a row"
    assert loaded.rows == {name: len(t["rows"]) for name, t in first["tables"].items()}
    assert first["schema_revision"] == head_revision()


def test_values_keep_their_types_when_exported(database_url: str, tmp_path: Path) -> None:
    populate(database_url)
    exported = export_of(database_url, tmp_path / "export.json")

    def rows(table: str) -> list[dict[str, Any]]:
        given = exported["tables"][table]
        return [dict(zip(given["columns"], row, strict=True)) for row in given["rows"]]

    posts = rows("posts")
    assert posts[0]["posted_at"] == "2025-03-03T09:00:00.123456+00:00"
    assert [p["note"] for p in posts[:5]] == list(NOTES)
    assert posts[3]["author_id"] is None
    rota = next(r for r in rows("rotas") if r["timezone"] == "Europe/London")
    assert (rota["handoff_time"], rota["work_end"], rota["covers_all_channels"]) == (
        "09:30:00",
        "16:15:00",
        True,
    )
    assert rows("away_periods")[0]["first_day"] == "2025-03-17"
    people = rows("people")
    assert [p["deleted"] for p in people if p["external_id"] == "U0DAN"] == [True]
    assert {p["role"] for p in people} == {"member", "coordinator", "director"}
    assert rows("digest_settings")[0]["local_time"] == "14:30:00"
    assert json.loads(json.dumps(exported)) == exported


@pytest.mark.postgres
def test_sqlite_export_is_whole_when_imported_into_postgresql(tmp_path: Path) -> None:
    with (
        another("sqlite", tmp_path / "sqlite") as source,
        another("postgresql", tmp_path / "pg") as target,
    ):
        populate(source)
        first = export_of(source, tmp_path / "first.json")
        load(target, first)
        second = export_of(target, tmp_path / "second.json")
        with factory(target) as uow_factory, uow_factory() as uow:
            workspace = uow.workspaces.get_by_external_id("slack", "T0TOWN")
            assert workspace is not None
            added = uow.workspaces.add("slack", "T0NEW", "New Library")
            uow.commit()

    assert second == first
    assert added.id > max(row[0] for row in first["tables"]["workspaces"]["rows"])


def test_new_records_get_fresh_ids_when_added_after_an_import(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    exported = export_of(database_url, tmp_path / "export.json")

    with another(dialect_of(database_url), tmp_path / "target") as target:
        load(target, exported)
        with factory(target) as uow_factory, uow_factory() as uow:
            town = uow.workspaces.get_by_external_id("slack", "T0TOWN")
            assert town is not None
            twitter = uow.channels.get_by_name(town.id, "twitter")
            assert twitter is not None
            newcomer = add_person(uow, town.id, "U0NEW", "Newcomer")
            post = uow.posts.add(
                town.id,
                channel_id=twitter.id,
                author_id=newcomer.id,
                posted_at=T0 + 40 * DAY,
                source=PostSource.MANUAL,
                recorded_by_id=newcomer.id,
                recorded_at=T0 + 40 * DAY,
                url="https://x.com/townlib/status/new",
                note="After the move",
            )
            uow.commit()
            counted = uow.records.posts(town.id)

    highest_post = max(row[0] for row in exported["tables"]["posts"]["rows"])
    highest_person = max(row[0] for row in exported["tables"]["people"]["rows"])
    assert post.id > highest_post
    assert newcomer.id > highest_person
    assert [p.post.note for p in counted][-1] == "After the move"


def test_import_is_refused_and_nothing_written_when_the_database_holds_records(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    exported = export_of(database_url, tmp_path / "export.json")

    with pytest.raises(TransferError, match="already holds records"):
        load(database_url, exported)

    assert export_of(database_url, tmp_path / "again.json") == exported


def test_import_writes_nothing_when_a_row_points_at_a_missing_one(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    exported = export_of(database_url, tmp_path / "export.json")
    posts = exported["tables"]["posts"]
    channel = posts["columns"].index("channel_id")
    posts["rows"][-1][channel] = 999_999

    with another(dialect_of(database_url), tmp_path / "target") as target:
        with pytest.raises(TransferError, match="point"):
            load(target, exported)
        engine = create_engine_for(target)
        try:
            with engine.connect() as connection:
                counts = {
                    table.name: connection.execute(
                        select(func.count()).select_from(table)
                    ).scalar_one()
                    for table in metadata.sorted_tables
                }
        finally:
            engine.dispose()

    assert set(counts.values()) == {0}


def test_import_is_refused_when_the_export_comes_from_a_newer_schema(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    exported = export_of(database_url, tmp_path / "export.json")
    exported["schema_revision"] = "9999"

    with another(dialect_of(database_url), tmp_path / "target") as target:
        with pytest.raises(TransferError, match="newer Baton"):
            load(target, exported)
        assert current_revision(target) is None  # not even the schema was made


def test_export_from_an_older_schema_is_migrated_when_imported(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    exported = export_of(database_url, tmp_path / "export.json")
    # As revision 0005 knew it: no feeds, private links, chat posts or watched channel yet.
    for name in ("feed_states", "feed_entries", "feed_authors", "private_links"):
        del exported["tables"][name]
    for name, column in (("posts", "chat_ref"), ("workspaces", "watch_channel")):
        table = exported["tables"][name]
        index = table["columns"].index(column)
        del table["columns"][index]
        for row in table["rows"]:
            del row[index]
    exported["schema_revision"] = "0005"

    with another(dialect_of(database_url), tmp_path / "target") as target:
        loaded = load(target, exported)
        again = export_of(target, tmp_path / "again.json")
        assert current_revision(target) == head_revision()

    assert loaded.schema_revision == "0005"
    for name, table in exported["tables"].items():
        if name not in ("posts", "workspaces"):
            assert again["tables"][name] == table, name
    posts = again["tables"]["posts"]
    notes = [row[posts["columns"].index("note")] for row in posts["rows"]]
    assert notes[:5] == list(NOTES)
    assert {row[posts["columns"].index("chat_ref")] for row in posts["rows"]} == {None}
    assert again["tables"]["private_links"]["rows"] == []
