"""Deployment rollup: per day, service and environment, what DORA's keys need.

The metrics read whole days from this table instead of every deployment (see
failwell.insights.rollup). Existing deployments are summed here once; from then on every
write that can move a figure keeps its rows in the same unit of work.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deployment_rollup",
        sa.Column("environment", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("deployments", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("rolled_back", sa.Integer(), nullable=False),
        sa.Column("rework", sa.Integer(), nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.Column("lead_times", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_deployment_rollup_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("environment", "day", "service_id", name=op.f("pk_deployment_rollup")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_deployment_rollup_service_day", "deployment_rollup", ["service_id", "day"])
    # Summing the existing deployments needs the histogram's bucketing, which is the code's
    # (a copy here could drift from what the live upkeep writes): the one import of app code.
    from failwell.insights.rollup import rebuild_rollup

    rebuild_rollup(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_index("ix_deployment_rollup_service_day", table_name="deployment_rollup")
    op.drop_table("deployment_rollup")
