"""Fused ranking of earlier failures: full-text relevance, semantic closeness, structured signals.

Candidates come from the full-text engine (the query's words against whole failures, and its
title's words against titles), from the embeddings (nearest vectors), and from shared links
(deployment, change, a recorded recurrence). Each candidate's score is the weighted sum of
its two lexical relevances (each relative to the best match), its cosine similarity above a
floor, fixed bonuses for shared structure (service, contributing factor, deployment, change,
error signature, exception) and a small bonus for recency. Every part is kept as a reason, so a
suggestion says why it was made. The weights were chosen on the 100 training pairs of the
GitBugs Hadoop set only, never on its 25 test pairs (see bench/RESULTS.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.db import utcnow
from failwell.errors import NotFound
from failwell.failures.models import Failure, failure_changes, failure_deployments, failure_services
from failwell.recurrence import embedding
from failwell.recurrence.index import BODY_LIMIT, embed_text, vector_cache
from failwell.recurrence.index import cached_only as _caches_peek
from failwell.recurrence.lexical import QUERY_TEXT_LIMIT, WORD, query_terms, search_terms
from failwell.recurrence.models import FailureEmbedding, FailureSearch, RecurrenceLink
from failwell.recurrence.signatures import signature_tokens
from failwell.reviews.models import ContributingFactor, FactorCategory, Review

Mode = Literal["lexical", "semantic", "fused"]


@dataclass(frozen=True)
class Weights:
    lexical: float = 0.4  # full text against full text
    title: float = 0.2  # the query's title against titles
    semantic: float = 0.6
    semantic_floor: float = 0.3  # cosine below this adds nothing
    recency: float = 0.2  # a recent failure is likelier the same cause...
    recency_days: float = 180.0  # ...decaying with this time constant
    pool: int = 100
    service: float = 0.06
    factor: float = 0.04
    deployment: float = 0.15
    change: float = 0.10
    signature: float = 0.10
    exception: float = 0.03
    linked: float = 0.30
    min_score: float = 0.04


WEIGHTS = Weights()


@dataclass
class Query:
    title: str
    body: str
    failure_id: int | None = None
    before: tuple[datetime, int] | None = None
    service_ids: set[int] = field(default_factory=set)
    factor_ids: set[int] = field(default_factory=set)
    deployment_ids: set[int] = field(default_factory=set)
    change_ids: set[int] = field(default_factory=set)
    signatures: set[str] = field(default_factory=set)
    vector: embedding.Vectors | None = None
    truncated: bool = False
    at: datetime | None = None
    linked: set[int] = field(default_factory=set)


@dataclass
class Reason:
    kind: str
    detail: str
    weight: float


@dataclass
class Scored:
    failure_id: int
    score: float = 0.0
    lexical: float | None = None
    title_lexical: float | None = None
    semantic: float | None = None
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Ranking:
    items: list[Scored]
    terms: list[str]
    semantic: bool
    note: str | None
    truncated: bool


def _pairs(session: Session, stmt: object) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for a, b in session.execute(stmt).all():  # type: ignore[call-overload]
        out[int(a)].add(int(b))
    return out


def _factors(session: Session, ids: Iterable[int]) -> dict[int, set[int]]:
    stmt = (
        select(Review.failure_id, ContributingFactor.category_id)
        .join(ContributingFactor, ContributingFactor.review_id == Review.id)
        .where(Review.failure_id.in_(list(ids)))
    )
    return _pairs(session, stmt)


def query_for_failure(session: Session, failure_id: int) -> Query:
    """What a recorded failure is searched by: its stored text, signatures, vector and links.

    Plain column reads, no ORM objects: this runs on every failure page."""
    row = session.execute(
        select(Failure.title, Failure.description, Failure.started_at).where(Failure.id == failure_id)
    ).one_or_none()
    if row is None:
        raise NotFound(detail=f"No failure with id {failure_id}.")
    title, description, started = row
    links: dict[str, set[int]] = defaultdict(set)
    fid = failure_services.c.failure_id
    for kind, value in session.execute(
        union_all(
            select(literal("s"), failure_services.c.service_id).where(fid == failure_id),
            select(literal("d"), failure_deployments.c.deployment_id).where(
                failure_deployments.c.failure_id == failure_id
            ),
            select(literal("c"), failure_changes.c.change_id).where(
                failure_changes.c.failure_id == failure_id
            ),
            select(literal("f"), ContributingFactor.category_id)
            .join(Review, Review.id == ContributingFactor.review_id)
            .where(Review.failure_id == failure_id),
            select(literal("l"), RecurrenceLink.earlier_id).where(RecurrenceLink.failure_id == failure_id),
        )
    ).all():
        links[kind].add(int(value))
    stored = session.execute(
        select(FailureSearch.signatures, FailureEmbedding.vector)
        .select_from(Failure)
        .outerjoin(FailureSearch, FailureSearch.failure_id == Failure.id)
        .outerjoin(FailureEmbedding, FailureEmbedding.failure_id == Failure.id)
        .where(Failure.id == failure_id)
    ).one()
    signatures, blob = stored
    if signatures is None:  # not indexed yet (bulk-loaded)
        signatures = " ".join(signature_tokens(f"{title}\n{description[:BODY_LIMIT]}"))
    vector = None
    embedder = embedding.get_embedder()
    if embedder is not None:
        if blob is not None:
            vector = embedding.from_blobs([blob])[0]
        else:
            vector = embedding.failure_vectors(embedder, [embed_text(title, description)], [title])[0]
    return Query(
        at=started,
        title=title,
        body=description[:BODY_LIMIT],
        failure_id=failure_id,
        before=(started, failure_id),
        service_ids=links["s"],
        factor_ids=links["f"],
        deployment_ids=links["d"],
        change_ids=links["c"],
        linked=links["l"],
        signatures=set(signatures.split()),
        vector=vector,
        truncated=len(description) > QUERY_TEXT_LIMIT,
    )


def query_for_text(text: str, service_ids: set[int] | None = None, title: str = "") -> Query:
    clipped = text[:QUERY_TEXT_LIMIT]
    first_line, _, rest = clipped.strip().partition("\n")
    head = title or first_line[:300]
    body = rest if not title else clipped
    vector = None
    embedder = embedding.get_embedder()
    if embedder is not None:
        vector = embedding.failure_vectors(embedder, [embed_text(head, body)], [head])[0]
    return Query(
        at=utcnow(),
        title=head,
        body=body,
        service_ids=service_ids or set(),
        signatures=set(signature_tokens(clipped)),
        vector=vector,
        truncated=len(text) > QUERY_TEXT_LIMIT,
    )


def rank(
    session: Session, query: Query, limit: int = 10, mode: Mode = "fused", weights: Weights = WEIGHTS
) -> Ranking:
    terms = query_terms(query.title, query.body)
    if query.signatures:
        terms = terms + sorted(query.signatures)[:8]
    note = embedding.unavailable_reason() if mode != "lexical" else None
    use_semantic = mode != "lexical" and query.vector is not None and note is None
    scored: dict[int, Scored] = {}

    if mode != "semantic" or not use_semantic:
        lexical = search_terms(session, terms, weights.pool, before=query.before, exclude=query.failure_id)
        best = lexical[0][1] if lexical else 1.0
        for fid, score in lexical:
            scored[fid] = Scored(fid, lexical=score / best if best > 0 else 0.0)
        title_terms = query_terms(query.title)
        if title_terms and weights.title > 0:
            titles = search_terms(
                session,
                title_terms,
                weights.pool,
                before=query.before,
                exclude=query.failure_id,
                title_only=True,
            )
            best = titles[0][1] if titles else 1.0
            for fid, score in titles:
                scored.setdefault(fid, Scored(fid)).title_lexical = score / best if best > 0 else 0.0
    if use_semantic:
        assert query.vector is not None
        cache = vector_cache(session)
        for fid, cos in cache.search(
            query.vector, weights.pool, before=query.before, exclude=query.failure_id
        ):
            scored.setdefault(fid, Scored(fid)).semantic = cos

    structural = _structural_candidates(session, query, weights.pool)
    for fid in structural:
        scored.setdefault(fid, Scored(fid))
    if not scored:
        return Ranking([], terms, use_semantic, note, query.truncated)
    if use_semantic:
        _fill_missing_semantic(session, query, scored)
    if mode == "semantic" and not use_semantic:
        mode = "lexical"
    _score(session, query, scored, terms, mode, weights)
    # Candidates with nothing real in common are not suggestions: a far-off embedding, or only
    # context (same service, same factor, recent) that would then list every failure.
    kept = [s for s in scored.values() if s.score - _boosts(s) >= weights.min_score]
    ordered = sorted(kept, key=lambda s: (-s.score, -s.failure_id))[:limit]
    _explain_terms(session, ordered, {t for t in terms if not t.startswith(("exc", "sig"))})
    return Ranking(ordered, terms, use_semantic, note, query.truncated)


def _explain_terms(session: Session, items: Sequence[Scored], terms: set[str]) -> None:
    """Names the shared words of the suggestions shown (only those: reading text costs)."""
    wanted = [s for s in items if any(r.kind == "shared_terms" for r in s.reasons)]
    if not wanted:
        return
    head = FailureSearch.title + " " + func.substr(FailureSearch.body, 1, 3000)
    texts = dict(
        session.execute(
            select(FailureSearch.failure_id, head).where(
                FailureSearch.failure_id.in_([s.failure_id for s in wanted])
            )
        ).all()
    )
    for s in wanted:
        shared = _shared_terms(terms, texts.get(s.failure_id, ""))
        if shared:
            for r in s.reasons:
                if r.kind == "shared_terms":
                    r.detail = f"shares the words: {', '.join(shared)}"


def _structural_candidates(session: Session, query: Query, limit: int) -> set[int]:
    """Earlier failures sharing a deployment or change, or linked to the query as recurrences."""
    found: set[int] = set()
    if query.deployment_ids:
        found |= set(
            session.scalars(
                select(failure_deployments.c.failure_id)
                .where(failure_deployments.c.deployment_id.in_(query.deployment_ids))
                .limit(limit)
            )
        )
    if query.change_ids:
        found |= set(
            session.scalars(
                select(failure_changes.c.failure_id)
                .where(failure_changes.c.change_id.in_(query.change_ids))
                .limit(limit)
            )
        )
    found |= query.linked
    found.discard(query.failure_id or 0)
    if found and query.before is not None:
        started, fid = query.before
        rows = session.execute(select(Failure.id, Failure.started_at).where(Failure.id.in_(found))).all()
        found = {i for i, s in rows if s < started or (s == started and i < fid)}
    return found


def _fill_missing_semantic(session: Session, query: Query, scored: dict[int, Scored]) -> None:
    """Lexical-only candidates get their cosine too, from the cache."""
    assert query.vector is not None
    cache = vector_cache(session)
    positions = cache._pos
    for s in scored.values():
        if s.semantic is None:
            at = positions.get(s.failure_id)
            if at is not None and at < len(cache.vectors):
                s.semantic = float(cache.vectors[at] @ query.vector)


def _score(
    session: Session, query: Query, scored: dict[int, Scored], terms: Sequence[str], mode: Mode, w: Weights
) -> None:
    ids = list(scored)
    services = _pairs(
        session,
        select(failure_services.c.failure_id, failure_services.c.service_id).where(
            failure_services.c.failure_id.in_(ids)
        ),
    )
    service_names = (
        dict(
            session.execute(
                select(Service.id, Service.name).where(
                    Service.id.in_(set().union(*services.values(), query.service_ids))
                )
            ).all()
        )
        if services or query.service_ids
        else {}
    )
    factors = _factors(session, ids) if query.factor_ids else {}
    factor_names = (
        dict(session.execute(select(FactorCategory.id, FactorCategory.name)).all()) if factors else {}
    )
    deployments = (
        _pairs(
            session,
            select(failure_deployments.c.failure_id, failure_deployments.c.deployment_id).where(
                failure_deployments.c.failure_id.in_(ids)
            ),
        )
        if query.deployment_ids
        else {}
    )
    changes = (
        _pairs(
            session,
            select(failure_changes.c.failure_id, failure_changes.c.change_id).where(
                failure_changes.c.failure_id.in_(ids)
            ),
        )
        if query.change_ids
        else {}
    )
    docs = {
        fid: ("", sigs)
        for fid, sigs in session.execute(
            select(FailureSearch.failure_id, FailureSearch.signatures).where(
                FailureSearch.failure_id.in_(ids)
            )
        ).all()
    }
    starts = _start_times(session, ids)
    linked = query.linked
    for fid, s in scored.items():
        reasons: list[Reason] = []
        total = 0.0
        if mode != "semantic" and (s.lexical is not None or s.title_lexical is not None):
            lex, title_lex = s.lexical or 0.0, s.title_lexical or 0.0
            part = w.lexical * lex + w.title * title_lex if mode == "fused" else lex
            reasons.append(Reason("shared_terms", "matches words of the description", part))
            total += part
        if mode != "lexical" and s.semantic is not None:
            if mode == "semantic":
                part = s.semantic
            else:
                part = w.semantic * max(0.0, s.semantic - w.semantic_floor) / (1 - w.semantic_floor)
            if part > 0:
                reasons.append(Reason("semantic", f"described alike (cosine {s.semantic:.2f})", part))
            total += part
        if mode == "fused":
            total += _structure(
                query,
                fid,
                services,
                service_names,
                factors,
                factor_names,
                deployments,
                changes,
                docs,
                linked,
                reasons,
                w,
            )
            started = starts.get(fid)
            if query.at is not None and started is not None and w.recency > 0:
                days = max(0.0, (query.at - started).total_seconds() / 86_400)
                part = w.recency * math.exp(-days / w.recency_days)
                reasons.append(Reason("recent", f"{_ago(days)} before", part))
                total += part
        s.score = round(total, 6)
        s.reasons = sorted(reasons, key=lambda r: -r.weight)


def _start_times(session: Session, ids: list[int]) -> dict[int, datetime]:
    """Start times of the candidates: from the vector cache when it holds them all, else read."""
    cache = _caches_peek(session)
    if cache is not None:
        found = cache.start_times(ids)
        if len(found) == len(ids):
            return found
    return dict(session.execute(select(Failure.id, Failure.started_at).where(Failure.id.in_(ids))).all())


def _structure(
    query: Query,
    fid: int,
    services: dict[int, set[int]],
    service_names: dict[int, str],
    factors: dict[int, set[int]],
    factor_names: dict[int, str],
    deployments: dict[int, set[int]],
    changes: dict[int, set[int]],
    docs: dict[int, tuple[str, str]],
    linked: set[int],
    reasons: list[Reason],
    w: Weights,
) -> float:
    total = 0.0

    def add(kind: str, detail: str, weight: float) -> None:
        nonlocal total
        reasons.append(Reason(kind, detail, weight))
        total += weight

    if fid in linked:
        add("linked", "recorded as an earlier occurrence of this failure", w.linked)
    same = services.get(fid, set()) & query.service_ids
    if same:
        add(
            "same_service",
            "same service: " + ", ".join(sorted(service_names.get(i, "?") for i in same)),
            w.service,
        )
    same = factors.get(fid, set()) & query.factor_ids
    if same:
        names = ", ".join(sorted(factor_names.get(i, "?") for i in same))
        add("same_factor", f"same contributing factor: {names}", w.factor)
    same = deployments.get(fid, set()) & query.deployment_ids
    if same:
        add("same_deployment", "same deployment: " + ", ".join(str(i) for i in sorted(same)), w.deployment)
    same = changes.get(fid, set()) & query.change_ids
    if same:
        add("same_change", "same change: " + ", ".join(str(i) for i in sorted(same)), w.change)
    theirs = set(docs.get(fid, ("", ""))[1].split())
    shared = theirs & query.signatures
    messages = sorted(t for t in shared if t.startswith("sig"))
    exceptions = sorted(t[3:] for t in shared if t.startswith("exc"))
    if messages:
        add("same_signature", f"the same error message ({len(messages)} normalised line(s))", w.signature)
    if exceptions:
        add("same_exception", "the same exception: " + ", ".join(exceptions[:3]), w.exception)
    return total


BOOSTS = frozenset({"same_service", "same_factor", "recent", "same_exception"})


def _boosts(s: Scored) -> float:
    return sum(r.weight for r in s.reasons if r.kind in BOOSTS)


def _ago(days: float) -> str:
    if days < 1:
        return "less than a day"
    if days < 60:
        return f"{days:.0f} day{'s' if round(days) != 1 else ''}"
    if days < 730:
        return f"{days / 30.4:.0f} months"
    return f"{days / 365.25:.0f} years"


def _shared_terms(terms: set[str], text: str, limit: int = 6) -> list[str]:
    words = {m.group(0).lower() for m in WORD.finditer(text)}
    shared = [t for t in terms if t in words]
    return sorted(shared)[:limit]
