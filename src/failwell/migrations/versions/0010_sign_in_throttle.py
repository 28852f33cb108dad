"""Sign-in throttling: failed sign-ins per account and per client address, shared by every
app process.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sign_in_throttle"),
    )
    op.create_index("ix_sign_in_throttle_window_started_at", "sign_in_throttle", ["window_started_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttle_window_started_at", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
