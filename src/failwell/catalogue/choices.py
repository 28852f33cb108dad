"""The one source of team and service names for drop-downs and pickers.

Every form and filter that offers "which team?" or "which service?" asks here, so they all
offer the same names in the same order under the same cap. Organisations have hundreds of
teams and services, not millions; the cap only keeps a runaway catalogue from making every
form slow.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.people.models import Person, Team

CHOICES_LIMIT = 2_000


def service_names(session: Session) -> list[str]:
    return list(session.scalars(select(Service.name).order_by(Service.name).limit(CHOICES_LIMIT)))


def team_names(session: Session) -> list[str]:
    return list(session.scalars(select(Team.name).order_by(Team.name).limit(CHOICES_LIMIT)))


def teams_of(session: Session, person_id: int) -> list[str]:
    """The names of the teams a person belongs to, for 'my teams' defaults."""
    stmt = select(Team.name).join(Team.members).where(Person.id == person_id).order_by(Team.name)
    return list(session.scalars(stmt.limit(CHOICES_LIMIT)))


def as_options(names: list[str]) -> list[tuple[str, str]]:
    """(value, label) pairs, as the select macro takes them."""
    return [(name, name) for name in names]


def scope_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """The service and team drop-downs of a list's or a report's filters."""
    return {
        "services": as_options(service_names(session)),
        "teams": as_options(team_names(session)),
    }
