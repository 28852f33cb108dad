"""Inbound integrations (webhooks from CI/CD and alerting), commit times, and links with provenance.

Failure links to deployments and changes say where they came from (reported, webhook, commit,
suggested) and whether they hold (confirmed, suggested, rejected); the links already there were
made by people, so they become reported and confirmed. Deployments learn which integration
reported them (and its own id for them), when their first commit was made, and whether they were
rework.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("integration_kind", "github", "gitlab", "alertmanager", "pagerduty", "generic"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("secret_hint", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrations")),
        sa.UniqueConstraint("name", name=op.f("uq_integrations_name")),
    )
    op.create_table(
        "commits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=300), nullable=False),
        sa.Column("sha", sa.String(length=64), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commits")),
        sa.UniqueConstraint("repository", "sha", name="uq_commits_repository_sha"),
    )
    op.create_table(
        "integration_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("delivery_key", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column(
            "verdict",
            _enum("delivery_verdict", "accepted", "duplicate", "unmapped", "refused", "error"),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_integration_deliveries_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_deliveries")),
        sa.UniqueConstraint("integration_id", "delivery_key", name="uq_integration_deliveries_key"),
    )
    op.create_index(
        "ix_integration_deliveries_integration_received",
        "integration_deliveries",
        ["integration_id", "received_at"],
    )
    op.create_index(op.f("ix_integration_deliveries_received_at"), "integration_deliveries", ["received_at"])
    op.create_index(
        "ix_integration_deliveries_verdict_received", "integration_deliveries", ["verdict", "received_at"]
    )
    op.create_table(
        "integration_failure_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=300), nullable=False),
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_integration_failure_groups_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_integration_failure_groups_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_failure_groups")),
        sa.UniqueConstraint("integration_id", "group_key", name="uq_integration_failure_groups_key"),
    )
    op.create_index(
        op.f("ix_integration_failure_groups_failure_id"), "integration_failure_groups", ["failure_id"]
    )
    op.create_table(
        "integration_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("match_field", sa.String(length=100), nullable=False),
        sa.Column("pattern", sa.String(length=300), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("environment", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_integration_rules_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_integration_rules_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_rules")),
    )
    op.create_index(
        "ix_integration_rules_integration_position", "integration_rules", ["integration_id", "position"]
    )
    op.create_index(op.f("ix_integration_rules_service_id"), "integration_rules", ["service_id"])

    # SQLite cannot add a constraint in place: batch mode copies the table once.
    with op.batch_alter_table("deployments") as batch:
        batch.add_column(sa.Column("integration_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("first_commit_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rework", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.create_unique_constraint(
            "uq_deployments_integration_external", ["integration_id", "external_id"]
        )
        batch.create_foreign_key(
            op.f("fk_deployments_integration_id_integrations"),
            "integrations",
            ["integration_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Existing links were made by people: the server defaults make them reported and confirmed.
    for table in ("failure_deployments", "failure_changes"):
        op.add_column(
            table, sa.Column("source", sa.String(length=16), server_default="reported", nullable=False)
        )
        op.add_column(
            table, sa.Column("state", sa.String(length=16), server_default="confirmed", nullable=False)
        )
        op.add_column(table, sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("failure_changes", "failure_deployments"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("created_at")
            batch.drop_column("state")
            batch.drop_column("source")
    with op.batch_alter_table("deployments") as batch:
        batch.drop_constraint(op.f("fk_deployments_integration_id_integrations"), type_="foreignkey")
        batch.drop_constraint("uq_deployments_integration_external", type_="unique")
        batch.drop_column("rework")
        batch.drop_column("first_commit_at")
        batch.drop_column("external_id")
        batch.drop_column("integration_id")
    op.drop_index(op.f("ix_integration_rules_service_id"), table_name="integration_rules")
    op.drop_index("ix_integration_rules_integration_position", table_name="integration_rules")
    op.drop_table("integration_rules")
    op.drop_index(op.f("ix_integration_failure_groups_failure_id"), table_name="integration_failure_groups")
    op.drop_table("integration_failure_groups")
    op.drop_index("ix_integration_deliveries_verdict_received", table_name="integration_deliveries")
    op.drop_index(op.f("ix_integration_deliveries_received_at"), table_name="integration_deliveries")
    op.drop_index("ix_integration_deliveries_integration_received", table_name="integration_deliveries")
    op.drop_table("integration_deliveries")
    op.drop_table("commits")
    op.drop_table("integrations")
