"""Culture surveys: campaigns, their teams, invitations (participation) and anonymous responses.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("instruments", sa.JSON(), nullable=False),
        sa.Column("custom_items", sa.JSON(), nullable=False),
        sa.Column("free_text", sa.Boolean(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("remind_days_before", sa.Integer(), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_campaigns")),
    )
    op.create_table(
        "survey_campaign_teams",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_campaign_teams_campaign_id_survey_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_survey_campaign_teams_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("campaign_id", "team_id", name=op.f("pk_survey_campaign_teams")),
    )
    op.create_table(
        "survey_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_invitations_campaign_id_survey_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_survey_invitations_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_survey_invitations_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitations")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_survey_invitations_secret_hash")),
    )
    op.create_index("ix_survey_invitations_person_id", "survey_invitations", ["person_id"])
    op.create_index(
        "uq_survey_invitations_campaign_person",
        "survey_invitations",
        ["campaign_id", "person_id"],
        unique=True,
    )
    # WITHOUT ROWID on SQLite: rows are stored in the order of the random key, not of writing.
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("free_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_responses_campaign_id_survey_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_survey_responses_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_survey_responses_campaign_team", "survey_responses", ["campaign_id", "team_id"])


def downgrade() -> None:
    op.drop_index("ix_survey_responses_campaign_team", table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index("uq_survey_invitations_campaign_person", table_name="survey_invitations")
    op.drop_index("ix_survey_invitations_person_id", table_name="survey_invitations")
    op.drop_table("survey_invitations")
    op.drop_table("survey_campaign_teams")
    op.drop_table("survey_campaigns")
