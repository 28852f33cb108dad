"""Signing in: passwords checked, set and changed, and browser sign-in sessions; PeopleIdentity,
this slice's answer to the identity port (failwell.identity), which bootstrap installs."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import InvalidInput
from failwell.identity import SignedIn
from failwell.people.models import Person, WebSession
from failwell.people.security import hash_password, hash_token, verify_password
from failwell.people.service import get_person
from failwell.people.tokens import authenticate_token


def authenticate_password(session: Session, email: str, password: str) -> Person | None:
    person = session.scalar(select(Person).where(Person.email == email.strip().lower()))
    if person is None or not person.is_active or person.password_hash is None:
        # Hash anyway, so response time does not tell which e-mails have accounts.
        verify_password(_timing_decoy_hash(), password)
        return None
    return person if verify_password(person.password_hash, password) else None


@cache
def _timing_decoy_hash() -> str:
    return hash_password("failwell timing decoy")


def start_web_session(session: Session, person: Person, days: int) -> tuple[WebSession, str]:
    """Signs a person in: returns the stored session and the cookie secret (never stored)."""
    secret = secrets.token_urlsafe(32)
    web = WebSession(
        person_id=person.id,
        secret_hash=hash_token(secret),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(web)
    # Sign-in is a good moment to sweep this person's expired sessions.
    session.execute(
        delete(WebSession).where(WebSession.person_id == person.id, WebSession.expires_at <= utcnow())
    )
    session.flush()
    return web, secret


def end_web_session(session: Session, secret: str) -> None:
    session.execute(delete(WebSession).where(WebSession.secret_hash == hash_token(secret)))


_SESSION_ACTOR = (
    select(
        Person.__table__.c.id,
        Person.__table__.c.name,
        Person.__table__.c.email,
        Person.__table__.c.role,
        WebSession.__table__.c.csrf_token,
        WebSession.__table__.c.expires_at,
    )
    .select_from(WebSession.__table__.join(Person.__table__))
    .where(
        WebSession.__table__.c.secret_hash == bindparam("secret_hash"), Person.__table__.c.is_active.is_(True)
    )
)


def authenticate_web_session(connection: Session | Connection, secret: str) -> SignedIn | None:
    row = connection.execute(_SESSION_ACTOR, {"secret_hash": hash_token(secret)}).one_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    return SignedIn(Actor(person_id=row.id, name=row.name, role=Role(row.role)), row.email, row.csrf_token)


class PeopleIdentity:
    """This slice's answer to the identity port (failwell.identity); bootstrap installs it."""

    def authenticate_token(self, connection: Connection, secret: str) -> Actor | None:
        return authenticate_token(connection, secret)

    def authenticate_web_session(self, connection: Connection, secret: str) -> SignedIn | None:
        return authenticate_web_session(connection, secret)


IDENTITY = PeopleIdentity()


def _end_other_web_sessions(session: Session, person_id: int, keep_secret: str | None) -> None:
    stmt = delete(WebSession).where(WebSession.person_id == person_id)
    if keep_secret:
        stmt = stmt.where(WebSession.secret_hash != hash_token(keep_secret))
    session.execute(stmt)


# Passwords are hashed by the caller, off the event loop and outside the unit of work:
# argon2 takes tens of milliseconds on purpose, too long to hold SQLite's write gate.


def set_password(
    session: Session, actor: Actor, person_id: int, password_hash: str, *, keep_secret: str | None = None
) -> Person:
    """A practice owner sets someone's password (already hashed); their other sessions end."""
    require(actor, Role.practice_owner, "Setting someone's password")
    person = get_person(session, person_id)
    person.password_hash = password_hash
    _end_other_web_sessions(session, person.id, keep_secret)
    session.flush()
    return person


def password_hash_of(session: Session, person_id: int) -> str | None:
    return session.scalar(select(Person.password_hash).where(Person.id == person_id))


def change_own_password(
    session: Session, actor: Actor, verified_hash: str, new_hash: str, *, keep_secret: str | None = None
) -> Person:
    """Anyone replaces their own password. `verified_hash` is the stored hash the current
    password was checked against; if it changed meanwhile, the change is refused."""
    person = get_person(session, actor.person_id)
    if person.password_hash is None or person.password_hash != verified_hash:
        raise InvalidInput.on("current_password", "is not your current password")
    person.password_hash = new_hash
    _end_other_web_sessions(session, person.id, keep_secret)
    session.flush()
    return person
