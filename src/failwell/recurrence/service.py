"""Has this happened before? Similar earlier failures, with their lessons and corrective actions."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import OPEN_STATUSES, is_overdue
from failwell.catalogue.models import Service
from failwell.catalogue.service import service_by_name
from failwell.db import utcnow
from failwell.enums import ActionStatus, ReviewStatus
from failwell.errors import InvalidInput
from failwell.failures.models import Failure, failure_services
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.models import Problem, ProblemFailure
from failwell.recurrence.ranking import Ranking, query_for_failure, query_for_text, rank
from failwell.recurrence.schemas import (
    ActionBrief,
    Alert,
    ProblemBrief,
    ReasonOut,
    SimilarOut,
    SimilarTextQuery,
    SuggestionOut,
)
from failwell.reviews.models import Review

# The loudest flag among this many top suggestions decides the alert.
ALERT_DEPTH = 5
_LOUDNESS: dict[Alert, int] = {"none": 0, "open_fix": 1, "overdue_fix": 2, "fix_did_not_hold": 3}


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


def describe(session: Session, ranking: Ranking, reference: datetime, failure_id: int | None) -> SimilarOut:
    """Adds what each suggestion's failure taught and what is still open about it."""
    ids = [s.failure_id for s in ranking.items]
    failures = (
        {
            row.id: row
            for row in session.execute(
                select(Failure.id, Failure.title, Failure.status, Failure.started_at).where(
                    Failure.id.in_(ids)
                )
            )
        }
        if ids
        else {}
    )
    service_names: dict[int, list[str]] = defaultdict(list)
    for fid, name in (
        session.execute(
            select(failure_services.c.failure_id, Service.name)
            .join(Service, Service.id == failure_services.c.service_id)
            .where(failure_services.c.failure_id.in_(ids))
            .order_by(Service.name)
        ).all()
        if ids
        else []
    ):
        service_names[fid].append(name)
    reviews = (
        {
            row.failure_id: row
            for row in session.execute(
                select(Review.failure_id, Review.id, Review.status, Review.lessons_learned).where(
                    Review.failure_id.in_(ids)
                )
            )
        }
        if ids
        else {}
    )
    actions: dict[int, list[CorrectiveAction]] = defaultdict(list)
    for action in (
        session.scalars(
            select(CorrectiveAction).where(CorrectiveAction.failure_id.in_(ids)).order_by(CorrectiveAction.id)
        )
        if ids
        else []
    ):
        actions[action.failure_id].append(action)
    problems: dict[int, list[int]] = defaultdict(list)
    for pid, fid in (
        session.execute(
            select(ProblemFailure.problem_id, ProblemFailure.failure_id).where(
                ProblemFailure.failure_id.in_(ids)
            )
        ).all()
        if ids
        else []
    ):
        problems[fid].append(pid)

    items: list[SuggestionOut] = []
    for scored in ranking.items:
        failure = failures.get(scored.failure_id)
        if failure is None:  # deleted since the index was read
            continue
        review = reviews.get(failure.id)
        mine = actions.get(failure.id, [])
        items.append(
            SuggestionOut(
                failure_id=failure.id,
                title=failure.title,
                status=failure.status,
                started_at=failure.started_at,
                services=service_names.get(failure.id, []),
                score=round(scored.score, 4),
                lexical=None if scored.lexical is None else round(scored.lexical, 4),
                semantic=None if scored.semantic is None else round(scored.semantic, 4),
                reasons=[
                    ReasonOut(kind=r.kind, detail=r.detail, weight=round(r.weight, 4)) for r in scored.reasons
                ],
                lessons=[review.lessons_learned]
                if review and review.status == ReviewStatus.published and review.lessons_learned.strip()
                else [],
                review_id=review.id if review else None,
                actions=[action_brief(a) for a in mine],
                open_fix=any(a.status in OPEN_STATUSES for a in mine),
                overdue_fix=any(is_overdue(a) for a in mine),
                fix_did_not_hold=any(
                    a.status == ActionStatus.done
                    and a.completed_at is not None
                    and a.completed_at < reference
                    for a in mine
                ),
                problem_ids=sorted(problems.get(failure.id, [])),
            )
        )
    return SimilarOut(
        failure_id=failure_id,
        terms=[t for t in ranking.terms if not t.startswith(("exc", "sig"))][:20],
        truncated=ranking.truncated,
        semantic=ranking.semantic,
        note=ranking.note,
        alert=loudest(items[:ALERT_DEPTH]),
        suggested_problem=suggest_problem(session, items, failure_id),
        items=items,
    )


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
