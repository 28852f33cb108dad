"""Recurrence detection: full-text indexes, embeddings, recurrence links, problems and known errors.

SQLite gets an FTS5 table over failure_search (external content, kept in step by triggers)
and an fts5vocab table for term statistics; PostgreSQL gets a tsvector column with a GIN index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_COLUMNS = "title, body, signatures"
SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE failure_fts USING fts5({FTS_COLUMNS}, content='failure_search', "
    "content_rowid='failure_id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE failure_fts_vocab USING fts5vocab(failure_fts, 'row')",
    f"""CREATE TRIGGER failure_search_ai AFTER INSERT ON failure_search BEGIN
        INSERT INTO failure_fts(rowid, {FTS_COLUMNS})
        VALUES (new.failure_id, new.title, new.body, new.signatures);
    END""",
    f"""CREATE TRIGGER failure_search_ad AFTER DELETE ON failure_search BEGIN
        INSERT INTO failure_fts(failure_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.failure_id, old.title, old.body, old.signatures);
    END""",
    f"""CREATE TRIGGER failure_search_au AFTER UPDATE OF {FTS_COLUMNS} ON failure_search BEGIN
        INSERT INTO failure_fts(failure_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.failure_id, old.title, old.body, old.signatures);
        INSERT INTO failure_fts(rowid, {FTS_COLUMNS})
        VALUES (new.failure_id, new.title, new.body, new.signatures);
    END""",
]


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "failure_search",
        sa.Column("failure_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signatures", sa.Text(), nullable=False),
        sa.Column("tsv", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("failure_search", "failure_id", "failures", "CASCADE"),
        sa.PrimaryKeyConstraint("failure_id", name="pk_failure_search"),
    )
    op.create_table(
        "failure_embeddings",
        sa.Column("failure_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("failure_embeddings", "failure_id", "failures", "CASCADE"),
        sa.PrimaryKeyConstraint("failure_id", name="pk_failure_embeddings"),
    )
    op.create_index("ix_failure_embeddings_updated_at", "failure_embeddings", ["updated_at"])
    op.create_table(
        "recurrence_links",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("earlier_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("recurrence_links", "failure_id", "failures", "CASCADE"),
        _fk("recurrence_links", "earlier_id", "failures", "CASCADE"),
        _fk("recurrence_links", "linked_by_id", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("failure_id", "earlier_id", name="pk_recurrence_links"),
    )
    op.create_index("ix_recurrence_links_earlier_id", "recurrence_links", ["earlier_id"])
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("root_cause", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "known_error",
                "resolved",
                "closed",
                name="problem_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owner_team_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        _fk("problems", "owner_team_id", "teams", "SET NULL"),
        _fk("problems", "created_by_id", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_problems"),
    )
    op.create_index("ix_problems_status_updated", "problems", ["status", "updated_at"])
    op.create_index("ix_problems_owner_team_id", "problems", ["owner_team_id"])
    op.create_table(
        "problem_failures",
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("problem_failures", "problem_id", "problems", "CASCADE"),
        _fk("problem_failures", "failure_id", "failures", "CASCADE"),
        _fk("problem_failures", "linked_by_id", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("problem_id", "failure_id", name="pk_problem_failures"),
    )
    op.create_index("ix_problem_failures_failure_id", "problem_failures", ["failure_id"])
    op.create_table(
        "known_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("symptoms", sa.Text(), nullable=False),
        sa.Column("workaround", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("known_errors", "problem_id", "problems", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_known_errors"),
    )
    op.create_index("ix_known_errors_problem_id", "known_errors", ["problem_id"])
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.create_index("ix_failure_search_tsv", "failure_search", ["tsv"], postgresql_using="gin")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("failure_search_au", "failure_search_ad", "failure_search_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS failure_fts_vocab")
        op.execute("DROP TABLE IF EXISTS failure_fts")
    elif dialect == "postgresql":
        op.drop_index("ix_failure_search_tsv", table_name="failure_search")
    op.drop_index("ix_known_errors_problem_id", table_name="known_errors")
    op.drop_table("known_errors")
    op.drop_index("ix_problem_failures_failure_id", table_name="problem_failures")
    op.drop_table("problem_failures")
    op.drop_index("ix_problems_owner_team_id", table_name="problems")
    op.drop_index("ix_problems_status_updated", table_name="problems")
    op.drop_table("problems")
    op.drop_index("ix_recurrence_links_earlier_id", table_name="recurrence_links")
    op.drop_table("recurrence_links")
    op.drop_index("ix_failure_embeddings_updated_at", table_name="failure_embeddings")
    op.drop_table("failure_embeddings")
    op.drop_table("failure_search")
