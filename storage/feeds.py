"""The feed watch's records: each channel's feed state, the entries seen, feed authors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.feeds import FeedState, name_key
from bot.domain.model import Post, PostSource
from storage.orm import ERROR_LENGTH, FeedAuthorRow, FeedEntryRow, FeedStateRow, PostRow
from storage.repositories import _insert, _post


def _state(row: FeedStateRow) -> FeedState:
    return FeedState(
        channel_id=row.channel_id,
        url=row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        taken_from=row.taken_from,
        checked_at=row.checked_at,
        ok_at=row.ok_at,
        entries=row.entries,
        error=row.error,
        error_since=row.error_since,
        error_told_at=row.error_told_at,
    )


class SqlAlchemyFeedRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def state(self, channel_id: int) -> FeedState | None:
        """What the feed watch remembers of the channel's feed."""
        row = self._session.scalar(
            select(FeedStateRow)
            .where(FeedStateRow.channel_id == channel_id)
            .execution_options(populate_existing=True)
        )
        return None if row is None else _state(row)

    def save_state(self, state: FeedState) -> None:
        """Keep the channel's feed state, replacing the earlier one (whoever wrote it)."""
        values = {
            "url": state.url,
            "etag": state.etag,
            "last_modified": state.last_modified,
            "taken_from": state.taken_from,
            "checked_at": state.checked_at,
            "ok_at": state.ok_at,
            "entries": state.entries,
            "error": state.error[:ERROR_LENGTH] if state.error else None,
            "error_since": state.error_since,
            "error_told_at": state.error_told_at,
        }
        statement = _insert(self._session, FeedStateRow).values(
            channel_id=state.channel_id, **values
        )
        # A failure spell began by another replica keeps its start and its "told" mark; a
        # good read ends it.
        failing = statement.excluded.error.is_not(None)
        spell = {
            name: case(
                (
                    failing,
                    func.coalesce(getattr(FeedStateRow, name), getattr(statement.excluded, name)),
                ),
                else_=None,
            )
            for name in ("error_since", "error_told_at")
        }
        self._session.execute(
            statement.on_conflict_do_update(index_elements=["channel_id"], set_={**values, **spell})
        )

    def seen(self, channel_id: int) -> set[str]:
        """The keys of every entry seen in the channel's feed."""
        return set(
            self._session.scalars(
                select(FeedEntryRow.entry_key).where(FeedEntryRow.channel_id == channel_id)
            )
        )

    def leave_out(self, channel_id: int, entry_key: str, at: datetime) -> None:
        """Remember an entry seen and left out as history."""
        self._remember(channel_id, entry_key, at, None)

    def record(
        self,
        workspace_id: int,
        *,
        channel_id: int,
        entry_key: str,
        author_id: int | None,
        posted_at: datetime,
        recorded_at: datetime,
        url: str | None,
        note: str | None,
    ) -> Post | None:
        """Record an entry as a post (source feed); None, and the entry remembered, when the
        channel already has a post with that URL (or another run recorded the entry)."""
        known = None
        if url is not None:
            known = self._session.scalar(
                select(PostRow.id).where(PostRow.channel_id == channel_id, PostRow.url == url)
            )
        if known is not None:
            # Someone recorded it already; should that post go, the entry is new again.
            self._remember(channel_id, entry_key, recorded_at, known)
            return None
        row = PostRow(
            workspace_id=workspace_id,
            channel_id=channel_id,
            author_id=author_id,
            posted_at=posted_at,
            source=PostSource.FEED,
            recorded_by_id=None,
            recorded_at=recorded_at,
            url=url,
            note=note,
            feed_entry_id=entry_key,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            return None
        self._remember(channel_id, entry_key, recorded_at, row.id)
        return _post(row)

    def _remember(self, channel_id: int, entry_key: str, at: datetime, post_id: int | None) -> None:
        existing = self._session.scalar(
            select(FeedEntryRow).where(
                FeedEntryRow.channel_id == channel_id, FeedEntryRow.entry_key == entry_key
            )
        )
        if existing is not None:
            if post_id is not None:
                existing.post_id = post_id
            return
        try:
            with self._session.begin_nested():
                self._session.add(
                    FeedEntryRow(
                        channel_id=channel_id, entry_key=entry_key, seen_at=at, post_id=post_id
                    )
                )
        except IntegrityError:
            return

    def forget_left_out(self, channel_id: int) -> int:
        """Forget the entries left out as history, so a backfill can look at them again."""
        result: CursorResult[tuple[()]] = self._session.execute(  # type: ignore[assignment]
            delete(FeedEntryRow).where(
                FeedEntryRow.channel_id == channel_id, FeedEntryRow.post_id.is_(None)
            )
        )
        return result.rowcount

    def mark_told(self, channel_id: int, at: datetime) -> bool:
        """Note that coordinators were told of the feed's current failure; False if they
        already were."""
        result: CursorResult[tuple[()]] = self._session.execute(  # type: ignore[assignment]
            update(FeedStateRow)
            .where(
                FeedStateRow.channel_id == channel_id,
                FeedStateRow.error.is_not(None),
                FeedStateRow.error_told_at.is_(None),
            )
            .values(error_told_at=at)
        )
        return result.rowcount == 1

    def authors(self, workspace_id: int) -> dict[str, int]:
        """People credited for entries by the author name in feeds (as `name_key` gives it)."""
        rows = self._session.execute(
            select(FeedAuthorRow.name_key, FeedAuthorRow.person_id).where(
                FeedAuthorRow.workspace_id == workspace_id
            )
        )
        return {row.name_key: row.person_id for row in rows}

    def author_list(self, workspace_id: int) -> list[tuple[str, int]]:
        """Each author name credited to someone, as first given, with that person; by name."""
        rows = self._session.execute(
            select(FeedAuthorRow.name, FeedAuthorRow.person_id)
            .where(FeedAuthorRow.workspace_id == workspace_id)
            .order_by(FeedAuthorRow.name_key)
        )
        return [(row.name, row.person_id) for row in rows]

    def set_author(self, workspace_id: int, name: str, person_id: int | None) -> None:
        """Credit entries by `name` to a person, or (None) stop doing so."""
        key = name_key(name)
        row = self._session.scalar(
            select(FeedAuthorRow).where(
                FeedAuthorRow.workspace_id == workspace_id, FeedAuthorRow.name_key == key
            )
        )
        if person_id is None:
            if row is not None:
                self._session.delete(row)
            return
        if row is None:
            self._session.add(
                FeedAuthorRow(
                    workspace_id=workspace_id, name=name, name_key=key, person_id=person_id
                )
            )
        else:
            row.name = name
            row.person_id = person_id
        self._session.flush()
