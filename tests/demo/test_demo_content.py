"""The demo's content and the loader's guard, each on a fresh database: every scenario text
fills in for every service it may land on, and the demo refuses to load into a database that
holds data."""

from __future__ import annotations

import string

import pytest
from sqlalchemy import select

from demo.checks import TODAY, count
from failwell.authz import SYSTEM
from failwell.changes.models import Deployment
from failwell.db import Database
from failwell.demo.content.organisation import PEOPLE, TEAMS
from failwell.demo.content.recurring import RECURRING
from failwell.demo.content.services import SERVICES
from failwell.demo.content.standalone import FAILED_DEPLOYMENTS, INCIDENTS, NEAR_MISSES
from failwell.demo.loader import database_is_empty, load_demo
from failwell.demo.organisation import DEMO_LOGIN_EMAIL
from failwell.enums import FailureKind
from failwell.errors import Conflict
from failwell.people import teams as people_teams
from failwell.people.models import Team
from failwell.people.schemas import TeamIn
from failwell.reviews.models import FactorCategory


def test_refuses_to_load_into_a_database_holding_data(db: Database) -> None:
    with db.session() as s:
        people_teams.create_team(s, SYSTEM, TeamIn(name="sre", description="Site reliability"))
    assert not database_is_empty(db)
    with pytest.raises(Conflict):
        load_demo(db, today=TODAY)
    with db.session(write=False) as s:
        assert count(s, Team) == 1
        assert count(s, Deployment) == 0


def test_every_scenario_text_fills_in(db: Database) -> None:
    """Every placeholder resolves for every service a scenario may land on."""
    with db.session(write=False) as s:
        seeded = set(s.scalars(select(FactorCategory.key)))
    teams = {t.name for t in TEAMS}
    services = {svc.name: svc for svc in SERVICES}
    standalone = [*FAILED_DEPLOYMENTS, *INCIDENTS, *NEAR_MISSES]
    scenarios = [*standalone, *(sc for family in RECURRING for sc in family.occurrences)]
    for sc in standalone:
        # Reused on several services: the title must say which, or two unrelated failures look alike.
        assert len(sc.services) == 1 or "{service}" in sc.title, sc.key
    fields = ("title", "description", "impact_partners", "impact_consumers", "detection", "diagnosis")
    fields += ("mitigation", "resolution", "went_well", "went_wrong", "lucky", "lessons")
    allowed = {"service", "team", "partners", "consumers", "version"}
    for sc in scenarios:
        assert sc.services is not None
        assert set(sc.services) <= set(services), sc.key
        assert {f.category for f in sc.factors} <= seeded, sc.key
        assert sc.actions and sc.factors and sc.tags, sc.key
        assert all(a.team is None or a.team in teams for a in sc.actions), sc.key
        texts = [getattr(sc, name) for name in fields]
        texts += [f.description for f in sc.factors]
        texts += [t for a in sc.actions for t in (a.title, a.description)]
        for text in texts:
            placeholders = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
            assert placeholders <= allowed, (sc.key, placeholders - allowed)
        if sc.kind == FailureKind.failed_deployment:
            assert "{version}" in sc.title and sc.outcome is not None, sc.key
    assert {sc.kind for sc in scenarios} == set(FailureKind)
    assert {svc.team for svc in SERVICES} <= teams
    assert len({p.email for p in PEOPLE}) == len(PEOPLE)
    assert PEOPLE[0].email == DEMO_LOGIN_EMAIL
