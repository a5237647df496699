"""The tables, as SQLAlchemy 2 typed declarative models.

Every timestamp is stored in UTC and read back timezone-aware (`UTCDateTime`); enums are
short strings guarded by CHECK constraints; constraint names come from one naming
convention so they are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.domain.model import ChannelKind, DeliveryKind, PostSource, Role, ShiftOrigin, SwapStatus

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


ERROR_LENGTH = 200
"""The longest reason kept for a failed send; longer ones are cut to fit."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC.

    Refuses naive datetimes on the way in; always returns aware UTC datetimes on the
    way out (SQLite keeps no offset, so its values are read as UTC).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"refusing to store a naive datetime ({value.isoformat()}): add a tzinfo"
            )
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite's DATETIME has no offset: keep one canonical UTC text form so that
            # comparisons and ordering between stored values stay correct.
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 (the signature TypeDecorator calls)
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum_type(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A `StrEnum` stored as its short string values, checked by a named constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {
        datetime: UTCDateTime(),
        date: Date(),
        time: Time(),
        str: String(),
    }


class WorkspaceRow(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str]
    name: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    watch_channel: Mapped[str | None] = mapped_column(String(200))
    """The chat channel whose messages with a matching link become posts (§7)."""


class PersonRow(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str]
    display_name: Mapped[str]
    handle: Mapped[str | None]
    timezone: Mapped[str | None]
    platform_admin: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    role: Mapped[Role] = mapped_column(_enum_type(Role, "role"), default=Role.MEMBER)
    refreshed_at: Mapped[datetime]


class OutreachChannelRow(Base):
    __tablename__ = "outreach_channels"
    __table_args__ = (
        # name_key is the casefolded name: unique per workspace, archived channels included.
        UniqueConstraint("workspace_id", "name_key"),
        CheckConstraint("quiet_after_seconds > 0", name="quiet_after_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str]
    name_key: Mapped[str]
    kind: Mapped[ChannelKind] = mapped_column(_enum_type(ChannelKind, "kind"))
    quiet_after_seconds: Mapped[int]
    feed_url: Mapped[str | None] = mapped_column(Text)
    match_pattern: Mapped[str | None] = mapped_column(Text)
    access_note: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    snoozed_until: Mapped[datetime | None]


class StewardRow(Base):
    __tablename__ = "stewards"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_channels.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )


class RotaRow(Base):
    __tablename__ = "rotas"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name_key"),
        CheckConstraint("shift_days > 0", name="shift_days_positive"),
        CheckConstraint("handoff_weekday BETWEEN 0 AND 6", name="handoff_weekday_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str]
    name_key: Mapped[str]
    shift_days: Mapped[int]
    handoff_weekday: Mapped[int]
    handoff_time: Mapped[time]
    timezone: Mapped[str]
    working_days: Mapped[str] = mapped_column(String(20))
    """Weekday numbers (Monday 0), ascending and comma-separated: "0,1,2,3,4"."""
    work_start: Mapped[time]
    work_end: Mapped[time]
    covers_all_channels: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RotaChannelRow(Base):
    __tablename__ = "rota_channels"

    rota_id: Mapped[int] = mapped_column(
        ForeignKey("rotas.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_channels.id", ondelete="CASCADE"), primary_key=True
    )


class MembershipRow(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        # At most one current (not yet ended) membership per rota and person.
        Index(
            "uq_memberships_current",
            "rota_id",
            "person_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
        Index(None, "person_id"),
        CheckConstraint("left_at IS NULL OR left_at >= joined_at", name="left_after_joined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rota_id: Mapped[int] = mapped_column(ForeignKey("rotas.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class ShiftRow(Base):
    __tablename__ = "shifts"
    __table_args__ = (
        # One shift per rota and start: two processes can never record the same shift.
        UniqueConstraint("rota_id", "starts_at"),
        CheckConstraint("starts_at < ends_at", name="starts_before_it_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rota_id: Mapped[int] = mapped_column(ForeignKey("rotas.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    origin: Mapped[ShiftOrigin] = mapped_column(_enum_type(ShiftOrigin, "origin"))
    handed_over: Mapped[bool] = mapped_column(default=False)


class AwayPeriodRow(Base):
    __tablename__ = "away_periods"
    __table_args__ = (
        Index(None, "person_id", "last_day"),
        CheckConstraint("first_day <= last_day", name="first_day_not_after_last"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    first_day: Mapped[date]
    last_day: Mapped[date]
    created_at: Mapped[datetime]


class ClosureRow(Base):
    __tablename__ = "closures"
    __table_args__ = (
        Index(None, "workspace_id"),
        # Either a date range (both days, in order) or a public-holiday calendar (a country).
        CheckConstraint(
            "(first_day IS NULL AND last_day IS NULL AND country IS NOT NULL)"
            " OR (first_day IS NOT NULL AND last_day IS NOT NULL AND first_day <= last_day)",
            name="date_range_or_calendar",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    first_day: Mapped[date | None]
    last_day: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(10))
    subdivision: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PostRow(Base):
    __tablename__ = "posts"
    __table_args__ = (
        # A post is recorded once; NULL URLs and feed entries never collide.
        UniqueConstraint("channel_id", "url"),
        UniqueConstraint("channel_id", "feed_entry_id"),
        Index(None, "workspace_id", "posted_at"),
        Index(None, "workspace_id", "channel_id", "posted_at"),
        Index(None, "workspace_id", "chat_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("outreach_channels.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime]
    source: Mapped[PostSource] = mapped_column(_enum_type(PostSource, "source"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime]
    url: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    feed_entry_id: Mapped[str | None] = mapped_column(Text)
    chat_ref: Mapped[str | None] = mapped_column(String(300))
    """The chat message it was recorded from (watched channel), so edits and deletes follow."""


class ReminderRow(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        # The claim key: one reminder per outreach channel, quiet spell and working day, so
        # two processes (or a restart) can never send the same one twice.
        UniqueConstraint("channel_id", "spell_start", "day"),
        Index(None, "workspace_id", "sent_at"),
        Index(None, "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("outreach_channels.id", ondelete="CASCADE"))
    spell_start: Mapped[datetime]
    day: Mapped[date]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    attempted_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))


class SeenEventRow(Base):
    """An event a chat platform delivered, kept so that its retries act once."""

    __tablename__ = "seen_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"), Index(None, "seen_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[datetime]


class ChatAddressRow(Base):
    """Where a chat platform can be reached later: a person's private conversation, or a
    team's, kept as the platform's own opaque JSON (Teams conversation references)."""

    __tablename__ = "chat_addresses"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        # The claim key: each one-off message is sent once, whoever gets there first.
        UniqueConstraint("workspace_id", "kind", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[DeliveryKind] = mapped_column(_enum_type(DeliveryKind, "kind"))
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    attempted_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))


class DigestSettingsRow(Base):
    __tablename__ = "digest_settings"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),)

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    chat_channel_id: Mapped[str | None] = mapped_column(String(200))
    weekday: Mapped[int]
    """Monday 0."""
    local_time: Mapped[time]
    """In the timezone of the workspace's first rota."""


class DigestRecipientRow(Base):
    """Someone who gets the weekly digest as well as the directors."""

    __tablename__ = "digest_recipients"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )


metadata = Base.metadata
"""Every table, for Alembic and for tests that compare the schema with the models."""


class SwapRow(Base):
    """A request to exchange two future shifts, and its answer."""

    __tablename__ = "swaps"
    __table_args__ = (Index(None, "partner_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    rota_id: Mapped[int] = mapped_column(ForeignKey("rotas.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    requester_start: Mapped[datetime]
    partner_start: Mapped[datetime]
    status: Mapped[SwapStatus] = mapped_column(_enum_type(SwapStatus, "status"))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class ShiftPinRow(Base):
    """Who holds a future shift because of an agreed swap: one holder per shift."""

    __tablename__ = "shift_pins"
    __table_args__ = (UniqueConstraint("rota_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rota_id: Mapped[int] = mapped_column(ForeignKey("rotas.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    swap_id: Mapped[int] = mapped_column(ForeignKey("swaps.id", ondelete="CASCADE"))


class FeedStateRow(Base):
    """What the feed watch knows of a channel's feed: conditional-GET validators, the last
    good poll, and the current failure (told to coordinators once)."""

    __tablename__ = "feed_states"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_channels.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(Text)
    """The feed address this state belongs to; a new address starts afresh."""
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    taken_from: Mapped[datetime | None]
    """Entries published from then on become posts; older ones are history left out."""
    checked_at: Mapped[datetime | None]
    ok_at: Mapped[datetime | None]
    entries: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    """How many entries the last good fetch held."""
    error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))
    error_since: Mapped[datetime | None]
    error_told_at: Mapped[datetime | None]


class FeedEntryRow(Base):
    """A feed entry seen once, recorded as a post or left out as old history."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("channel_id", "entry_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("outreach_channels.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime]
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    """The post it became (or that already had its link); a withdrawn post takes the entry
    with it, so the feed can record it again."""


class FeedAuthorRow(Base):
    """A name in feeds that belongs to a member of staff, who is credited for its entries."""

    __tablename__ = "feed_authors"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))


class PrivateLinkRow(Base):
    """A private, revocable link (a calendar feed, an export download): a random token that
    is the whole key, shown again to its owner and nobody else."""

    __tablename__ = "private_links"
    __table_args__ = (UniqueConstraint("token"), Index(None, "person_id", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
