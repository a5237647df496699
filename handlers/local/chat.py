"""The playground's stand-ins for a chat platform: its staff directory and its messages."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.model import Person, Workspace
from bot.messages import Attachment, Message
from bot.ports import Clock, DirectoryEntry, NotifyError


class LocalDirectory:
    """The demo library's staff, as a chat platform's directory would describe them."""

    def __init__(self, entries: Iterable[DirectoryEntry]) -> None:
        self._entries = {entry.external_id: entry for entry in entries}

    def lookup(self, workspace: Workspace, external_id: str) -> DirectoryEntry | None:
        del workspace
        return self._entries.get(external_id)

    def entry(self, external_id: str) -> DirectoryEntry | None:
        """The member of staff with this id."""
        return self._entries.get(external_id)

    def everyone(self) -> list[DirectoryEntry]:
        """Every member of staff, in the order they were listed."""
        return list(self._entries.values())

    def mark_left(self, external_id: str, left: bool) -> DirectoryEntry:
        """Say that a member of staff has left the library (their account is deactivated),
        or is back; their entry as the directory now gives it."""
        entry = replace(self._entries[external_id], deleted=left)
        self._entries[external_id] = entry
        return entry

    def by_handle(self, handle: str) -> DirectoryEntry | None:
        """The member of staff with this handle (`ben`), ignoring case."""
        wanted = handle.casefold()
        return next(
            (e for e in self._entries.values() if (e.handle or "").casefold() == wanted), None
        )


@dataclass(frozen=True, slots=True)
class Delivered:
    """A message as it arrived: when (by the playground's clock) and what."""

    at: datetime
    message: Message


class LocalNotifier:
    """Keeps every direct message per person and every post per chat channel, in memory.

    Jobs run in worker threads, so every access holds a lock.
    """

    def __init__(self, clock: Clock, chat_channels: Iterable[str]) -> None:
        self._clock = clock
        self._chat_channels = tuple(chat_channels)
        self._direct: dict[str, list[Delivered]] = {}
        self._posted: dict[str, list[Delivered]] = {}
        self._lock = threading.Lock()

    @property
    def chat_channels(self) -> tuple[str, ...]:
        """The chat channels the playground has, by name (`outreach`)."""
        return self._chat_channels

    def send_direct(self, workspace: Workspace, person: Person, message: Message) -> None:
        del workspace
        with self._lock:
            self._direct.setdefault(person.external_id, []).append(
                Delivered(self._clock.now(), message)
            )

    def send_to_chat_channel(
        self, workspace: Workspace, chat_channel_id: str, message: Message
    ) -> None:
        del workspace
        if chat_channel_id not in self._chat_channels:
            names = ", ".join(f"#{name}" for name in self._chat_channels)
            raise NotifyError(f"the playground has no chat channel #{chat_channel_id}; use {names}")
        with self._lock:
            self._posted.setdefault(chat_channel_id, []).append(
                Delivered(self._clock.now(), message)
            )

    def attaches_files(self, workspace: Workspace) -> bool:
        """As in Teams, files come as a download link from the playground's own server."""
        del workspace
        return False

    def send_files(
        self,
        workspace: Workspace,
        person: Person,
        message: Message,
        files: Sequence[Attachment],
    ) -> None:
        del workspace, message, files
        raise NotifyError(
            f"the playground doesn't attach files to messages to {person.display_name}; it "
            "gives a download link instead"
        )

    def direct_messages(self, external_id: str) -> list[Delivered]:
        """A person's direct messages, oldest first."""
        with self._lock:
            return list(self._direct.get(external_id, ()))

    def counts(self) -> dict[str, int]:
        """How many direct messages each person has had."""
        with self._lock:
            return {who: len(messages) for who, messages in self._direct.items()}

    def posts(self, chat_channel_id: str) -> list[Delivered]:
        """What was posted in a chat channel, oldest first."""
        with self._lock:
            return list(self._posted.get(chat_channel_id, ()))

    def clear(self) -> None:
        """Forget every message (a fresh demo)."""
        with self._lock:
            self._direct.clear()
            self._posted.clear()
