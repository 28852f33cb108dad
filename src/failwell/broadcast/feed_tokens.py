"""Personal tokens that open the Atom feeds of lessons to feed readers."""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast.models import FeedToken
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import InvalidInput, NotFound
from failwell.people.models import Person
from failwell.people.security import hash_token

FEED_PREFIX = "fwf_"


def create_feed_token(session: Session, actor: Actor) -> tuple[FeedToken, str]:
    require(actor, Role.viewer, "Creating a feed token")
    if not actor.person_id:
        raise InvalidInput.on("person", "the system actor cannot hold a feed token")
    secret = FEED_PREFIX + pysecrets.token_urlsafe(24)
    token = FeedToken(person_id=actor.person_id, token_hash=hash_token(secret), prefix=secret[:12])
    session.add(token)
    session.flush()
    return token, secret


def list_feed_tokens(session: Session, actor: Actor) -> Sequence[FeedToken]:
    return session.scalars(
        select(FeedToken).where(FeedToken.person_id == actor.person_id).order_by(FeedToken.id)
    ).all()


def revoke_feed_token(session: Session, actor: Actor, token_id: int) -> FeedToken:
    token = session.get(FeedToken, token_id)
    if token is None or (token.person_id != actor.person_id and not actor.at_least(Role.practice_owner)):
        raise NotFound(detail=f"No feed token with id {token_id} of yours.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def feed_token_valid(session: Session, secret: str) -> bool:
    if not secret.startswith(FEED_PREFIX) or len(secret) > 100:
        return False
    row = session.execute(
        select(FeedToken.id)
        .join(Person, Person.id == FeedToken.person_id)
        .where(
            FeedToken.token_hash == hash_token(secret),
            FeedToken.revoked_at.is_(None),
            Person.is_active.is_(True),
        )
    ).first()
    return row is not None
