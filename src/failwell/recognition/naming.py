"""Who may read whose name: a person who chose not to be named publicly shows as "a colleague"
to everyone but themselves and practice owners. The anonymous reporter is never named."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.enums import RecipientKind, Role
from failwell.people.models import Person, Team
from failwell.recognition.models import RecognitionPreference
from failwell.recognition.schemas import ANONYMOUS_REPORTER, COLLEAGUE, Recognised


def hidden_people(session: Session, person_ids: Iterable[int]) -> set[int]:
    """Of these people, those who chose not to be named publicly."""
    ids = {i for i in person_ids if i}
    if not ids:
        return set()
    return set(
        session.scalars(
            select(RecognitionPreference.person_id).where(
                RecognitionPreference.person_id.in_(ids), RecognitionPreference.named_publicly.is_(False)
            )
        )
    )


def hides_from(actor: Actor, person_id: int, hidden: set[int]) -> bool:
    """Whether the actor must not see this person's name."""
    if person_id not in hidden:
        return False
    return actor.person_id != person_id and not actor.at_least(Role.practice_owner)


def recognised(
    actor: Actor, kind: RecipientKind, person: Person | None, team: Team | None, hidden: set[int]
) -> Recognised:
    if kind == RecipientKind.team and team is not None:
        return Recognised(kind=kind, person_id=None, team_id=team.id, name=team.name, hidden=False)
    if kind == RecipientKind.person and person is not None:
        if hides_from(actor, person.id, hidden):
            return Recognised(kind=kind, person_id=None, team_id=None, name=COLLEAGUE, hidden=True)
        return Recognised(kind=kind, person_id=person.id, team_id=None, name=person.name, hidden=False)
    return Recognised(
        kind=RecipientKind.anonymous_reporter,
        person_id=None,
        team_id=None,
        name=ANONYMOUS_REPORTER,
        hidden=True,
    )


def public_name(session: Session, kind: RecipientKind, person: Person | None, team: Team | None) -> str:
    """The name everyone may read (announcements, the digest)."""
    if kind == RecipientKind.team and team is not None:
        return team.name
    if kind == RecipientKind.person and person is not None:
        return COLLEAGUE if hidden_people(session, [person.id]) else person.name
    return ANONYMOUS_REPORTER
