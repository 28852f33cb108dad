"""Has this happened before? Similar earlier failures, with their lessons and corrective actions."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import is_overdue
from failwell.catalogue.models import Service
from failwell.catalogue.service import service_by_name
from failwell.db import utcnow
from failwell.enums import FailureStatus, ReviewStatus
from failwell.errors import InvalidInput
from failwell.failures.models import Failure, failure_services
from failwell.recurrence import history
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.fusion import is_strong
from failwell.recurrence.models import Problem, ProblemFailure
from failwell.recurrence.ranking import Ranking, Scored, query_for_failure, query_for_text, rank
from failwell.recurrence.schemas import (
    ActionBrief,
    Alert,
    ProblemBrief,
    ReasonOut,
    SimilarOut,
    SimilarTextQuery,
    SuggestionOut,
)
from failwell.recurrence.signatures import is_signature_token
from failwell.reviews.models import Review

# The loudest flag among this many top suggestions decides the alert.
ALERT_DEPTH = 5
_LOUDNESS: dict[Alert, int] = {"none": 0, "open_fix": 1, "overdue_fix": 2, "fix_did_not_hold": 3}

K = TypeVar("K")
V = TypeVar("V")


def action_brief(action: CorrectiveAction) -> ActionBrief:
    return ActionBrief(
        id=action.id,
        title=action.title,
        status=action.status,
        priority=action.priority,
        due_date=action.due_date,
        overdue=is_overdue(action),
        completed_at=action.completed_at,
    )


def similar_to_failure(session: Session, failure_id: int, limit: int = 10) -> SimilarOut:
    query = query_for_failure(session, failure_id)
    ranking = rank(session, query, limit)
    assert query.at is not None
    return describe(session, ranking, query.at, failure_id)


def similar_to_text(session: Session, data: SimilarTextQuery) -> SimilarOut:
    if not data.text.strip():
        raise InvalidInput.on("text", "must not be empty: describe what happened")
    service_ids = {service_by_name(session, data.service).id} if data.service else set()
    ranking = rank(session, query_for_text(data.text, service_ids), data.limit)
    return describe(session, ranking, utcnow(), None)


@dataclass
class Known:
    """What the records say about the suggested failures, read once (by failure id)."""

    failures: dict[int, Row[int, str, FailureStatus, datetime]] = field(default_factory=dict)
    services: dict[int, list[str]] = field(default_factory=dict)
    reviews: dict[int, Row[int, int, ReviewStatus, str]] = field(default_factory=dict)
    actions: dict[int, list[CorrectiveAction]] = field(default_factory=dict)
    problems: dict[int, list[int]] = field(default_factory=dict)


def describe(session: Session, ranking: Ranking, reference: datetime, failure_id: int | None) -> SimilarOut:
    """Adds what each suggestion's failure taught and what is still open about it."""
    known = read_known(session, [s.failure_id for s in ranking.items])
    # A failure deleted since the index was read is left out.
    items = [
        suggestion_out(scored, known, reference)
        for scored in ranking.items
        if scored.failure_id in known.failures
    ]
    return SimilarOut(
        failure_id=failure_id,
        terms=shown_terms(ranking.terms),
        truncated=ranking.truncated,
        semantic=ranking.semantic,
        note=ranking.note,
        alert=loudest(items[:ALERT_DEPTH]),
        strong_alert=loudest([i for i in items[:ALERT_DEPTH] if i.strong]),
        suggested_problem=suggest_problem(session, items, failure_id),
        items=items,
    )


def read_known(session: Session, ids: list[int]) -> Known:
    if not ids:
        return Known()
    failures = session.execute(
        select(Failure.id, Failure.title, Failure.status, Failure.started_at).where(Failure.id.in_(ids))
    )
    services = session.execute(
        select(failure_services.c.failure_id, Service.name)
        .join(Service, Service.id == failure_services.c.service_id)
        .where(failure_services.c.failure_id.in_(ids))
        .order_by(Service.name)
    )
    reviews = session.execute(
        select(Review.failure_id, Review.id, Review.status, Review.lessons_learned).where(
            Review.failure_id.in_(ids)
        )
    )
    problems = session.execute(
        select(ProblemFailure.problem_id, ProblemFailure.failure_id).where(ProblemFailure.failure_id.in_(ids))
    )
    return Known(
        failures={row.id: row for row in failures},
        services=_grouped((fid, name) for fid, name in services),
        reviews={row.failure_id: row for row in reviews},
        actions=_grouped((a.failure_id, a) for a in history.corrective_actions(session, ids)),
        problems=_grouped((fid, pid) for pid, fid in problems),
    )


def _grouped(pairs: Iterable[tuple[K, V]]) -> dict[K, list[V]]:
    """(key, value) pairs as lists of values by key, in the order read."""
    out: dict[K, list[V]] = defaultdict(list)
    for key, value in pairs:
        out[key].append(value)
    return out


def suggestion_out(scored: Scored, known: Known, reference: datetime) -> SuggestionOut:
    """One suggestion: its score and reasons, lessons, actions and what they say (the flags)."""
    failure = known.failures[scored.failure_id]
    review = known.reviews.get(failure.id)
    actions = known.actions.get(failure.id, [])
    return SuggestionOut(
        failure_id=failure.id,
        title=failure.title,
        status=failure.status,
        started_at=failure.started_at,
        services=known.services.get(failure.id, []),
        score=round(scored.score, 4),
        lexical=_rounded(scored.lexical),
        semantic=_rounded(scored.semantic),
        reasons=[ReasonOut(kind=r.kind, detail=r.detail, weight=round(r.weight, 4)) for r in scored.reasons],
        lessons=lessons(review.status, review.lessons_learned) if review else [],
        review_id=review.id if review else None,
        actions=[action_brief(a) for a in actions],
        open_fix=history.open_fix(actions),
        overdue_fix=history.overdue_fix(actions),
        fix_did_not_hold=history.fix_did_not_hold(actions, reference),
        problem_ids=sorted(known.problems.get(failure.id, [])),
        confidence=_rounded(scored.confidence),
        strong=is_strong(scored),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def lessons(status: ReviewStatus, learned: str) -> list[str]:
    """A review's lessons, once it is published and says some."""
    return [learned] if status == ReviewStatus.published and learned.strip() else []


def shown_terms(terms: Sequence[str]) -> list[str]:
    """The searched words shown (the signature tokens are not words)."""
    return [t for t in terms if not is_signature_token(t)][:20]


def loudest(items: Sequence[SuggestionOut]) -> Alert:
    alert: Alert = "none"
    for item in items:
        for flag in ("fix_did_not_hold", "overdue_fix", "open_fix"):
            if getattr(item, flag) and _LOUDNESS[flag] > _LOUDNESS[alert]:
                alert = flag
    return alert


def suggest_problem(
    session: Session, items: Sequence[SuggestionOut], failure_id: int | None
) -> ProblemBrief | None:
    """The open problem most of the top suggestions belong to (and the failure does not yet)."""
    votes: Counter[int] = Counter()
    for item in items[:ALERT_DEPTH]:
        for pid in item.problem_ids:
            votes[pid] += 1
    if not votes:
        return None
    if failure_id is not None:
        already = set(
            session.scalars(select(ProblemFailure.problem_id).where(ProblemFailure.failure_id == failure_id))
        )
        for pid in already:
            votes.pop(pid, None)
    for pid, matched in votes.most_common():
        problem = session.get(Problem, pid)
        if problem is None or problem.status == ProblemStatus.closed:
            continue
        members = session.scalar(
            select(func.count()).select_from(ProblemFailure).where(ProblemFailure.problem_id == pid)
        )
        return ProblemBrief(
            id=problem.id, title=problem.title, status=problem.status, members=members or 0, matched=matched
        )
    return None
