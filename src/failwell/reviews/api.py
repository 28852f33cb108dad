from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from failwell.deps import CurrentActor, DbSession, IdPath
from failwell.listing import Page, page_of
from failwell.reviews import service
from failwell.reviews.schemas import (
    FactorCategoryIn,
    FactorCategoryOut,
    FactorCategoryUpdate,
    ReviewFilter,
    ReviewOut,
    ReviewSections,
    ReviewUpdate,
)

router = APIRouter(tags=["reviews"])


@router.post("/failures/{failure_id}/review", status_code=status.HTTP_201_CREATED, response_model=ReviewOut)
def start_review(failure_id: IdPath, data: ReviewSections, session: DbSession, actor: CurrentActor) -> object:
    return service.review_out(service.start_review(session, actor, failure_id, data))


@router.get("/failures/{failure_id}/review", response_model=ReviewOut)
def review_for_failure(failure_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return service.review_out(service.review_for_failure(session, failure_id))


@router.get("/reviews", response_model=Page[ReviewOut])
def list_reviews(
    session: DbSession, _actor: CurrentActor, filters: Annotated[ReviewFilter, Query()]
) -> object:
    rows, total, exact = service.list_reviews(session, filters)
    return page_of([service.review_out(r) for r in rows], total, exact, filters)


@router.get("/reviews/{review_id}", response_model=ReviewOut)
def get_review(review_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return service.review_out(service.get_review(session, review_id))


@router.patch("/reviews/{review_id}", response_model=ReviewOut)
def update_review(review_id: IdPath, data: ReviewUpdate, session: DbSession, actor: CurrentActor) -> object:
    return service.review_out(service.update_review(session, actor, review_id, data))


@router.get("/factor-categories", response_model=list[FactorCategoryOut])
def list_categories(session: DbSession, _actor: CurrentActor, include_retired: bool = False) -> object:
    return service.list_categories(session, include_retired)


@router.post("/factor-categories", status_code=status.HTTP_201_CREATED, response_model=FactorCategoryOut)
def create_category(data: FactorCategoryIn, session: DbSession, actor: CurrentActor) -> object:
    return service.create_category(session, actor, data)


@router.patch("/factor-categories/{category_id}", response_model=FactorCategoryOut)
def update_category(
    category_id: IdPath, data: FactorCategoryUpdate, session: DbSession, actor: CurrentActor
) -> object:
    return service.update_category(session, actor, category_id, data)
