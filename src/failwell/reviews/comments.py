"""Comments on a review while it is written, with @mentions that tell the people named.

A mention is ``@`` and a person's e-mail address, or the part before its ``@`` when only one
person's address starts so. Comments say nothing about a failure's reporter: an anonymous
report stays anonymous to everyone who comments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.enums import Role
from failwell.events import REVIEW_COMMENTED, DomainEvent, emit
from failwell.failures.schemas import PersonRef
from failwell.fields import InputModel
from failwell.people.models import Person
from failwell.reviews.models import ReviewComment
from failwell.reviews.service import get_review

# "@ana" or "@ana@example.com"; a trailing full stop or comma ends the mention, not the address.
_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")
MAX_MENTIONS = 20


class CommentIn(InputModel):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)] = Field(
        description="Markdown; @name or @email mentions tell those people."
    )


class CommentOut(BaseModel):
    id: int
    review_id: int
    author: PersonRef | None
    body: str
    mentions: list[PersonRef] = Field(description="The people its @mentions named.")
    created_at: datetime


def mentioned_people(session: Session, body: str) -> list[Person]:
    """The active people the body's @mentions name, in order, each once."""
    found: list[Person] = []
    for handle in dict.fromkeys(h.rstrip(".").lower() for h in _MENTION.findall(body)):
        if "@" in handle:
            matches = session.scalars(select(Person).where(func.lower(Person.email) == handle)).all()
        else:
            matches = session.scalars(
                select(Person)
                .where(func.lower(Person.email).startswith(f"{handle}@", autoescape=True))
                .limit(2)
            ).all()
        if len(matches) == 1 and matches[0].is_active and matches[0] not in found:
            found.append(matches[0])
        if len(found) == MAX_MENTIONS:
            break
    return found


def comment_out(session: Session, comment: ReviewComment) -> CommentOut:
    author = comment.author
    return CommentOut(
        id=comment.id,
        review_id=comment.review_id,
        author=PersonRef(id=author.id, name=author.name) if author else None,
        body=comment.body,
        mentions=[PersonRef(id=p.id, name=p.name) for p in mentioned_people(session, comment.body)],
        created_at=comment.created_at,
    )


def add_comment(session: Session, actor: Actor, review_id: int, data: CommentIn) -> ReviewComment:
    require(actor, Role.practitioner, "Commenting on a review")
    review = get_review(session, review_id)
    comment = ReviewComment(review_id=review.id, author_id=actor.person_id or None, body=data.body)
    session.add(comment)
    session.flush()
    mentioned = [p.id for p in mentioned_people(session, data.body) if p.id != actor.person_id]
    facts = {"failure_id": review.failure_id, "comment_id": comment.id, "mentioned": mentioned}
    emit(session, actor, DomainEvent(REVIEW_COMMENTED, review.id, facts))
    return comment


def list_comments(session: Session, review_id: int) -> Sequence[ReviewComment]:
    get_review(session, review_id)
    stmt = select(ReviewComment).where(ReviewComment.review_id == review_id)
    return session.scalars(stmt.order_by(ReviewComment.created_at, ReviewComment.id)).all()
