"""Recognition over the API: anyone gives kudos, nominates and votes; practice owners run awards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.listing import Page, page_of
from failwell.recognition import awards, service
from failwell.recognition.schemas import (
    AnnounceIn,
    AwardIn,
    AwardOut,
    AwardPatch,
    CycleFilter,
    CycleIn,
    CycleOut,
    KudosFilter,
    KudosIn,
    KudosOut,
    NominationIn,
    NominationOut,
    PreferenceIn,
    PreferenceOut,
    VoteIn,
)

router = APIRouter(prefix="/recognition", tags=["recognition"])


@router.post("/kudos", status_code=status.HTTP_201_CREATED, response_model=KudosOut)
async def give_kudos(data: KudosIn, uow: Work) -> object:
    """Any role. Thanks a person, a team or the anonymous reporter for one contribution to learning."""

    def work(session: Session, actor: Actor) -> object:
        return service.kudos_out(session, actor, [service.give_kudos(session, actor, data)])[0]

    return await uow.run(work)


@router.get("/kudos", response_model=Page[KudosOut])
async def list_kudos(filters: Annotated[KudosFilter, Query()], uow: Work) -> object:
    """Newest first. People who chose not to be named show as 'a colleague'."""

    def work(session: Session, actor: Actor) -> object:
        rows, total, exact = service.list_kudos(session, actor, filters)
        return page_of(service.kudos_out(session, actor, rows), total, exact, filters)

    return await uow.run(work)


@router.get("/preference", response_model=PreferenceOut)
async def get_preference(uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.get_preference(session, actor)

    return await uow.run(work)


@router.put("/preference", response_model=PreferenceOut)
async def set_preference(data: PreferenceIn, uow: Work) -> object:
    """Your own choice: named publicly, or 'a colleague' to all but you and practice owners."""

    def work(session: Session, actor: Actor) -> object:
        return service.set_preference(session, actor, data.named_publicly)

    return await uow.run(work)


@router.get("/awards", response_model=list[AwardOut])
async def list_awards(uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return awards.list_awards(session)

    return await uow.run(work)


def _award(session: Session, award_id: int) -> AwardOut:
    return next(a for a in awards.list_awards(session) if a.id == award_id)


@router.post("/awards", status_code=status.HTTP_201_CREATED, response_model=AwardOut)
async def create_award(data: AwardIn, uow: Work) -> object:
    """Practice owners: defines an award (its name says what the organisation values)."""

    def work(session: Session, actor: Actor) -> object:
        return _award(session, awards.create_award(session, actor, data).id)

    return await uow.run(work)


@router.patch("/awards/{award_id}", response_model=AwardOut)
async def update_award(award_id: IdPath, data: AwardPatch, uow: Work) -> object:
    """Practice owners."""

    def work(session: Session, actor: Actor) -> object:
        return _award(session, awards.update_award(session, actor, award_id, data).id)

    return await uow.run(work)


@router.post("/awards/{award_id}/cycles", status_code=status.HTTP_201_CREATED, response_model=CycleOut)
async def open_cycle(award_id: IdPath, data: CycleIn, uow: Work) -> object:
    """Practice owners: opens nominations for a round of the award, with its dates and voters."""

    def work(session: Session, actor: Actor) -> object:
        return awards.cycle_out(session, actor, awards.open_cycle(session, actor, award_id, data))

    return await uow.run(work)


@router.get("/cycles", response_model=Page[CycleOut])
async def list_cycles(filters: Annotated[CycleFilter, Query()], uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        rows, total, exact = awards.list_cycles(session, filters)
        return page_of([awards.cycle_out(session, actor, c) for c in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/cycles/{cycle_id}", response_model=CycleOut)
async def get_cycle(cycle_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return awards.cycle_out(session, actor, awards.get_cycle(session, cycle_id))

    return await uow.run(work)


@router.post(
    "/cycles/{cycle_id}/nominations", status_code=status.HTTP_201_CREATED, response_model=NominationOut
)
async def nominate(cycle_id: IdPath, data: NominationIn, uow: Work) -> object:
    """Any role, while nominations are open: a person or a team, with a reason and a link."""

    def work(session: Session, actor: Actor) -> object:
        nomination = awards.nominate(session, actor, cycle_id, data)
        cycle = awards.get_cycle(session, cycle_id)
        return awards.nominations_out(session, actor, cycle, [nomination])[0]

    return await uow.run(work)


@router.post("/cycles/{cycle_id}/voting", response_model=CycleOut)
async def start_voting(cycle_id: IdPath, uow: Work) -> object:
    """Practice owners: closes nominations and opens the vote."""

    def work(session: Session, actor: Actor) -> object:
        return awards.cycle_out(session, actor, awards.start_voting(session, actor, cycle_id))

    return await uow.run(work)


@router.post("/cycles/{cycle_id}/votes", status_code=status.HTTP_201_CREATED, response_model=CycleOut)
async def vote(cycle_id: IdPath, data: VoteIn, uow: Work) -> object:
    """The cycle's voters (everyone, or its panel): one vote each; a second answers 409."""

    def work(session: Session, actor: Actor) -> object:
        awards.vote(session, actor, cycle_id, data)
        return awards.cycle_out(session, actor, awards.get_cycle(session, cycle_id))

    return await uow.run(work)


@router.post("/cycles/{cycle_id}/announce", response_model=CycleOut)
async def announce(cycle_id: IdPath, data: AnnounceIn, uow: Work) -> object:
    """Practice owners: closes the vote and announces the winner (most votes). When votes are
    tied it answers 409 naming the tied nominations; send `winner_nomination_id` to choose."""

    def work(session: Session, actor: Actor) -> object:
        return awards.cycle_out(session, actor, awards.announce(session, actor, cycle_id, data))

    return await uow.run(work)
