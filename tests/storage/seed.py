"""Small builders that put rows in place through the repositories themselves."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.model import ChannelKind, OutreachChannel, Person, Rota
from bot.ports import DirectoryEntry, UnitOfWork

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
"""A Monday morning: the tests' reference moment."""


def entry(
    external_id: str,
    display_name: str,
    *,
    handle: str | None = None,
    timezone: str | None = "Europe/Berlin",
    platform_admin: bool = False,
    deleted: bool = False,
) -> DirectoryEntry:
    return DirectoryEntry(
        external_id=external_id,
        display_name=display_name,
        handle=handle,
        timezone=timezone,
        platform_admin=platform_admin,
        deleted=deleted,
    )


def add_person(
    uow: UnitOfWork,
    workspace_id: int,
    external_id: str,
    display_name: str,
    *,
    handle: str | None = None,
    deleted: bool = False,
    refreshed_at: datetime = T0,
) -> Person:
    return uow.people.save_from_directory(
        workspace_id,
        entry(external_id, display_name, handle=handle, deleted=deleted),
        refreshed_at,
    )


def add_channel(
    uow: UnitOfWork,
    workspace_id: int,
    name: str,
    *,
    kind: ChannelKind = ChannelKind.TWITTER,
    quiet_after_seconds: int = 2 * 86400,
    created_at: datetime = T0,
) -> OutreachChannel:
    return uow.channels.add(
        workspace_id,
        name=name,
        kind=kind,
        quiet_after_seconds=quiet_after_seconds,
        created_at=created_at,
        feed_url=None,
        match_pattern=None,
    )


def add_rota(uow: UnitOfWork, workspace_id: int, name: str = "social media") -> Rota:
    return uow.rotas.add(Rota(id=0, workspace_id=workspace_id, name=name))
