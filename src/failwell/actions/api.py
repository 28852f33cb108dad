from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from failwell.actions import service
from failwell.actions.models import CorrectiveAction
from failwell.actions.schemas import ActionFilter, ActionIn, ActionOut, ActionUpdate
from failwell.deps import CurrentActor, DbSession, IdPath
from failwell.listing import Page, page_of

router = APIRouter(tags=["corrective actions"])


def _one(session: DbSession, action: CorrectiveAction) -> ActionOut:
    return service.actions_out(session, [action])[0]


@router.post("/actions", status_code=status.HTTP_201_CREATED, response_model=ActionOut)
def create_action(data: ActionIn, session: DbSession, actor: CurrentActor) -> object:
    return _one(session, service.create_action(session, actor, data))


@router.get("/actions", response_model=Page[ActionOut])
def list_actions(
    session: DbSession, _actor: CurrentActor, filters: Annotated[ActionFilter, Query()]
) -> object:
    rows, total, exact = service.list_actions(session, filters)
    return page_of(service.actions_out(session, rows), total, exact, filters)


@router.get("/actions/{action_id}", response_model=ActionOut)
def get_action(action_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return _one(session, service.get_action(session, action_id))


@router.patch("/actions/{action_id}", response_model=ActionOut)
def update_action(action_id: IdPath, data: ActionUpdate, session: DbSession, actor: CurrentActor) -> object:
    return _one(session, service.update_action(session, actor, action_id, data))


@router.post("/actions/{action_id}/done", response_model=ActionOut)
def complete_action(action_id: IdPath, session: DbSession, actor: CurrentActor) -> object:
    return _one(session, service.complete_action(session, actor, action_id))
