"""Swaps: requests to exchange two future shifts, and the shifts they pin.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the swaps and shift_pins tables; a shift has at most one pinned holder."""
    op.create_table(
        "swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("rota_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("requester_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("partner_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "expired",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["people.id"],
            name=op.f("fk_swaps_partner_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["people.id"],
            name=op.f("fk_swaps_requester_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rota_id"], ["rotas.id"], name=op.f("fk_swaps_rota_id_rotas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_swaps_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_swaps")),
    )
    with op.batch_alter_table("swaps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_swaps_partner_id_status"), ["partner_id", "status"], unique=False
        )

    op.create_table(
        "shift_pins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rota_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("swap_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_shift_pins_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rota_id"], ["rotas.id"], name=op.f("fk_shift_pins_rota_id_rotas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["swap_id"], ["swaps.id"], name=op.f("fk_shift_pins_swap_id_swaps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_pins")),
        sa.UniqueConstraint("rota_id", "starts_at", name=op.f("uq_shift_pins_rota_id_starts_at")),
    )


def downgrade() -> None:
    """Drop everything `upgrade` created."""
    op.drop_table("shift_pins")
    with op.batch_alter_table("swaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_swaps_partner_id_status"))

    op.drop_table("swaps")
