"""SQLite: a trigram index over failure titles and descriptions for the lists' free-text filter.

The failures list's ``q`` is a case-insensitive substring match. PostgreSQL serves it from the
pg_trgm GIN indexes of migration 0002; SQLite had to scan every row (152 ms p95 at 100,000
failures, bench/RESULTS.md). FTS5's trigram tokenizer (SQLite 3.34+) is the SQLite equivalent:
an external-content index (no second copy of the text), kept in step by triggers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 18:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATEMENTS = [
    "CREATE VIRTUAL TABLE failure_fts_substring USING fts5(title, description, content='failures', "
    "content_rowid='id', tokenize='trigram case_sensitive 0')",
    """CREATE TRIGGER failures_substring_ai AFTER INSERT ON failures BEGIN
        INSERT INTO failure_fts_substring(rowid, title, description)
        VALUES (new.id, new.title, new.description);
    END""",
    """CREATE TRIGGER failures_substring_ad AFTER DELETE ON failures BEGIN
        INSERT INTO failure_fts_substring(failure_fts_substring, rowid, title, description)
        VALUES ('delete', old.id, old.title, old.description);
    END""",
    """CREATE TRIGGER failures_substring_au AFTER UPDATE OF title, description ON failures BEGIN
        INSERT INTO failure_fts_substring(failure_fts_substring, rowid, title, description)
        VALUES ('delete', old.id, old.title, old.description);
        INSERT INTO failure_fts_substring(rowid, title, description)
        VALUES (new.id, new.title, new.description);
    END""",
    # Index what is already there.
    "INSERT INTO failure_fts_substring(failure_fts_substring) VALUES ('rebuild')",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("failures_substring_ai", "failures_substring_ad", "failures_substring_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS failure_fts_substring")
