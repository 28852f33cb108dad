"""Recognition for learning: kudos, awards, their cycles, panels, nominations and votes, and
each person's choice about being named publicly.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awards")),
        sa.UniqueConstraint("name", name=op.f("uq_awards_name")),
    )
    op.create_table(
        "award_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "nominating",
                "voting",
                "announced",
                name="cycle_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("nominations_close_on", sa.Date(), nullable=False),
        sa.Column("voting_closes_on", sa.Date(), nullable=False),
        sa.Column(
            "voters",
            sa.Enum(
                "everyone", "panel", name="voter_scope", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"], ["awards.id"], name=op.f("fk_award_cycles_award_id_awards"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_cycles")),
    )
    op.create_index("ix_award_cycles_award_status", "award_cycles", ["award_id", "status"], unique=False)

    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=True),
        sa.Column(
            "recipient_kind",
            sa.Enum(
                "person",
                "team",
                "anonymous_reporter",
                name="recipient_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("to_person_id", sa.Integer(), nullable=True),
        sa.Column("to_team_id", sa.Integer(), nullable=True),
        sa.Column(
            "thanked_kind",
            sa.Enum(
                "review",
                "failure",
                "action",
                "lesson",
                "comment",
                "idea",
                name="thanked_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("thanked_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_id"], ["people.id"], name=op.f("fk_kudos_from_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["to_person_id"], ["people.id"], name=op.f("fk_kudos_to_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["to_team_id"], ["teams.id"], name=op.f("fk_kudos_to_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos")),
    )
    op.create_index("ix_kudos_created", "kudos", ["created_at", "id"], unique=False)
    op.create_index(op.f("ix_kudos_to_person_id"), "kudos", ["to_person_id"], unique=False)
    op.create_index(op.f("ix_kudos_to_team_id"), "kudos", ["to_team_id"], unique=False)

    op.create_table(
        "recognition_preferences",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("named_publicly", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_recognition_preferences_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_recognition_preferences")),
    )
    op.create_table(
        "award_nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column(
            "nominee_kind",
            sa.Enum(
                "person",
                "team",
                "anonymous_reporter",
                name="nominee_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("nominee_person_id", sa.Integer(), nullable=True),
        sa.Column("nominee_team_id", sa.Integer(), nullable=True),
        sa.Column("nominated_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["award_cycles.id"],
            name=op.f("fk_award_nominations_cycle_id_award_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by_id"],
            ["people.id"],
            name=op.f("fk_award_nominations_nominated_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["nominee_person_id"],
            ["people.id"],
            name=op.f("fk_award_nominations_nominee_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominee_team_id"],
            ["teams.id"],
            name=op.f("fk_award_nominations_nominee_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_nominations")),
    )
    op.create_index("ix_award_nominations_cycle", "award_nominations", ["cycle_id", "id"], unique=False)
    op.create_index(
        op.f("ix_award_nominations_nominee_person_id"),
        "award_nominations",
        ["nominee_person_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_award_nominations_nominee_team_id"), "award_nominations", ["nominee_team_id"], unique=False
    )

    op.create_table(
        "award_panel_members",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["award_cycles.id"],
            name=op.f("fk_award_panel_members_cycle_id_award_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_award_panel_members_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cycle_id", "person_id", name=op.f("pk_award_panel_members")),
    )
    op.create_table(
        "award_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["award_cycles.id"],
            name=op.f("fk_award_votes_cycle_id_award_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["award_nominations.id"],
            name=op.f("fk_award_votes_nomination_id_award_nominations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["people.id"], name=op.f("fk_award_votes_voter_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_votes")),
        sa.UniqueConstraint("cycle_id", "voter_id", name=op.f("uq_award_votes_cycle_id")),
    )
    op.create_index(op.f("ix_award_votes_nomination_id"), "award_votes", ["nomination_id"], unique=False)
    op.create_index(op.f("ix_award_votes_voter_id"), "award_votes", ["voter_id"], unique=False)


def downgrade() -> None:

    op.drop_table("award_votes")
    op.drop_table("award_panel_members")

    op.drop_table("award_nominations")
    op.drop_table("recognition_preferences")

    op.drop_table("kudos")

    op.drop_table("award_cycles")
    op.drop_table("awards")
