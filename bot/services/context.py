"""Who is asking, in which workspace, and what they may do."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.domain.feeds import FeedRead
from bot.domain.model import Person, Role, Rota, Workspace
from bot.messages import Attachment, Message
from bot.ports import (
    ConflictError,
    Directory,
    DirectoryEntry,
    DirectoryUnavailableError,
    FeedError,
    UnitOfWork,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_ROTA_NAME = "social media"
DIRECTORY_REFRESH = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Caller:
    """The person behind a command, as the chat platform names them."""

    platform: str
    workspace_external_id: str
    user_external_id: str
    user_name: str = ""
    workspace_name: str = ""


class FeedNeededError(Exception):
    """A request needs a feed read first; `Baton` reads it and runs the request again."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class RefusalError(Exception):
    """A request Baton turns down; the message says why and what to do."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.summary)
        self.message = message


@dataclass(frozen=True, slots=True)
class FileDelivery:
    """Files for a person, with the message that introduces them and what to tell the asker
    once they went (`sent`) or didn't (`failed`, followed by the reason)."""

    person: Person
    message: Message
    files: tuple[Attachment, ...]
    sent: Message
    failed: str


@dataclass(slots=True)
class Context:
    """One command's view of the world, inside one unit of work."""

    uow: UnitOfWork
    workspace: Workspace
    person: Person
    now: datetime
    configured_coordinators: frozenset[str]
    directory: Directory
    outbox: list[tuple[Person, Message, int | None]] = field(default_factory=list)
    """Direct messages to send once the change is committed, each with the id of the
    delivery it settles (a claimed handoff), if any."""
    notes: list[Message] = field(default_factory=list)
    chat_outbox: list[tuple[str, Message]] = field(default_factory=list)
    """Posts for chat channels (by their platform id), sent once the change is committed."""
    public_url: str | None = None
    """Where people reach Baton's web server (for links to it), if it is known."""
    feed_reads: dict[str, FeedRead | FeedError] = field(default_factory=dict)
    """Feeds read before this transaction began, by address (see `read_feed`)."""
    watch_default: str | None = None
    """The chat channel watched in every workspace that has not chosen one
    (`BATON_WATCH_CHANNEL`)."""
    attaches_files: bool = False
    """Whether the chat platform takes files in a direct message (else: a download link)."""
    file_outbox: list[FileDelivery] = field(default_factory=list)
    """Files to send once the unit of work is over."""

    @property
    def is_coordinator(self) -> bool:
        return is_coordinator(self.person, self.configured_coordinators)

    @property
    def is_director(self) -> bool:
        return self.person.role is Role.DIRECTOR

    def tell(self, person: Person, message: Message, delivery_id: int | None = None) -> None:
        """Queue a direct message, sent once the change is committed; `delivery_id` is a
        claimed message it stands for, marked sent or failed with it."""
        if person.id != self.person.id and not person.deleted:
            self.outbox.append((person, message, delivery_id))

    def send_files(
        self, message: Message, files: Sequence[Attachment], sent: Message, failed: str
    ) -> None:
        """Queue files for the asker, sent once the unit of work is over; then `sent` is told
        to them, or, if the files can't be delivered, `failed` and the reason."""
        self.file_outbox.append(FileDelivery(self.person, message, tuple(files), sent, failed))

    def post_in_chat_channel(self, chat_channel_id: str, message: Message) -> None:
        """Queue a post in a chat channel, sent once the change is committed; a refusal is
        told to the asker."""
        self.chat_outbox.append((chat_channel_id, message))

    def read_feed(self, url: str) -> FeedRead:
        """The feed at `url` as read just before this transaction; FeedError if that failed.

        A feed not read yet raises FeedNeededError: the request is then read outside any
        transaction (no lock is held while a slow server answers) and run again.
        """
        found = self.feed_reads.get(url)
        if found is None:
            raise FeedNeededError(url)
        if isinstance(found, FeedError):
            raise found
        return found

    def default_rota(self) -> Rota:
        rotas = self.uow.rotas.all(self.workspace.id)
        if not rotas:
            raise RuntimeError(f"workspace {self.workspace.id} has no rota")
        return rotas[0]

    def local_today(self) -> date:
        """Today in the asking person's timezone (the rota's when theirs is unknown)."""
        zone = self.person.timezone or self.default_rota().timezone
        return self.now.astimezone(_zone(zone)).date()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def is_coordinator(person: Person, configured: frozenset[str]) -> bool:
    """Coordinators: platform admins, people listed in settings, and those promoted (§2)."""
    return (
        person.platform_admin or person.external_id in configured or person.role is Role.COORDINATOR
    )


def coordinators(uow: UnitOfWork, workspace: Workspace, configured: frozenset[str]) -> list[Person]:
    """Every coordinator Baton knows of in the workspace."""
    return [
        p
        for p in uow.people.everyone(workspace.id)
        if not p.deleted and is_coordinator(p, configured)
    ]


def open_workspace(uow: UnitOfWork, caller: Caller) -> tuple[Workspace, bool]:
    """The caller's workspace, created with its first rota on first use; True if new."""
    workspace = uow.workspaces.get_by_external_id(caller.platform, caller.workspace_external_id)
    if workspace is not None:
        return workspace, False
    workspace = uow.workspaces.add(
        caller.platform, caller.workspace_external_id, caller.workspace_name
    )
    uow.rotas.add(Rota(id=0, workspace_id=workspace.id, name=DEFAULT_ROTA_NAME))
    return workspace, True


def adopt_timezone(uow: UnitOfWork, workspace: Workspace, timezone: str) -> None:
    """Set a new workspace's first rota to the timezone of the person who started it."""
    try:
        ZoneInfo(timezone)
    except (KeyError, ValueError):
        return
    for rota in uow.rotas.all(workspace.id):
        uow.rotas.update(replace(rota, timezone=timezone))


def remember(
    uow: UnitOfWork,
    directory: Directory,
    workspace: Workspace,
    external_id: str,
    now: datetime,
    fallback_name: str = "",
) -> Person | None:
    """A person as Baton knows them, looked up on the platform when new or stale.

    Returns None when the platform says there is no such user, or that it is a bot. When
    the platform can't
    be reached, a known person is returned as remembered, and a new one is remembered
    under `fallback_name` if there is one.
    """
    known = uow.people.get_by_external_id(workspace.id, external_id)
    if known is not None:
        refreshed = uow.people.refreshed_at(known.id)
        if refreshed is not None and now - refreshed < DIRECTORY_REFRESH:
            return known
    try:
        entry = directory.lookup(workspace, external_id)
    except DirectoryUnavailableError as error:
        log.warning("directory lookup failed: %s", error)
        if known is not None:
            return known
        if not fallback_name:
            raise RefusalError(
                Message.say(
                    "I couldn't reach the chat service to look that person up. "
                    "Please try again in a minute."
                )
            ) from error
        entry = DirectoryEntry(external_id, fallback_name, None, None, False, False)
        # Remembered as stale, so the platform is asked again next time.
        return uow.people.save_from_directory(workspace.id, entry, now - DIRECTORY_REFRESH)
    if entry is None or entry.is_bot:
        return None
    return uow.people.save_from_directory(workspace.id, entry, now)


def once_more_on_conflict(work: Callable[[], T]) -> T:
    """Run `work` (one transaction), and once more if it collided with another writer; a
    second collision is raised."""
    try:
        return work()
    except ConflictError:
        return work()


def new_delivery(uow: UnitOfWork, platform: str, event_id: str | None, now: datetime) -> bool:
    """Claim a platform's event (if it has an id) in this transaction: False when it was
    handled before, so its retry changes nothing, while a failed try, rolled back, is no
    claim at all."""
    return event_id is None or uow.events.first_time(platform, event_id, now)
