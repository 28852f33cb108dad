"""API tokens: created, listed and revoked, and the actor a bearer token stands for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session, joinedload

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.listing import PageParams, paginate
from failwell.people.models import ApiToken, Person
from failwell.people.schemas import TokenIn
from failwell.people.security import hash_token, new_token
from failwell.people.service import get_person, person_by_email


def create_token(
    session: Session, actor: Actor, data: TokenIn, *, secret: str | None = None
) -> tuple[ApiToken, str]:
    """Returns the stored token and its secret, which is never retrievable again.

    `secret` is for the demo organisation's published token only; real tokens are random."""
    if data.person is None:
        person = get_person(session, actor.person_id)
    else:
        person = person_by_email(session, data.person)
        if person.id != actor.person_id:
            require(actor, Role.practice_owner, "Creating a token for someone else")
    if not person.is_active:
        raise InvalidInput.on("person", f"'{person.email}' is deactivated")
    secret = secret or new_token()
    token = ApiToken(
        person_id=person.id,
        name=data.name,
        token_hash=hash_token(secret),
        prefix=secret[:10],
        expires_at=utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, actor: Actor, person_id: int | None = None) -> Sequence[ApiToken]:
    target = person_id if person_id is not None else actor.person_id
    if target != actor.person_id:
        require(actor, Role.practice_owner, "Listing someone else's tokens")
    return session.scalars(select(ApiToken).where(ApiToken.person_id == target).order_by(ApiToken.id)).all()


class RevokingOwnToken(Conflict):
    """The token to revoke is the one the caller is using, and they did not say they meant it."""


def revoke_token(
    session: Session,
    actor: Actor,
    token_id: int,
    *,
    using_token: str | None = None,
    confirm_self: bool = False,
    confirm_hint: str = "add ?confirm_self=true",
) -> ApiToken:
    """Revokes a token. `using_token` is the secret the caller authenticates with: revoking that
    very token locks the caller out, so it needs `confirm_self` (an accident otherwise)."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(detail=f"No token with id {token_id}.")
    if token.person_id != actor.person_id:
        require(actor, Role.practice_owner, "Revoking someone else's token")
    if (
        token.revoked_at is None
        and not confirm_self
        and using_token is not None
        and token.token_hash == hash_token(using_token)
    ):
        raise RevokingOwnToken(
            detail=(
                f"Token {token.id} ({token.prefix}…) is the one this request is using: revoking it "
                f"locks you out at once. If you mean it, {confirm_hint}."
            )
        )
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()
    return token


# Built once: this runs on every API request, so it skips per-call statement building.
_TOKEN_ACTOR = (
    select(
        Person.__table__.c.id,
        Person.__table__.c.name,
        Person.__table__.c.role,
        ApiToken.__table__.c.expires_at,
        ApiToken.__table__.c.id.label("token_id"),
    )
    .select_from(ApiToken.__table__.join(Person.__table__))
    .where(
        ApiToken.__table__.c.token_hash == bindparam("token_hash"),
        ApiToken.__table__.c.revoked_at.is_(None),
        Person.__table__.c.is_active.is_(True),
    )
)


def authenticate_token(session: Session | Connection, secret: str) -> Actor | None:
    """The actor a bearer token stands for, or None if it is unknown, revoked, expired or deactivated."""
    row = session.execute(_TOKEN_ACTOR, {"token_hash": hash_token(secret)}).one_or_none()
    if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
        return None
    return Actor(person_id=row.id, name=row.name, role=Role(row.role), token_id=row.token_id)


def list_all_tokens(
    session: Session, actor: Actor, params: PageParams, *, active_only: bool = False
) -> tuple[Sequence[ApiToken], int, bool]:
    """Everyone's tokens, newest first, with their person loaded (practice owners only)."""
    require(actor, Role.practice_owner, "Listing everyone's tokens")
    stmt = select(ApiToken).options(joinedload(ApiToken.person))
    if active_only:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return paginate(session, stmt.order_by(ApiToken.id.desc()), params)


def token_for_secret(session: Session, secret: str) -> ApiToken | None:
    """The stored token a secret belongs to (revoked or not), found by its SHA-256."""
    return session.scalar(
        select(ApiToken).options(joinedload(ApiToken.person)).where(ApiToken.token_hash == hash_token(secret))
    )
