from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
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
from failwell.deps import IdPath, Work
from failwell.listing import Page, page_of

router = APIRouter(tags=["changes and deployments"])


@router.post("/changes", status_code=status.HTTP_201_CREATED, response_model=ChangeOut)
async def create_change(data: ChangeIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.change_out(service.create_change(session, actor, data))

    return await uow.run(work)


@router.get("/changes", response_model=Page[ChangeOut])
async def list_changes(filters: Annotated[ChangeFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        rows, total, exact = service.list_changes(session, filters)
        return page_of([service.change_out(c) for c in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/changes/{change_id}", response_model=ChangeOut)
async def get_change(change_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.change_out(service.get_change(session, change_id))

    return await uow.run(work)


@router.patch("/changes/{change_id}", response_model=ChangeOut)
async def update_change(change_id: IdPath, data: ChangeUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.change_out(service.update_change(session, actor, change_id, data))

    return await uow.run(work)


@router.post("/deployments", status_code=status.HTTP_201_CREATED, response_model=DeploymentOut)
async def record_deployment(data: DeploymentIn, uow: Work) -> object:
    return await uow.run(lambda session, actor: service.record_deployment(session, actor, data))


@router.get("/deployments", response_model=Page[DeploymentOut])
async def list_deployments(filters: Annotated[DeploymentFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        rows, total, exact = service.list_deployments(session, filters)
        return page_of([service.deployment_out(d) for d in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/deployments/{deployment_id}", response_model=DeploymentOut)
async def get_deployment(deployment_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.deployment_out(service.get_deployment(session, deployment_id))

    return await uow.run(work)


@router.patch("/deployments/{deployment_id}", response_model=DeploymentOut)
async def update_deployment(deployment_id: IdPath, data: DeploymentUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.deployment_out(service.update_deployment(session, actor, deployment_id, data))

    return await uow.run(work)
