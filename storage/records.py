"""A workspace's whole record read at once, for the export: every post, shift and reminder."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.export import RecordedPost
from bot.domain.model import Reminder, Shift
from storage.orm import PostRow, ReminderRow, RotaRow, ShiftRow
from storage.repositories import _post, _reminder, _shift


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
        return [RecordedPost(post=_post(row), recorded_at=row.recorded_at) for row in rows]

    def shifts(self, workspace_id: int) -> list[Shift]:
        """Every shift of the workspace's rotas, rota by rota, by start."""
        rows = self._session.scalars(
            select(ShiftRow)
            .join(RotaRow, RotaRow.id == ShiftRow.rota_id)
            .where(RotaRow.workspace_id == workspace_id)
            .order_by(ShiftRow.rota_id, ShiftRow.starts_at)
        )
        return [_shift(row) for row in rows]

    def reminders(self, workspace_id: int) -> list[Reminder]:
        """Every reminder of the workspace, in the order they were claimed."""
        rows = self._session.scalars(
            select(ReminderRow)
            .where(ReminderRow.workspace_id == workspace_id)
            .order_by(ReminderRow.created_at, ReminderRow.id)
        )
        return [_reminder(row) for row in rows]
