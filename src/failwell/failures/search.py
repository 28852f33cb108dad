"""Full-text search over failures: the search document table and the queries that read it.

Each failure has one search row (its title, and a body of description, tags, services, every
review section and factor note). The recurrence slice writes the rows (its event handlers run
in the unit of work of every change); lists here and above read them. The index itself is the
database's own: on SQLite the FTS5 table ``failure_fts`` (migration 0004, kept in step by
triggers, no model), on PostgreSQL the ``tsv`` column with a GIN index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, Subquery, Text, select, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, Session, mapped_column

from failwell.db import Base, UTCDateTime, utcnow
from failwell.failures.models import Failure
from failwell.search import Query, Snippet, parse, snippet

# Always NULL on SQLite, where FTS5 holds the index.
TsVector = Text().with_variant(TSVECTOR(), "postgresql")


class FailureSearch(Base):
    """The text a failure is found by: title, and a body of description, tags, services and review."""

    __tablename__ = "failure_search"
    __table_args__ = (
        Index("ix_failure_search_tsv", "tsv", postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    failure_id: Mapped[int] = mapped_column(
        ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Normalised error signatures and exception names, space-separated.
    signatures: Mapped[str] = mapped_column(Text, default="")
    tsv: Mapped[str | None] = mapped_column(TsVector, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# bm25 weights of the FTS5 columns title, body, signatures; ts_rank weights of D, C, B, A
# (A title, B body, C signatures): a word in the title counts most.
_BM25 = "bm25(failure_fts, 10.0, 1.0, 0.0)"
_TS_WEIGHTS = "{0.0, 0.0, 0.2, 1.0}"


def matching(session: Session, query: Query, *, top: int | None = None, ranked: bool = True) -> Subquery:
    """The failures the query finds, as (failure_id, rank): a larger rank is more relevant.

    Served by the full-text index; a query of exclusions only (``-word``) keeps every failure
    without those words. ``top``: only the most relevant so many (the engine keeps a heap, instead
    of every match being joined and sorted). ``ranked=False``: rank 0 for all, cheaper to count."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    rank = (f"-{_BM25}" if sqlite else f"ts_rank('{_TS_WEIGHTS}', s.tsv, q, 1)") if ranked else "0.0"
    if sqlite:
        match = query.fts5()
        if match:
            sql = f"SELECT rowid AS failure_id, {rank} AS rank FROM failure_fts WHERE failure_fts MATCH :q"
        else:
            match = query.fts5_excluded() or '""'
            sql = (
                "SELECT failure_id, 0.0 AS rank FROM failure_search WHERE failure_id NOT IN "
                "(SELECT rowid FROM failure_fts WHERE failure_fts MATCH :q)"
            )
    else:
        match = query.tsquery()
        sql = (
            f"SELECT s.failure_id, {rank} AS rank "
            "FROM failure_search s, to_tsquery('english', :q) q WHERE s.tsv @@ q"
        )
    params: dict[str, object] = {"q": match}
    if top is not None:
        sql += " ORDER BY rank DESC LIMIT :top"
        params["top"] = top
    return text(sql).bindparams(**params).columns(failure_id=Integer, rank=Float).subquery("matched")


def bodies(session: Session, failure_ids: Sequence[int]) -> dict[int, str]:
    """The search body of each failure (what a snippet is cut from when no own field matched)."""
    if not failure_ids:
        return {}
    rows = session.execute(
        select(FailureSearch.failure_id, FailureSearch.body).where(FailureSearch.failure_id.in_(failure_ids))
    )
    return {int(fid): body for fid, body in rows}


def snippets(session: Session, failures: Sequence[Failure], q: str | None) -> dict[int, Snippet]:
    """Where the search matched each failure: its own fields first, then its review's text."""
    query = parse(q)
    if not failures or not query.words():
        return {}
    body = bodies(session, [f.id for f in failures])
    out = {}
    for f in failures:
        fields: list[tuple[str, str | None]] = [
            ("title", f.title),
            ("description", f.description),
            ("tags", " ".join(t.name for t in f.tags)),
            ("services", " ".join(s.name for s in f.services)),
            ("review", body.get(f.id)),
        ]
        found = snippet(fields, query)
        if found is not None:
            out[f.id] = found
    return out
