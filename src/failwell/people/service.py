"""Teams, people and API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from functools import cache

from sqlalchemy import Connection, bindparam, delete, func, select
from sqlalchemy.orm import Session, joinedload

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.identity import SignedIn as SignedIn  # re-exported: its old home
from failwell.listing import PageParams, apply_sort, paginate, text_match
from failwell.people.models import ApiToken, Person, Team, WebSession, team_members
from failwell.people.schemas import (
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonUpdate,
    TeamFilter,
    TeamIn,
    TeamUpdate,
    TokenIn,
)
from failwell.people.security import hash_password, hash_token, new_token, verify_password

# ---- teams -------------------------------------------------------------------


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(detail=f"No team with id {team_id}.")
    return team


def team_by_name(session: Session, name: str, field: str = "team") -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise InvalidInput.on(field, f"unknown team '{name}'")
    return team


def _ensure_team_name_free(session: Session, name: str, except_id: int | None = None) -> None:
    existing = session.scalar(select(Team.id).where(Team.name == name))
    if existing is not None and existing != except_id:
        raise Conflict.on("name", f"a team named '{name}' already exists")


def create_team(session: Session, actor: Actor, data: TeamIn) -> Team:
    require(actor, Role.practice_manager, "Creating a team")
    _ensure_team_name_free(session, data.name)
    team = Team(name=data.name, description=data.description)
    session.add(team)
    session.flush()
    return team


def update_team(session: Session, actor: Actor, team_id: int, data: TeamUpdate) -> Team:
    require(actor, Role.practice_manager, "Changing a team")
    team = get_team(session, team_id)
    if data.name is not None and data.name != team.name:
        _ensure_team_name_free(session, data.name, team.id)
        team.name = data.name
    if data.description is not None:
        team.description = data.description
    session.flush()
    return team


TEAM_SORTS = {"name": Team.name, "created_at": Team.created_at}


def list_teams(session: Session, filters: TeamFilter) -> tuple[Sequence[Team], int, bool]:
    stmt = select(Team)
    if filters.q:
        stmt = stmt.where(text_match(filters.q, Team.name, Team.description))
    stmt = apply_sort(stmt, filters.sort, TEAM_SORTS, "name", Team.id)
    return paginate(session, stmt, filters)


# ---- people ------------------------------------------------------------------


def person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        name=person.name,
        email=person.email,
        role=person.role,
        is_active=person.is_active,
        can_sign_in=person.password_hash is not None and person.is_active,
        teams=[t.name for t in person.teams],
        created_at=person.created_at,
    )


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(detail=f"No person with id {person_id}.")
    return person


def person_by_email(session: Session, email: str, field: str = "person") -> Person:
    person = session.scalar(select(Person).where(Person.email == email.strip().lower()))
    if person is None:
        raise InvalidInput.on(field, f"unknown person '{email}'")
    return person


def _teams_by_names(session: Session, names: list[str]) -> list[Team]:
    teams = []
    for i, name in enumerate(dict.fromkeys(names)):
        teams.append(team_by_name(session, name, field=f"teams[{i}]"))
    return sorted(teams, key=lambda t: t.name)  # the order every read returns


def create_person(session: Session, actor: Actor, data: PersonIn) -> Person:
    require(actor, Role.practice_owner, "Adding a person")
    if session.scalar(select(Person.id).where(Person.email == data.email)) is not None:
        raise Conflict.on("email", f"someone with e-mail '{data.email}' already exists")
    person = Person(
        name=data.name,
        email=data.email,
        role=data.role,
        password_hash=hash_password(data.password) if data.password else None,
        teams=_teams_by_names(session, data.teams),
    )
    session.add(person)
    session.flush()
    return person


def update_person(session: Session, actor: Actor, person_id: int, data: PersonUpdate) -> Person:
    person = get_person(session, person_id)
    changes_own_details_only = (
        actor.person_id == person.id and data.role is None and data.is_active is None and data.teams is None
    )
    if not changes_own_details_only:
        require(actor, Role.practice_owner, "Changing someone's role, teams or access")
    was_owner = person.role == Role.practice_owner and person.is_active
    if data.email is not None and data.email != person.email:
        if session.scalar(select(Person.id).where(Person.email == data.email)) is not None:
            raise Conflict.on("email", f"someone with e-mail '{data.email}' already exists")
        person.email = data.email
    if data.name is not None:
        person.name = data.name
    if data.role is not None:
        person.role = data.role
    if data.is_active is not None:
        person.is_active = data.is_active
    if data.password is not None:
        person.password_hash = hash_password(data.password)
    if data.teams is not None:
        person.teams = _teams_by_names(session, data.teams)
    if was_owner and (person.role != Role.practice_owner or not person.is_active):
        ensure_an_owner_remains(session)
    session.flush()
    return person


PERSON_SORTS = {"name": Person.name, "email": Person.email, "created_at": Person.created_at}


def list_people(session: Session, filters: PersonFilter) -> tuple[Sequence[Person], int, bool]:
    stmt = select(Person)
    if filters.team:
        team = team_by_name(session, filters.team)
        stmt = stmt.join(team_members, team_members.c.person_id == Person.id).where(
            team_members.c.team_id == team.id
        )
    if filters.role:
        stmt = stmt.where(Person.role == filters.role)
    if filters.q:
        stmt = stmt.where(text_match(filters.q, Person.name, Person.email))
    stmt = apply_sort(stmt, filters.sort, PERSON_SORTS, "name", Person.id)
    return paginate(session, stmt, filters)


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


# ---- API tokens --------------------------------------------------------------


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


def actor_for(person: Person) -> Actor:
    return Actor(person_id=person.id, name=person.name, role=person.role)


# ---- web sign-in sessions ----------------------------------------------------------


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


# ---- administration and account pages ---------------------------------------------


def count_active_owners(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.role == Role.practice_owner, Person.is_active.is_(True))
        )
        or 0
    )


def ensure_an_owner_remains(session: Session) -> None:
    """Refuses a change that would leave nobody able to administer failwell."""
    session.flush()
    if count_active_owners(session) == 0:
        raise Conflict.on(
            "role", "this would leave no active practice owner; make someone else an owner first"
        )


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
