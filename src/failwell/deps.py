"""FastAPI dependencies: the unit of work per request and the authenticated actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.db import Database
from failwell.errors import NotAuthenticated
from failwell.fields import MAX_ID
from failwell.people.service import actor_for, authenticate_token

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Numeric id.")]

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer fw_...`")


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _session(request: Request) -> Iterator[Session]:
    # Commits before the response is sent (scope="function"): a 2xx means it is stored.
    with get_database(request).session(write=request.method not in _READ_METHODS) as session:
        yield session


DbSession = Annotated[Session, Depends(_session, scope="function")]


def _actor(
    session: DbSession, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    if credentials is None:
        raise NotAuthenticated(detail="Send an API token as 'Authorization: Bearer <token>'.")
    person = authenticate_token(session, credentials.credentials)
    if person is None:
        raise NotAuthenticated(detail="The API token is unknown, revoked or expired.")
    return actor_for(person)


CurrentActor = Annotated[Actor, Depends(_actor)]
