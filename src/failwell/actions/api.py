from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from failwell.actions import proposals, service
from failwell.actions.models import CorrectiveAction
from failwell.actions.schemas import (
    ActionFilter,
    ActionIn,
    ActionOut,
    ActionProposal,
    ActionUpdate,
    DeclineIn,
)
from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.listing import Page, page_of

router = APIRouter(tags=["corrective actions"])


def _one(session: Session, action: CorrectiveAction) -> ActionOut:
    return service.actions_out(session, [action])[0]


@router.post("/actions", status_code=status.HTTP_201_CREATED, response_model=ActionOut)
async def create_action(data: ActionIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return _one(session, service.create_action(session, actor, data))

    return await uow.run(work)


@router.get("/actions", response_model=Page[ActionOut])
async def list_actions(filters: Annotated[ActionFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        rows, total, exact = service.list_actions(session, filters)
        return page_of(service.actions_out(session, rows), total, exact, filters)

    return await uow.run(work)


@router.get("/actions/{action_id}", response_model=ActionOut)
async def get_action(action_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return _one(session, service.get_action(session, action_id))

    return await uow.run(work)


@router.patch("/actions/{action_id}", response_model=ActionOut)
async def update_action(action_id: IdPath, data: ActionUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return _one(session, service.update_action(session, actor, action_id, data))

    return await uow.run(work)


@router.post("/actions/{action_id}/done", response_model=ActionOut)
async def complete_action(action_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return _one(session, service.complete_action(session, actor, action_id))

    return await uow.run(work)


@router.post("/actions/proposals", status_code=status.HTTP_201_CREATED, response_model=ActionOut)
async def propose_action(data: ActionProposal, uow: Work) -> object:
    """A practitioner proposes an action on a failure; it waits, status proposed, for a manager."""

    def work(session: Session, actor: Actor) -> object:
        return _one(session, proposals.propose_action(session, actor, data))

    return await uow.run(work)


@router.post("/actions/{action_id}/accept", response_model=ActionOut)
async def accept_action(action_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return _one(session, proposals.accept_action(session, actor, action_id))

    return await uow.run(work)


@router.post("/actions/{action_id}/decline", response_model=ActionOut)
async def decline_action(action_id: IdPath, data: DeclineIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return _one(session, proposals.decline_action(session, actor, action_id, data))

    return await uow.run(work)
