"""Ideas from anyone, of any role: proposed, supported, discussed, then accepted into a corrective
action (crediting the proposer) or closed with a reason by a practice manager.

Proposing, supporting and commenting are open to every signed-in role, viewers included: the
one place where a viewer writes. An anonymous idea stores no proposer at all, and its proposer
does not support it automatically, so no row leads from the idea back to a person.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.actions.schemas import ActionIn
from failwell.actions.service import create_action
from failwell.authz import Actor, require
from failwell.enums import IdeaStatus, Role
from failwell.errors import InvalidInput, NotFound
from failwell.events import IDEA_ACCEPTED, IDEA_PROPOSED, DomainEvent, emit
from failwell.failures.schemas import PersonRef
from failwell.failures.service import get_failure
from failwell.ideas.models import Idea, IdeaComment, IdeaFailure, IdeaSupport
from failwell.ideas.schemas import (
    CommentIn,
    CommentOut,
    IdeaAccept,
    IdeaClose,
    IdeaFilter,
    IdeaIn,
    IdeaOut,
    IdeaSubject,
)
from failwell.listing import apply_sort, paginate, text_match
from failwell.recurrence.models import ProblemFailure
from failwell.recurrence.problems import get_problem

_SUPPORT_COUNT = (
    select(func.count(IdeaSupport.id)).where(IdeaSupport.idea_id == Idea.id).correlate(Idea).scalar_subquery()
)
SORTS = {"support": _SUPPORT_COUNT, "created_at": Idea.created_at, "updated_at": Idea.updated_at}


def get_idea_row(session: Session, idea_id: int, field: str | None = None) -> Idea:
    idea = session.get(Idea, idea_id)
    if idea is None:
        if field:
            raise InvalidInput.on(field, f"no idea with id {idea_id}")
        raise NotFound(detail=f"No idea with id {idea_id}.")
    return idea


def get_idea(session: Session, idea_id: int) -> IdeaSubject:
    """The idea's title and proposer (None when anonymous), for recognition's subjects."""
    idea = get_idea_row(session, idea_id)
    person = idea.proposed_by
    return IdeaSubject(
        id=idea.id,
        title=idea.title,
        proposed_by=PersonRef(id=person.id, name=person.name) if person else None,
    )


def ideas_out(session: Session, actor: Actor, ideas: Sequence[Idea]) -> list[IdeaOut]:
    ids = [i.id for i in ideas]
    if not ids:
        return []
    supports = dict(
        session.execute(
            select(IdeaSupport.idea_id, func.count())
            .where(IdeaSupport.idea_id.in_(ids))
            .group_by(IdeaSupport.idea_id)
        ).all()
    )
    mine = set(
        session.scalars(
            select(IdeaSupport.idea_id).where(
                IdeaSupport.idea_id.in_(ids), IdeaSupport.person_id == actor.person_id
            )
        )
    )
    comments = dict(
        session.execute(
            select(IdeaComment.idea_id, func.count())
            .where(IdeaComment.idea_id.in_(ids))
            .group_by(IdeaComment.idea_id)
        ).all()
    )
    failures: dict[int, list[int]] = {}
    for idea_id, failure_id in session.execute(
        select(IdeaFailure.idea_id, IdeaFailure.failure_id)
        .where(IdeaFailure.idea_id.in_(ids))
        .order_by(IdeaFailure.failure_id)
    ):
        failures.setdefault(idea_id, []).append(failure_id)
    return [
        IdeaOut(
            id=i.id,
            title=i.title,
            body=i.body,
            proposed_by=PersonRef(id=i.proposed_by.id, name=i.proposed_by.name) if i.proposed_by else None,
            anonymous=i.anonymous,
            status=i.status,
            close_reason=i.close_reason,
            problem_id=i.problem_id,
            failure_ids=failures.get(i.id, []),
            action_id=i.action_id,
            supporters=int(supports.get(i.id, 0)),
            supported_by_me=i.id in mine,
            comments=int(comments.get(i.id, 0)),
            created_at=i.created_at,
            updated_at=i.updated_at,
        )
        for i in ideas
    ]


def idea_out(session: Session, actor: Actor, idea: Idea) -> IdeaOut:
    return ideas_out(session, actor, [idea])[0]


def propose_idea(session: Session, actor: Actor, data: IdeaIn) -> Idea:
    require(actor, Role.viewer, "Proposing an idea")
    failure_ids = list(dict.fromkeys(data.failure_ids))
    for failure_id in failure_ids:
        get_failure(session, failure_id, field="failure_ids")
    if data.problem_id is not None:
        get_problem(session, data.problem_id, field="problem_id")
    idea = Idea(
        title=data.title,
        body=data.body,
        proposed_by_id=None if data.anonymous else actor.person_id or None,
        anonymous=data.anonymous,
        problem_id=data.problem_id,
    )
    session.add(idea)
    session.flush()
    session.add_all(IdeaFailure(idea_id=idea.id, failure_id=f) for f in failure_ids)
    session.flush()
    emit(session, actor, DomainEvent(IDEA_PROPOSED, idea.id, {"anonymous": data.anonymous}))
    return idea


def list_ideas(session: Session, filters: IdeaFilter) -> tuple[Sequence[Idea], int, bool]:
    stmt = select(Idea)
    if filters.status is not None:
        stmt = stmt.where(Idea.status == filters.status)
    if filters.failure_id is not None:
        linked = select(IdeaFailure.idea_id).where(IdeaFailure.failure_id == filters.failure_id)
        stmt = stmt.where(Idea.id.in_(linked))
    if filters.q:
        stmt = stmt.where(text_match(filters.q, Idea.title, Idea.body))
    stmt = apply_sort(stmt, filters.sort, SORTS, "-support", Idea.id)
    return paginate(session, stmt, filters)


def _require_open(idea: Idea, doing: str) -> None:
    if idea.status != IdeaStatus.open:
        raise InvalidInput.on("status", f"idea {idea.id} is {idea.status.value}: {doing} needs an open idea")


def set_support(session: Session, actor: Actor, idea_id: int, supported: bool) -> Idea:
    """Adds or withdraws the actor's support (idempotent either way)."""
    require(actor, Role.viewer, "Supporting an idea")
    idea = get_idea_row(session, idea_id)
    if not actor.person_id:
        raise InvalidInput.on("person", "support is given by a person, not by the system")
    existing = session.scalar(
        select(IdeaSupport).where(IdeaSupport.idea_id == idea.id, IdeaSupport.person_id == actor.person_id)
    )
    if supported and existing is None:
        _require_open(idea, "supporting")
        session.add(IdeaSupport(idea_id=idea.id, person_id=actor.person_id))
    elif not supported and existing is not None:
        session.delete(existing)
    session.flush()
    return idea


def add_comment(session: Session, actor: Actor, idea_id: int, data: CommentIn) -> IdeaComment:
    require(actor, Role.viewer, "Commenting on an idea")
    idea = get_idea_row(session, idea_id)
    comment = IdeaComment(idea_id=idea.id, author_id=actor.person_id or None, body=data.body)
    session.add(comment)
    session.flush()
    return comment


def list_comments(session: Session, idea_id: int) -> list[CommentOut]:
    get_idea_row(session, idea_id)
    rows = session.scalars(
        select(IdeaComment)
        .where(IdeaComment.idea_id == idea_id)
        .order_by(IdeaComment.created_at, IdeaComment.id)
    ).all()
    return [
        CommentOut(
            id=c.id,
            idea_id=c.idea_id,
            author=PersonRef(id=c.author.id, name=c.author.name) if c.author else None,
            body=c.body,
            created_at=c.created_at,
        )
        for c in rows
    ]


def _failure_for(session: Session, idea: Idea, chosen: int | None) -> int:
    if chosen is not None:
        return get_failure(session, chosen, field="failure_id").id
    first = session.scalar(
        select(IdeaFailure.failure_id).where(IdeaFailure.idea_id == idea.id).order_by(IdeaFailure.failure_id)
    )
    if first is None and idea.problem_id is not None:
        first = session.scalar(
            select(ProblemFailure.failure_id)
            .where(ProblemFailure.problem_id == idea.problem_id)
            .order_by(ProblemFailure.failure_id)
        )
    if first is None:
        raise InvalidInput.on("failure_id", "is required: the idea names no failure or problem with failures")
    return int(first)


def accept_idea(
    session: Session, actor: Actor, idea_id: int, data: IdeaAccept
) -> tuple[Idea, CorrectiveAction]:
    """A corrective action made of the idea, crediting its proposer (or saying it was anonymous)."""
    require(actor, Role.practice_manager, "Accepting an idea")
    idea = get_idea_row(session, idea_id)
    _require_open(idea, "accepting")
    action = create_action(
        session,
        actor,
        ActionIn(
            failure_id=_failure_for(session, idea, data.failure_id),
            title=data.title or idea.title,
            description=idea.body,
            action_type=data.action_type,
            owner_team=data.owner_team,
            due_date=data.due_date,
            priority=data.priority,
        ),
        proposed_by_id=idea.proposed_by_id,
        proposed_anonymously=idea.anonymous,
    )
    idea.status, idea.action_id = IdeaStatus.accepted, action.id
    idea.decided_by_id = actor.person_id or None
    session.flush()
    emit(session, actor, DomainEvent(IDEA_ACCEPTED, idea.id, {"action_id": action.id}))
    return idea, action


def close_idea(session: Session, actor: Actor, idea_id: int, data: IdeaClose) -> Idea:
    require(actor, Role.practice_manager, "Closing an idea")
    idea = get_idea_row(session, idea_id)
    _require_open(idea, "closing")
    idea.status, idea.close_reason = IdeaStatus.closed, data.reason
    idea.decided_by_id = actor.person_id or None
    session.flush()
    return idea
