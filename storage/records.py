"""A workspace's whole record read at once, for the export: every post, shift and reminder."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.export import RecordedPost
from bot.domain.model import Post, Reminder, Shift
from storage.orm import PostRow, ReminderRow, RotaRow, ShiftRow


class SqlAlchemyRecordRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def posts(self, workspace_id: int) -> list[RecordedPost]:
        """Every post of the workspace, by the time it was posted."""
        rows = self._session.scalars(
            select(PostRow)
            .where(PostRow.workspace_id == workspace_id)
            .order_by(PostRow.posted_at, PostRow.id)
        )
        return [
            RecordedPost(
                post=Post(
                    id=row.id,
                    workspace_id=row.workspace_id,
                    channel_id=row.channel_id,
                    author_id=row.author_id,
                    posted_at=row.posted_at,
                    source=row.source,
                    recorded_by_id=row.recorded_by_id,
                    url=row.url,
                    note=row.note,
                    chat_ref=row.chat_ref,
                ),
                recorded_at=row.recorded_at,
            )
            for row in rows
        ]

    def shifts(self, workspace_id: int) -> list[Shift]:
        """Every shift of the workspace's rotas, rota by rota, by start."""
        rows = self._session.scalars(
            select(ShiftRow)
            .join(RotaRow, RotaRow.id == ShiftRow.rota_id)
            .where(RotaRow.workspace_id == workspace_id)
            .order_by(ShiftRow.rota_id, ShiftRow.starts_at)
        )
        return [
            Shift(
                id=row.id,
                rota_id=row.rota_id,
                start=row.starts_at,
                end=row.ends_at,
                person_id=row.person_id,
                origin=row.origin,
                handed_over=row.handed_over,
            )
            for row in rows
        ]

    def reminders(self, workspace_id: int) -> list[Reminder]:
        """Every reminder of the workspace, in the order they were claimed."""
        rows = self._session.scalars(
            select(ReminderRow)
            .where(ReminderRow.workspace_id == workspace_id)
            .order_by(ReminderRow.created_at, ReminderRow.id)
        )
        return [
            Reminder(
                id=row.id,
                workspace_id=row.workspace_id,
                channel_id=row.channel_id,
                spell_start=row.spell_start,
                day=row.day,
                person_id=row.person_id,
                created_at=row.created_at,
                sent_at=row.sent_at,
                answered_at=row.answered_at,
                attempts=row.attempts,
                last_error=row.last_error,
            )
            for row in rows
        ]
