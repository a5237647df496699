"""Initial schema: workspaces, people, outreach channels, rotas, shifts, away periods,
closures and posts.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create every table, constraint and index of the first release."""
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint(
            "platform", "external_id", name=op.f("uq_workspaces_platform_external_id")
        ),
    )
    op.create_table(
        "closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=10), nullable=True),
        sa.Column("subdivision", sa.String(length=10), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(first_day IS NULL AND last_day IS NULL AND country IS NOT NULL)"
            " OR (first_day IS NOT NULL AND last_day IS NOT NULL AND first_day <= last_day)",
            name=op.f("ck_closures_date_range_or_calendar"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_closures_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closures")),
    )
    op.create_index(op.f("ix_closures_workspace_id"), "closures", ["workspace_id"], unique=False)
    op.create_table(
        "outreach_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "twitter",
                "bluesky",
                "mastodon",
                "facebook",
                "instagram",
                "blog",
                "newsletter",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("quiet_after_seconds", sa.Integer(), nullable=False),
        sa.Column("feed_url", sa.Text(), nullable=True),
        sa.Column("match_pattern", sa.Text(), nullable=True),
        sa.Column("access_note", sa.Text(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "quiet_after_seconds > 0", name=op.f("ck_outreach_channels_quiet_after_positive")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_outreach_channels_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_channels")),
        sa.UniqueConstraint(
            "workspace_id", "name_key", name=op.f("uq_outreach_channels_workspace_id_name_key")
        ),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("handle", sa.String(), nullable=True),
        sa.Column("timezone", sa.String(), nullable=True),
        sa.Column("platform_admin", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "member",
                "coordinator",
                "director",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint(
            "workspace_id", "external_id", name=op.f("uq_people_workspace_id_external_id")
        ),
    )
    op.create_table(
        "rotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("shift_days", sa.Integer(), nullable=False),
        sa.Column("handoff_weekday", sa.Integer(), nullable=False),
        sa.Column("handoff_time", sa.Time(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("working_days", sa.String(length=20), nullable=False),
        sa.Column("work_start", sa.Time(), nullable=False),
        sa.Column("work_end", sa.Time(), nullable=False),
        sa.Column("covers_all_channels", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "handoff_weekday BETWEEN 0 AND 6", name=op.f("ck_rotas_handoff_weekday_range")
        ),
        sa.CheckConstraint("shift_days > 0", name=op.f("ck_rotas_shift_days_positive")),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_rotas_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotas")),
        sa.UniqueConstraint(
            "workspace_id", "name_key", name=op.f("uq_rotas_workspace_id_name_key")
        ),
    )
    op.create_table(
        "away_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "first_day <= last_day", name=op.f("ck_away_periods_first_day_not_after_last")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_away_periods_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_away_periods")),
    )
    op.create_index(
        op.f("ix_away_periods_person_id_last_day"),
        "away_periods",
        ["person_id", "last_day"],
        unique=False,
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rota_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "left_at IS NULL OR left_at >= joined_at", name=op.f("ck_memberships_left_after_joined")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_memberships_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rota_id"], ["rotas.id"], name=op.f("fk_memberships_rota_id_rotas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
    )
    op.create_index(op.f("ix_memberships_person_id"), "memberships", ["person_id"], unique=False)
    op.create_index(
        "uq_memberships_current",
        "memberships",
        ["rota_id", "person_id"],
        unique=True,
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "manual",
                "feed",
                "chat-message",
                name="source",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("feed_entry_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_posts_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["outreach_channels.id"],
            name=op.f("fk_posts_channel_id_outreach_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["people.id"],
            name=op.f("fk_posts_recorded_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_posts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint(
            "channel_id", "feed_entry_id", name=op.f("uq_posts_channel_id_feed_entry_id")
        ),
        sa.UniqueConstraint("channel_id", "url", name=op.f("uq_posts_channel_id_url")),
    )
    op.create_index(
        op.f("ix_posts_workspace_id_channel_id_posted_at"),
        "posts",
        ["workspace_id", "channel_id", "posted_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_posts_workspace_id_posted_at"),
        "posts",
        ["workspace_id", "posted_at"],
        unique=False,
    )
    op.create_table(
        "rota_channels",
        sa.Column("rota_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["outreach_channels.id"],
            name=op.f("fk_rota_channels_channel_id_outreach_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rota_id"],
            ["rotas.id"],
            name=op.f("fk_rota_channels_rota_id_rotas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rota_id", "channel_id", name=op.f("pk_rota_channels")),
    )
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rota_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column(
            "origin",
            sa.Enum(
                "rotation",
                "swap",
                "skip",
                "override",
                name="origin",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("handed_over", sa.Boolean(), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_shifts_starts_before_it_ends")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_shifts_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rota_id"], ["rotas.id"], name=op.f("fk_shifts_rota_id_rotas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
        sa.UniqueConstraint("rota_id", "starts_at", name=op.f("uq_shifts_rota_id_starts_at")),
    )
    op.create_table(
        "stewards",
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["outreach_channels.id"],
            name=op.f("fk_stewards_channel_id_outreach_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_stewards_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel_id", "person_id", name=op.f("pk_stewards")),
    )


def downgrade() -> None:
    """Drop everything `upgrade` created."""
    op.drop_table("stewards")
    op.drop_table("shifts")
    op.drop_table("rota_channels")
    op.drop_index(op.f("ix_posts_workspace_id_posted_at"), table_name="posts")
    op.drop_index(op.f("ix_posts_workspace_id_channel_id_posted_at"), table_name="posts")
    op.drop_table("posts")
    op.drop_index(
        "uq_memberships_current",
        table_name="memberships",
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.drop_index(op.f("ix_memberships_person_id"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_index(op.f("ix_away_periods_person_id_last_day"), table_name="away_periods")
    op.drop_table("away_periods")
    op.drop_table("rotas")
    op.drop_table("people")
    op.drop_table("outreach_channels")
    op.drop_index(op.f("ix_closures_workspace_id"), table_name="closures")
    op.drop_table("closures")
    op.drop_table("workspaces")
