from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from failwell.deps import CurrentActor, DbSession, IdPath
from failwell.failures import service
from failwell.failures.schemas import (
    FailureFilter,
    FailureIn,
    FailureOut,
    FailureUpdate,
    SeverityLevelOut,
    SeverityLevelUpdate,
    TimelineEventIn,
    TimelineEventOut,
    TimelineEventUpdate,
)
from failwell.listing import Page, page_of

router = APIRouter(tags=["failures"])


@router.post("/failures", status_code=status.HTTP_201_CREATED, response_model=FailureOut)
def report_failure(data: FailureIn, session: DbSession, actor: CurrentActor) -> object:
    return service.failure_out(service.report_failure(session, actor, data))


@router.get("/failures", response_model=Page[FailureOut])
def list_failures(
    session: DbSession, _actor: CurrentActor, filters: Annotated[FailureFilter, Query()]
) -> object:
    rows, total, exact = service.list_failures(session, filters)
    return page_of([service.failure_out(f) for f in rows], total, exact, filters)


@router.get("/failures/{failure_id}", response_model=FailureOut)
def get_failure(failure_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return service.failure_out(service.get_failure(session, failure_id))


@router.patch("/failures/{failure_id}", response_model=FailureOut)
def update_failure(
    failure_id: IdPath, data: FailureUpdate, session: DbSession, actor: CurrentActor
) -> object:
    return service.failure_out(service.update_failure(session, actor, failure_id, data))


@router.post(
    "/failures/{failure_id}/timeline", status_code=status.HTTP_201_CREATED, response_model=TimelineEventOut
)
def add_event(failure_id: IdPath, data: TimelineEventIn, session: DbSession, actor: CurrentActor) -> object:
    return service.event_out(service.add_event(session, actor, failure_id, data))


@router.get("/failures/{failure_id}/timeline", response_model=list[TimelineEventOut])
def list_events(failure_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return [service.event_out(e) for e in service.list_events(session, failure_id)]


@router.patch("/failures/{failure_id}/timeline/{event_id}", response_model=TimelineEventOut)
def update_event(
    failure_id: IdPath, event_id: IdPath, data: TimelineEventUpdate, session: DbSession, actor: CurrentActor
) -> object:
    return service.event_out(service.update_event(session, actor, failure_id, event_id, data))


@router.get("/severity-levels", response_model=list[SeverityLevelOut])
def list_severity_levels(session: DbSession, _actor: CurrentActor) -> object:
    return service.list_severity_levels(session)


@router.patch("/severity-levels/{level}", response_model=SeverityLevelOut)
def update_severity_level(
    level: Annotated[int, Path(ge=1, le=5)],
    data: SeverityLevelUpdate,
    session: DbSession,
    actor: CurrentActor,
) -> object:
    return service.update_severity_level(session, actor, level, data)
