"""Broadcasting: channels, subscriptions, the outbox and its deliveries, review reads, feed tokens.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "broadcast_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_broadcast_outbox_dedupe_key")),
        sa.UniqueConstraint("uid", name=op.f("uq_broadcast_outbox_uid")),
    )
    op.create_index(op.f("ix_broadcast_outbox_created_at"), "broadcast_outbox", ["created_at"], unique=False)
    op.create_index(op.f("ix_broadcast_outbox_topic"), "broadcast_outbox", ["topic"], unique=False)
    op.create_table(
        "broadcast_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "email",
                "slack",
                "msteams",
                "mattermost",
                "discord",
                "gchat",
                "ntfy",
                "webhook",
                name="channel_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("secret_url", sa.Text(), nullable=False),
        sa.Column("url_hint", sa.String(length=100), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("for_people", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_broadcast_channels_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_broadcast_channels_name")),
    )
    op.create_index(op.f("ix_broadcast_channels_team_id"), "broadcast_channels", ["team_id"], unique=False)
    op.create_table(
        "broadcast_feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_broadcast_feed_tokens_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_broadcast_feed_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_broadcast_feed_tokens_person_id"), "broadcast_feed_tokens", ["person_id"], unique=False
    )
    op.create_table(
        "broadcast_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("filter_team_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "failed_deployment",
                "incident",
                "near_miss",
                name="failure_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("min_severity", sa.Integer(), nullable=True),
        sa.Column("factor_category_id", sa.Integer(), nullable=True),
        sa.Column("tag", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN person_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN team_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN channel_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_broadcast_subscriptions_one_subscriber"),
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["broadcast_channels.id"],
            name=op.f("fk_broadcast_subscriptions_channel_id_broadcast_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name=op.f("fk_broadcast_subscriptions_created_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["factor_category_id"],
            ["factor_categories.id"],
            name=op.f("fk_broadcast_subscriptions_factor_category_id_factor_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["filter_team_id"],
            ["teams.id"],
            name=op.f("fk_broadcast_subscriptions_filter_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_broadcast_subscriptions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_broadcast_subscriptions_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_broadcast_subscriptions_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_subscriptions")),
    )
    op.create_index(
        op.f("ix_broadcast_subscriptions_channel_id"), "broadcast_subscriptions", ["channel_id"], unique=False
    )
    op.create_index(
        op.f("ix_broadcast_subscriptions_person_id"), "broadcast_subscriptions", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_broadcast_subscriptions_team_id"), "broadcast_subscriptions", ["team_id"], unique=False
    )
    op.create_table(
        "broadcast_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("destination", sa.String(length=400), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "delivered",
                "failed",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["broadcast_channels.id"],
            name=op.f("fk_broadcast_deliveries_channel_id_broadcast_channels"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["broadcast_outbox.id"],
            name=op.f("fk_broadcast_deliveries_outbox_id_broadcast_outbox"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["broadcast_subscriptions.id"],
            name=op.f("fk_broadcast_deliveries_subscription_id_broadcast_subscriptions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_broadcast_deliveries_idempotency_key")),
    )
    op.create_index(
        op.f("ix_broadcast_deliveries_channel_id"), "broadcast_deliveries", ["channel_id"], unique=False
    )
    op.create_index(
        "ix_broadcast_deliveries_due", "broadcast_deliveries", ["status", "next_attempt_at"], unique=False
    )
    op.create_index(
        "ix_broadcast_deliveries_outbox_destination",
        "broadcast_deliveries",
        ["outbox_id", "destination"],
        unique=True,
    )
    op.create_index(
        op.f("ix_broadcast_deliveries_subscription_id"),
        "broadcast_deliveries",
        ["subscription_id"],
        unique=False,
    )
    op.create_table(
        "broadcast_review_reads",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_broadcast_review_reads_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_broadcast_review_reads_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "person_id", name=op.f("pk_broadcast_review_reads")),
    )
    op.create_index(
        op.f("ix_broadcast_review_reads_person_id"), "broadcast_review_reads", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_broadcast_review_reads_person_id"), table_name="broadcast_review_reads")
    op.drop_table("broadcast_review_reads")
    op.drop_index(op.f("ix_broadcast_deliveries_subscription_id"), table_name="broadcast_deliveries")
    op.drop_index("ix_broadcast_deliveries_outbox_destination", table_name="broadcast_deliveries")
    op.drop_index("ix_broadcast_deliveries_due", table_name="broadcast_deliveries")
    op.drop_index(op.f("ix_broadcast_deliveries_channel_id"), table_name="broadcast_deliveries")
    op.drop_table("broadcast_deliveries")
    op.drop_index(op.f("ix_broadcast_subscriptions_team_id"), table_name="broadcast_subscriptions")
    op.drop_index(op.f("ix_broadcast_subscriptions_person_id"), table_name="broadcast_subscriptions")
    op.drop_index(op.f("ix_broadcast_subscriptions_channel_id"), table_name="broadcast_subscriptions")
    op.drop_table("broadcast_subscriptions")
    op.drop_index(op.f("ix_broadcast_feed_tokens_person_id"), table_name="broadcast_feed_tokens")
    op.drop_table("broadcast_feed_tokens")
    op.drop_index(op.f("ix_broadcast_channels_team_id"), table_name="broadcast_channels")
    op.drop_table("broadcast_channels")
    op.drop_index(op.f("ix_broadcast_outbox_topic"), table_name="broadcast_outbox")
    op.drop_index(op.f("ix_broadcast_outbox_created_at"), table_name="broadcast_outbox")
    op.drop_table("broadcast_outbox")
