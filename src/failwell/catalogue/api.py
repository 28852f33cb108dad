from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from failwell.catalogue import service
from failwell.catalogue.schemas import ServiceFilter, ServiceIn, ServiceOut, ServiceUpdate
from failwell.deps import CurrentActor, DbSession, IdPath
from failwell.listing import Page, page_of

router = APIRouter(tags=["services"])


@router.post("/services", status_code=status.HTTP_201_CREATED, response_model=ServiceOut)
def create_service(data: ServiceIn, session: DbSession, actor: CurrentActor) -> object:
    return service.service_out(service.create_service(session, actor, data))


@router.get("/services", response_model=Page[ServiceOut])
def list_services(
    session: DbSession, _actor: CurrentActor, filters: Annotated[ServiceFilter, Query()]
) -> object:
    rows, total, exact = service.list_services(session, filters)
    return page_of([service.service_out(s) for s in rows], total, exact, filters)


@router.get("/services/{service_id}", response_model=ServiceOut)
def get_service(service_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return service.service_out(service.get_service(session, service_id))


@router.patch("/services/{service_id}", response_model=ServiceOut)
def update_service(
    service_id: IdPath, data: ServiceUpdate, session: DbSession, actor: CurrentActor
) -> object:
    return service.service_out(service.update_service(session, actor, service_id, data))
