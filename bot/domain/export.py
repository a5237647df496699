"""The export of §5: a workspace's posts, shifts and reminders as CSV files that a
spreadsheet opens as they are, and the three together in a zip. Standard library only.

Each file has one row per record and a header row of plain words. Times are given in
ISO 8601 UTC and, where a person reads them by the clock on the wall, in the rota's local
time too. Files are UTF-8 with a byte-order mark (so Excel reads accents) and CRLF line
ends; a cell that a spreadsheet would take for a formula (it starts with `=`, `+`, `-`,
`@`, a tab or a carriage return) is written with a leading `'`, so opening an export never
runs what somebody typed into a note.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain.model import OutreachChannel, Person, Post, Reminder, Rota, Shift, Workspace

ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: Excel otherwise reads a CSV in the machine's code page."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes for the start of a formula."""
ZIP_NAME = "baton-export.zip"
CSV_TYPE = "text/csv"

POST_COLUMNS = (
    "Post ID",
    "Posted (UTC)",
    "Posted (local)",
    "Timezone",
    "Outreach channel",
    "Channel kind",
    "Author",
    "Author's chat ID",
    "Source",
    "URL",
    "Note",
    "Recorded by",
    "Recorded by (chat ID)",
    "Recorded (UTC)",
)
SHIFT_COLUMNS = (
    "Shift ID",
    "Rota",
    "Starts (UTC)",
    "Ends (UTC)",
    "Starts (local)",
    "Ends (local)",
    "Timezone",
    "On duty",
    "On duty (chat ID)",
    "Origin",
    "Handed over early",
)
REMINDER_COLUMNS = (
    "Reminder ID",
    "Outreach channel",
    "Day",
    "Quiet since (UTC)",
    "Sent to",
    "Sent to (chat ID)",
    "Claimed (UTC)",
    "Sent (UTC)",
    "Sent (local)",
    "Answered (UTC)",
    "Status",
    "Tries",
    "Last error",
)

TO_COORDINATORS = "coordinators"
"""Who a reminder went to when nobody was on duty to get it."""


@dataclass(frozen=True, slots=True)
class RecordedPost:
    """A post with the moment it was recorded (which the post itself doesn't carry)."""

    post: Post
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class ExportRecords:
    """Everything one workspace's export is made of, as read from the records."""

    workspace: Workspace
    people: Sequence[Person]
    channels: Sequence[OutreachChannel]
    rotas: Sequence[Rota]
    posts: Sequence[RecordedPost]
    shifts: Sequence[Shift]
    reminders: Sequence[Reminder]

    @property
    def timezone(self) -> str:
        """The library's timezone: its first rota's (UTC when it has none)."""
        return self.rotas[0].timezone if self.rotas else "UTC"


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file of an export: its name, a title for people, and its bytes."""

    filename: str
    title: str
    content: bytes
    mime_type: str = CSV_TYPE


def safe_cell(value: str) -> str:
    """A text cell that a spreadsheet shows as text: a would-be formula gets a leading `'`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def utc(moment: datetime | None) -> str:
    """`2026-11-30T09:00:00Z`, or nothing."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def local(moment: datetime | None, timezone: str) -> str:
    """`2026-11-30 09:00` on the clocks of `timezone`, or nothing."""
    if moment is None:
        return ""
    return f"{moment.astimezone(_zone(timezone)):%Y-%m-%d %H:%M}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _day(value: date) -> str:
    return value.isoformat()


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[str | int]]) -> bytes:
    """A CSV file: the header, then the rows, text cells guarded against formulas."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue().encode(ENCODING)


class _Names:
    """People and channels by id, as the export names them."""

    def __init__(self, records: ExportRecords) -> None:
        self._people = {person.id: person for person in records.people}
        self._channels = {channel.id: channel for channel in records.channels}
        self._rotas = {rota.id: rota for rota in records.rotas}

    def person(self, person_id: int | None) -> tuple[str, str]:
        """A person's name and chat id; blanks for nobody (or somebody no longer known)."""
        person = self._people.get(person_id) if person_id is not None else None
        if person is None:
            return "", ""
        return person.display_name, person.external_id

    def channel(self, channel_id: int) -> OutreachChannel | None:
        return self._channels.get(channel_id)

    def rota(self, rota_id: int) -> Rota | None:
        return self._rotas.get(rota_id)


def posts_csv(records: ExportRecords) -> bytes:
    """One row per recorded post, in the order they were posted."""
    names = _Names(records)
    zone = records.timezone
    rows: list[list[str | int]] = []
    ordered = sorted(records.posts, key=lambda r: (r.post.posted_at, r.post.id))
    for recorded in ordered:
        post = recorded.post
        channel = names.channel(post.channel_id)
        author, author_id = names.person(post.author_id)
        recorder, recorder_id = names.person(post.recorded_by_id)
        rows.append(
            [
                post.id,
                utc(post.posted_at),
                local(post.posted_at, zone),
                zone,
                channel.name if channel is not None else "",
                channel.kind.value if channel is not None else "",
                author,
                author_id,
                post.source.value,
                post.url or "",
                post.note or "",
                recorder,
                recorder_id,
                utc(recorded.recorded_at),
            ]
        )
    return csv_bytes(POST_COLUMNS, rows)


def shifts_csv(records: ExportRecords) -> bytes:
    """One row per shift, rota by rota, in the order they start."""
    names = _Names(records)
    rota_order = {rota.id: index for index, rota in enumerate(records.rotas)}
    rows: list[list[str | int]] = []
    ordered = sorted(
        records.shifts, key=lambda s: (rota_order.get(s.rota_id, len(rota_order)), s.start)
    )
    for shift in ordered:
        rota = names.rota(shift.rota_id)
        zone = rota.timezone if rota is not None else records.timezone
        holder, holder_id = names.person(shift.person_id)
        rows.append(
            [
                shift.id if shift.id is not None else "",
                rota.name if rota is not None else "",
                utc(shift.start),
                utc(shift.end),
                local(shift.start, zone),
                local(shift.end, zone),
                zone,
                holder,
                holder_id,
                shift.origin.value,
                "yes" if shift.handed_over else "no",
            ]
        )
    return csv_bytes(SHIFT_COLUMNS, rows)


def reminder_status(reminder: Reminder) -> str:
    """Where a reminder stands, in words."""
    if reminder.answered_at is not None:
        return "answered"
    if reminder.sent_at is not None:
        return "sent, not answered"
    if reminder.last_error:
        return "not sent: failed"
    return "not sent yet"


def reminders_csv(records: ExportRecords) -> bytes:
    """One row per reminder of a quiet channel, in the order they were claimed."""
    names = _Names(records)
    zone = records.timezone
    rows: list[list[str | int]] = []
    for reminder in sorted(records.reminders, key=lambda r: (r.created_at, r.id)):
        channel = names.channel(reminder.channel_id)
        if reminder.person_id is None:
            to, to_id = TO_COORDINATORS, ""
        else:
            to, to_id = names.person(reminder.person_id)
        rows.append(
            [
                reminder.id,
                channel.name if channel is not None else "",
                _day(reminder.day),
                utc(reminder.spell_start),
                to,
                to_id,
                utc(reminder.created_at),
                utc(reminder.sent_at),
                local(reminder.sent_at, zone),
                utc(reminder.answered_at),
                reminder_status(reminder),
                reminder.attempts,
                reminder.last_error or "",
            ]
        )
    return csv_bytes(REMINDER_COLUMNS, rows)


def file_prefix(workspace: Workspace) -> str:
    """`riverside-library`: the workspace's name as a file name (its id when it has none)."""
    slug = re.sub(r"[^a-z0-9]+", "-", workspace.name.casefold()).strip("-")
    return slug or re.sub(r"[^A-Za-z0-9]+", "-", workspace.external_id).strip("-") or "baton"


def export_files(records: ExportRecords) -> tuple[ExportFile, ExportFile, ExportFile]:
    """The three CSV files of an export: posts, shifts and reminders."""
    return (
        ExportFile("posts.csv", "Baton export: posts", posts_csv(records)),
        ExportFile("shifts.csv", "Baton export: shifts", shifts_csv(records)),
        ExportFile("reminders.csv", "Baton export: reminders", reminders_csv(records)),
    )


def export_zip(files: Sequence[ExportFile], made_at: datetime) -> bytes:
    """The files in one zip, each dated `made_at` (UTC)."""
    stamp = made_at.astimezone(UTC)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            info = zipfile.ZipInfo(
                file.filename,
                date_time=(stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, 0),
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.content)
    return buffer.getvalue()
