"""A library's staff as Baton's services see them: Baton over a test database, a directory
of the staff and a record of the direct messages it sends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.clock import FixedClock
from bot.messages import Bullets, Fields, Heading, Message, Paragraph, Reply, plain_text
from bot.ports import DirectoryEntry
from bot.services import Baton, Caller
from bot.services.people import Outcome
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.fakes import FakeDirectory, FakeNotifier, staff_entry

START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday, 10:00 in London
TEAM = "T0LIB"
STAFF = {
    "U0ADA": staff_entry("U0ADA", "ada", admin=True),
    "U0BEN": staff_entry("U0BEN", "ben"),
    "U0CAT": staff_entry("U0CAT", "cat"),
    "U0DAN": staff_entry("U0DAN", "dan"),
}


def said(reply: Reply) -> str:
    """Everything a person reads in a message, as one string."""
    assert isinstance(reply, Message)
    parts: list[str] = []
    for block in reply.blocks:
        match block:
            case Heading(value):
                parts.append(value)
            case Paragraph(spans):
                parts.append(plain_text(spans))
            case Bullets(items):
                parts.extend(plain_text(item) for item in items)
            case Fields(pairs):
                parts.extend(f"{label}: {plain_text(value)}" for label, value in pairs)
    return "\n".join(parts)


def on_duty(who: str) -> str:
    """Who is on duty now, from the answer to `who`."""
    line = next(line for line in who.splitlines() if line.startswith("Now "))
    return line.rsplit(": ", 1)[1]


def gone(external_id: str) -> DirectoryEntry:
    """The directory entry of a member of staff whose account was deactivated."""
    return replace(STAFF[external_id], deleted=True)


class Library:
    """Baton over the test database, with the staff's directory and their direct messages."""

    def __init__(self, factory: SqlAlchemyUnitOfWorkFactory) -> None:
        self.clock = FixedClock(START)
        self.directory = FakeDirectory(dict(STAFF))
        self.notifier = FakeNotifier()
        self.baton = Baton(
            uow_factory=factory,
            clock=self.clock,
            directory=self.directory,
            notifier=self.notifier,
        )

    def duty(self, user: str, text: str) -> str:
        return said(self.baton.run_command(Caller("slack", TEAM, user), text))

    def dms(self, user: str) -> list[str]:
        return [said(message) for message in self.notifier.to(user)]

    def leaves(self, user: str) -> Outcome:
        """The platform says the account was deactivated (its directory says so too)."""
        self.directory.users[user] = gone(user)
        return self.baton.person_changed("slack", TEAM, gone(user))
