from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from failwell.deps import CurrentActor, DbSession, IdPath
from failwell.fields import MAX_ID
from failwell.listing import Page, page_of
from failwell.people import service
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
def create_team(data: TeamIn, session: DbSession, actor: CurrentActor) -> object:
    return service.create_team(session, actor, data)


@router.get("/teams", response_model=Page[TeamOut])
def list_teams(session: DbSession, _actor: CurrentActor, filters: Annotated[TeamFilter, Query()]) -> object:
    rows, total, exact = service.list_teams(session, filters)
    return page_of([TeamOut.model_validate(t) for t in rows], total, exact, filters)


@router.get("/teams/{team_id}", response_model=TeamOut)
def get_team(team_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return service.get_team(session, team_id)


@router.patch("/teams/{team_id}", response_model=TeamOut)
def update_team(team_id: IdPath, data: TeamUpdate, session: DbSession, actor: CurrentActor) -> object:
    return service.update_team(session, actor, team_id, data)


@router.post("/people", status_code=status.HTTP_201_CREATED, response_model=PersonOut)
def create_person(data: PersonIn, session: DbSession, actor: CurrentActor) -> object:
    return service.person_out(service.create_person(session, actor, data))


@router.get("/people", response_model=Page[PersonOut])
def list_people(
    session: DbSession, _actor: CurrentActor, filters: Annotated[PersonFilter, Query()]
) -> object:
    rows, total, exact = service.list_people(session, filters)
    return page_of([service.person_out(p) for p in rows], total, exact, filters)


@router.get("/people/me", response_model=PersonOut)
def whoami(session: DbSession, actor: CurrentActor) -> object:
    return service.person_out(service.get_person(session, actor.person_id))


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: IdPath, session: DbSession, _actor: CurrentActor) -> object:
    return service.person_out(service.get_person(session, person_id))


@router.patch("/people/{person_id}", response_model=PersonOut)
def update_person(person_id: IdPath, data: PersonUpdate, session: DbSession, actor: CurrentActor) -> object:
    return service.person_out(service.update_person(session, actor, person_id, data))


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
def create_token(data: TokenIn, session: DbSession, actor: CurrentActor) -> object:
    token, secret = service.create_token(session, actor, data)
    return TokenCreated(token=secret, **TokenOut.model_validate(token).model_dump())


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(
    session: DbSession, actor: CurrentActor, person_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> object:
    return service.list_tokens(session, actor, person_id)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: IdPath, session: DbSession, actor: CurrentActor) -> object:
    return service.revoke_token(session, actor, token_id)
