"""The things Baton knows (§3), as plain values. Standard library only."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


class Role(enum.StrEnum):
    """What a person may do (§2)."""

    MEMBER = "member"
    COORDINATOR = "coordinator"
    DIRECTOR = "director"


class ChannelKind(enum.StrEnum):
    """The sort of outreach channel, which sets its default quiet threshold."""

    TWITTER = "twitter"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    BLOG = "blog"
    NEWSLETTER = "newsletter"
    OTHER = "other"


DEFAULT_QUIET: dict[ChannelKind, timedelta] = {
    ChannelKind.TWITTER: timedelta(days=2),
    ChannelKind.BLUESKY: timedelta(days=2),
    ChannelKind.MASTODON: timedelta(days=2),
    ChannelKind.OTHER: timedelta(days=2),
    ChannelKind.FACEBOOK: timedelta(days=4),
    ChannelKind.INSTAGRAM: timedelta(days=4),
    ChannelKind.BLOG: timedelta(days=14),
    ChannelKind.NEWSLETTER: timedelta(days=30),
}


class ShiftOrigin(enum.StrEnum):
    """How a shift came about."""

    ROTATION = "rotation"
    SWAP = "swap"
    SKIP = "skip"
    OVERRIDE = "override"


class PostSource(enum.StrEnum):
    """Where the record of a post came from."""

    MANUAL = "manual"
    FEED = "feed"
    CHAT_MESSAGE = "chat-message"


NOT_WATCHING = "off"
"""A workspace's `watch_channel` when a coordinator turned the watched chat channel off."""

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Workspace:
    id: int
    platform: str
    external_id: str
    name: str
    watch_channel: str | None = None
    """The chat channel whose links become posts (§7): None for the installation's default,
    `NOT_WATCHING` for none."""


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    workspace_id: int
    external_id: str
    display_name: str
    handle: str | None = None
    timezone: str | None = None
    platform_admin: bool = False
    deleted: bool = False
    role: Role = Role.MEMBER


@dataclass(frozen=True, slots=True)
class OutreachChannel:
    id: int
    workspace_id: int
    name: str
    kind: ChannelKind
    quiet_after: timedelta
    created_at: datetime
    feed_url: str | None = None
    match_pattern: str | None = None
    access_note: str | None = None
    archived: bool = False
    steward_ids: frozenset[int] = frozenset()
    snoozed_until: datetime | None = None
    """Reminders about it are held until then."""


@dataclass(frozen=True, slots=True)
class Rota:
    id: int
    workspace_id: int
    name: str
    shift_days: int = 7
    handoff_weekday: int = 0
    handoff_time: time = time(9, 0)
    timezone: str = "UTC"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    channel_ids: frozenset[int] | None = None
    """The outreach channels it covers; None means all of them."""


@dataclass(frozen=True, slots=True)
class Membership:
    rota_id: int
    person_id: int
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Shift:
    rota_id: int
    start: datetime
    end: datetime
    person_id: int | None
    origin: ShiftOrigin = ShiftOrigin.ROTATION
    handed_over: bool = False
    """True when the holder passed the rest of it on (skip, leave): it does not move their place."""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AwayPeriod:
    id: int
    person_id: int
    first_day: date
    last_day: date


@dataclass(frozen=True, slots=True)
class Closure:
    id: int
    workspace_id: int
    first_day: date | None = None
    last_day: date | None = None
    reason: str | None = None
    country: str | None = None
    subdivision: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    id: int
    workspace_id: int
    channel_id: int
    author_id: int | None
    posted_at: datetime
    source: PostSource
    recorded_by_id: int | None
    url: str | None = None
    note: str | None = None
    chat_ref: str | None = None
    """The chat message it was recorded from (`<chat channel>:<message id>`), if any."""


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    channel: OutreachChannel
    last_post_at: datetime | None
    quiet_for: timedelta | None
    is_quiet: bool
    stewards: tuple[Person, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Reminder:
    """A nudge that a channel has gone quiet: one per channel, quiet spell and working day."""

    id: int
    workspace_id: int
    channel_id: int
    spell_start: datetime
    """When the silence began: the channel's last post, or its creation."""
    day: date
    """The working day (in the rota's timezone) the reminder belongs to."""
    person_id: int | None
    """Who was on duty and got it; None when the shift was unassigned (coordinators got it)."""
    created_at: datetime
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None


class DeliveryKind(enum.StrEnum):
    """One-off messages the scheduled jobs send, each claimed once by a key."""

    HANDOFF = "handoff"
    ESCALATION = "escalation"
    DIGEST = "digest"
    NOTICE = "notice"
    """A direct message a command sent (a moved shift, a swap request) that failed."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed one-off message: who claimed it when, and whether it went out."""

    id: int
    workspace_id: int
    kind: DeliveryKind
    key: str
    created_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None


class SwapStatus(enum.StrEnum):
    """Where a swap request stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Swap:
    """A request to exchange two future shifts: the requester's and the partner's."""

    id: int
    workspace_id: int
    rota_id: int
    requester_id: int
    partner_id: int
    requester_start: datetime
    partner_start: datetime
    status: SwapStatus
    created_at: datetime
    decided_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PrivateLink:
    """A private, revocable link to something of one person's (a calendar feed, an export):
    the random token in its address is the whole key."""

    id: int
    workspace_id: int
    person_id: int
    kind: str
    """What it opens: `calendar`, `export`."""
    token: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


def covers(rota: Rota, channel: OutreachChannel) -> bool:
    """Whether the rota looks after the channel (a rota with no list covers them all)."""
    return rota.channel_ids is None or channel.id in rota.channel_ids


def covering_rota(rotas: Sequence[Rota], channel: OutreachChannel) -> Rota | None:
    """The first rota that covers the channel."""
    return next((rota for rota in rotas if covers(rota, channel)), None)
