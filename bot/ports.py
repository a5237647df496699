"""The ports the services talk through: storage, the chat platform's directory and
direct messages, and the clock. Adapters in `storage/` and `handlers/` implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from bot.domain.digest import DigestSettings, PostTally
from bot.domain.export import RecordedPost
from bot.domain.feeds import FeedRead, FeedState
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
from bot.messages import Attachment, Message


class Clock(Protocol):
    """Tells the time; the only source of `now` in the services."""

    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...


class PublicAddress(Protocol):
    """Where people reach Baton's web server from outside, for links they open."""

    def base_url(self) -> str | None:
        """Like `https://baton.library.org`, with no trailing slash; None when there is none."""
        ...


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """What the chat platform says about a user."""

    external_id: str
    display_name: str
    handle: str | None
    timezone: str | None
    platform_admin: bool
    deleted: bool
    is_bot: bool = False


class DirectoryUnavailableError(Exception):
    """The chat platform's directory could not be reached or answered with an error."""


class ConflictError(Exception):
    """A write collided with another one (a unique key); the unit of work was rolled back."""


class Directory(Protocol):
    """The chat platform's list of people (Slack `users.info`)."""

    def lookup(self, workspace: Workspace, external_id: str) -> DirectoryEntry | None:
        """The user with this platform id, or None if the platform doesn't know them."""
        ...


class NotifyError(Exception):
    """A message could not be delivered; `reason` says why (a platform error code)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Notifier(Protocol):
    """Sends messages that are not replies: direct messages to people."""

    def send_direct(self, workspace: Workspace, person: Person, message: Message) -> None:
        """Send `message` privately to `person`; NotifyError if it can't be delivered."""
        ...

    def send_to_chat_channel(
        self, workspace: Workspace, chat_channel_id: str, message: Message
    ) -> None:
        """Post `message` in a chat channel; NotifyError if it can't be delivered."""
        ...

    def attaches_files(self, workspace: Workspace) -> bool:
        """Whether files can be sent to people in this workspace's chat platform (Slack); where
        they can't (Teams bots, the playground), Baton gives a download link instead."""
        ...

    def send_files(
        self,
        workspace: Workspace,
        person: Person,
        message: Message,
        files: Sequence[Attachment],
    ) -> None:
        """Send `files` privately to `person`, introduced by `message`; NotifyError if they
        can't be delivered."""
        ...


@dataclass(frozen=True, slots=True)
class ChannelCount:
    channel_id: int
    posts: int


@dataclass(frozen=True, slots=True)
class PersonCount:
    person_id: int | None
    posts: int


class WorkspaceRepository(Protocol):
    def get_by_external_id(self, platform: str, external_id: str) -> Workspace | None:
        """The workspace a platform knows by `external_id`."""
        ...

    def add(self, platform: str, external_id: str, name: str) -> Workspace:
        """Create a workspace."""
        ...

    def all(self) -> list[Workspace]:
        """Every workspace, oldest first."""
        ...

    def set_watch_channel(self, workspace_id: int, chat_channel_id: str | None) -> None:
        """Choose the workspace's watched chat channel: an id, `NOT_WATCHING`, or None for
        the installation's default."""
        ...


class PersonRepository(Protocol):
    def get(self, person_id: int) -> Person | None:
        """A person by id."""
        ...

    def get_by_external_id(self, workspace_id: int, external_id: str) -> Person | None:
        """A person by their platform id."""
        ...

    def find_by_name(self, workspace_id: int, name: str) -> list[Person]:
        """People whose handle or display name is `name`, ignoring case."""
        ...

    def everyone(self, workspace_id: int) -> list[Person]:
        """Everyone Baton knows in the workspace, deleted people included."""
        ...

    def with_role(self, workspace_id: int, role: Role) -> list[Person]:
        """People holding `role` (not deleted)."""
        ...

    def save_from_directory(
        self, workspace_id: int, entry: DirectoryEntry, refreshed_at: datetime
    ) -> Person:
        """Create or update a person from the platform's directory; their role is kept."""
        ...

    def refreshed_at(self, person_id: int) -> datetime | None:
        """When the person was last looked up in the directory."""
        ...

    def set_role(self, person_id: int, role: Role) -> None:
        """Give a person a role."""
        ...

    def mark_departed(self, person_id: int, departed: bool) -> bool:
        """Mark a person as having left the workspace (or as back in it); False if they
        already were, so of two at once only one changes it."""
        ...


class ChannelRepository(Protocol):
    def all(self, workspace_id: int, include_archived: bool = False) -> list[OutreachChannel]:
        """Outreach channels by name, with their stewards."""
        ...

    def get_by_name(self, workspace_id: int, name: str) -> OutreachChannel | None:
        """An outreach channel by name, ignoring case; archived ones too."""
        ...

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
        ...

    def update(self, channel: OutreachChannel) -> None:
        """Save every field of `channel` except its stewards."""
        ...

    def add_steward(self, channel_id: int, person_id: int) -> bool:
        """Make a person a steward; False if they already were."""
        ...

    def remove_steward(self, channel_id: int, person_id: int) -> bool:
        """Remove a steward; False if they were not one."""
        ...


class RotaRepository(Protocol):
    def all(self, workspace_id: int) -> list[Rota]:
        """The workspace's rotas, oldest first."""
        ...

    def get(self, rota_id: int) -> Rota | None:
        """A rota by id."""
        ...

    def get_by_name(self, workspace_id: int, name: str) -> Rota | None:
        """A rota by name, ignoring case."""
        ...

    def add(self, rota: Rota) -> Rota:
        """Create a rota (its id is ignored and assigned)."""
        ...

    def update(self, rota: Rota) -> None:
        """Save every field of `rota`."""
        ...


class MembershipRepository(Protocol):
    def members(self, rota_id: int) -> list[Membership]:
        """Current members of a rota, in join order."""
        ...

    def rotas_of(self, person_id: int) -> list[int]:
        """Ids of the rotas a person is a current member of."""
        ...

    def add(self, rota_id: int, person_id: int, joined_at: datetime) -> Membership:
        """Make a person a current member."""
        ...

    def end(self, rota_id: int, person_id: int, left_at: datetime) -> None:
        """End a person's current membership (the record stays)."""
        ...


class ShiftRepository(Protocol):
    def latest(self, rota_id: int) -> Shift | None:
        """The shift with the latest start."""
        ...

    def covering(self, rota_id: int, moment: datetime) -> Shift | None:
        """The shift with start <= moment < end."""
        ...

    def between(self, rota_id: int, start: datetime, end: datetime) -> list[Shift]:
        """Shifts overlapping [start, end), by start."""
        ...

    def last_served(self, rota_id: int) -> dict[int, datetime]:
        """Each person's latest shift end on the rota, among shifts not handed over."""
        ...

    def add(self, shift: Shift) -> Shift:
        """Record a shift (its id is ignored and assigned)."""
        ...

    def hand_over(self, shift_id: int, at: datetime) -> None:
        """End a current shift early at `at` because its holder passed it on."""
        ...

    def reassign(self, shift_id: int, person_id: int | None, origin: ShiftOrigin) -> None:
        """Give a shift to someone else before any of it has been served."""
        ...

    def served_counts(self, workspace_id: int, since: datetime, until: datetime) -> dict[int, int]:
        """Shifts started in [since, until) per person, across the workspace's rotas."""
        ...


class AwayRepository(Protocol):
    def list_for(self, person_id: int, from_day: date) -> list[AwayPeriod]:
        """A person's away periods ending on or after `from_day`, by first day."""
        ...

    def list_for_people(self, person_ids: Sequence[int], from_day: date) -> list[AwayPeriod]:
        """Away periods of several people ending on or after `from_day`."""
        ...

    def add(
        self, person_id: int, first_day: date, last_day: date, created_at: datetime
    ) -> AwayPeriod:
        """Record an away period."""
        ...

    def delete(self, away_id: int) -> None:
        """Cancel an away period."""
        ...


class ClosureRepository(Protocol):
    def all(self, workspace_id: int) -> list[Closure]:
        """The workspace's closures: holiday calendars first, then date ranges by first day."""
        ...

    def add(self, closure: Closure) -> Closure:
        """Record a closure (its id is ignored and assigned)."""
        ...

    def delete(self, closure_id: int) -> None:
        """Remove a closure."""
        ...


class PostRepository(Protocol):
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
        ...

    def find_by_url(self, channel_id: int, url: str) -> Post | None:
        """The post already recorded for this channel and URL."""
        ...

    def from_chat_message(self, workspace_id: int, chat_ref: str) -> list[Post]:
        """The posts recorded from one chat message, oldest first."""
        ...

    def withdraw(self, post_id: int) -> bool:
        """Take a post out of the record; False if it was not there."""
        ...

    def last_post_times(self, workspace_id: int) -> dict[int, datetime]:
        """Each outreach channel's latest post time."""
        ...

    def count_by_channel(self, workspace_id: int, since: datetime) -> list[ChannelCount]:
        """Posts per outreach channel since `since`."""
        ...

    def count_by_author(self, workspace_id: int, since: datetime) -> list[PersonCount]:
        """Posts per author since `since`."""
        ...

    def tally(self, workspace_id: int, bounds: Sequence[datetime]) -> list[PostTally]:
        """Posts per window, outreach channel and author; window i is [bounds[i], bounds[i+1])."""
        ...


class ReminderRepository(Protocol):
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
        ...

    def of_spell(self, channel_id: int, spell_start: datetime) -> list[Reminder]:
        """The reminders of one quiet spell, oldest first."""
        ...

    def pending(
        self, workspace_id: int, max_attempts: int, stale_before: datetime
    ) -> list[Reminder]:
        """Not sent yet, fewer than `max_attempts` tries, and not being tried right now: never
        tried, last try failed, or last try began before `stale_before` and never finished."""
        ...

    def failed(self, workspace_id: int) -> list[Reminder]:
        """Reminders not sent whose last try failed, newest first."""
        ...

    def start_attempt(self, claim_id: int, attempts_seen: int, at: datetime) -> bool:
        """Take the next try at sending, if nobody else has since `attempts_seen`."""
        ...

    def mark_sent(self, claim_id: int, at: datetime) -> None:
        """The reminder went out."""
        ...

    def mark_failed(self, claim_id: int, reason: str) -> None:
        """The last try failed, for `reason` (an error code, never a secret)."""
        ...

    def answer(self, channel_id: int, at: datetime) -> int:
        """Mark the channel's sent, unanswered reminders answered; how many."""
        ...

    def between(self, workspace_id: int, since: datetime, until: datetime) -> list[Reminder]:
        """Reminders created in [since, until), oldest first."""
        ...


class DeliveryRepository(Protocol):
    def claim(
        self, workspace_id: int, kind: DeliveryKind, key: str, created_at: datetime
    ) -> Delivery | None:
        """Record a one-off message under its key; None if it was claimed already."""
        ...

    def get(self, workspace_id: int, kind: DeliveryKind, key: str) -> Delivery | None:
        """The delivery claimed under this key."""
        ...

    def pending(
        self, workspace_id: int, max_attempts: int, stale_before: datetime
    ) -> list[Delivery]:
        """Not sent yet, fewer than `max_attempts` tries, and not being tried right now: never
        tried, last try failed, or last try began before `stale_before` and never finished."""
        ...

    def failed(self, workspace_id: int) -> list[Delivery]:
        """Deliveries not sent whose last try failed, newest first."""
        ...

    def start_attempt(self, claim_id: int, attempts_seen: int, at: datetime) -> bool:
        """Take the next try at sending, if nobody else has since `attempts_seen`."""
        ...

    def mark_sent(self, claim_id: int, at: datetime) -> None:
        """The message went out."""
        ...

    def mark_failed(self, claim_id: int, reason: str) -> None:
        """The last try failed, for `reason`."""
        ...


class DigestSettingsRepository(Protocol):
    def get(self, workspace_id: int) -> DigestSettings:
        """The workspace's digest settings; the defaults until a coordinator changes them."""
        ...

    def save(self, settings: DigestSettings) -> None:
        """Save every field of `settings`, its extra recipients included."""
        ...


class EventRepository(Protocol):
    def first_time(self, platform: str, event_id: str, at: datetime) -> bool:
        """Record that an event arrived; False if it had arrived before (a retry)."""
        ...

    def forget_before(self, at: datetime) -> int:
        """Forget the events that arrived before `at`; how many."""
        ...


class AddressRepository(Protocol):
    """Where the chat platform can reach someone later (Teams conversation references)."""

    def put(self, workspace_id: int, key: str, address: str, at: datetime) -> None:
        """Remember `address` under `key`, replacing what was there."""
        ...

    def get(self, workspace_id: int, key: str) -> str | None:
        """The address remembered under `key`, if any."""
        ...

    def with_prefix(self, workspace_id: int, prefix: str) -> list[str]:
        """Every address whose key starts with `prefix`, most recently seen first."""
        ...


class PrivateLinkRepository(Protocol):
    """Private, revocable links: a random token that opens one person's calendar or export."""

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
        ...

    def live(self, person_id: int, kind: str, now: datetime) -> PrivateLink | None:
        """The person's newest link of this kind that is neither revoked nor expired at `now`."""
        ...

    def find(self, token: str, now: datetime) -> PrivateLink | None:
        """The link with this token, if it is neither revoked nor expired at `now` and its
        person has not left the workspace."""
        ...

    def revoke(self, person_id: int, kind: str, at: datetime) -> int:
        """Revoke every link of this kind the person has that is not revoked yet; how many."""
        ...


class SwapRepository(Protocol):
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
        ...

    def get(self, swap_id: int) -> Swap | None:
        """A swap by id."""
        ...

    def decide(self, swap_id: int, status: SwapStatus, at: datetime) -> bool:
        """Settle a pending swap; False if it was no longer pending."""
        ...

    def pin(self, rota_id: int, start: datetime, person_id: int, swap_id: int) -> None:
        """Give the shift starting at `start` to `person_id`, replacing an earlier pin (two
        at once collide)."""
        ...

    def pins(self, rota_id: int, since: datetime) -> dict[datetime, int]:
        """Pinned holders of the rota's shifts starting at or after `since`."""
        ...


class FeedError(Exception):
    """A feed could not be read; `reason` says why in words a coordinator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FeedReader(Protocol):
    """Reads RSS and Atom feeds over the web."""

    def read(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FeedRead:
        """The feed's entries, or `unchanged` when the validators still hold; FeedError when
        it cannot be read or is not a feed."""
        ...


class FeedRepository(Protocol):
    def state(self, channel_id: int) -> FeedState | None:
        """What the feed watch remembers of the channel's feed."""
        ...

    def save_state(self, state: FeedState) -> None:
        """Keep the channel's feed state, replacing the earlier one."""
        ...

    def seen(self, channel_id: int) -> set[str]:
        """The keys of every entry seen in the channel's feed."""
        ...

    def leave_out(self, channel_id: int, entry_key: str, at: datetime) -> None:
        """Remember an entry seen and left out as history."""
        ...

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
        channel already has a post with that URL."""
        ...

    def forget_left_out(self, channel_id: int) -> int:
        """Forget the entries left out as history, so a backfill can look at them again."""
        ...

    def mark_told(self, channel_id: int, at: datetime) -> bool:
        """Note that coordinators were told of the feed's current failure; False if they
        already were."""
        ...

    def authors(self, workspace_id: int) -> dict[str, int]:
        """People credited for entries by the author name in feeds (as `name_key` gives it)."""
        ...

    def author_list(self, workspace_id: int) -> list[tuple[str, int]]:
        """Each author name credited to someone, as first given, with that person; by name."""
        ...

    def set_author(self, workspace_id: int, name: str, person_id: int | None) -> None:
        """Credit entries by `name` to a person, or (None) stop doing so."""
        ...


class RecordRepository(Protocol):
    """A workspace's whole record read at once, for the export."""

    def posts(self, workspace_id: int) -> list[RecordedPost]:
        """Every post of the workspace, with when it was recorded, by the time it was posted."""
        ...

    def shifts(self, workspace_id: int) -> list[Shift]:
        """Every shift of the workspace's rotas, rota by rota, by start."""
        ...

    def reminders(self, workspace_id: int) -> list[Reminder]:
        """Every reminder of the workspace, in the order they were claimed."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository: commit, or nothing is written."""

    workspaces: WorkspaceRepository
    people: PersonRepository
    channels: ChannelRepository
    rotas: RotaRepository
    memberships: MembershipRepository
    shifts: ShiftRepository
    away: AwayRepository
    closures: ClosureRepository
    posts: PostRepository
    events: EventRepository
    swaps: SwapRepository
    reminders: ReminderRepository
    deliveries: DeliveryRepository
    digests: DigestSettingsRepository
    addresses: AddressRepository
    links: PrivateLinkRepository
    feeds: FeedRepository
    records: RecordRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the work of this unit permanent."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork:
        """A fresh unit of work."""
        ...
