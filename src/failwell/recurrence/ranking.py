"""Fused ranking of earlier failures: full-text relevance, semantic closeness, structured signals.

Candidates come from the full-text engine (the query's words against whole failures, and its
title's words against titles), from the embeddings (nearest vectors), and from shared links
(deployment, change, a recorded recurrence). This module reads them and what they share with
the query from the database; ``fusion`` scores them (the weighted sum, and the reasons that
say why each suggestion was made). The weights were chosen on the 100 training pairs of the
GitBugs Hadoop set only, never on its 25 test pairs (see bench/RESULTS.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Column, func, literal, select, union_all
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.db import utcnow
from failwell.errors import NotFound
from failwell.failures.models import Failure, failure_changes, failure_deployments, failure_services
from failwell.recurrence import embedding
from failwell.recurrence.fusion import (
    WEIGHTS,
    Evidence,
    Mode,
    Query,
    Reason,
    Scored,
    Weights,
    explain_terms,
    fuse,
    relative,
    set_confidence,
    shared_terms,
    suggestions,
)
from failwell.recurrence.index import BODY_LIMIT, embed_text, vector_cache
from failwell.recurrence.index import cached_only as _caches_peek
from failwell.recurrence.lexical import QUERY_TEXT_LIMIT, query_terms, search_terms
from failwell.recurrence.mechanisms import expansion_terms
from failwell.recurrence.models import FailureEmbedding, FailureSearch, RecurrenceLink
from failwell.recurrence.signatures import signature_tokens
from failwell.reviews.models import ContributingFactor, FactorCategory, Review
from failwell.settings import Settings, get_settings

# Only links a person or a trusted source confirmed are evidence of "the same change".
CONFIRMED = "confirmed"

# Re-exported: callers rank with these names from here.
__all__ = [
    "WEIGHTS",
    "Mode",
    "Query",
    "Ranking",
    "Reason",
    "Scored",
    "Weights",
    "configured_weights",
    "query_for_failure",
    "query_for_text",
    "rank",
]


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
                failure_deployments.c.failure_id == failure_id, failure_deployments.c.state == CONFIRMED
            ),
            select(literal("c"), failure_changes.c.change_id).where(
                failure_changes.c.failure_id == failure_id, failure_changes.c.state == CONFIRMED
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
            vector = embedding.failure_vectors(embedder, [embed_text(title, description)])[0]
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
        vector = embedding.failure_vectors(embedder, [embed_text(head, body)])[0]
    return Query(
        at=utcnow(),
        title=head,
        body=body,
        service_ids=service_ids or set(),
        signatures=set(signature_tokens(clipped)),
        vector=vector,
        truncated=len(text) > QUERY_TEXT_LIMIT,
    )


def search_words(query: Query) -> list[str]:
    """The words searched by (title first), the terms of the failure mechanisms they describe
    (``mechanisms``), then up to eight of its error signatures."""
    terms = query_terms(query.title, query.body)
    terms += expansion_terms(f"{query.title}\n{query.body}", set(terms))
    if query.signatures:
        terms = terms + sorted(query.signatures)[:8]
    return terms


def configured_weights(settings: Settings | None = None) -> Weights:
    """The weights, with the recency prior as configured (FAILWELL_RECURRENCE_RECENCY, default off)."""
    settings = settings or get_settings()
    return replace(
        WEIGHTS, recency=settings.recurrence_recency, recency_days=settings.recurrence_recency_days
    )


def rank(
    session: Session, query: Query, limit: int = 10, mode: Mode = "fused", weights: Weights | None = None
) -> Ranking:
    weights = weights or configured_weights()
    terms = search_words(query)
    note = embedding.unavailable_reason() if mode != "lexical" else None
    use_semantic = mode != "lexical" and query.vector is not None and note is None
    scored = _candidates(session, query, terms, mode, use_semantic, weights)
    if not scored:
        return Ranking([], terms, use_semantic, note, query.truncated)
    # Asked for semantic without a model: what is left is the lexical ranking.
    scoring: Mode = "lexical" if mode == "semantic" and not use_semantic else mode
    evidence = read_evidence(session, query, list(scored))
    for s in scored.values():
        fuse(query, s, scoring, evidence, weights)
    # The first suggestion's confidence reads its lead over the next one, even when one is asked for.
    ordered = suggestions(scored.values(), max(limit, 2), weights)
    if scoring == "fused":
        set_confidence(ordered)
    ordered = ordered[:limit]
    # Only the query's own words are named as shared (not the mechanism terms it was expanded by).
    own = set(query_terms(query.title, query.body))
    _explain_terms(session, ordered, {t for t in terms if t in own})
    return Ranking(ordered, terms, use_semantic, note, query.truncated)


def _candidates(
    session: Session, query: Query, terms: list[str], mode: Mode, use_semantic: bool, w: Weights
) -> dict[int, Scored]:
    """Every candidate, with its lexical relevances and cosine where it has them."""
    scored: dict[int, Scored] = {}
    if mode != "semantic" or not use_semantic:
        _lexical_candidates(session, query, terms, w, scored)
    if use_semantic:
        _semantic_candidates(session, query, w, scored)
    for fid in _structural_candidates(session, query, w.pool):
        scored.setdefault(fid, Scored(fid))
    if use_semantic and scored:
        _fill_missing_semantic(session, query, scored)
    return scored


def _lexical_candidates(
    session: Session, query: Query, terms: list[str], w: Weights, scored: dict[int, Scored]
) -> None:
    """Full-text matches of the whole text, then of the title against titles."""
    found = search_terms(session, terms, w.pool, before=query.before, exclude=query.failure_id)
    for fid, score in relative(found):
        scored[fid] = Scored(fid, lexical=score)
    title_terms = query_terms(query.title)
    if not title_terms or w.title <= 0:
        return
    titles = search_terms(
        session, title_terms, w.pool, before=query.before, exclude=query.failure_id, title_only=True
    )
    for fid, score in relative(titles):
        scored.setdefault(fid, Scored(fid)).title_lexical = score


def _semantic_candidates(session: Session, query: Query, w: Weights, scored: dict[int, Scored]) -> None:
    """The nearest vectors, with their cosine."""
    assert query.vector is not None
    cache = vector_cache(session)
    for fid, cos in cache.search(query.vector, w.pool, before=query.before, exclude=query.failure_id):
        scored.setdefault(fid, Scored(fid)).semantic = cos


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
        explain_terms(s, shared_terms(terms, texts.get(s.failure_id, "")))


def _structural_candidates(session: Session, query: Query, limit: int) -> set[int]:
    """Earlier failures sharing a deployment or change, or linked to the query as recurrences."""
    found: set[int] = set()
    if query.deployment_ids:
        found |= set(
            session.scalars(
                select(failure_deployments.c.failure_id)
                .where(
                    failure_deployments.c.deployment_id.in_(query.deployment_ids),
                    failure_deployments.c.state == CONFIRMED,
                )
                .limit(limit)
            )
        )
    if query.change_ids:
        found |= set(
            session.scalars(
                select(failure_changes.c.failure_id)
                .where(
                    failure_changes.c.change_id.in_(query.change_ids), failure_changes.c.state == CONFIRMED
                )
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


def read_evidence(session: Session, query: Query, ids: list[int]) -> Evidence:
    """What the candidates share with the query; links the query has none of are not read."""
    services = _links(session, failure_services.c.failure_id, failure_services.c.service_id, ids)
    named = set().union(*services.values(), query.service_ids)
    factors = _factors(session, ids) if query.factor_ids else {}
    deployments, changes = failure_deployments.c, failure_changes.c
    return Evidence(
        services=services,
        service_names=_service_names(session, named) if named else {},
        factors=factors,
        factor_names=dict(session.execute(select(FactorCategory.id, FactorCategory.name)).all())
        if factors
        else {},
        deployments=_links(session, deployments.failure_id, deployments.deployment_id, ids, deployments.state)
        if query.deployment_ids
        else {},
        changes=_links(session, changes.failure_id, changes.change_id, ids, changes.state)
        if query.change_ids
        else {},
        signatures=dict(
            session.execute(
                select(FailureSearch.failure_id, FailureSearch.signatures).where(
                    FailureSearch.failure_id.in_(ids)
                )
            ).all()
        ),
        starts=_start_times(session, ids),
    )


def _links(
    session: Session,
    owner: Column[int],
    linked: Column[int],
    ids: list[int],
    state: Column[str] | None = None,
) -> dict[int, set[int]]:
    """failure id -> the ids linked to it through one association table (confirmed links only,
    where the table says: a suggested or rejected link is no evidence)."""
    stmt = select(owner, linked).where(owner.in_(ids))
    return _pairs(session, stmt if state is None else stmt.where(state == CONFIRMED))


def _service_names(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(session.execute(select(Service.id, Service.name).where(Service.id.in_(ids))).all())


def _start_times(session: Session, ids: list[int]) -> dict[int, datetime]:
    """Start times of the candidates: from the vector cache when it holds them all, else read."""
    cache = _caches_peek(session)
    if cache is not None:
        found = cache.start_times(ids)
        if len(found) == len(ids):
            return found
    return dict(session.execute(select(Failure.id, Failure.started_at).where(Failure.id.in_(ids))).all())
