"""API routes of the read side, mounted under /api/v1 beside the slices' routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import Work
from failwell.insights.recurrence import recurrence_metrics
from failwell.recurrence.schemas import MetricsOut, MetricsParams

router = APIRouter()


# Tagged and named as when the recurrence slice served it: same operation, same URL.
@router.get("/recurrence/metrics", response_model=MetricsOut, tags=["recurrence"])
async def metrics(params: Annotated[MetricsParams, Query()], uow: Work) -> object:
    """Repeat rate, time between recurrences, recurrences after a fix was marked done."""

    def work(session: Session, _actor: Actor) -> object:
        return recurrence_metrics(session, params)

    return await uow.run(work)
