from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import IdPath, Work
from failwell.fields import MAX_ID
from failwell.listing import Page, page_of
from failwell.people import service, teams, tokens
from failwell.people.schemas import (
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonUpdate,
    TeamFilter,
    TeamIn,
    TeamOut,
    TeamUpdate,
    TokenCreated,
    TokenIn,
    TokenOut,
)

router = APIRouter(tags=["teams and people"])


@router.post("/teams", status_code=status.HTTP_201_CREATED, response_model=TeamOut)
async def create_team(data: TeamIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return TeamOut.model_validate(teams.create_team(session, actor, data))

    return await uow.run(work)


@router.get("/teams", response_model=Page[TeamOut])
async def list_teams(filters: Annotated[TeamFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        rows, total, exact = teams.list_teams(session, filters)
        return page_of([TeamOut.model_validate(t) for t in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/teams/{team_id}", response_model=TeamOut)
async def get_team(team_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return TeamOut.model_validate(teams.get_team(session, team_id))

    return await uow.run(work)


@router.patch("/teams/{team_id}", response_model=TeamOut)
async def update_team(team_id: IdPath, data: TeamUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return TeamOut.model_validate(teams.update_team(session, actor, team_id, data))

    return await uow.run(work)


@router.post("/people", status_code=status.HTTP_201_CREATED, response_model=PersonOut)
async def create_person(data: PersonIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.person_out(service.create_person(session, actor, data))

    return await uow.run(work)


@router.get("/people", response_model=Page[PersonOut])
async def list_people(filters: Annotated[PersonFilter, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        rows, total, exact = service.list_people(session, filters)
        return page_of([service.person_out(p) for p in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/people/me", response_model=PersonOut)
async def whoami(uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.person_out(service.get_person(session, actor.person_id))

    return await uow.run(work)


@router.get("/people/{person_id}", response_model=PersonOut)
async def get_person(person_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return service.person_out(service.get_person(session, person_id))

    return await uow.run(work)


@router.patch("/people/{person_id}", response_model=PersonOut)
async def update_person(person_id: IdPath, data: PersonUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.person_out(service.update_person(session, actor, person_id, data))

    return await uow.run(work)


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
async def create_token(data: TokenIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        token, secret = tokens.create_token(session, actor, data)
        return TokenCreated(token=secret, **TokenOut.model_validate(token).model_dump())

    return await uow.run(work)


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(uow: Work, person_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> object:
    def work(session: Session, actor: Actor) -> object:
        return [TokenOut.model_validate(token) for token in tokens.list_tokens(session, actor, person_id)]

    return await uow.run(work)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
async def revoke_token(
    token_id: IdPath,
    uow: Work,
    confirm_self: Annotated[
        bool,
        Query(description="Needed to revoke the token this request authenticates with (else 409)."),
    ] = False,
) -> object:
    def work(session: Session, actor: Actor) -> object:
        token = tokens.revoke_token(
            session, actor, token_id, using_token=uow.bearer, confirm_self=confirm_self
        )
        return TokenOut.model_validate(token)

    return await uow.run(work)
