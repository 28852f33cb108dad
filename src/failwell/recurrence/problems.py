"""Problems (ITIL problem management): recording, changing and listing them, and linking the
failures they explain."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, lazyload

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.events import PROBLEM_UPDATED, RECURRENCE_DETECTED, DomainEvent, emit
from failwell.failures.models import Failure
from failwell.failures.service import get_failure
from failwell.listing import apply_sort, paginate, text_match
from failwell.people.models import Team
from failwell.people.teams import team_by_name
from failwell.recurrence import history
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.links import recurrence_facts
from failwell.recurrence.models import KnownError, Problem, ProblemFailure
from failwell.recurrence.schemas import (
    KnownErrorOut,
    ProblemFilter,
    ProblemIn,
    ProblemOut,
    ProblemSummaryOut,
    ProblemUpdate,
)
from failwell.recurrence.service import action_brief


def get_problem(session: Session, problem_id: int, field: str | None = None) -> Problem:
    problem = session.get(Problem, problem_id)
    if problem is None:
        if field:
            raise InvalidInput.on(field, f"unknown problem {problem_id}")
        raise NotFound(detail=f"No problem with id {problem_id}.")
    return problem


def known_error_out(known: KnownError) -> KnownErrorOut:
    return KnownErrorOut(
        id=known.id,
        problem_id=known.problem_id,
        title=known.title,
        symptoms=known.symptoms,
        workaround=known.workaround,
        created_at=known.created_at,
        updated_at=known.updated_at,
    )


def _team_name(session: Session, team_id: int | None) -> str | None:
    return None if team_id is None else session.scalar(select(Team.name).where(Team.id == team_id))


def problem_out(session: Session, problem: Problem) -> ProblemOut:
    failures = sorted(problem.failures, key=lambda f: (f.started_at, f.id))
    actions = history.corrective_actions(session, [f.id for f in failures])
    return ProblemOut(
        id=problem.id,
        title=problem.title,
        description=problem.description,
        root_cause=problem.root_cause,
        status=problem.status,
        owner_team=_team_name(session, problem.owner_team_id),
        created_at=problem.created_at,
        updated_at=problem.updated_at,
        resolved_at=problem.resolved_at,
        occurrences=[history.occurrence_out(f) for f in failures],
        known_errors=[known_error_out(k) for k in problem.known_errors],
        actions=[action_brief(a) for a in actions],
        first_seen=failures[0].started_at if failures else None,
        last_seen=failures[-1].started_at if failures else None,
        recurred_after_fix=history.recurred_after_fix(failures, actions),
        recurrences_stopped=history.recurrences_stopped(failures, actions),
    )


def problem_event(session: Session, actor: Actor, problem: Problem, what: str, **facts: object) -> None:
    data: dict[str, object] = {
        "title": problem.title,
        "status": problem.status.value,
        "change": what,
        **facts,
    }
    emit(session, actor, DomainEvent(PROBLEM_UPDATED, problem.id, data))


def create_problem(session: Session, actor: Actor, data: ProblemIn) -> Problem:
    require(actor, Role.practitioner, "Recording a problem")
    problem = Problem(
        title=data.title,
        description=data.description,
        root_cause=data.root_cause,
        owner_team_id=team_by_name(session, data.owner_team, "owner_team").id if data.owner_team else None,
        created_by_id=actor.person_id or None,
    )
    session.add(problem)
    session.flush()
    for i, failure_id in enumerate(dict.fromkeys(data.failure_ids)):
        get_failure(session, failure_id, field=f"failure_ids[{i}]")
        session.add(
            ProblemFailure(problem_id=problem.id, failure_id=failure_id, linked_by_id=actor.person_id or None)
        )
    session.flush()
    session.refresh(problem)
    problem_event(session, actor, problem, "created", failure_ids=list(dict.fromkeys(data.failure_ids)))
    return problem


def update_problem(session: Session, actor: Actor, problem_id: int, data: ProblemUpdate) -> Problem:
    require(actor, Role.practitioner, "Changing a problem")
    problem = get_problem(session, problem_id)
    fields = data.model_dump(exclude_unset=True)
    for name in ("title", "description", "root_cause"):
        if name in fields:
            value = fields[name]
            if value is None:
                if name == "title":
                    raise InvalidInput.on("title", "cannot be cleared")
                value = ""
            setattr(problem, name, value)
    if "owner_team" in fields:
        problem.owner_team_id = (
            team_by_name(session, data.owner_team, "owner_team").id if data.owner_team else None
        )
    was = problem.status
    if data.status is not None and data.status != problem.status:
        if data.status in (ProblemStatus.resolved, ProblemStatus.closed):
            problem.resolved_at = problem.resolved_at or utcnow()
        else:
            problem.resolved_at = None
        problem.status = data.status
    problem.updated_at = utcnow()
    session.flush()
    problem_event(session, actor, problem, "updated", fields=sorted(fields), **{"from": was.value})
    return problem


def link_problem(session: Session, actor: Actor, problem_id: int, failure_id: int) -> Problem:
    """Adds a failure to a problem; if the problem had earlier failures, that is a recurrence."""
    require(actor, Role.practitioner, "Linking a failure to a problem")
    problem = get_problem(session, problem_id)
    failure = get_failure(session, failure_id, field="failure_id")
    if session.get(ProblemFailure, (problem_id, failure_id)) is not None:
        raise Conflict.on("failure_id", f"failure {failure_id} already belongs to problem {problem_id}")
    earlier = session.scalars(
        select(Failure)
        .join(ProblemFailure, ProblemFailure.failure_id == Failure.id)
        .where(ProblemFailure.problem_id == problem_id, Failure.started_at < failure.started_at)
        .order_by(Failure.started_at.desc())
        .limit(1)
    ).first()
    session.add(
        ProblemFailure(problem_id=problem_id, failure_id=failure_id, linked_by_id=actor.person_id or None)
    )
    problem.updated_at = utcnow()
    session.flush()
    session.refresh(problem)
    problem_event(session, actor, problem, "failure_linked", failure_id=failure_id)
    if earlier is not None:
        emit(
            session,
            actor,
            DomainEvent(
                RECURRENCE_DETECTED, failure.id, recurrence_facts(session, failure, earlier, problem.id)
            ),
        )
    return problem


def unlink_problem(session: Session, actor: Actor, problem_id: int, failure_id: int) -> Problem:
    require(actor, Role.practitioner, "Unlinking a failure from a problem")
    problem = get_problem(session, problem_id)
    gone = session.execute(
        delete(ProblemFailure).where(
            ProblemFailure.problem_id == problem_id, ProblemFailure.failure_id == failure_id
        )
    )
    if not getattr(gone, "rowcount", 0):
        raise NotFound(detail=f"Failure {failure_id} does not belong to problem {problem_id}.")
    problem.updated_at = utcnow()
    session.flush()
    session.refresh(problem)
    problem_event(session, actor, problem, "failure_unlinked", failure_id=failure_id)
    return problem


SORTS = {"updated_at": Problem.updated_at, "created_at": Problem.created_at, "title": Problem.title}


def list_problems(session: Session, filters: ProblemFilter) -> tuple[list[ProblemSummaryOut], int, bool]:
    # The summaries don't show occurrences one by one: skip the selectin load of failures.
    stmt = select(Problem).options(lazyload(Problem.failures))
    if filters.status:
        stmt = stmt.where(Problem.status == filters.status)
    if filters.q:
        stmt = stmt.where(text_match(filters.q, Problem.title, Problem.description))
    stmt = apply_sort(stmt, filters.sort, SORTS, "-updated_at", Problem.id)
    rows, total, exact = paginate(session, stmt, filters)
    ids = [p.id for p in rows]
    stats = (
        {
            pid: (n, last)
            for pid, n, last in session.execute(
                select(ProblemFailure.problem_id, func.count(), func.max(Failure.started_at))
                .join(Failure, Failure.id == ProblemFailure.failure_id)
                .where(ProblemFailure.problem_id.in_(ids))
                .group_by(ProblemFailure.problem_id)
            ).all()
        }
        if ids
        else {}
    )
    team_ids = {p.owner_team_id for p in rows if p.owner_team_id is not None}
    teams = (
        dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all())
        if team_ids
        else {}
    )
    items = [
        ProblemSummaryOut(
            id=p.id,
            title=p.title,
            status=p.status,
            owner_team=None if p.owner_team_id is None else teams.get(p.owner_team_id),
            occurrences=stats.get(p.id, (0, None))[0],
            known_errors=len(p.known_errors),
            last_seen=stats.get(p.id, (0, None))[1],
            updated_at=p.updated_at,
        )
        for p in rows
    ]
    return items, total, exact
