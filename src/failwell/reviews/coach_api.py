"""POST /reviews/language: the blameless-language coach over the API (any signed-in role)."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter

from failwell.deps import Work
from failwell.reviews.coach import coach
from failwell.reviews.coach_schemas import LanguageIn, LanguageMark, LanguageOut

router = APIRouter(tags=["reviews"])


@router.post("/reviews/language", response_model=LanguageOut)
async def check_language(data: LanguageIn, uow: Work) -> LanguageOut:
    """Marks sentences that blame a person, judge with hindsight or give "human error" as a
    cause, each with the reason and a suggestion. It reads text only: nothing is stored."""
    del uow  # authentication only: any role may ask, and no database work is done
    marks = await anyio.to_thread.run_sync(lambda: coach(data.text, factor=data.factor))
    return LanguageOut(marks=[LanguageMark(**m.as_dict()) for m in marks])
