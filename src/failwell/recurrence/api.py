"""API routes of this slice, mounted under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.listing import Page, page_of
from failwell.recurrence import known_errors, links, problems, service
from failwell.recurrence.lessons import lessons_for_service
from failwell.recurrence.schemas import (
    KnownErrorFilter,
    KnownErrorIn,
    KnownErrorOut,
    KnownErrorUpdate,
    LessonsOut,
    LessonsParams,
    ProblemFilter,
    ProblemIn,
    ProblemLinkIn,
    ProblemOut,
    ProblemSummaryOut,
    ProblemUpdate,
    RecurrenceLinkIn,
    RecurrenceLinkOut,
    SimilarOut,
    SimilarParams,
    SimilarTextParams,
    SimilarTextQuery,
)

router = APIRouter(tags=["recurrence"])


@router.get("/failures/{failure_id}/similar", response_model=SimilarOut)
async def similar_to_failure(
    failure_id: IdPath, params: Annotated[SimilarParams, Query()], uow: Work
) -> object:
    """Earlier failures most likely to share this one's cause, why, and what they taught."""

    def work(session: Session, _actor: Actor) -> object:
        return service.similar_to_failure(session, failure_id, params.limit)

    return await uow.run(work)


@router.get("/similar", response_model=SimilarOut)
async def similar_to_text(params: Annotated[SimilarTextParams, Query()], uow: Work) -> object:
    """Earlier failures like a text being typed (a title, a description, an error message)."""

    def work(session: Session, _actor: Actor) -> object:
        return service.similar_to_text(session, params)

    return await uow.run(work)


@router.post("/similar", response_model=SimilarOut)
async def similar_to_long_text(data: SimilarTextQuery, uow: Work) -> object:
    """The same as GET /similar for texts too long for a URL (ranking reads the first 20,000 characters)."""

    def work(session: Session, _actor: Actor) -> object:
        return service.similar_to_text(session, data)

    return await uow.run(work)


# ---- recurrence links ----------------------------------------------------------------------


@router.post(
    "/failures/{failure_id}/recurrence-of",
    status_code=status.HTTP_201_CREATED,
    response_model=RecurrenceLinkOut,
)
async def link_recurrence(failure_id: IdPath, data: RecurrenceLinkIn, uow: Work) -> object:
    """Records that this failure is a recurrence of an earlier one (raises recurrence.detected)."""

    def work(session: Session, actor: Actor) -> object:
        return links.link_out(session, links.link_recurrence(session, actor, failure_id, data))

    return await uow.run(work)


@router.get("/failures/{failure_id}/recurrence-of", response_model=list[RecurrenceLinkOut])
async def list_links(failure_id: IdPath, uow: Work) -> object:
    return await uow.run(lambda session, _actor: links.list_links(session, failure_id))


@router.delete("/failures/{failure_id}/recurrence-of/{earlier_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unlink_recurrence(failure_id: IdPath, earlier_id: IdPath, uow: Work) -> None:
    def work(session: Session, actor: Actor) -> None:
        links.unlink_recurrence(session, actor, failure_id, earlier_id)

    await uow.run(work)


# ---- problems and known errors -----------------------------------------------------------


@router.post("/problems", status_code=status.HTTP_201_CREATED, response_model=ProblemOut, tags=["problems"])
async def create_problem(data: ProblemIn, uow: Work) -> object:
    """Records a problem: the cause, known or not yet, behind one or more failures."""

    def work(session: Session, actor: Actor) -> object:
        return problems.problem_out(session, problems.create_problem(session, actor, data))

    return await uow.run(work)


@router.get("/problems", response_model=Page[ProblemSummaryOut], tags=["problems"])
async def list_problems(filters: Annotated[ProblemFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        items, total, exact = problems.list_problems(session, filters)
        return page_of(items, total, exact, filters)

    return await uow.run(work)


@router.get("/problems/{problem_id}", response_model=ProblemOut, tags=["problems"])
async def get_problem(problem_id: IdPath, uow: Work) -> object:
    """A problem with its occurrences over time, known errors, actions and whether recurrences stopped."""

    def work(session: Session, _actor: Actor) -> object:
        return problems.problem_out(session, problems.get_problem(session, problem_id))

    return await uow.run(work)


@router.patch("/problems/{problem_id}", response_model=ProblemOut, tags=["problems"])
async def update_problem(problem_id: IdPath, data: ProblemUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return problems.problem_out(session, problems.update_problem(session, actor, problem_id, data))

    return await uow.run(work)


@router.post("/problems/{problem_id}/failures", response_model=ProblemOut, tags=["problems"])
async def link_problem(problem_id: IdPath, data: ProblemLinkIn, uow: Work) -> object:
    """Adds a failure to the problem (a recurrence when the problem has earlier failures)."""

    def work(session: Session, actor: Actor) -> object:
        return problems.problem_out(
            session, problems.link_problem(session, actor, problem_id, data.failure_id)
        )

    return await uow.run(work)


@router.delete("/problems/{problem_id}/failures/{failure_id}", response_model=ProblemOut, tags=["problems"])
async def unlink_problem(problem_id: IdPath, failure_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return problems.problem_out(session, problems.unlink_problem(session, actor, problem_id, failure_id))

    return await uow.run(work)


@router.post(
    "/problems/{problem_id}/known-errors",
    status_code=status.HTTP_201_CREATED,
    response_model=KnownErrorOut,
    tags=["problems"],
)
async def add_known_error(problem_id: IdPath, data: KnownErrorIn, uow: Work) -> object:
    """Documents a known error of the problem, with its workaround."""

    def work(session: Session, actor: Actor) -> object:
        return problems.known_error_out(known_errors.add_known_error(session, actor, problem_id, data))

    return await uow.run(work)


@router.patch("/known-errors/{known_error_id}", response_model=KnownErrorOut, tags=["problems"])
async def update_known_error(known_error_id: IdPath, data: KnownErrorUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return problems.known_error_out(known_errors.update_known_error(session, actor, known_error_id, data))

    return await uow.run(work)


@router.get("/known-errors", response_model=list[KnownErrorOut], tags=["problems"])
async def list_known_errors(params: Annotated[KnownErrorFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return [
            problems.known_error_out(k)
            for k in known_errors.list_known_errors(session, params.q, params.limit)
        ]

    return await uow.run(work)


# ---- lessons before deploying -----------------------------------------------------------


@router.get("/services/{service}/lessons", response_model=LessonsOut)
async def lessons(
    service_name: Annotated[str, Path(alias="service", min_length=1, max_length=100)],
    params: Annotated[LessonsParams, Query()],
    uow: Work,
) -> object:
    """What this service's past failures taught, and its corrective actions still open.

    For a CI job before it deploys: `open_critical` > 0 means critical fixes are still open."""

    def work(session: Session, _actor: Actor) -> object:
        return lessons_for_service(session, service_name.strip().lower(), params.limit)

    return await uow.run(work)
