"""Known errors (ITIL): a problem's documented symptoms and workaround, recorded, changed and listed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import InvalidInput, NotFound
from failwell.listing import text_match
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.models import KnownError
from failwell.recurrence.problems import get_problem, problem_event
from failwell.recurrence.schemas import KnownErrorIn, KnownErrorUpdate


def add_known_error(session: Session, actor: Actor, problem_id: int, data: KnownErrorIn) -> KnownError:
    require(actor, Role.practitioner, "Recording a known error")
    problem = get_problem(session, problem_id)
    known = KnownError(
        problem_id=problem.id, title=data.title, symptoms=data.symptoms, workaround=data.workaround
    )
    session.add(known)
    if problem.status == ProblemStatus.open:
        problem.status = ProblemStatus.known_error  # ITIL: a documented cause makes it a known error
    problem.updated_at = utcnow()
    session.flush()
    problem_event(session, actor, problem, "known_error_added", known_error_id=known.id)
    return known


def update_known_error(session: Session, actor: Actor, known_id: int, data: KnownErrorUpdate) -> KnownError:
    require(actor, Role.practitioner, "Changing a known error")
    known = session.get(KnownError, known_id)
    if known is None:
        raise NotFound(detail=f"No known error with id {known_id}.")
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            if name == "title":
                raise InvalidInput.on("title", "cannot be cleared")
            value = ""
        setattr(known, name, value)
    known.updated_at = utcnow()
    session.flush()
    problem_event(session, actor, known.problem, "known_error_updated", known_error_id=known.id)
    return known


def list_known_errors(session: Session, q: str | None, limit: int) -> Sequence[KnownError]:
    stmt = select(KnownError).order_by(KnownError.updated_at.desc(), KnownError.id.desc()).limit(limit)
    if q:
        stmt = stmt.where(text_match(q, KnownError.title, KnownError.symptoms, KnownError.workaround))
    return session.scalars(stmt).all()
