"""Ideas over the API: anyone proposes, supports and comments; practice managers decide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from failwell.actions.schemas import ActionOut
from failwell.actions.service import actions_out
from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.ideas import service
from failwell.ideas.schemas import CommentIn, CommentOut, IdeaAccept, IdeaClose, IdeaFilter, IdeaIn, IdeaOut
from failwell.listing import Page, page_of

router = APIRouter(tags=["ideas"])


class AcceptedIdea(BaseModel):
    idea: IdeaOut
    action: ActionOut


@router.post("/ideas", status_code=status.HTTP_201_CREATED, response_model=IdeaOut)
async def propose_idea(data: IdeaIn, uow: Work) -> object:
    """Open to every role, viewers included; `anonymous` stores nothing about the proposer."""

    def work(session: Session, actor: Actor) -> object:
        return service.idea_out(session, actor, service.propose_idea(session, actor, data))

    return await uow.run(work)


@router.get("/ideas", response_model=Page[IdeaOut])
async def list_ideas(filters: Annotated[IdeaFilter, Query()], uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        rows, total, exact = service.list_ideas(session, filters)
        return page_of(service.ideas_out(session, actor, rows), total, exact, filters)

    return await uow.run(work)


@router.get("/ideas/{idea_id}", response_model=IdeaOut)
async def get_idea(idea_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.idea_out(session, actor, service.get_idea_row(session, idea_id))

    return await uow.run(work)


@router.put("/ideas/{idea_id}/support", response_model=IdeaOut)
async def support_idea(idea_id: IdPath, uow: Work) -> object:
    """Adds your support (once per person; repeating it changes nothing)."""

    def work(session: Session, actor: Actor) -> object:
        return service.idea_out(session, actor, service.set_support(session, actor, idea_id, True))

    return await uow.run(work)


@router.delete("/ideas/{idea_id}/support", response_model=IdeaOut)
async def withdraw_support(idea_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.idea_out(session, actor, service.set_support(session, actor, idea_id, False))

    return await uow.run(work)


@router.get("/ideas/{idea_id}/comments", response_model=list[CommentOut])
async def list_comments(idea_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.list_comments(session, idea_id)

    return await uow.run(work)


@router.post("/ideas/{idea_id}/comments", status_code=status.HTTP_201_CREATED, response_model=CommentOut)
async def add_comment(idea_id: IdPath, data: CommentIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        comment = service.add_comment(session, actor, idea_id, data)
        return next(c for c in service.list_comments(session, idea_id) if c.id == comment.id)

    return await uow.run(work)


@router.post("/ideas/{idea_id}/accept", response_model=AcceptedIdea)
async def accept_idea(idea_id: IdPath, data: IdeaAccept, uow: Work) -> object:
    """Practice managers: makes a corrective action of the idea, crediting its proposer."""

    def work(session: Session, actor: Actor) -> object:
        idea, action = service.accept_idea(session, actor, idea_id, data)
        return AcceptedIdea(
            idea=service.idea_out(session, actor, idea), action=actions_out(session, [action])[0]
        )

    return await uow.run(work)


@router.post("/ideas/{idea_id}/close", response_model=IdeaOut)
async def close_idea(idea_id: IdPath, data: IdeaClose, uow: Work) -> object:
    """Practice managers: closes the idea with a reason everyone reads."""

    def work(session: Session, actor: Actor) -> object:
        return service.idea_out(session, actor, service.close_idea(session, actor, idea_id, data))

    return await uow.run(work)
