"""Single sign-on: identities (issuer + subject → person), claim → role/team rules, and the
sign-ins waiting for the identity provider to answer.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("practice_owner", "practice_manager", "practitioner", "viewer")


def upgrade() -> None:
    op.create_table(
        "sso_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_sso_identities_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_identities")),
        sa.UniqueConstraint("issuer", "subject", name="uq_sso_identities_issuer_subject"),
    )
    op.create_index("ix_sso_identities_person_id", "sso_identities", ["person_id"])
    op.create_table(
        "sso_claim_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column(
            "role",
            sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True, length=32),
            nullable=True,
        ),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_sso_claim_rules_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_claim_rules")),
        sa.UniqueConstraint("claim", "value", name="uq_sso_claim_rules_claim_value"),
    )
    op.create_index("ix_sso_claim_rules_team_id", "sso_claim_rules", ["team_id"])
    op.create_table(
        "sso_pending_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("return_to", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_pending_sign_ins")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_sso_pending_sign_ins_state_hash")),
    )
    op.create_index("ix_sso_pending_sign_ins_expires_at", "sso_pending_sign_ins", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_sso_pending_sign_ins_expires_at", table_name="sso_pending_sign_ins")
    op.drop_table("sso_pending_sign_ins")
    op.drop_index("ix_sso_claim_rules_team_id", table_name="sso_claim_rules")
    op.drop_table("sso_claim_rules")
    op.drop_index("ix_sso_identities_person_id", table_name="sso_identities")
    op.drop_table("sso_identities")
