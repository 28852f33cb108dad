"""Comments on a review over the API: list them, add one (with @mentions)."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.reviews import comments
from failwell.reviews.comments import CommentIn, CommentOut

router = APIRouter(tags=["reviews"])


@router.get("/reviews/{review_id}/comments", response_model=list[CommentOut])
async def list_comments(review_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return [comments.comment_out(session, c) for c in comments.list_comments(session, review_id)]

    return await uow.run(work)


@router.post("/reviews/{review_id}/comments", status_code=status.HTTP_201_CREATED, response_model=CommentOut)
async def add_comment(review_id: IdPath, data: CommentIn, uow: Work) -> object:
    """Mentioned people (``@name`` or ``@email``) are told through the broadcast channels."""

    def work(session: Session, actor: Actor) -> object:
        return comments.comment_out(session, comments.add_comment(session, actor, review_id, data))

    return await uow.run(work)
