"""Loads the demo organisation into an empty database, deterministically.

Everything is derived from `today` and a seeded random.Random: the same seed and day
give the same rows, ids included, on SQLite and PostgreSQL alike. Teams, people and
services go through the service layer (validation, password hashing); the bulk
(deployments, failures, reviews, actions) is planned in memory first and inserted as
ORM objects with every column set explicitly, so nothing depends on the clock.

Nothing happens after midnight UTC at the start of `today`, so a demo loaded today
never shows events in the future.

The demo is the same organisation whatever the day: every moment is planned relative to
`today`, and the two calendar rules (quiet weekends, month-end batch jobs) are read on a fixed
reference calendar (REFERENCE_DAY) and shifted, so loading it on another day moves every time
by the same number of days and changes nothing else. Tests and screenshots rely on that.

The steps live beside it: demo/world.py (the shared state), demo/organisation.py (teams, people,
services), demo/releases.py (deployments and changes), demo/failure_plans.py and
demo/failure_rows.py (failures and reviews), demo/action_rows.py, demo/problem_rows.py, and
demo/ideas.py, demo/recognition.py, demo/surveys.py (culture and recognition), and
demo/integrations.py (a CI and an Alertmanager integration, each with a delivery to map).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.db import Database
from failwell.demo.delivery import lesson_reads
from failwell.demo.failure_plans import plan_failures, settle
from failwell.demo.failure_rows import build_rows
from failwell.demo.ideas import add_ideas
from failwell.demo.integrations import add_integrations
from failwell.demo.organisation import DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD, create_organisation
from failwell.demo.problem_rows import problem_rows
from failwell.demo.recognition import add_recognition
from failwell.demo.releases import number_changes, plan_changes, plan_releases
from failwell.demo.surveys import add_culture_surveys
from failwell.demo.world import World
from failwell.errors import Conflict
from failwell.failures.models import Failure
from failwell.insights.failure_rollup import rebuild_failure_rollup
from failwell.insights.rollup import rebuild_rollup
from failwell.people.models import Person, Team
from failwell.recurrence.index import index_failures


@dataclass
class DemoSummary:
    teams: int
    people: int
    services: int
    changes: int
    deployments: int
    failures: int
    reviews: int
    actions: int
    problems: int
    integrations: int
    login_email: str
    login_password: str


def _is_empty(session: Session) -> bool:
    models = (Team, Person, Service, Failure)
    return all(session.scalar(select(model.id).limit(1)) is None for model in models)


def database_is_empty(db: Database) -> bool:
    """True when the database holds no teams, people, services or failures."""
    with db.session(write=False) as session:
        return _is_empty(session)


def load_demo(db: Database, *, today: date | None = None, seed: int = 42) -> DemoSummary:
    """Fills an empty database with the demo organisation; Conflict if it holds data.

    One transaction: a failed load leaves the database empty, so it can be retried.
    """
    day = today or datetime.now(UTC).date()
    try:
        with db.session() as session:
            # Checked inside the write transaction: on SQLite it holds the write lock already.
            if not _is_empty(session):
                raise Conflict(
                    detail="The database already holds data; the demo loads only into an empty one."
                )
            return _load(World(session, random.Random(seed), day))
    except IntegrityError as exc:
        # Another writer filled the database between our check and our inserts (PostgreSQL).
        raise Conflict(detail="The database was filled while the demo was loading.") from exc


def _load(w: World) -> DemoSummary:
    create_organisation(w)
    plan_releases(w)
    plans = plan_failures(w)
    settle(w, plans)
    plan_changes(w, {id(p.release) for p in plans if p.release is not None})
    changes = sorted(
        {id(r.change): r.change for r in w.releases if r.change is not None}.values(),
        key=lambda c: c.created_at,
    )
    number_changes(w, changes)
    w.s.add_all(changes)
    w.s.flush()
    deployments = [d for r in w.releases for d in r.deployments]
    for release in w.releases:
        for dep in release.deployments:
            dep.change_id = release.change.id if release.change is not None else None
    deployments.sort(key=lambda d: (d.started_at, d.service_id, d.environment))
    w.s.add_all(deployments)
    w.s.flush()
    failures, reviews, actions = build_rows(w, plans)
    problems = problem_rows(w, failures, actions)
    proposals = add_ideas(w.s, w.now, w.people, failures, actions)
    add_recognition(w.s, w.now, w.people, failures, reviews, actions)
    w.s.add_all(lesson_reads(reviews, w.members, w.now, w.side_rng))
    # The rows above bypass the services, so their events never fired: index the failures
    # for similar-failure search (text and embeddings) as reporting them would have.
    index_failures(w.s, [f.id for f in failures])
    # Likewise the deployment and failure rollups the metrics read.
    w.s.flush()
    rebuild_rollup(w.s)
    rebuild_failure_rollup(w.s)
    # Last, with its own random stream, so the history above does not depend on it.
    colleagues = add_culture_surveys(w.s, w.today, w.people, random.Random(w.rng.getrandbits(64)))
    connected = add_integrations(w)
    return DemoSummary(
        teams=len(w.teams),
        people=len(w.people) + colleagues,
        services=len(w.svcs),
        changes=len(changes),
        deployments=len(deployments),
        failures=len(failures),
        reviews=len(reviews),
        actions=len(actions) + proposals,
        problems=len(problems),
        integrations=len(connected),
        login_email=DEMO_LOGIN_EMAIL,
        login_password=DEMO_LOGIN_PASSWORD,
    )
