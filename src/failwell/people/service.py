"""People: added, changed, found and listed, with their roles and teams; the rule that an
active practice owner always remains."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.identity import SignedIn as SignedIn  # re-exported: its old home
from failwell.listing import apply_sort, paginate, text_match
from failwell.people.models import Person, Team, team_members
from failwell.people.schemas import PersonFilter, PersonIn, PersonOut, PersonUpdate
from failwell.people.security import hash_password
from failwell.people.teams import team_by_name


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


def actor_for(person: Person) -> Actor:
    return Actor(person_id=person.id, name=person.name, role=person.role)
