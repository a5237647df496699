"""Reminders and deliveries: what the scheduled jobs claimed, sent and failed to send.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the reminders and deliveries tables, each with its claim key, and let
    outreach channels be snoozed."""
    op.add_column(
        "outreach_channels",
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "seen_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_events")),
        sa.UniqueConstraint("platform", "event_id", name=op.f("uq_seen_events_platform_event_id")),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("spell_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["outreach_channels.id"],
            name=op.f("fk_reminders_channel_id_outreach_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_reminders_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_reminders_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint(
            "channel_id",
            "spell_start",
            "day",
            name=op.f("uq_reminders_channel_id_spell_start_day"),
        ),
    )
    op.create_index(
        op.f("ix_reminders_workspace_id_created_at"),
        "reminders",
        ["workspace_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_reminders_workspace_id_sent_at"),
        "reminders",
        ["workspace_id", "sent_at"],
        unique=False,
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "handoff",
                "escalation",
                "digest",
                "notice",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deliveries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "workspace_id", "kind", "key", name=op.f("uq_deliveries_workspace_id_kind_key")
        ),
    )


def downgrade() -> None:
    """Drop everything `upgrade` created."""
    op.drop_table("seen_events")
    with op.batch_alter_table("outreach_channels") as batch:
        batch.drop_column("snoozed_until")
    op.drop_table("deliveries")
    op.drop_index(op.f("ix_reminders_workspace_id_sent_at"), table_name="reminders")
    op.drop_index(op.f("ix_reminders_workspace_id_created_at"), table_name="reminders")
    op.drop_table("reminders")
