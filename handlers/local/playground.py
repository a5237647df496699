"""The playground: act as any of the demo library's staff, and move its clock.

A chat platform sends Baton what people typed, marked up (Slack: `<@U123|jane>`,
`<#C123|outreach>`, `&lt;`). The playground does the same for what is typed on its page,
so the one parser understands both. Everything here is synchronous and serialised by one
lock (the page's requests come in worker threads); the clock only moves when asked, and
then the scheduled jobs run at the moments in between, as the scheduler would have.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.jobs import Job
from bot.messages import Message, Reply
from bot.ports import Clock
from bot.services import Baton, Caller
from bot.services.people import Outcome
from handlers.local import demo
from handlers.local.chat import LocalDirectory, LocalNotifier

log = logging.getLogger(__name__)

PLATFORM = "local"
WORKSPACE = "demo"
STEPS: dict[str, timedelta] = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
STOPS = (time(9, 5), time(11, 0), time(15, 0))
"""Where a move of a day or more stops each day to run the jobs: just after the usual
handoff, mid-morning, and the digest's usual time."""
TEXT_LIMIT = 4000

_HANDLE = re.compile(r"(?<![\w@/.])@([A-Za-z][A-Za-z0-9._-]*)")
_CHAT_CHANNEL = re.compile(r"(?<![\w&/#])#([A-Za-z0-9][A-Za-z0-9_-]*)")


class DemoStore(Protocol):
    """What the playground needs from wherever the records live (wired in `bot.app`)."""

    @property
    def clock_file(self) -> Path | None:
        """Where the playground keeps its clock between runs, if anywhere."""
        ...

    def has_workspace(self, platform: str, external_id: str) -> bool:
        """Whether a workspace has any records yet."""
        ...

    def wipe(self) -> str | None:
        """Empty the database for a fresh demo; None when done, else why it can't be."""
        ...

    def departed(self, platform: str, external_id: str) -> set[str]:
        """The ids of people who have left a workspace."""
        ...


class UnknownPersonError(Exception):
    """Someone who is not on the demo library's staff."""


class LeftLibraryError(Exception):
    """Someone who has left the demo library: nobody can act as them until they are back."""


@dataclass(frozen=True, slots=True)
class JobRun:
    """One job that sent something while the clock moved."""

    at: datetime
    job: str
    sent: int


@dataclass(frozen=True, slots=True)
class ClockMove:
    """Where the clock was and is, and what the jobs sent on the way."""

    before: datetime
    after: datetime
    runs: list[JobRun] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(run.sent for run in self.runs)


def stops_between(start: datetime, end: datetime, zone: str) -> list[datetime]:
    """The daily stops after `start` and before `end`, then `end` itself."""
    tz = ZoneInfo(zone)
    moments: list[datetime] = []
    day: date = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        for at in STOPS:
            moment = datetime.combine(day, at, tz).astimezone(UTC)
            if start < moment < end:
                moments.append(moment)
        day += timedelta(days=1)
    return [*moments, end]


def to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def marked_up(typed: str, directory: LocalDirectory, chat_channels: Sequence[str]) -> str:
    """What was typed, as a chat platform would send it: `&`, `<` and `>` escaped, and
    `@ben` and `#outreach` made into mentions of the staff and chat channels there are."""
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def person(match: re.Match[str]) -> str:
        entry = directory.by_handle(match.group(1))
        if entry is None:
            return match.group(0)
        return f"<@{entry.external_id}|{entry.handle}>"

    def chat_channel(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<#{name}|{name}>" if name in chat_channels else match.group(0)

    return _CHAT_CHANNEL.sub(chat_channel, _HANDLE.sub(person, escaped))


class Playground:
    """The demo library over the real Baton, on a clock the page moves."""

    def __init__(
        self,
        *,
        baton: Baton,
        jobs: Mapping[str, Job],
        clock: FixedClock,
        real_clock: Clock,
        notifier: LocalNotifier,
        directory: LocalDirectory,
        store: DemoStore,
    ) -> None:
        self._baton = baton
        self._jobs = dict(jobs)
        self.clock = clock
        self._real_clock = real_clock
        self.notifier = notifier
        self.directory = directory
        self._store = store
        self._lock = threading.RLock()

    # -- who and when -----------------------------------------------------------------

    @property
    def timezone(self) -> str:
        return demo.TIMEZONE

    def now(self) -> datetime:
        return self.clock.now()

    def caller(self, external_id: str) -> Caller:
        """The demo staff member with this id, as Baton's services name them."""
        entry = self.directory.entry(external_id)
        if entry is None:
            raise UnknownPersonError(external_id)
        return Caller(
            platform=PLATFORM,
            workspace_external_id=WORKSPACE,
            user_external_id=entry.external_id,
            user_name=entry.handle or entry.display_name,
            workspace_name=demo.WORKSPACE_NAME,
        )

    def _acting(self, external_id: str) -> Caller:
        """The caller, who must not have left the library (a chat platform sends nothing
        from a deactivated account)."""
        caller = self.caller(external_id)
        entry = self.directory.entry(external_id)
        if entry is not None and entry.deleted:
            raise LeftLibraryError(entry.display_name)
        return caller

    def _marked_up(self, typed: str) -> str:
        return marked_up(typed, self.directory, self.notifier.chat_channels)

    # -- what people do ---------------------------------------------------------------

    def run_command(self, external_id: str, typed: str) -> Reply:
        """`/duty <typed>` as this person; their private reply."""
        caller = self._acting(external_id)
        with self._lock:
            return self._baton.run_command(caller, self._marked_up(typed[:TEXT_LIMIT]))

    def press(self, external_id: str, action: str, value: str, *, on_home: bool) -> Reply:
        """A button pressed; on the Home, a message comes back as the Home with it on top."""
        caller = self._acting(external_id)
        with self._lock:
            reply = self._baton.press(caller, action, value)
            if on_home and isinstance(reply, Message):
                return self._baton.home(caller, reply)
            return reply

    def submit(
        self, external_id: str, form_id: str, answers: dict[str, str], submission_id: str
    ) -> Reply:
        """A form sent back filled in (the same submission id twice counts once)."""
        caller = self._acting(external_id)
        with self._lock:
            return self._baton.submit(caller, form_id, answers, submission_id or None)

    def home(self, external_id: str) -> Message:
        """A person's App Home."""
        caller = self._acting(external_id)
        with self._lock:
            return self._baton.home(caller)

    def leaves(self, external_id: str) -> Outcome:
        """A member of staff leaves the library: their chat account is deactivated and the
        platform tells Baton so, as Slack's `user_change` does."""
        if self.directory.entry(external_id) is None:
            raise UnknownPersonError(external_id)
        with self._lock:
            entry = self.directory.mark_left(external_id, True)
            return self._baton.person_changed(PLATFORM, WORKSPACE, entry)

    def comes_back(self, external_id: str) -> Outcome:
        """Someone who left is back: their account is active again."""
        if self.directory.entry(external_id) is None:
            raise UnknownPersonError(external_id)
        with self._lock:
            entry = self.directory.mark_left(external_id, False)
            return self._baton.person_changed(PLATFORM, WORKSPACE, entry)

    def _sync_departed(self) -> None:
        """The directory's word on who has left, as the records have it."""
        departed = self._store.departed(PLATFORM, WORKSPACE)
        for entry in self.directory.everyone():
            self.directory.mark_left(entry.external_id, entry.external_id in departed)

    # -- the clock --------------------------------------------------------------------

    def advance(self, step: str) -> ClockMove:
        """Move the clock by an hour, a day or a week, running the jobs at each stop."""
        with self._lock:
            before = self.clock.now()
            after = before + STEPS[step]
            runs: list[JobRun] = []
            for moment in stops_between(before, after, self.timezone):
                self.clock.set(moment)
                runs += self._run_jobs()
            self._save_clock()
            return ClockMove(before, after, runs)

    def _run_jobs(self) -> list[JobRun]:
        now = self.clock.now()
        runs: list[JobRun] = []
        for job in self._jobs.values():
            try:
                sent = job.run(now)
            except Exception:
                log.exception("job %s failed in the playground", job.name)
                continue
            if sent:
                runs.append(JobRun(now, job.name, sent))
        return runs

    def _save_clock(self) -> None:
        path = self._store.clock_file
        if path is None:
            return
        try:
            path.write_text(json.dumps({"now": self.clock.now().isoformat()}), encoding="utf-8")
        except OSError as error:
            log.warning("could not keep the playground's clock in %s: %s", path, error)

    def _saved_clock(self) -> datetime | None:
        path = self._store.clock_file
        if path is None or not path.exists():
            return None
        try:
            saved = datetime.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["now"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return saved if saved.tzinfo is not None else None

    # -- the demo ---------------------------------------------------------------------

    def ensure_demo(self) -> bool:
        """Seed the demo library unless it is there already; True if it was seeded. An
        existing demo carries on from where its clock was left."""
        with self._lock:
            if self._store.has_workspace(PLATFORM, WORKSPACE):
                self._sync_departed()
                saved = self._saved_clock()
                real = to_minute(self._real_clock.now())
                self.clock.set(max(saved, real) if saved is not None else real)
                return False
            self._seed()
            return True

    def reset(self) -> str | None:
        """Start the demo afresh; None when done, else why it can't be."""
        with self._lock:
            refusal = self._store.wipe()
            if refusal is not None:
                return refusal
            self._sync_departed()  # everyone is back for the fresh demo
            self._seed()
            return None

    def _seed(self) -> None:
        now = to_minute(self._real_clock.now())
        steps = demo.history(now)
        log.info(
            "seeding the demo library: %d commands over %d weeks",
            len(steps),
            demo.HISTORY_WEEKS,
        )
        for step in steps:
            self.clock.set(step.at)
            reply = self._baton.run_command(self.caller(step.person), self._marked_up(step.text))
            log.debug("seed %s %s: %s", step.person, step.text, getattr(reply, "summary", reply))
        self.clock.set(now)
        self.notifier.clear()
        self._run_jobs()
        self._save_clock()
