"""Keeps the search rows and embeddings of failures in step with their records.

``index_failures`` runs in the unit of work that changed a failure or its review (event
handlers), and in bulk from ``failwell recurrence reindex``. ``VectorCache`` holds every
embedding of a database in memory for the semantic search, and picks up what other processes
wrote by polling a cheap aggregate at most once a second.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, selectinload

from failwell.db import utcnow
from failwell.failures.models import Failure
from failwell.recurrence import embedding
from failwell.recurrence.lexical import _db_key, identifier_parts, index_sql
from failwell.recurrence.models import FailureEmbedding, FailureSearch
from failwell.recurrence.signatures import signature_tokens
from failwell.reviews.models import Review

# Ranking reads this much of a failure's text; the record itself keeps all of it.
BODY_LIMIT = 20_000
EMBED_TEXT_LIMIT = 2_000
# Vectors remembered during a bulk reindex (about 3 KB each).
MEMO_LIMIT = 50_000


@dataclass(frozen=True)
class Doc:
    failure_id: int
    title: str
    body: str
    signatures: str
    embed_text: str


def build_doc(failure: Failure, review: Review | None) -> Doc:
    parts = [failure.description[:BODY_LIMIT]]
    parts += [t.name for t in failure.tags] + [s.name for s in failure.services]
    if review is not None:
        parts += [review.summary, review.what_went_wrong, review.lessons_learned]
        parts += [f.description for f in review.factors]
        parts += [review.impact, review.what_went_well, review.where_we_got_lucky]
    scanned = "\n".join(
        (failure.title, failure.description[:BODY_LIMIT], review.what_went_wrong if review else "")
    )
    # The words inside camelCase names, which the full-text engines keep whole.
    parts.append(" ".join(dict.fromkeys(identifier_parts(scanned))))
    body = "\n".join(p for p in parts if p)[: 2 * BODY_LIMIT]
    return Doc(
        failure_id=failure.id,
        title=failure.title,
        body=body,
        signatures=" ".join(signature_tokens(scanned)),
        embed_text=embed_text(failure.title, failure.description),
    )


def embed_text(title: str, description: str) -> str:
    return f"{title}. {description[:EMBED_TEXT_LIMIT]}" if description.strip() else title


def text_hash(doc: Doc) -> str:
    raw = f"{embedding.MODEL_ID}/text\n{doc.embed_text}"
    return hashlib.sha256(raw.encode()).hexdigest()


def load_failures(session: Session, failure_ids: Sequence[int]) -> list[tuple[Failure, Review | None]]:
    failures = session.scalars(
        select(Failure).where(Failure.id.in_(failure_ids)).options(selectinload(Failure.tags))
    ).all()
    reviews = {
        r.failure_id: r for r in session.scalars(select(Review).where(Review.failure_id.in_(failure_ids)))
    }
    return [(f, reviews.get(f.id)) for f in failures]


def write_docs(session: Session, docs: Sequence[Doc]) -> None:
    """Replaces the search rows of these failures (both engines' indexes follow)."""
    if not docs:
        return
    ids = [d.failure_id for d in docs]
    now = utcnow()
    existing = {
        row.failure_id: row
        for row in session.scalars(select(FailureSearch).where(FailureSearch.failure_id.in_(ids)))
    }
    for doc in docs:
        row = existing.get(doc.failure_id)
        if row is None:
            session.add(
                FailureSearch(
                    failure_id=doc.failure_id,
                    title=doc.title,
                    body=doc.body,
                    signatures=doc.signatures,
                    updated_at=now,
                )
            )
        elif (row.title, row.body, row.signatures) != (doc.title, doc.body, doc.signatures):
            row.title, row.body, row.signatures, row.updated_at = doc.title, doc.body, doc.signatures, now
    session.flush()
    statement = index_sql(session.get_bind().dialect.name)
    if statement:
        session.execute(text(statement), {"ids": ids})


def write_embeddings(
    session: Session,
    docs: Sequence[Doc],
    embedder: embedding.Embedder | None,
    force_touch: bool = False,
    memo: dict[tuple[str, str], embedding.Vectors] | None = None,
) -> int:
    """Embeds the docs whose text changed; returns how many were embedded.

    ``memo`` (bulk indexing) remembers the vectors of texts already seen in this run: reports
    sent by machines repeat the same words, and the same text always has the same vector."""
    if embedder is None or not docs:
        return 0
    existing = _stored_embeddings(session, [d.failure_id for d in docs])
    now = utcnow()
    stale = stale_docs(docs, existing)
    if force_touch:
        touch_unchanged(docs, stale, existing, now)
    if stale:
        vectors = vectors_for(embedder, stale, {} if memo is None else memo)
        _store_vectors(session, stale, vectors, existing, now)
    session.flush()
    if stale or force_touch:
        recheck_soon(session)
    return len(stale)


def _stored_embeddings(session: Session, ids: Sequence[int]) -> dict[int, FailureEmbedding]:
    rows = session.scalars(select(FailureEmbedding).where(FailureEmbedding.failure_id.in_(ids)))
    return {row.failure_id: row for row in rows}


def stale_docs(docs: Sequence[Doc], existing: Mapping[int, FailureEmbedding]) -> list[Doc]:
    """The docs without an embedding, or whose embedding was made from other text."""
    return [
        d for d in docs if d.failure_id not in existing or existing[d.failure_id].text_hash != text_hash(d)
    ]


def touch_unchanged(
    docs: Sequence[Doc], stale: Sequence[Doc], existing: Mapping[int, FailureEmbedding], now: datetime
) -> None:
    """Marks the up-to-date embeddings as changed, so caches re-read them (a moved start time)."""
    for d in docs:
        if d.failure_id in existing and d not in stale:
            existing[d.failure_id].updated_at = now


def vectors_for(
    embedder: embedding.Embedder, docs: Sequence[Doc], memo: dict[tuple[str, str], embedding.Vectors]
) -> list[embedding.Vectors]:
    """One vector per doc, computing only the texts not in ``memo`` (remembered while it has room)."""
    keys = [(d.embed_text, d.title) for d in docs]
    fresh = [k for k in dict.fromkeys(keys) if k not in memo]
    computed: dict[tuple[str, str], embedding.Vectors] = {}
    if fresh:
        rows = embedding.failure_vectors(embedder, [t for t, _ in fresh])
        computed = dict(zip(fresh, rows, strict=True))
        if len(memo) < MEMO_LIMIT:
            memo.update(computed)
    return [computed[k] if k in computed else memo[k] for k in keys]


def _store_vectors(
    session: Session,
    docs: Sequence[Doc],
    vectors: Sequence[embedding.Vectors],
    existing: Mapping[int, FailureEmbedding],
    now: datetime,
) -> None:
    for doc, vector in zip(docs, vectors, strict=True):
        row = existing.get(doc.failure_id)
        if row is None:
            row = FailureEmbedding(failure_id=doc.failure_id)
            session.add(row)
        row.model, row.text_hash, row.vector, row.updated_at = (
            embedding.MODEL_ID,
            text_hash(doc),
            embedding.to_blob(vector),
            now,
        )


def index_failures(
    session: Session,
    failure_ids: Sequence[int],
    *,
    moved: bool = False,
    embed: bool = True,
    new: bool = False,
) -> None:
    """Brings the search rows and embeddings of these failures up to date (same transaction).

    ``moved``: the failure's start time changed, which caches must see although its text did not.
    ``embed=False``: the search rows only; the caller queues the embeddings (recurrence.backlog).
    ``new``: just reported (see events.FAILURE_REPORTED): taken from the session, nothing is read."""
    fresh = [(session.get_one(Failure, i), None) for i in dict.fromkeys(failure_ids)] if new else None
    docs = [build_doc(f, r) for f, r in fresh or load_failures(session, failure_ids)]
    write_docs(session, docs)
    if embed:
        write_embeddings(session, docs, embedding.get_embedder(), force_touch=moved)


def forget_failure(session: Session, failure_id: int) -> None:
    # The foreign keys cascade already; explicit for databases opened without them.
    session.execute(delete(FailureEmbedding).where(FailureEmbedding.failure_id == failure_id))
    session.execute(delete(FailureSearch).where(FailureSearch.failure_id == failure_id))
    recheck_soon(session)


def reindex_all(
    session_factory: Callable[[], Iterable[Session]],
    all_ids: Sequence[int],
    *,
    batch: int = 256,
    threads: int = 2,
    progress: Callable[[int], None] | None = None,
    semantic: bool = True,
) -> tuple[int, int]:
    """Rebuilds every search row and missing or stale embedding, a batch per transaction.

    Returns (failures indexed, embeddings computed)."""
    embedder: embedding.Embedder | None = None
    if semantic and embedding.get_embedder() is not None:
        embedder = embedding.Embedder(threads=threads)
    done = embedded = 0
    memo: dict[tuple[str, str], embedding.Vectors] = {}
    for start in range(0, len(all_ids), batch):
        chunk = all_ids[start : start + batch]
        for session in session_factory():
            docs = [build_doc(f, r) for f, r in load_failures(session, chunk)]
            write_docs(session, docs)
            embedded += write_embeddings(session, docs, embedder, memo=memo)
        done += len(chunk)
        if progress:
            progress(len(chunk))
    return done, embedded


# ---- the in-process vector cache --------------------------------------------------

Matrix = npt.NDArray[np.float32]


class VectorCache:
    """Every embedding of one database, as one matrix, with each failure's start time."""

    CHECK_EVERY_S = 1.0
    # Transactions commit out of order: re-read a window before the newest time seen.
    OVERLAP = timedelta(minutes=2)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.ids = np.zeros(0, dtype=np.int64)
        self.started = np.zeros(0, dtype=np.float64)
        self.vectors: Matrix = np.zeros((0, embedding.DIM), dtype=np.float32)
        self._pos: dict[int, int] = {}
        self._newest: datetime | None = None
        self._checked = 0.0

    def __len__(self) -> int:
        return len(self.ids)

    def expire(self) -> None:
        self._checked = 0.0

    def refresh(self, session: Session, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < self.CHECK_EVERY_S:
            return
        with self._lock:
            if not force and now - self._checked < self.CHECK_EVERY_S:
                return
            count, newest = session.execute(select(func.count(), func.max(FailureEmbedding.updated_at))).one()
            if self._newest is None or newest is None:
                self._reload(session, None)
            elif newest > self._newest or count != len(self.ids):
                self._reload(session, self._newest - self.OVERLAP)
                if count != len(self.ids):  # something was deleted: start again
                    self._reload(session, None)
            self._newest = newest
            self._checked = time.monotonic()

    def _reload(self, session: Session, since: datetime | None) -> None:
        stmt = select(FailureEmbedding.failure_id, FailureEmbedding.vector, Failure.started_at).join(
            Failure, Failure.id == FailureEmbedding.failure_id
        )
        if since is not None:
            stmt = stmt.where(FailureEmbedding.updated_at >= since)
        rows = session.execute(stmt).all()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        started = np.array([r[2].timestamp() for r in rows], dtype=np.float64)
        vectors = embedding.from_blobs([r[1] for r in rows])
        if since is None:
            self.ids, self.started, self.vectors = ids, started, vectors
            self._pos = {int(i): n for n, i in enumerate(ids)}
            return
        fresh = []
        for n, fid in enumerate(ids.tolist()):
            at = self._pos.get(fid)
            if at is None:
                fresh.append(n)
            else:
                self.vectors[at] = vectors[n]
                self.started[at] = started[n]
        if fresh:
            base = len(self.ids)
            self.ids = np.concatenate([self.ids, ids[fresh]])
            self.started = np.concatenate([self.started, started[fresh]])
            self.vectors = np.concatenate([self.vectors, vectors[fresh]])
            for k, n in enumerate(fresh):
                self._pos[int(ids[n])] = base + k

    def start_times(self, ids: Sequence[int]) -> dict[int, datetime]:
        """Start times (UTC) of these failures, for those the cache holds."""
        out = {}
        for fid in ids:
            at = self._pos.get(fid)
            if at is not None and at < len(self.started):
                out[fid] = datetime.fromtimestamp(float(self.started[at]), UTC)
        return out

    def search(
        self,
        vector: Matrix,
        limit: int,
        *,
        before: tuple[datetime, int] | None = None,
        exclude: int | None = None,
    ) -> list[tuple[int, float]]:
        """(failure_id, cosine) best first."""
        ids, started, vectors = self.ids, self.started, self.vectors  # one consistent snapshot
        if len(ids) == 0:
            return []
        scores = vectors @ vector
        mask = np.ones(len(ids), dtype=bool)
        if before is not None:
            ts = before[0].timestamp()
            mask &= (started < ts) | ((started == ts) & (ids < before[1]))
        if exclude is not None:
            mask &= ids != exclude
        scores = np.where(mask, scores, -np.inf)
        k = min(limit, int(mask.sum()))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(ids[i]), float(scores[i])) for i in top]


_caches: dict[str, VectorCache] = {}
_caches_lock = threading.Lock()


def recheck_soon(session: Session) -> None:
    """This process changed embeddings: its next search looks again instead of waiting a second."""
    cache = _caches.get(_db_key(session))
    if cache is not None:
        cache.expire()


def vector_cache(session: Session) -> VectorCache:
    """The cache of the session's database, refreshed if a second has passed."""
    key = _db_key(session)
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = VectorCache()
    cache.refresh(session)
    return cache


def cached_only(session: Session) -> VectorCache | None:
    """The database's cache if this process has one, without refreshing it."""
    return _caches.get(_db_key(session))


def drop_caches() -> None:
    with _caches_lock:
        _caches.clear()
