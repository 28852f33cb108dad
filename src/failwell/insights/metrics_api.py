"""API of the delivery and learning metrics, under /api/v1/metrics. Any signed-in role may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.db import utcnow
from failwell.deps import Work
from failwell.insights.metrics import dora_report, learning_report, trend_report
from failwell.insights.metrics_schemas import DoraOut, LearningOut, MetricsQuery, TrendOut, TrendQuery

router = APIRouter(prefix="/metrics", tags=["metrics"])


@router.get("/dora", response_model=DoraOut)
async def get_dora(params: Annotated[MetricsQuery, Query()], uow: Work) -> object:
    """DORA's five keys over a window: deployment frequency, change lead time, change fail rate,
    failed deployment recovery time and deployment rework rate, each with its sample and band."""

    def work(session: Session, _actor: Actor) -> object:
        return dora_report(session, params, utcnow())

    return await uow.run(work)


@router.get("/learning", response_model=LearningOut)
async def get_learning(params: Annotated[MetricsQuery, Query()], uow: Work) -> object:
    """Repeat rate, recurrence after a fix, review lag, action follow-through, near-miss ratio
    and reach of lessons over a window (never per person)."""

    def work(session: Session, _actor: Actor) -> object:
        return learning_report(session, params, utcnow())

    return await uow.run(work)


@router.get("/trend", response_model=TrendOut)
async def get_trend(params: Annotated[TrendQuery, Query()], uow: Work) -> object:
    """The metrics week by week or month by month over the window."""

    def work(session: Session, _actor: Actor) -> object:
        return trend_report(session, params, utcnow())

    return await uow.run(work)
