"""The demo's teams, people and services, created through the service layer (validation, password
hashing), and the published demo login."""

from __future__ import annotations

from datetime import timedelta

from failwell.authz import SYSTEM
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ConsumerIn, ServiceIn
from failwell.demo.content.organisation import PEOPLE, TEAMS
from failwell.demo.content.services import SERVICES
from failwell.demo.world import Svc, World
from failwell.people import service as people
from failwell.people import teams
from failwell.people.passwords import length_problem
from failwell.people.schemas import PersonIn, TeamIn
from failwell.people.security import hash_password

DEMO_LOGIN_EMAIL = "owner@demo.failwell.dev"
DEMO_LOGIN_PASSWORD = "failwell-demo"


def published_password_hash(password: str) -> str:
    """The hash of a password that is published on purpose (README, banner, sign-in page).

    It skips the strength estimate, which rightly calls the product's own name guessable:
    a published password is no secret whatever its strength, and only the demo organisation
    has it. The length rule still holds."""
    problem = length_problem(password)
    if problem is not None:
        raise ValueError(f"the demo password: {problem}")
    return hash_password(password)


def create_organisation(w: World) -> None:
    # The organisation predates the two years of history a little.
    founded = w.start - timedelta(days=30)
    for i, t in enumerate(TEAMS):
        team = teams.create_team(w.s, SYSTEM, TeamIn(name=t.name, description=t.description))
        team.created_at = founded + timedelta(hours=i)
        w.teams[t.name] = team
        w.members[t.name] = []
    for i, p in enumerate(PEOPLE):
        is_login = i == 0
        person = people.create_person(
            w.s,
            SYSTEM,
            PersonIn(
                name=p.name,
                email=DEMO_LOGIN_EMAIL if is_login else p.email,
                role=p.role,
                teams=list(p.teams),
            ),
        )
        if is_login:  # argon2 is slow by design: only the demo login can sign in with a password.
            person.password_hash = published_password_hash(DEMO_LOGIN_PASSWORD)
        person.created_at = founded + timedelta(days=1, hours=i)
        w.people.append(person)
        for team_name in p.teams:
            w.members[team_name].append(person)
    for i, spec in enumerate(SERVICES):
        row = catalogue.create_service(
            w.s,
            SYSTEM,
            ServiceIn(
                name=spec.name,
                description=spec.description,
                owner_team=spec.team,
                tier=spec.tier,
                consumers=[ConsumerIn(name=n, kind=k) for n, k in spec.consumers],
            ),
        )
        row.created_at = founded + timedelta(days=2, hours=i)
        w.svcs[spec.name] = Svc(spec, row, w.teams[spec.team])
    w.s.flush()
