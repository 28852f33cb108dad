"""The index of a service's deployments by start carries the id too.

The latest deployments of a service before a moment are read in (start, id) order, the id
settling ties (the suggestions for a failure: a CI batch opening thirty failures reads them
thirty times). SQLite's index ends with the row id anyway; PostgreSQL's did not, so it read the
service's whole window and sorted it (measured: 0.7 ms instead of 0.05 for a service deploying
every few minutes).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 14:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain index statements, not a batch: on SQLite a batch may copy the table, which would drop the
# commit index's triggers (migration 0020).
def upgrade() -> None:
    op.drop_index("ix_deployments_service_started", table_name="deployments")
    op.create_index("ix_deployments_service_started", "deployments", ["service_id", "started_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_deployments_service_started", table_name="deployments")
    op.create_index("ix_deployments_service_started", "deployments", ["service_id", "started_at"])
