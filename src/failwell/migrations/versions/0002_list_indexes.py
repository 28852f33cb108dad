"""Indexes for the filtered lists at scale; trigram text search on PostgreSQL.

Measured in bench/RESULTS.md (2026-11-22): each index serves a list's filter together with
its default sort, so the page is read in order instead of sorted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAIN_INDEXES = [
    ("ix_reviews_status_updated", "reviews", ["status", "updated_at", "id"]),
    ("ix_failures_severity_id", "failures", ["severity", "id"]),
    ("ix_deployments_service_outcome_started", "deployments", ["service_id", "outcome", "started_at"]),
    ("ix_corrective_actions_due_id", "corrective_actions", ["due_date", "id"]),
]
TRIGRAM_INDEXES = [
    ("ix_failures_title_trgm", "failures", "title"),
    ("ix_failures_description_trgm", "failures", "description"),
]


def upgrade() -> None:
    for name, table, columns in PLAIN_INDEXES:
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM_INDEXES:
            op.create_index(
                name, table, [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _column in TRIGRAM_INDEXES:
            op.drop_index(name, table_name=table)
    for name, table, _columns in PLAIN_INDEXES:
        op.drop_index(name, table_name=table)
