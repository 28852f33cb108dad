from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import IdPath, Work
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
async def start_review(failure_id: IdPath, data: ReviewSections, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.review_out(service.start_review(session, actor, failure_id, data))

    return await uow.run(work)


@router.get("/failures/{failure_id}/review", response_model=ReviewOut)
async def review_for_failure(failure_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.review_out(service.review_for_failure(session, failure_id))

    return await uow.run(work)


@router.get("/reviews", response_model=Page[ReviewOut])
async def list_reviews(filters: Annotated[ReviewFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        rows, total, exact = service.list_reviews(session, filters)
        return page_of([service.review_out(r) for r in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/reviews/{review_id}", response_model=ReviewOut)
async def get_review(review_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.review_out(service.get_review(session, review_id))

    return await uow.run(work)


@router.patch("/reviews/{review_id}", response_model=ReviewOut)
async def update_review(review_id: IdPath, data: ReviewUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.review_out(service.update_review(session, actor, review_id, data))

    return await uow.run(work)


@router.get("/factor-categories", response_model=list[FactorCategoryOut])
async def list_categories(uow: Work, include_retired: bool = False) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return [
            FactorCategoryOut.model_validate(c) for c in service.list_categories(session, include_retired)
        ]

    return await uow.run(work)


@router.post("/factor-categories", status_code=status.HTTP_201_CREATED, response_model=FactorCategoryOut)
async def create_category(data: FactorCategoryIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return FactorCategoryOut.model_validate(service.create_category(session, actor, data))

    return await uow.run(work)


@router.patch("/factor-categories/{category_id}", response_model=FactorCategoryOut)
async def update_category(category_id: IdPath, data: FactorCategoryUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return FactorCategoryOut.model_validate(service.update_category(session, actor, category_id, data))

    return await uow.run(work)
