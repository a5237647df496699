"""`export` (§5): a workspace's posts, shifts and reminders as CSV files, for coordinators
and directors. Where the chat platform takes files (Slack) they arrive in the asker's
direct messages with Baton; elsewhere (Teams, the playground) the asker gets a private link
to a zip of the three, which opens for 24 hours and is put together from the records as
they are when it is opened."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import commands as c
from bot.domain.export import (
    ZIP_NAME,
    ExportFile,
    ExportRecords,
    export_files,
    export_zip,
    file_prefix,
)
from bot.domain.model import Person, Role, Workspace
from bot.messages import Attachment, Code, Link, Message, Paragraph, text
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.services.context import Context, is_coordinator
from bot.services.wording import plural, when

EXPORT = "export"
"""The kind of private link a download link of an export is."""
LINK_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Archive:
    """A downloaded export: the zip's bytes and the name to save it under."""

    filename: str
    content: bytes


def download_path(token: str) -> str:
    """Where an export is downloaded from on Baton's web server."""
    return f"/export/{token}/{ZIP_NAME}"


def gather(uow: UnitOfWork, workspace: Workspace) -> ExportRecords:
    """Everything the workspace's export is made of, read now."""
    return ExportRecords(
        workspace=workspace,
        people=uow.people.everyone(workspace.id),
        channels=uow.channels.all(workspace.id, include_archived=True),
        rotas=uow.rotas.all(workspace.id),
        posts=uow.records.posts(workspace.id),
        shifts=uow.records.shifts(workspace.id),
        reminders=uow.records.reminders(workspace.id),
    )


def counts(records: ExportRecords) -> str:
    """`12 posts, 30 shifts and 4 reminders`."""
    return (
        f"{plural(len(records.posts), 'post')}, {plural(len(records.shifts), 'shift')} and "
        f"{plural(len(records.reminders), 'reminder')}"
    )


def attachments(files: tuple[ExportFile, ...]) -> list[Attachment]:
    return [Attachment(f.filename, f.title, f.content, f.mime_type) for f in files]


def may_export(person: Person, configured_coordinators: frozenset[str]) -> bool:
    """Coordinators and directors may (§2)."""
    return person.role is Role.DIRECTOR or is_coordinator(person, configured_coordinators)


def export(ctx: Context, command: c.Export) -> Message | None:
    """Send the asker the export, or a link to it."""
    del command
    records = gather(ctx.uow, ctx.workspace)
    what = counts(records)
    if ctx.attaches_files:
        files = export_files(records)
        ctx.send_files(
            Message.say(
                f"Here is the export you asked for: {what}, one row each. The files open in "
                "any spreadsheet; times are given in UTC and in the rota's time."
            ),
            attachments(files),
            sent=Message.say(
                "I've sent you the export in your direct messages with Baton: ",
                Code("posts.csv"),
                ", ",
                Code("shifts.csv"),
                " and ",
                Code("reminders.csv"),
                f", with {what}.",
            ),
            failed="I couldn't send you the export files",
        )
        return None
    if ctx.public_url is None:
        return Message.say(
            "I can't give you a download link for the export: Baton doesn't know the web "
            "address people reach it at. Whoever runs Baton must set BATON_PUBLIC_URL (like "
            "https://baton.library.org) and restart it; then ask again."
        )
    token = secrets.token_urlsafe(32)
    expires = ctx.now + LINK_LIFETIME
    ctx.uow.links.add(
        ctx.workspace.id,
        person_id=ctx.person.id,
        kind=EXPORT,
        token=token,
        created_at=ctx.now,
        expires_at=expires,
    )
    url = ctx.public_url + download_path(token)
    zone = records.timezone
    return Message(
        summary="Your export is ready to download",
        blocks=(
            Paragraph(
                text(
                    "Your export is ready: ",
                    Link(url, ZIP_NAME),
                    ", a zip of ",
                    Code("posts.csv"),
                    ", ",
                    Code("shifts.csv"),
                    " and ",
                    Code("reminders.csv"),
                    f" ({what} now).",
                )
            ),
            Paragraph(
                text(
                    "The link is for you alone and works for 24 hours, until "
                    f"{when(expires, zone)}; it holds the records as they are when you open it."
                )
            ),
        ),
    )


def archive(
    uow: UnitOfWork, token: str, now: datetime, configured_coordinators: frozenset[str]
) -> Archive | None:
    """The zip behind an export's download link, put together now; None when the link is
    unknown or expired, or its person may no longer export."""
    link = uow.links.find(token, now)
    if link is None or link.kind != EXPORT:
        return None
    person = uow.people.get(link.person_id)
    if person is None or not may_export(person, configured_coordinators):
        return None
    workspace = next((w for w in uow.workspaces.all() if w.id == link.workspace_id), None)
    if workspace is None:
        return None
    return Archive(ZIP_NAME, export_zip(export_files(gather(uow, workspace)), now))


@dataclass(frozen=True, slots=True)
class WorkspaceExport:
    """One workspace's CSV files, the folder they go in, and what they hold."""

    workspace: Workspace
    folder: str
    files: tuple[ExportFile, ...]
    holds: str


def every_workspace(uow_factory: UnitOfWorkFactory) -> list[WorkspaceExport]:
    """Each workspace's export, oldest workspace first, in folders named after them (two of
    the same name told apart by number)."""
    exports: list[WorkspaceExport] = []
    used: set[str] = set()
    with uow_factory() as uow:
        for workspace in uow.workspaces.all():
            records = gather(uow, workspace)
            folder = file_prefix(workspace)
            if folder in used:
                folder = f"{folder}-{workspace.id}"
            used.add(folder)
            exports.append(
                WorkspaceExport(workspace, folder, export_files(records), counts(records))
            )
    return exports
