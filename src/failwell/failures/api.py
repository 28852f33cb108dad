from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.failures import search, service, timeline
from failwell.failures.schemas import (
    FailureFilter,
    FailureIn,
    FailureListItem,
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
async def report_failure(data: FailureIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.failure_out(service.report_failure(session, actor, data))

    return await uow.run(work)


@router.get("/failures", response_model=Page[FailureListItem])
async def list_failures(filters: Annotated[FailureFilter, Query()], uow: Work) -> object:
    """Failures, newest first; with q, a full-text search ranked by relevance, each item with a
    snippet of where it matched."""

    def work(session: Session, _actor: Actor) -> object:
        rows, total, exact = service.list_failures(session, filters)
        found = search.snippets(session, rows, filters.q) if filters.q else {}
        items = [
            FailureListItem(**service.failure_out(f).model_dump(), snippet=found.get(f.id)) for f in rows
        ]
        return page_of(items, total, exact, filters)

    return await uow.run(work)


@router.get("/failures/{failure_id}", response_model=FailureOut)
async def get_failure(failure_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.failure_out(service.get_failure(session, failure_id))

    return await uow.run(work)


@router.patch("/failures/{failure_id}", response_model=FailureOut)
async def update_failure(failure_id: IdPath, data: FailureUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.failure_out(service.update_failure(session, actor, failure_id, data))

    return await uow.run(work)


@router.delete("/failures/{failure_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_failure(failure_id: IdPath, uow: Work) -> None:
    """Removes a failure reported in error, with its timeline, review and actions (practice owners)."""

    def work(session: Session, actor: Actor) -> None:
        service.delete_failure(session, actor, failure_id)

    await uow.run(work)


@router.post(
    "/failures/{failure_id}/timeline", status_code=status.HTTP_201_CREATED, response_model=TimelineEventOut
)
async def add_event(failure_id: IdPath, data: TimelineEventIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return timeline.event_out(timeline.add_event(session, actor, failure_id, data))

    return await uow.run(work)


@router.get("/failures/{failure_id}/timeline", response_model=list[TimelineEventOut])
async def list_events(failure_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return [timeline.event_out(e) for e in timeline.list_events(session, failure_id)]

    return await uow.run(work)


@router.patch("/failures/{failure_id}/timeline/{event_id}", response_model=TimelineEventOut)
async def update_event(failure_id: IdPath, event_id: IdPath, data: TimelineEventUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return timeline.event_out(timeline.update_event(session, actor, failure_id, event_id, data))

    return await uow.run(work)


@router.get("/severity-levels", response_model=list[SeverityLevelOut])
async def list_severity_levels(uow: Work) -> object:
    return await uow.run(
        lambda session, _actor: [
            SeverityLevelOut.model_validate(lv) for lv in service.list_severity_levels(session)
        ]
    )


@router.patch("/severity-levels/{level}", response_model=SeverityLevelOut)
async def update_severity_level(
    level: Annotated[int, Path(ge=1, le=5)], data: SeverityLevelUpdate, uow: Work
) -> object:
    def work(session: Session, actor: Actor) -> object:
        return SeverityLevelOut.model_validate(service.update_severity_level(session, actor, level, data))

    return await uow.run(work)
