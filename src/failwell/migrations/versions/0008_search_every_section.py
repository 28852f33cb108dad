"""Search documents carry every review section, and PostgreSQL indexes words split at punctuation.

The failures list, the lessons library and the API search failures by their search rows
(failure_search): a review's impact, what went well and where we got lucky join its summary,
what went wrong, lessons and factor notes there. PostgreSQL's parser kept "db.example.com" or
"checkout.api" whole, where FTS5 and every query split them: the tsvector is now built from the
text with punctuation read as spaces (the code's TSV_SQL in failwell.recurrence.lexical), and
rebuilt here. SQLite's FTS5 follows the updated rows through its triggers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SECTIONS = ("impact", "what_went_well", "where_we_got_lucky")
_APPEND = " || ".join(f"CASE WHEN r.{s} <> '' THEN ' ' || r.{s} ELSE '' END" for s in _SECTIONS)
ADD_SECTIONS = (
    f"UPDATE failure_search SET body = body || (SELECT {_APPEND} FROM reviews r "
    "WHERE r.failure_id = failure_search.failure_id) "
    "WHERE failure_id IN (SELECT failure_id FROM reviews WHERE "
    + " OR ".join(f"{s} <> ''" for s in _SECTIONS)
    + ")"
)
# A copy of the code's expression at this revision (migrations do not import the app's code).
PG_TSV = (
    "setweight(to_tsvector('english', regexp_replace(title, '[[:punct:]]+', ' ', 'g')), 'A') || "
    "setweight(to_tsvector('simple', signatures), 'C') || "
    "setweight(to_tsvector('english', regexp_replace(body, '[[:punct:]]+', ' ', 'g')), 'B')"
)
PG_TSV_BEFORE = (
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('simple', signatures), 'C') || "
    "setweight(to_tsvector('english', body), 'B')"
)


def upgrade() -> None:
    op.execute(ADD_SECTIONS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE failure_search SET tsv = {PG_TSV}")


def downgrade() -> None:
    # The added sections stay in the bodies (the next reindex writes what the code says).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE failure_search SET tsv = {PG_TSV_BEFORE}")
