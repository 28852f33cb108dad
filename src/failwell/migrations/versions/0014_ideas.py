"""Ideas from anyone (with failures, supports and comments); proposed and declined corrective
actions, crediting who proposed them.

SQLite cannot alter a CHECK constraint: batch mode rebuilds corrective_actions there, while
PostgreSQL drops and re-adds the constraint in place.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-05 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("open", "in_progress", "done", "wont_do")
NEW_STATUSES = (*OLD_STATUSES, "proposed", "declined")
CHECK = "ck_corrective_actions_action_status"


def _in(statuses: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade() -> None:
    with op.batch_alter_table("corrective_actions", recreate="auto") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), _in(NEW_STATUSES))
        batch.add_column(sa.Column("decline_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("proposed_by_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("proposed_anonymously", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_foreign_key(
            op.f("fk_corrective_actions_proposed_by_id_people"),
            "people",
            ["proposed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "closed",
                name="idea_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["people.id"],
            name=op.f("fk_ideas_proposed_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_ideas_decided_by_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problems.id"], name=op.f("fk_ideas_problem_id_problems"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["corrective_actions.id"],
            name=op.f("fk_ideas_action_id_corrective_actions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
    )
    op.create_index("ix_ideas_status_created", "ideas", ["status", "created_at"])
    op.create_index(op.f("ix_ideas_proposed_by_id"), "ideas", ["proposed_by_id"])
    op.create_index(op.f("ix_ideas_problem_id"), "ideas", ["problem_id"])
    op.create_table(
        "idea_failures",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_failures_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_idea_failures_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idea_id", "failure_id", name=op.f("pk_idea_failures")),
    )
    op.create_index("ix_idea_failures_failure_id", "idea_failures", ["failure_id"])
    op.create_table(
        "idea_supports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_supports_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_idea_supports_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_supports")),
        sa.UniqueConstraint("idea_id", "person_id", name=op.f("uq_idea_supports_idea_id")),
    )
    op.create_index(op.f("ix_idea_supports_person_id"), "idea_supports", ["person_id"])
    op.create_table(
        "idea_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_comments_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_idea_comments_author_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_comments")),
    )
    op.create_index("ix_idea_comments_idea_created", "idea_comments", ["idea_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_idea_comments_idea_created", table_name="idea_comments")
    op.drop_table("idea_comments")
    op.drop_index(op.f("ix_idea_supports_person_id"), table_name="idea_supports")
    op.drop_table("idea_supports")
    op.drop_index("ix_idea_failures_failure_id", table_name="idea_failures")
    op.drop_table("idea_failures")
    op.drop_index(op.f("ix_ideas_problem_id"), table_name="ideas")
    op.drop_index(op.f("ix_ideas_proposed_by_id"), table_name="ideas")
    op.drop_index("ix_ideas_status_created", table_name="ideas")
    op.drop_table("ideas")
    # Proposals were never agreed work: they go with the statuses that held them.
    op.execute("DELETE FROM corrective_actions WHERE status IN ('proposed', 'declined')")
    with op.batch_alter_table("corrective_actions", recreate="auto") as batch:
        batch.drop_constraint(op.f("fk_corrective_actions_proposed_by_id_people"), type_="foreignkey")
        batch.drop_column("proposed_anonymously")
        batch.drop_column("proposed_by_id")
        batch.drop_column("decline_reason")
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), _in(OLD_STATUSES))
