"""Failure rollup: per day, what the organisation-wide failure figures need; an index for the
published reviews of a window, and one for the failures resolved in it.

DORA's recovery time and the learning counts of a window read whole days from this table
instead of every failure (see failwell.insights.failure_rollup). Existing failures are summed
here once; from then on every write that can move a figure keeps its rows in the same unit of
work.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "failure_rollup",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("near_misses", sa.Integer(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("recovery", sa.Text(), nullable=False),
        sa.Column("linked_recovery", sa.Text(), nullable=False),
        sa.Column("review_lags", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_failure_rollup")),
    )
    # The learning metrics read a window's published reviews (and their failures) from it.
    op.create_index("ix_reviews_status_published", "reviews", ["status", "published_at", "failure_id"])
    op.create_index("ix_failures_resolved_id", "failures", ["resolved_at", "id"])
    # The fold is the code's (a copy here could drift from what the live upkeep writes).
    from failwell.insights.failure_rollup import rebuild_failure_rollup

    rebuild_failure_rollup(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_table("failure_rollup")
    op.drop_index("ix_failures_resolved_id", table_name="failures")
    op.drop_index("ix_reviews_status_published", table_name="reviews")
