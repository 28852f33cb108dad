"""API of culture-survey results: GET /api/v1/surveys/{id}/results. Any signed-in role may read:
what is shown is already withheld for small and derivable groups (failwell.insights.culture)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.insights.culture import CultureResults, culture_results

router = APIRouter(prefix="/surveys", tags=["culture surveys"])


@router.get("/{campaign_id}/results", response_model=CultureResults)
async def get_results(campaign_id: IdPath, uow: Work) -> object:
    """Per organisation and team: scale and item means, distributions, Westrum's type, the trend
    across campaigns and the learning behaviours beside them. Only once the campaign is closed."""

    def work(session: Session, _actor: Actor) -> object:
        return culture_results(session, campaign_id)

    return await uow.run(work)
