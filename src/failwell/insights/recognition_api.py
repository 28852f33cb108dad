"""Whom to recognise, suggested from the data, for practice managers to confirm (confirming is
giving kudos: POST /api/v1/recognition/kudos with the suggestion's recipient and subject)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.db import utcnow
from failwell.deps import Work
from failwell.insights.recognition import Suggestion, suggestions

router = APIRouter(prefix="/recognition", tags=["recognition"])


@router.get("/suggestions", response_model=list[Suggestion])
async def list_suggestions(uow: Work) -> object:
    """Practice managers and owners: reviews published with lessons, corrective actions that held,
    lessons read across teams, ideas that became actions, not yet thanked."""

    def work(session: Session, actor: Actor) -> object:
        return suggestions(session, actor, utcnow())

    return await uow.run(work)
