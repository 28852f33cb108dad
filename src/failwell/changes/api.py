from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from failwell.changes import service
from failwell.changes.schemas import (
    ChangeFilter,
    ChangeIn,
    ChangeOut,
    ChangeUpdate,
    DeploymentFilter,
    DeploymentIn,
    DeploymentOut,
    DeploymentUpdate,
)
from failwell.deps import CurrentActor, DbSession, IdPath
from failwell.listing import Page, page_of

router = APIRouter(tags=["changes and deployments"])


@router.post("/changes", status_code=status.HTTP_201_CREATED, response_model=ChangeOut)
def create_change(data: ChangeIn, session: DbSession, actor: CurrentActor) -> object:
    return service.change_out(service.create_change(session, actor, data))


@router.get("/changes", response_model=Page[ChangeOut])
def list_changes(
    session: DbSession, _actor: CurrentActor, filters: Annotated[ChangeFilter, Query()]
) -> object:
    rows, total, exact = service.list_changes(session, filters)
    return page_of([service.change_out(c) for c in rows], total, exact, filters)


@router.get("/changes/{change_id}", response_model=ChangeOut)
def get_change(change_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return service.change_out(service.get_change(session, change_id))


@router.patch("/changes/{change_id}", response_model=ChangeOut)
def update_change(change_id: IdPath, data: ChangeUpdate, session: DbSession, actor: CurrentActor) -> object:
    return service.change_out(service.update_change(session, actor, change_id, data))


@router.post("/deployments", status_code=status.HTTP_201_CREATED, response_model=DeploymentOut)
def record_deployment(data: DeploymentIn, session: DbSession, actor: CurrentActor) -> object:
    return service.deployment_out(service.record_deployment(session, actor, data))


@router.get("/deployments", response_model=Page[DeploymentOut])
def list_deployments(
    session: DbSession, _actor: CurrentActor, filters: Annotated[DeploymentFilter, Query()]
) -> object:
    rows, total, exact = service.list_deployments(session, filters)
    return page_of([service.deployment_out(d) for d in rows], total, exact, filters)


@router.get("/deployments/{deployment_id}", response_model=DeploymentOut)
def get_deployment(deployment_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return service.deployment_out(service.get_deployment(session, deployment_id))


@router.patch("/deployments/{deployment_id}", response_model=DeploymentOut)
def update_deployment(
    deployment_id: IdPath, data: DeploymentUpdate, session: DbSession, actor: CurrentActor
) -> object:
    return service.deployment_out(service.update_deployment(session, actor, deployment_id, data))
