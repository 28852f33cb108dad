"""Embeddings left to the worker: failures reported by webhooks.

A person reporting a failure waits for its embedding (tens of milliseconds) because the
suggestions they see next depend on it. A webhook does not look: an alert storm or a CI batch
that opens failures would spend most of its time in the model, holding SQLite's single writer
meanwhile. Such failures get their search row at once (full-text and identifier matches work
immediately, and a failure without a stored vector is embedded on the fly when its own
suggestions are asked for) and a row in ``embedding_backlog``, in the same transaction; the
worker computes the vectors outside any write transaction and stores them in a short one.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from failwell.db import Database, utcnow
from failwell.recurrence import embedding
from failwell.recurrence.index import build_doc, load_failures, stale_docs, vectors_for, write_embeddings
from failwell.recurrence.models import EmbeddingBacklog, FailureEmbedding

# Failures embedded per round: a few seconds of model time at most, then the write.
BATCH = 32


# Built once, rows given at execution: a VALUES list built per call has no cache key, so it
# was compiled afresh for every failure a webhook opened.
_QUEUE = {
    name: make(EmbeddingBacklog).on_conflict_do_nothing(index_elements=["failure_id"])
    for name, make in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def queue(session: Session, failure_ids: Sequence[int]) -> None:
    """Leaves these failures' embeddings to the worker (a failure queued twice stays once)."""
    if not failure_ids:
        return
    now = utcnow()
    rows = [{"failure_id": i, "queued_at": now} for i in dict.fromkeys(failure_ids)]
    dialect = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
    session.connection().execute(_QUEUE[dialect], rows)


def pending(session: Session) -> int:
    """How many failures wait for their embedding."""
    return session.scalar(select(func.count()).select_from(EmbeddingBacklog)) or 0


def embed_backlog(db: Database, limit: int = BATCH) -> int:
    """Embeds up to ``limit`` queued failures, oldest first; answers how many left the backlog.

    Safe from several workers at once: each stores the same vector for the same text, and the
    write re-checks what is stale, so a failure edited meanwhile is embedded from its new text."""
    with db.session(write=False) as session:
        ids = list(
            session.scalars(
                select(EmbeddingBacklog.failure_id).order_by(EmbeddingBacklog.queued_at).limit(limit)
            )
        )
        if not ids:  # the usual answer, every few seconds: the model is not even loaded
            return 0
        embedder = embedding.get_embedder()
        if embedder is None:  # no model here: `failwell recurrence reindex` does it where there is
            return 0
        docs = [build_doc(f, r) for f, r in load_failures(session, ids)]
        stored = {
            e.failure_id: e
            for e in session.scalars(select(FailureEmbedding).where(FailureEmbedding.failure_id.in_(ids)))
        }
        stale = stale_docs(docs, stored)
    # The model runs here, outside any transaction; the write below finds the vectors in memo.
    memo: dict[tuple[str, str], embedding.Vectors] = {}
    if stale:
        vectors_for(embedder, stale, memo)
    with db.session() as session:
        fresh = [build_doc(f, r) for f, r in load_failures(session, ids)]
        write_embeddings(session, fresh, embedder, memo=memo)
        session.execute(delete(EmbeddingBacklog).where(EmbeddingBacklog.failure_id.in_(ids)))
    return len(ids)
