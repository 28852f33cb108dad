"""Read receipts of published reviews, and the reach of a lesson they add up to."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast.models import ReviewRead
from failwell.broadcast.schemas import ReachOut, TeamReach
from failwell.enums import ReviewStatus, Role
from failwell.errors import Conflict, InvalidInput
from failwell.people.models import Person, Team, team_members
from failwell.reviews.models import Review
from failwell.reviews.service import get_review


def _published(session: Session, review_id: int) -> Review:
    review = get_review(session, review_id)
    if review.status != ReviewStatus.published:
        raise Conflict.on("status", "only a published review can be marked as read")
    return review


def mark_read(session: Session, actor: Actor, review_id: int) -> ReachOut:
    require(actor, Role.viewer, "Marking a review as read")
    if not actor.person_id:
        raise InvalidInput.on("person", "the system actor cannot read")
    _published(session, review_id)
    if session.get(ReviewRead, (review_id, actor.person_id)) is None:
        session.add(ReviewRead(review_id=review_id, person_id=actor.person_id))
        session.flush()
    return reach(session, actor, review_id)


def unmark_read(session: Session, actor: Actor, review_id: int) -> ReachOut:
    require(actor, Role.viewer, "Unmarking a review as read")
    row = session.get(ReviewRead, (review_id, actor.person_id))
    if row is not None:
        session.delete(row)
        session.flush()
    return reach(session, actor, review_id)


def reach(session: Session, actor: Actor, review_id: int) -> ReachOut:
    """How widely a lesson reached: readers per team, as counts and shares only."""
    get_review(session, review_id)
    readers = select(ReviewRead.person_id).where(ReviewRead.review_id == review_id).subquery()
    rows = session.execute(
        select(
            Team.name,
            func.count(team_members.c.person_id),
            func.count(readers.c.person_id),
        )
        .join(team_members, team_members.c.team_id == Team.id)
        .join(Person, (Person.id == team_members.c.person_id) & Person.is_active.is_(True))
        .outerjoin(readers, readers.c.person_id == team_members.c.person_id)
        .group_by(Team.id, Team.name)
        .order_by(func.count(readers.c.person_id).desc(), Team.name)
    ).all()
    total = session.scalar(select(func.count()).select_from(readers)) or 0
    mine = bool(actor.person_id) and session.get(ReviewRead, (review_id, actor.person_id)) is not None
    return ReachOut(
        review_id=review_id,
        readers=int(total),
        read_by_me=mine,
        teams=[
            TeamReach(
                team=name, members=int(m), readers=int(r), share=round(int(r) / int(m), 3) if m else 0.0
            )
            for name, m, r in rows
        ],
    )
