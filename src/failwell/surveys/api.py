"""API of culture surveys, under /api/v1/surveys (results: failwell.insights.culture_api).

Campaigns are created, opened and closed by practice owners; anyone signed in sees the list.
Answering through the API answers as the token's person, through their invitation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.surveys import service
from failwell.surveys.instruments import FREE_TEXT_QUESTION, INSTRUMENTS, SCALE_LABELS
from failwell.surveys.schemas import AnswerIn, AnswerOut, CampaignIn, CampaignOut

router = APIRouter(prefix="/surveys", tags=["culture surveys"])


@router.get("/instruments")
async def get_instruments(uow: Work) -> dict[str, Any]:
    """The published instruments failwell ships, their items, scoring and sources."""

    def work(_session: Session, _actor: Actor) -> dict[str, Any]:
        return {
            "scale": {str(k): v for k, v in SCALE_LABELS.items()},
            "free_text_question": FREE_TEXT_QUESTION,
            "instruments": [
                {
                    "key": i.key,
                    "name": i.name,
                    "stem": i.stem,
                    "scoring": i.scoring,
                    "source": i.source,
                    "source_url": i.source_url,
                    "items": [{"key": it.key, "text": it.text, "reverse": it.reverse} for it in i.items],
                }
                for i in INSTRUMENTS.values()
            ],
        }

    return await uow.run(work)


@router.get("", response_model=list[CampaignOut])
async def list_campaigns(uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.campaigns_out(session, service.list_campaigns(session))

    return await uow.run(work)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CampaignOut)
async def create_campaign(data: CampaignIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.campaign_out(session, service.create_campaign(session, actor, data))

    return await uow.run(work)


@router.get("/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.campaign_out(session, service.get_campaign(session, campaign_id))

    return await uow.run(work)


@router.delete("/{campaign_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_campaign(campaign_id: IdPath, uow: Work) -> None:
    def work(session: Session, actor: Actor) -> None:
        service.delete_draft(session, actor, campaign_id)

    await uow.run(work)


@router.post("/{campaign_id}/open", response_model=CampaignOut)
async def open_campaign(campaign_id: IdPath, uow: Work) -> object:
    """Opens a draft: everyone in scope gets a personal one-time link through the outbox."""

    def work(session: Session, actor: Actor) -> object:
        return service.campaign_out(session, service.open_campaign(session, actor, campaign_id))

    return await uow.run(work)


@router.post("/{campaign_id}/close", response_model=CampaignOut)
async def close_campaign(campaign_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.campaign_out(session, service.close_campaign(session, actor, campaign_id))

    return await uow.run(work)


@router.post("/{campaign_id}/answers", status_code=status.HTTP_201_CREATED, response_model=AnswerOut)
async def answer(campaign_id: IdPath, data: AnswerIn, uow: Work) -> object:
    """Answers as the token's person (once). The stored answers carry no person."""

    def work(session: Session, actor: Actor) -> object:
        service.answer_as(session, actor, campaign_id, data)
        return AnswerOut(campaign_id=campaign_id)

    return await uow.run(work)
