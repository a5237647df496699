"""Where a chat platform can reach people later, for platforms that need to be told
(Teams: a conversation reference per person's private chat and per team)."""

from __future__ import annotations

from bot.domain.model import Workspace
from bot.ports import Clock, UnitOfWorkFactory
from bot.services.context import Caller, open_workspace

PERSON = "person:"
TEAM = "team:"


class AddressBook:
    """Conversation references, kept per workspace under a key (`person:<id>`, `team:<id>`)."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def remember(self, caller: Caller, key: str, address: str) -> None:
        """Keep `address` under `key` in the caller's workspace (created on first contact)."""
        with self._uow_factory() as uow:
            workspace, _ = open_workspace(uow, caller)
            if uow.addresses.get(workspace.id, key) != address:
                uow.addresses.put(workspace.id, key, address, self._clock.now())
            uow.commit()

    def person(self, workspace: Workspace, external_id: str) -> str | None:
        """The address of a person's private chat with Baton, if Baton has one."""
        with self._uow_factory() as uow:
            return uow.addresses.get(workspace.id, PERSON + external_id)

    def of_caller(self, caller: Caller) -> str | None:
        """The address of the caller's private chat with Baton, if Baton has one."""
        with self._uow_factory() as uow:
            workspace = uow.workspaces.get_by_external_id(
                caller.platform, caller.workspace_external_id
            )
            if workspace is None:
                return None
            return uow.addresses.get(workspace.id, PERSON + caller.user_external_id)

    def teams(self, workspace: Workspace) -> list[str]:
        """The addresses of the teams Baton was added to, most recently seen first."""
        with self._uow_factory() as uow:
            return uow.addresses.with_prefix(workspace.id, TEAM)
