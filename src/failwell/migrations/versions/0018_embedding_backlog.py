"""The embedding backlog: failures reported by webhooks, embedded by the worker.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "embedding_backlog",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_embedding_backlog_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("failure_id", name=op.f("pk_embedding_backlog")),
    )
    op.create_index(op.f("ix_embedding_backlog_queued_at"), "embedding_backlog", ["queued_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_embedding_backlog_queued_at"), table_name="embedding_backlog")
    op.drop_table("embedding_backlog")
