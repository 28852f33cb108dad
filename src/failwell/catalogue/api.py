from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.catalogue import service
from failwell.catalogue.schemas import ServiceFilter, ServiceIn, ServiceOut, ServiceUpdate
from failwell.deps import IdPath, Work
from failwell.listing import Page, page_of

router = APIRouter(tags=["services"])


@router.post("/services", status_code=status.HTTP_201_CREATED, response_model=ServiceOut)
async def create_service(data: ServiceIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.service_out(service.create_service(session, actor, data))

    return await uow.run(work)


@router.get("/services", response_model=Page[ServiceOut])
async def list_services(filters: Annotated[ServiceFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        rows, total, exact = service.list_services(session, filters)
        return page_of([service.service_out(s) for s in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/services/{service_id}", response_model=ServiceOut)
async def get_service(service_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.service_out(service.get_service(session, service_id))

    return await uow.run(work)


@router.patch("/services/{service_id}", response_model=ServiceOut)
async def update_service(service_id: IdPath, data: ServiceUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.service_out(service.update_service(session, actor, service_id, data))

    return await uow.run(work)
