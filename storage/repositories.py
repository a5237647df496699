"""Repositories over a SQLAlchemy `Session`: the `bot.ports` Protocols, row in, domain value out.

Inserts guarded by a unique key run inside a SAVEPOINT, so a duplicate raises
`sqlalchemy.exc.IntegrityError` without spoiling the rest of the unit of work. Claims
(reminders, deliveries) are single `INSERT ... ON CONFLICT DO NOTHING ... RETURNING`
statements instead: a claim that exists already is an answer (None), not an error.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import CursorResult, Result, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain.digest import DigestSettings, PostTally
from bot.domain.model import (
    AwayPeriod,
    ChannelKind,
    Closure,
    Delivery,
    DeliveryKind,
    Membership,
    OutreachChannel,
    Person,
    Post,
    PostSource,
    PrivateLink,
    Reminder,
    Role,
    Rota,
    Shift,
    ShiftOrigin,
    Swap,
    SwapStatus,
    Workspace,
)
from bot.ports import ChannelCount, DirectoryEntry, PersonCount
from storage.orm import (
    ERROR_LENGTH,
    AwayPeriodRow,
    ChatAddressRow,
    ClosureRow,
    DeliveryRow,
    DigestRecipientRow,
    DigestSettingsRow,
    MembershipRow,
    OutreachChannelRow,
    PersonRow,
    PostRow,
    PrivateLinkRow,
    ReminderRow,
    RotaChannelRow,
    RotaRow,
    SeenEventRow,
    ShiftPinRow,
    ShiftRow,
    StewardRow,
    SwapRow,
    WorkspaceRow,
)


def name_key(name: str) -> str:
    """The form of a name that uniqueness and look-ups compare: casefolded."""
    return name.casefold()


def _insert(session: Session, table: Any) -> Any:
    """An INSERT that understands ON CONFLICT, in the session's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"Baton stores data in SQLite or PostgreSQL, not {dialect}")


_Row = TypeVar("_Row")
_Claimed = TypeVar("_Claimed", Reminder, Delivery)


def _add_row(session: Session, row: _Row) -> _Row:
    """Insert `row` in a savepoint, so that a refused insert leaves the unit usable."""
    with session.begin_nested():
        session.add(row)
    return row


# -- workspaces ---------------------------------------------------------------------------


def _workspace(row: WorkspaceRow) -> Workspace:
    return Workspace(
        id=row.id,
        platform=row.platform,
        external_id=row.external_id,
        name=row.name,
        watch_channel=row.watch_channel,
    )


class SqlAlchemyWorkspaceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get_by_external_id(self, platform: str, external_id: str) -> Workspace | None:
        """The workspace a platform knows by `external_id`."""
        row = self._session.scalar(
            select(WorkspaceRow).where(
                WorkspaceRow.platform == platform, WorkspaceRow.external_id == external_id
            )
        )
        return None if row is None else _workspace(row)

    def add(self, platform: str, external_id: str, name: str) -> Workspace:
        """Create a workspace."""
        row = _add_row(
            self._session, WorkspaceRow(platform=platform, external_id=external_id, name=name)
        )
        return _workspace(row)

    def all(self) -> list[Workspace]:
        """Every workspace, oldest first."""
        rows = self._session.scalars(select(WorkspaceRow).order_by(WorkspaceRow.id))
        return [_workspace(row) for row in rows]

    def set_watch_channel(self, workspace_id: int, chat_channel_id: str | None) -> None:
        """Choose the workspace's watched chat channel (None: the installation's default)."""
        self._session.execute(
            update(WorkspaceRow)
            .where(WorkspaceRow.id == workspace_id)
            .values(watch_channel=chat_channel_id)
        )


# -- people -------------------------------------------------------------------------------


def _person(row: PersonRow) -> Person:
    return Person(
        id=row.id,
        workspace_id=row.workspace_id,
        external_id=row.external_id,
        display_name=row.display_name,
        handle=row.handle,
        timezone=row.timezone,
        platform_admin=row.platform_admin,
        deleted=row.deleted,
        role=row.role,
    )


class SqlAlchemyPersonRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, person_id: int) -> Person | None:
        """A person by id."""
        row = self._session.get(PersonRow, person_id)
        return None if row is None else _person(row)

    def get_by_external_id(self, workspace_id: int, external_id: str) -> Person | None:
        """A person by their platform id."""
        row = self._session.scalar(
            select(PersonRow).where(
                PersonRow.workspace_id == workspace_id, PersonRow.external_id == external_id
            )
        )
        return None if row is None else _person(row)

    def find_by_name(self, workspace_id: int, name: str) -> list[Person]:
        """People whose handle or display name is `name`, ignoring case."""
        # Compared in Python with casefold(): SQLite's lower() only folds ASCII, and a
        # workspace's staff list is small.
        wanted = name_key(name)
        rows = self._session.scalars(
            select(PersonRow)
            .where(PersonRow.workspace_id == workspace_id, PersonRow.deleted.is_(False))
            .order_by(PersonRow.display_name, PersonRow.id)
        )
        return [
            _person(row)
            for row in rows
            if name_key(row.display_name) == wanted
            or (row.handle is not None and name_key(row.handle) == wanted)
        ]

    def everyone(self, workspace_id: int) -> list[Person]:
        """Everyone Baton knows in the workspace, deleted people included."""
        rows = self._session.scalars(
            select(PersonRow)
            .where(PersonRow.workspace_id == workspace_id)
            .order_by(PersonRow.display_name, PersonRow.id)
        )
        return [_person(row) for row in rows]

    def with_role(self, workspace_id: int, role: Role) -> list[Person]:
        """People holding `role` (not deleted)."""
        rows = self._session.scalars(
            select(PersonRow)
            .where(
                PersonRow.workspace_id == workspace_id,
                PersonRow.role == role,
                PersonRow.deleted.is_(False),
            )
            .order_by(PersonRow.display_name, PersonRow.id)
        )
        return [_person(row) for row in rows]

    def save_from_directory(
        self, workspace_id: int, entry: DirectoryEntry, refreshed_at: datetime
    ) -> Person:
        """Create or update a person from the platform's directory; their role is kept."""
        from_directory = {
            "display_name": entry.display_name,
            "handle": entry.handle,
            "timezone": entry.timezone,
            "platform_admin": entry.platform_admin,
            "deleted": entry.deleted,
            "refreshed_at": refreshed_at,
        }
        # One atomic upsert, so two handlers refreshing the same person can't collide.
        statement = _insert(self._session, PersonRow).values(
            workspace_id=workspace_id,
            external_id=entry.external_id,
            role=Role.MEMBER,
            **from_directory,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[PersonRow.workspace_id, PersonRow.external_id],
            set_=from_directory,
        ).returning(PersonRow)
        row = self._session.scalars(statement, execution_options={"populate_existing": True}).one()
        return _person(row)

    def refreshed_at(self, person_id: int) -> datetime | None:
        """When the person was last looked up in the directory."""
        return self._session.scalar(select(PersonRow.refreshed_at).where(PersonRow.id == person_id))

    def set_role(self, person_id: int, role: Role) -> None:
        """Give a person a role."""
        _require_one(
            self._session.execute(
                update(PersonRow).where(PersonRow.id == person_id).values(role=role)
            ),
            "person",
            person_id,
        )

    def mark_departed(self, person_id: int, departed: bool) -> bool:
        """Mark a person as having left the workspace (or as back in it); False if they
        already were, so of two at once only one changes it."""
        # A conditional UPDATE: on PostgreSQL the second of two waits for the first's row
        # lock, then finds the row already changed.
        result = self._session.execute(
            update(PersonRow)
            .where(PersonRow.id == person_id, PersonRow.deleted.is_(not departed))
            .values(deleted=departed)
        )
        return _rowcount(result) == 1


def _rowcount(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected the result of a data-changing statement, got {result!r}")
    return result.rowcount


def _require_one(result: Result[Any], what: str, row_id: int) -> None:
    if _rowcount(result) != 1:
        raise LookupError(f"no {what} with id {row_id}")


# -- outreach channels --------------------------------------------------------------------


def _channel(row: OutreachChannelRow, steward_ids: Iterable[int]) -> OutreachChannel:
    return OutreachChannel(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        kind=row.kind,
        quiet_after=timedelta(seconds=row.quiet_after_seconds),
        created_at=row.created_at,
        feed_url=row.feed_url,
        match_pattern=row.match_pattern,
        access_note=row.access_note,
        archived=row.archived,
        steward_ids=frozenset(steward_ids),
        snoozed_until=row.snoozed_until,
    )


class SqlAlchemyChannelRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _stewards_of(self, channel_ids: Sequence[int]) -> dict[int, set[int]]:
        stewards: dict[int, set[int]] = defaultdict(set)
        if channel_ids:
            pairs = self._session.execute(
                select(StewardRow.channel_id, StewardRow.person_id).where(
                    StewardRow.channel_id.in_(channel_ids)
                )
            )
            for channel_id, person_id in pairs:
                stewards[channel_id].add(person_id)
        return stewards

    def all(self, workspace_id: int, include_archived: bool = False) -> list[OutreachChannel]:
        """Outreach channels by name, with their stewards."""
        query = select(OutreachChannelRow).where(OutreachChannelRow.workspace_id == workspace_id)
        if not include_archived:
            query = query.where(OutreachChannelRow.archived.is_(False))
        rows = list(
            self._session.scalars(
                query.order_by(OutreachChannelRow.name_key, OutreachChannelRow.id)
            )
        )
        stewards = self._stewards_of([row.id for row in rows])
        return [_channel(row, stewards[row.id]) for row in rows]

    def get_by_name(self, workspace_id: int, name: str) -> OutreachChannel | None:
        """An outreach channel by name, ignoring case; archived ones too."""
        row = self._session.scalar(
            select(OutreachChannelRow).where(
                OutreachChannelRow.workspace_id == workspace_id,
                OutreachChannelRow.name_key == name_key(name),
            )
        )
        if row is None:
            return None
        return _channel(row, self._stewards_of([row.id])[row.id])

    def add(
        self,
        workspace_id: int,
        *,
        name: str,
        kind: ChannelKind,
        quiet_after_seconds: int,
        created_at: datetime,
        feed_url: str | None,
        match_pattern: str | None,
    ) -> OutreachChannel:
        """Create an outreach channel."""
        row = _add_row(
            self._session,
            OutreachChannelRow(
                workspace_id=workspace_id,
                name=name,
                name_key=name_key(name),
                kind=kind,
                quiet_after_seconds=quiet_after_seconds,
                created_at=created_at,
                feed_url=feed_url,
                match_pattern=match_pattern,
                access_note=None,
                archived=False,
            ),
        )
        return _channel(row, ())

    def update(self, channel: OutreachChannel) -> None:
        """Save every field of `channel` except its stewards."""
        with self._session.begin_nested():
            _require_one(
                self._session.execute(
                    update(OutreachChannelRow)
                    .where(OutreachChannelRow.id == channel.id)
                    .values(
                        workspace_id=channel.workspace_id,
                        name=channel.name,
                        name_key=name_key(channel.name),
                        kind=channel.kind,
                        quiet_after_seconds=_whole_seconds(channel.quiet_after),
                        created_at=channel.created_at,
                        feed_url=channel.feed_url,
                        match_pattern=channel.match_pattern,
                        access_note=channel.access_note,
                        archived=channel.archived,
                        snoozed_until=channel.snoozed_until,
                    )
                ),
                "outreach channel",
                channel.id,
            )

    def add_steward(self, channel_id: int, person_id: int) -> bool:
        """Make a person a steward; False if they already were."""
        statement = (
            _insert(self._session, StewardRow)
            .values(channel_id=channel_id, person_id=person_id)
            .on_conflict_do_nothing(index_elements=[StewardRow.channel_id, StewardRow.person_id])
            .returning(StewardRow.person_id)
        )
        # RETURNING yields a row only when the insert happened (rowcount isn't reliable here).
        return self._session.execute(statement).first() is not None

    def remove_steward(self, channel_id: int, person_id: int) -> bool:
        """Remove a steward; False if they were not one."""
        result = self._session.execute(
            delete(StewardRow).where(
                StewardRow.channel_id == channel_id, StewardRow.person_id == person_id
            )
        )
        return _rowcount(result) == 1


def _whole_seconds(duration: timedelta) -> int:
    seconds = duration.total_seconds()
    if seconds != int(seconds):
        raise ValueError(f"a quiet threshold is a whole number of seconds, not {duration}")
    return int(seconds)


# -- rotas --------------------------------------------------------------------------------


def _working_days_text(days: Iterable[int]) -> str:
    ordered = sorted(set(days))
    if any(not 0 <= day <= 6 for day in ordered):
        raise ValueError(f"working days are weekday numbers 0 (Monday) to 6, not {ordered}")
    return ",".join(str(day) for day in ordered)


def _working_days(text: str) -> frozenset[int]:
    return frozenset(int(day) for day in text.split(",") if day)


def _rota(row: RotaRow, channel_ids: Iterable[int]) -> Rota:
    return Rota(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        shift_days=row.shift_days,
        handoff_weekday=row.handoff_weekday,
        handoff_time=row.handoff_time,
        timezone=row.timezone,
        working_days=_working_days(row.working_days),
        work_start=row.work_start,
        work_end=row.work_end,
        channel_ids=None if row.covers_all_channels else frozenset(channel_ids),
    )


def _rota_values(rota: Rota) -> dict[str, Any]:
    return {
        "workspace_id": rota.workspace_id,
        "name": rota.name,
        "name_key": name_key(rota.name),
        "shift_days": rota.shift_days,
        "handoff_weekday": rota.handoff_weekday,
        "handoff_time": rota.handoff_time,
        "timezone": rota.timezone,
        "working_days": _working_days_text(rota.working_days),
        "work_start": rota.work_start,
        "work_end": rota.work_end,
        "covers_all_channels": rota.channel_ids is None,
    }


class SqlAlchemyRotaRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _channels_of(self, rota_ids: Sequence[int]) -> dict[int, set[int]]:
        channels: dict[int, set[int]] = defaultdict(set)
        if rota_ids:
            pairs = self._session.execute(
                select(RotaChannelRow.rota_id, RotaChannelRow.channel_id).where(
                    RotaChannelRow.rota_id.in_(rota_ids)
                )
            )
            for rota_id, channel_id in pairs:
                channels[rota_id].add(channel_id)
        return channels

    def _with_channels(self, rows: Sequence[RotaRow]) -> list[Rota]:
        partial = [row.id for row in rows if not row.covers_all_channels]
        channels = self._channels_of(partial)
        return [_rota(row, channels[row.id]) for row in rows]

    def _add_channels(self, rota_id: int, channel_ids: frozenset[int] | None) -> None:
        if channel_ids:
            self._session.add_all(
                RotaChannelRow(rota_id=rota_id, channel_id=channel_id)
                for channel_id in sorted(channel_ids)
            )
            self._session.flush()

    def all(self, workspace_id: int) -> list[Rota]:
        """The workspace's rotas, oldest first."""
        rows = self._session.scalars(
            select(RotaRow).where(RotaRow.workspace_id == workspace_id).order_by(RotaRow.id)
        )
        return self._with_channels(list(rows))

    def get(self, rota_id: int) -> Rota | None:
        """A rota by id."""
        row = self._session.get(RotaRow, rota_id)
        return None if row is None else self._with_channels([row])[0]

    def get_by_name(self, workspace_id: int, name: str) -> Rota | None:
        """A rota by name, ignoring case."""
        row = self._session.scalar(
            select(RotaRow).where(
                RotaRow.workspace_id == workspace_id, RotaRow.name_key == name_key(name)
            )
        )
        return None if row is None else self._with_channels([row])[0]

    def add(self, rota: Rota) -> Rota:
        """Create a rota (its id is ignored and assigned)."""
        with self._session.begin_nested():
            row = RotaRow(**_rota_values(rota))
            self._session.add(row)
            self._session.flush()
            self._add_channels(row.id, rota.channel_ids)
        return _rota(row, rota.channel_ids or ())

    def update(self, rota: Rota) -> None:
        """Save every field of `rota`."""
        with self._session.begin_nested():
            _require_one(
                self._session.execute(
                    update(RotaRow).where(RotaRow.id == rota.id).values(**_rota_values(rota))
                ),
                "rota",
                rota.id,
            )
            self._session.execute(delete(RotaChannelRow).where(RotaChannelRow.rota_id == rota.id))
            self._add_channels(rota.id, rota.channel_ids)


# -- memberships --------------------------------------------------------------------------


class SqlAlchemyMembershipRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def members(self, rota_id: int) -> list[Membership]:
        """Current members of a rota, in join order."""
        rows = self._session.execute(
            select(MembershipRow.person_id, MembershipRow.joined_at)
            .where(MembershipRow.rota_id == rota_id, MembershipRow.left_at.is_(None))
            .order_by(MembershipRow.joined_at, MembershipRow.id)
        )
        return [
            Membership(rota_id=rota_id, person_id=person_id, joined_at=joined_at)
            for person_id, joined_at in rows
        ]

    def rotas_of(self, person_id: int) -> list[int]:
        """Ids of the rotas a person is a current member of."""
        return list(
            self._session.scalars(
                select(MembershipRow.rota_id)
                .where(MembershipRow.person_id == person_id, MembershipRow.left_at.is_(None))
                .order_by(MembershipRow.rota_id)
            )
        )

    def add(self, rota_id: int, person_id: int, joined_at: datetime) -> Membership:
        """Make a person a current member."""
        _add_row(
            self._session,
            MembershipRow(rota_id=rota_id, person_id=person_id, joined_at=joined_at),
        )
        return Membership(rota_id=rota_id, person_id=person_id, joined_at=joined_at)

    def end(self, rota_id: int, person_id: int, left_at: datetime) -> None:
        """End a person's current membership (the record stays)."""
        self._session.execute(
            update(MembershipRow)
            .where(
                MembershipRow.rota_id == rota_id,
                MembershipRow.person_id == person_id,
                MembershipRow.left_at.is_(None),
            )
            .values(left_at=left_at)
        )


# -- shifts -------------------------------------------------------------------------------


def _shift(row: ShiftRow) -> Shift:
    return Shift(
        id=row.id,
        rota_id=row.rota_id,
        start=row.starts_at,
        end=row.ends_at,
        person_id=row.person_id,
        origin=row.origin,
        handed_over=row.handed_over,
    )


class SqlAlchemyShiftRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def latest(self, rota_id: int) -> Shift | None:
        """The shift with the latest start."""
        row = self._session.scalar(
            select(ShiftRow)
            .where(ShiftRow.rota_id == rota_id)
            .order_by(ShiftRow.starts_at.desc())
            .limit(1)
        )
        return None if row is None else _shift(row)

    def covering(self, rota_id: int, moment: datetime) -> Shift | None:
        """The shift with start <= moment < end."""
        row = self._session.scalar(
            select(ShiftRow)
            .where(
                ShiftRow.rota_id == rota_id,
                ShiftRow.starts_at <= moment,
                ShiftRow.ends_at > moment,
            )
            .order_by(ShiftRow.starts_at.desc())
            .limit(1)
        )
        return None if row is None else _shift(row)

    def between(self, rota_id: int, start: datetime, end: datetime) -> list[Shift]:
        """Shifts overlapping [start, end), by start."""
        rows = self._session.scalars(
            select(ShiftRow)
            .where(
                ShiftRow.rota_id == rota_id,
                ShiftRow.starts_at < end,
                ShiftRow.ends_at > start,
            )
            .order_by(ShiftRow.starts_at)
        )
        return [_shift(row) for row in rows]

    def last_served(self, rota_id: int) -> dict[int, datetime]:
        """Each person's latest shift end on the rota, among shifts not handed over."""
        rows = self._session.execute(
            select(ShiftRow.person_id, func.max(ShiftRow.ends_at))
            .where(
                ShiftRow.rota_id == rota_id,
                ShiftRow.handed_over.is_(False),
                ShiftRow.person_id.is_not(None),
                ShiftRow.handed_over.is_(False),
            )
            .group_by(ShiftRow.person_id)
        )
        return {person_id: ended for person_id, ended in rows if person_id is not None}

    def add(self, shift: Shift) -> Shift:
        """Record a shift (its id is ignored and assigned)."""
        row = _add_row(
            self._session,
            ShiftRow(
                rota_id=shift.rota_id,
                starts_at=shift.start,
                ends_at=shift.end,
                person_id=shift.person_id,
                origin=shift.origin,
                handed_over=shift.handed_over,
            ),
        )
        return _shift(row)

    def hand_over(self, shift_id: int, at: datetime) -> None:
        """End a current shift early at `at` because its holder passed it on."""
        row = self._session.get(ShiftRow, shift_id)
        if row is None:
            raise LookupError(f"no shift with id {shift_id}")
        if not row.starts_at < at <= row.ends_at:
            raise ValueError(
                f"shift {shift_id} runs from {row.starts_at.isoformat()} to"
                f" {row.ends_at.isoformat()}: it can't be handed over at {at.isoformat()}"
            )
        row.ends_at = at
        row.handed_over = True
        self._session.flush()

    def reassign(self, shift_id: int, person_id: int | None, origin: ShiftOrigin) -> None:
        """Give a shift to someone else before any of it has been served."""
        row = self._session.get(ShiftRow, shift_id)
        if row is None:
            raise LookupError(f"no shift with id {shift_id}")
        row.person_id = person_id
        row.origin = origin
        self._session.flush()

    def served_counts(self, workspace_id: int, since: datetime, until: datetime) -> dict[int, int]:
        """Shifts started in [since, until) per person, across the workspace's rotas."""
        rows = self._session.execute(
            select(ShiftRow.person_id, func.count())
            .join(RotaRow, RotaRow.id == ShiftRow.rota_id)
            .where(
                RotaRow.workspace_id == workspace_id,
                ShiftRow.starts_at >= since,
                ShiftRow.starts_at < until,
                ShiftRow.person_id.is_not(None),
            )
            .group_by(ShiftRow.person_id)
        )
        return {person_id: count for person_id, count in rows if person_id is not None}


# -- away periods -------------------------------------------------------------------------


def _away(row: AwayPeriodRow) -> AwayPeriod:
    return AwayPeriod(
        id=row.id, person_id=row.person_id, first_day=row.first_day, last_day=row.last_day
    )


class SqlAlchemyAwayRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def list_for(self, person_id: int, from_day: date) -> list[AwayPeriod]:
        """A person's away periods ending on or after `from_day`, by first day."""
        return self.list_for_people([person_id], from_day)

    def list_for_people(self, person_ids: Sequence[int], from_day: date) -> list[AwayPeriod]:
        """Away periods of several people ending on or after `from_day`."""
        if not person_ids:
            return []
        rows = self._session.scalars(
            select(AwayPeriodRow)
            .where(AwayPeriodRow.person_id.in_(person_ids), AwayPeriodRow.last_day >= from_day)
            .order_by(AwayPeriodRow.first_day, AwayPeriodRow.person_id, AwayPeriodRow.id)
        )
        return [_away(row) for row in rows]

    def add(
        self, person_id: int, first_day: date, last_day: date, created_at: datetime
    ) -> AwayPeriod:
        """Record an away period."""
        row = _add_row(
            self._session,
            AwayPeriodRow(
                person_id=person_id, first_day=first_day, last_day=last_day, created_at=created_at
            ),
        )
        return _away(row)

    def delete(self, away_id: int) -> None:
        """Cancel an away period."""
        self._session.execute(delete(AwayPeriodRow).where(AwayPeriodRow.id == away_id))


# -- closures -----------------------------------------------------------------------------


def _closure(row: ClosureRow) -> Closure:
    return Closure(
        id=row.id,
        workspace_id=row.workspace_id,
        first_day=row.first_day,
        last_day=row.last_day,
        reason=row.reason,
        country=row.country,
        subdivision=row.subdivision,
    )


class SqlAlchemyClosureRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def all(self, workspace_id: int) -> list[Closure]:
        """The workspace's closures: holiday calendars first, then date ranges by first day."""
        is_range = ClosureRow.first_day.is_not(None)
        rows = self._session.scalars(
            select(ClosureRow)
            .where(ClosureRow.workspace_id == workspace_id)
            .order_by(is_range, ClosureRow.first_day, ClosureRow.id)
        )
        return [_closure(row) for row in rows]

    def add(self, closure: Closure) -> Closure:
        """Record a closure (its id is ignored and assigned)."""
        row = _add_row(
            self._session,
            ClosureRow(
                workspace_id=closure.workspace_id,
                first_day=closure.first_day,
                last_day=closure.last_day,
                reason=closure.reason,
                country=closure.country,
                subdivision=closure.subdivision,
            ),
        )
        return _closure(row)

    def delete(self, closure_id: int) -> None:
        """Remove a closure."""
        self._session.execute(delete(ClosureRow).where(ClosureRow.id == closure_id))


# -- posts --------------------------------------------------------------------------------


def _post(row: PostRow) -> Post:
    return Post(
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
    )


class SqlAlchemyPostRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        workspace_id: int,
        *,
        channel_id: int,
        author_id: int | None,
        posted_at: datetime,
        source: PostSource,
        recorded_by_id: int | None,
        recorded_at: datetime,
        url: str | None,
        note: str | None,
        chat_ref: str | None = None,
    ) -> Post:
        """Record a post (`chat_ref`: the chat message it came from)."""
        row = _add_row(
            self._session,
            PostRow(
                workspace_id=workspace_id,
                channel_id=channel_id,
                author_id=author_id,
                posted_at=posted_at,
                source=source,
                recorded_by_id=recorded_by_id,
                recorded_at=recorded_at,
                url=url,
                note=note,
                chat_ref=chat_ref,
            ),
        )
        return _post(row)

    def find_by_url(self, channel_id: int, url: str) -> Post | None:
        """The post already recorded for this channel and URL."""
        row = self._session.scalar(
            select(PostRow).where(PostRow.channel_id == channel_id, PostRow.url == url)
        )
        return None if row is None else _post(row)

    def from_chat_message(self, workspace_id: int, chat_ref: str) -> list[Post]:
        """The posts recorded from one chat message, oldest first."""
        rows = self._session.scalars(
            select(PostRow)
            .where(PostRow.workspace_id == workspace_id, PostRow.chat_ref == chat_ref)
            .order_by(PostRow.id)
        )
        return [_post(row) for row in rows]

    def withdraw(self, post_id: int) -> bool:
        """Take a post out of the record; False if it was not there."""
        result = self._session.execute(delete(PostRow).where(PostRow.id == post_id))
        return _rowcount(result) > 0

    def last_post_times(self, workspace_id: int) -> dict[int, datetime]:
        """Each outreach channel's latest post time."""
        rows = self._session.execute(
            select(PostRow.channel_id, func.max(PostRow.posted_at))
            .where(PostRow.workspace_id == workspace_id)
            .group_by(PostRow.channel_id)
        )
        return {channel_id: latest for channel_id, latest in rows if latest is not None}

    def count_by_channel(self, workspace_id: int, since: datetime) -> list[ChannelCount]:
        """Posts per outreach channel since `since`."""
        posts = func.count().label("posts")
        rows = self._session.execute(
            select(PostRow.channel_id, posts)
            .where(PostRow.workspace_id == workspace_id, PostRow.posted_at >= since)
            .group_by(PostRow.channel_id)
            .order_by(posts.desc(), PostRow.channel_id)
        )
        return [ChannelCount(channel_id=channel_id, posts=count) for channel_id, count in rows]

    def count_by_author(self, workspace_id: int, since: datetime) -> list[PersonCount]:
        """Posts per author since `since`."""
        posts = func.count().label("posts")
        rows = self._session.execute(
            select(PostRow.author_id, posts)
            .where(PostRow.workspace_id == workspace_id, PostRow.posted_at >= since)
            .group_by(PostRow.author_id)
            .order_by(posts.desc(), PostRow.author_id.is_(None), PostRow.author_id)
        )
        return [PersonCount(person_id=author_id, posts=count) for author_id, count in rows]

    def tally(self, workspace_id: int, bounds: Sequence[datetime]) -> list[PostTally]:
        """Posts per window, outreach channel and author; window i is [bounds[i], bounds[i+1])."""
        if len(bounds) < 2:
            return []
        # Each post's window, from the latest bound it is not before; counted in SQL.
        window = case(
            *(
                (PostRow.posted_at >= bound, index)
                for index, bound in reversed(list(enumerate(bounds[:-1])))
            ),
            else_=0,
        )
        rows = (
            select(PostRow.channel_id, PostRow.author_id, window.label("bucket"))
            .where(
                PostRow.workspace_id == workspace_id,
                PostRow.posted_at >= bounds[0],
                PostRow.posted_at < bounds[-1],
            )
            .subquery()
        )
        posts = func.count().label("posts")
        result = self._session.execute(
            select(rows.c.bucket, rows.c.channel_id, rows.c.author_id, posts)
            .group_by(rows.c.bucket, rows.c.channel_id, rows.c.author_id)
            .order_by(
                rows.c.bucket,
                rows.c.channel_id,
                rows.c.author_id.is_(None),
                rows.c.author_id,
            )
        )
        return [
            PostTally(window=bucket, channel_id=channel_id, author_id=author_id, posts=count)
            for bucket, channel_id, author_id, count in result
        ]


# -- reminders and deliveries -------------------------------------------------------------


def _reason(reason: str) -> str:
    """A failure's reason, cut to the length the tables keep."""
    return reason[:ERROR_LENGTH]


def _reminder(row: ReminderRow) -> Reminder:
    return Reminder(
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


class _SendAttempts(ABC, Generic[_Claimed]):
    """The bookkeeping of sending a claimed message: tries, successes and failures.

    Shared by reminders and deliveries, whose tables carry the same columns for it.
    """

    _table: Any
    _noun: str

    def __init__(self, session: Session) -> None:
        self._session = session

    @abstractmethod
    def _domain(self, row: Any) -> _Claimed:
        """A row as the domain's value."""

    def pending(
        self, workspace_id: int, max_attempts: int, stale_before: datetime
    ) -> list[_Claimed]:
        """Not sent yet, fewer than `max_attempts` tries, and not being tried right now: never
        tried, last try failed, or last try began before `stale_before` and never finished."""
        table = self._table
        rows = self._session.scalars(
            select(table)
            .where(
                table.workspace_id == workspace_id,
                table.sent_at.is_(None),
                table.attempts < max_attempts,
                or_(
                    table.attempts == 0,
                    table.last_error.is_not(None),
                    table.attempted_at < stale_before,
                ),
            )
            .order_by(table.created_at, table.id)
        )
        return [self._domain(row) for row in rows]

    def failed(self, workspace_id: int) -> list[_Claimed]:
        """Not sent, and the last try failed; newest first."""
        table = self._table
        rows = self._session.scalars(
            select(table)
            .where(
                table.workspace_id == workspace_id,
                table.sent_at.is_(None),
                table.last_error.is_not(None),
            )
            .order_by(table.created_at.desc(), table.id.desc())
        )
        return [self._domain(row) for row in rows]

    def start_attempt(self, claim_id: int, attempts_seen: int, at: datetime) -> bool:
        """Take the next try at sending, if nobody else has since `attempts_seen`."""
        # Compare-and-set: of several callers that saw the same count, one changes the row.
        table = self._table
        result = self._session.execute(
            update(table)
            .where(
                table.id == claim_id,
                table.attempts == attempts_seen,
                table.sent_at.is_(None),
            )
            .values(attempts=table.attempts + 1, attempted_at=at, last_error=None)
        )
        return _rowcount(result) == 1

    def mark_sent(self, claim_id: int, at: datetime) -> None:
        """It went out."""
        table = self._table
        _require_one(
            self._session.execute(
                update(table).where(table.id == claim_id).values(sent_at=at, last_error=None)
            ),
            self._noun,
            claim_id,
        )

    def mark_failed(self, claim_id: int, reason: str) -> None:
        """The last try failed, for `reason` (an error code, never a secret)."""
        table = self._table
        _require_one(
            self._session.execute(
                update(table).where(table.id == claim_id).values(last_error=_reason(reason))
            ),
            self._noun,
            claim_id,
        )


class SqlAlchemyReminderRepository(_SendAttempts[Reminder]):
    _table = ReminderRow
    _noun = "reminder"

    def _domain(self, row: Any) -> Reminder:
        return _reminder(row)

    def claim(
        self,
        workspace_id: int,
        *,
        channel_id: int,
        spell_start: datetime,
        day: date,
        person_id: int | None,
        created_at: datetime,
    ) -> Reminder | None:
        """Record the reminder for this channel, quiet spell and day; None if it exists."""
        # One statement: on PostgreSQL a concurrent claimer waits on the unique index and
        # then does nothing, and nothing is raised that would spoil the unit of work.
        statement = (
            _insert(self._session, ReminderRow)
            .values(
                workspace_id=workspace_id,
                channel_id=channel_id,
                spell_start=spell_start,
                day=day,
                person_id=person_id,
                created_at=created_at,
                attempts=0,
            )
            .on_conflict_do_nothing(
                index_elements=[ReminderRow.channel_id, ReminderRow.spell_start, ReminderRow.day]
            )
            .returning(ReminderRow)
        )
        row = self._session.scalars(statement).first()
        return None if row is None else _reminder(row)

    def of_spell(self, channel_id: int, spell_start: datetime) -> list[Reminder]:
        """The reminders of one quiet spell, oldest first."""
        rows = self._session.scalars(
            select(ReminderRow)
            .where(ReminderRow.channel_id == channel_id, ReminderRow.spell_start == spell_start)
            .order_by(ReminderRow.day, ReminderRow.id)
        )
        return [_reminder(row) for row in rows]

    def answer(self, channel_id: int, at: datetime) -> int:
        """Mark the channel's sent, unanswered reminders answered; how many."""
        result = self._session.execute(
            update(ReminderRow)
            .where(
                ReminderRow.channel_id == channel_id,
                ReminderRow.sent_at.is_not(None),
                ReminderRow.answered_at.is_(None),
            )
            .values(answered_at=at)
        )
        return _rowcount(result)

    def between(self, workspace_id: int, since: datetime, until: datetime) -> list[Reminder]:
        """Reminders created in [since, until), oldest first."""
        rows = self._session.scalars(
            select(ReminderRow)
            .where(
                ReminderRow.workspace_id == workspace_id,
                ReminderRow.created_at >= since,
                ReminderRow.created_at < until,
            )
            .order_by(ReminderRow.created_at, ReminderRow.id)
        )
        return [_reminder(row) for row in rows]


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        workspace_id=row.workspace_id,
        kind=row.kind,
        key=row.key,
        created_at=row.created_at,
        sent_at=row.sent_at,
        attempts=row.attempts,
        last_error=row.last_error,
    )


class SqlAlchemyDeliveryRepository(_SendAttempts[Delivery]):
    _table = DeliveryRow
    _noun = "delivery"

    def _domain(self, row: Any) -> Delivery:
        return _delivery(row)

    def claim(
        self, workspace_id: int, kind: DeliveryKind, key: str, created_at: datetime
    ) -> Delivery | None:
        """Record a one-off message under its key; None if it was claimed already."""
        statement = (
            _insert(self._session, DeliveryRow)
            .values(
                workspace_id=workspace_id, kind=kind, key=key, created_at=created_at, attempts=0
            )
            .on_conflict_do_nothing(
                index_elements=[DeliveryRow.workspace_id, DeliveryRow.kind, DeliveryRow.key]
            )
            .returning(DeliveryRow)
        )
        row = self._session.scalars(statement).first()
        return None if row is None else _delivery(row)

    def get(self, workspace_id: int, kind: DeliveryKind, key: str) -> Delivery | None:
        """The delivery claimed under this key."""
        row = self._session.scalar(
            select(DeliveryRow).where(
                DeliveryRow.workspace_id == workspace_id,
                DeliveryRow.kind == kind,
                DeliveryRow.key == key,
            )
        )
        return None if row is None else _delivery(row)


# -- digest settings ----------------------------------------------------------------------


class SqlAlchemyDigestSettingsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, workspace_id: int) -> DigestSettings:
        """The workspace's digest settings; the defaults until a coordinator changes them."""
        row = self._session.get(DigestSettingsRow, workspace_id)
        people = self._session.scalars(
            select(DigestRecipientRow.person_id).where(
                DigestRecipientRow.workspace_id == workspace_id
            )
        )
        base = DigestSettings(workspace_id=workspace_id, person_ids=frozenset(people))
        if row is None:
            return base
        return DigestSettings(
            workspace_id=workspace_id,
            chat_channel_id=row.chat_channel_id,
            weekday=row.weekday,
            at=row.local_time,
            person_ids=base.person_ids,
        )

    def save(self, settings: DigestSettings) -> None:
        """Save every field of `settings`, its extra recipients included."""
        values = {
            "chat_channel_id": settings.chat_channel_id,
            "weekday": settings.weekday,
            "local_time": settings.at,
        }
        self._session.execute(
            _insert(self._session, DigestSettingsRow)
            .values(workspace_id=settings.workspace_id, **values)
            .on_conflict_do_update(index_elements=[DigestSettingsRow.workspace_id], set_=values)
        )
        known = set(
            self._session.scalars(
                select(DigestRecipientRow.person_id).where(
                    DigestRecipientRow.workspace_id == settings.workspace_id
                )
            )
        )
        gone = known - settings.person_ids
        if gone:
            self._session.execute(
                delete(DigestRecipientRow).where(
                    DigestRecipientRow.workspace_id == settings.workspace_id,
                    DigestRecipientRow.person_id.in_(gone),
                )
            )
        for person_id in sorted(settings.person_ids - known):
            self._session.add(
                DigestRecipientRow(workspace_id=settings.workspace_id, person_id=person_id)
            )
        self._session.flush()


__all__ = [
    "SqlAlchemyAwayRepository",
    "SqlAlchemyChannelRepository",
    "SqlAlchemyClosureRepository",
    "SqlAlchemyDeliveryRepository",
    "SqlAlchemyDigestSettingsRepository",
    "SqlAlchemyMembershipRepository",
    "SqlAlchemyPersonRepository",
    "SqlAlchemyPostRepository",
    "SqlAlchemyReminderRepository",
    "SqlAlchemyRotaRepository",
    "SqlAlchemyShiftRepository",
    "SqlAlchemyWorkspaceRepository",
    "name_key",
]


# -- events -------------------------------------------------------------------------------


class SqlAlchemyEventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def first_time(self, platform: str, event_id: str, at: datetime) -> bool:
        """Record that an event arrived; False if it had arrived before (a retry)."""
        inserted = self._session.execute(
            _insert(self._session, SeenEventRow.__table__)
            .values(platform=platform, event_id=event_id, seen_at=at)
            .on_conflict_do_nothing(index_elements=["platform", "event_id"])
            .returning(SeenEventRow.id)
        ).first()
        return inserted is not None

    def forget_before(self, at: datetime) -> int:
        """Forget the events that arrived before `at`; how many."""
        result: CursorResult[Any] = self._session.execute(  # type: ignore[assignment]
            delete(SeenEventRow).where(SeenEventRow.seen_at < at)
        )
        return result.rowcount


# -- chat addresses -----------------------------------------------------------------------


class SqlAlchemyAddressRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def put(self, workspace_id: int, key: str, address: str, at: datetime) -> None:
        values = {"workspace_id": workspace_id, "key": key, "address": address, "updated_at": at}
        self._session.execute(
            _insert(self._session, ChatAddressRow.__table__)
            .values(**values)
            .on_conflict_do_update(
                index_elements=["workspace_id", "key"],
                set_={"address": address, "updated_at": at},
            )
        )

    def get(self, workspace_id: int, key: str) -> str | None:
        return self._session.scalar(
            select(ChatAddressRow.address).where(
                ChatAddressRow.workspace_id == workspace_id, ChatAddressRow.key == key
            )
        )

    def with_prefix(self, workspace_id: int, prefix: str) -> list[str]:
        rows = self._session.scalars(
            select(ChatAddressRow.address)
            .where(
                ChatAddressRow.workspace_id == workspace_id,
                ChatAddressRow.key.startswith(prefix, autoescape=True),
            )
            .order_by(ChatAddressRow.updated_at.desc(), ChatAddressRow.id.desc())
        )
        return list(rows)


# -- swaps --------------------------------------------------------------------------------


def _swap(row: SwapRow) -> Swap:
    return Swap(
        id=row.id,
        workspace_id=row.workspace_id,
        rota_id=row.rota_id,
        requester_id=row.requester_id,
        partner_id=row.partner_id,
        requester_start=row.requester_start,
        partner_start=row.partner_start,
        status=row.status,
        created_at=row.created_at,
        decided_at=row.decided_at,
    )


class SqlAlchemySwapRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        workspace_id: int,
        *,
        rota_id: int,
        requester_id: int,
        partner_id: int,
        requester_start: datetime,
        partner_start: datetime,
        created_at: datetime,
    ) -> Swap:
        """Record a pending swap request."""
        row = _add_row(
            self._session,
            SwapRow(
                workspace_id=workspace_id,
                rota_id=rota_id,
                requester_id=requester_id,
                partner_id=partner_id,
                requester_start=requester_start,
                partner_start=partner_start,
                status=SwapStatus.PENDING,
                created_at=created_at,
            ),
        )
        return _swap(row)

    def get(self, swap_id: int) -> Swap | None:
        """A swap by id."""
        row = self._session.get(SwapRow, swap_id)
        return _swap(row) if row is not None else None

    def decide(self, swap_id: int, status: SwapStatus, at: datetime) -> bool:
        """Settle a pending swap; False if it was no longer pending."""
        result = self._session.execute(
            update(SwapRow)
            .where(SwapRow.id == swap_id, SwapRow.status == SwapStatus.PENDING)
            .values(status=status, decided_at=at)
        )
        return _rowcount(result) == 1

    def pin(self, rota_id: int, start: datetime, person_id: int, swap_id: int) -> None:
        """Give the shift starting at `start` to `person_id`, replacing an earlier pin."""
        self._session.execute(
            delete(ShiftPinRow).where(
                ShiftPinRow.rota_id == rota_id, ShiftPinRow.starts_at == start
            )
        )
        self._session.add(
            ShiftPinRow(rota_id=rota_id, starts_at=start, person_id=person_id, swap_id=swap_id)
        )
        self._session.flush()

    def pins(self, rota_id: int, since: datetime) -> dict[datetime, int]:
        """Pinned holders of the rota's shifts starting at or after `since`."""
        rows = self._session.execute(
            select(ShiftPinRow.starts_at, ShiftPinRow.person_id).where(
                ShiftPinRow.rota_id == rota_id, ShiftPinRow.starts_at >= since
            )
        )
        return {row.starts_at: row.person_id for row in rows}


# -- private links ------------------------------------------------------------------------


def _link(row: PrivateLinkRow) -> PrivateLink:
    return PrivateLink(
        id=row.id,
        workspace_id=row.workspace_id,
        person_id=row.person_id,
        kind=row.kind,
        token=row.token,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def _open_at(now: datetime) -> Any:
    """Links neither revoked nor expired at `now`."""
    return (
        PrivateLinkRow.revoked_at.is_(None),
        or_(PrivateLinkRow.expires_at.is_(None), PrivateLinkRow.expires_at > now),
    )


class SqlAlchemyPrivateLinkRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        workspace_id: int,
        *,
        person_id: int,
        kind: str,
        token: str,
        created_at: datetime,
        expires_at: datetime | None = None,
    ) -> PrivateLink:
        """Record a new link."""
        row = PrivateLinkRow(
            workspace_id=workspace_id,
            person_id=person_id,
            kind=kind,
            token=token,
            created_at=created_at,
            expires_at=expires_at,
        )
        return _link(_add_row(self._session, row))

    def live(self, person_id: int, kind: str, now: datetime) -> PrivateLink | None:
        """The person's newest link of this kind that is neither revoked nor expired."""
        row = self._session.scalar(
            select(PrivateLinkRow)
            .where(
                PrivateLinkRow.person_id == person_id,
                PrivateLinkRow.kind == kind,
                *_open_at(now),
            )
            .order_by(PrivateLinkRow.created_at.desc(), PrivateLinkRow.id.desc())
            .limit(1)
        )
        return _link(row) if row is not None else None

    def find(self, token: str, now: datetime) -> PrivateLink | None:
        """The open link with this token, if its person has not left the workspace."""
        row = self._session.scalar(
            select(PrivateLinkRow)
            .join(PersonRow, PersonRow.id == PrivateLinkRow.person_id)
            .where(PrivateLinkRow.token == token, PersonRow.deleted.is_(False), *_open_at(now))
        )
        return _link(row) if row is not None else None

    def revoke(self, person_id: int, kind: str, at: datetime) -> int:
        """Revoke every link of this kind the person has that is not revoked yet; how many."""
        result = self._session.execute(
            update(PrivateLinkRow)
            .where(
                PrivateLinkRow.person_id == person_id,
                PrivateLinkRow.kind == kind,
                PrivateLinkRow.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return _rowcount(result)
