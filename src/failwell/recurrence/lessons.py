"""Lessons before deploying a service: its published lessons, open corrective actions and known
errors, as a deploy gate reads them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import OPEN_STATUSES, overdue_clause, today
from failwell.catalogue.service import service_by_name
from failwell.enums import ActionPriority, ReviewStatus
from failwell.failures.models import Failure, failure_services
from failwell.listing import rank_of
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.models import KnownError, Problem, ProblemFailure
from failwell.recurrence.problems import known_error_out
from failwell.recurrence.schemas import LessonOut, LessonsOut, OpenActionOut
from failwell.recurrence.service import action_brief
from failwell.reviews.models import Review


def lessons_for_service(session: Session, service_name: str, limit: int = 20) -> LessonsOut:
    svc = service_by_name(session, service_name)
    of_service = select(failure_services.c.failure_id).where(failure_services.c.service_id == svc.id)
    failures = session.scalar(select(func.count()).select_from(of_service.subquery())) or 0
    reviews = session.execute(
        select(Review, Failure)
        .join(Failure, Failure.id == Review.failure_id)
        .where(
            Review.failure_id.in_(of_service),
            Review.status == ReviewStatus.published,
            Review.lessons_learned != "",
        )
        .order_by(Failure.started_at.desc(), Failure.id.desc())
        .limit(limit)
    ).all()
    open_of_service = select(CorrectiveAction.id).where(
        CorrectiveAction.failure_id.in_(of_service), CorrectiveAction.status.in_(OPEN_STATUSES)
    )
    # Counted in SQL over every open action, not from the capped list below: a deploy gate
    # must not miss a critical action because more than 500 are open.
    open_critical, overdue = session.execute(
        select(
            func.count().filter(CorrectiveAction.priority == ActionPriority.critical),
            func.count().filter(overdue_clause(today())),
        ).where(CorrectiveAction.id.in_(open_of_service))
    ).one()
    # Most urgent first (priority, then due date, overdue before later and undated), capped.
    actions = session.execute(
        select(CorrectiveAction, Failure.title)
        .join(Failure, Failure.id == CorrectiveAction.failure_id)
        .where(CorrectiveAction.id.in_(open_of_service))
        .order_by(
            rank_of(CorrectiveAction.priority, list(ActionPriority)),
            CorrectiveAction.due_date.asc().nulls_last(),
            CorrectiveAction.id,
        )
        .limit(500)
    ).all()
    known = session.scalars(
        select(KnownError)
        .join(Problem, Problem.id == KnownError.problem_id)
        .join(ProblemFailure, ProblemFailure.problem_id == Problem.id)
        .where(
            ProblemFailure.failure_id.in_(of_service),
            Problem.status.in_((ProblemStatus.open, ProblemStatus.known_error)),
        )
        .distinct()
        .order_by(KnownError.id)
        .limit(50)
    ).all()
    open_actions = [
        OpenActionOut(
            **action_brief(a).model_dump(),
            failure_id=a.failure_id,
            failure_title=title,
            owner_team=a.owner_team.name,
        )
        for a, title in actions
    ]
    return LessonsOut(
        service=svc.name,
        failures=failures,
        lessons=[
            LessonOut(
                failure_id=f.id,
                title=f.title,
                started_at=f.started_at,
                review_id=r.id,
                lessons_learned=r.lessons_learned,
                published_at=r.published_at,
            )
            for r, f in reviews
        ],
        open_actions=open_actions,
        open_critical=open_critical,
        overdue=overdue,
        known_errors=[known_error_out(k) for k in known],
    )
