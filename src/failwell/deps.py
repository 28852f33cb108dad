"""FastAPI dependencies: the unit of work per request, run as the authenticated actor."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio.to_thread
from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from failwell.authz import Actor, act_as, note_refusal
from failwell.db import Database
from failwell.errors import NotAuthenticated, PermissionDenied
from failwell.fields import MAX_ID
from failwell.identity import authenticate_token

T = TypeVar("T")
log = logging.getLogger("failwell")

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Numeric id.")]

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer fw_...`")


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


class UnitOfWork:
    """Runs one request's database work, as the authenticated actor, in one unit of work.

    It commits before the response is sent (a 2xx means stored) and rolls back on any
    error. The work makes a single trip to the thread pool; FastAPI would otherwise hop
    there four times per request (dependency set-up, endpoint, serialisation, tear-down),
    which costs more CPU than the database work itself. On SQLite, writes and the token
    check run inline; on PostgreSQL the token check is a second trip (see Database.embedded)."""

    def __init__(
        self, db: Database, actor: Actor, write: bool, method: str = "", path: str = "", bearer: str = ""
    ) -> None:
        self._db = db
        self._write = write
        self.actor = actor
        # What was asked for, should the work be refused (the audit trail records refusals).
        self._method, self._path = method, path
        # The secret that authenticated this request: lets a service tell "this very token" apart.
        self.bearer = bearer

    def _call(self, work: Callable[[Session, Actor], T]) -> T:
        with self._db.session(write=self._write) as session:
            act_as(session, self.actor)
            return work(session, self.actor)

    async def run(self, work: Callable[[Session, Actor], T]) -> T:
        try:
            if self._write and self._db.embedded:
                return self._call(work)
            return await anyio.to_thread.run_sync(self._call, work)
        except PermissionDenied as refusal:
            # Recorded here, not only by the app's error handler: a page may catch the refusal
            # and show it in its form.
            try:
                await anyio.to_thread.run_sync(
                    note_refusal, self._db, self.actor, self._method, self._path, refusal
                )
            except Exception:  # the refusal is answered even if it could not be recorded
                log.exception("could not record a refusal in the audit trail")
            raise


def _authenticate(db: Database, secret: str) -> Actor | None:
    # A bare connection, no ORM session: this runs before every request's work.
    with db.engine.connect() as connection:
        return authenticate_token(connection, secret)


async def _unit_of_work(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> UnitOfWork:
    # Authentication comes before the body is validated: no 422s for strangers.
    if credentials is None:
        raise NotAuthenticated(detail="Send an API token as 'Authorization: Bearer <token>'.")
    db = get_database(request)
    if db.embedded:  # an indexed SQLite read of one row: cheaper than a thread hop
        actor = _authenticate(db, credentials.credentials)
    else:
        actor = await anyio.to_thread.run_sync(_authenticate, db, credentials.credentials)
    if actor is None:
        raise NotAuthenticated(detail="The API token is unknown, revoked or expired.")
    # A refusal answered later (403) is recorded in the audit trail with who was refused.
    request.state.actor = actor
    return UnitOfWork(
        db,
        actor,
        write=request.method not in _READ_METHODS,
        method=request.method,
        path=request.url.path,
        bearer=credentials.credentials,
    )


Work = Annotated[UnitOfWork, Depends(_unit_of_work)]
