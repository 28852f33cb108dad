"""The demo organisation: complete, plausible, consistent and deterministic.

The demo is loaded once per backend for the tests that only read it; the checks on each kind of
record are in checks.py. The scenario texts and the loader's refusal of a database holding data
are in test_demo_content.py."""

from __future__ import annotations

import os
import shutil
import time as clock
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Row, func, select

from demo.checks import (
    TODAY,
    check_actions,
    check_deployments,
    check_failures,
    check_problems,
    check_recurrences,
    check_reviews,
    count,
)
from failwell.actions.models import CorrectiveAction
from failwell.catalogue.models import Service, ServiceConsumer
from failwell.changes.models import Change, Deployment
from failwell.db import Database
from failwell.demo.content.problems import PROBLEMS
from failwell.demo.loader import DemoSummary, database_is_empty, load_demo
from failwell.demo.organisation import DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD
from failwell.enums import ConsumerKind, Role, Tier
from failwell.errors import Conflict
from failwell.failures.models import Failure
from failwell.integrations.models import Integration, IntegrationDelivery
from failwell.migrate import upgrade
from failwell.people import sign_in
from failwell.people.models import Person, Team
from failwell.recurrence.models import KnownError, Problem, ProblemFailure, RecurrenceLink
from failwell.reviews.models import Review
from support import scratch_pg_database


@dataclass
class Loaded:
    db: Database
    summary: DemoSummary
    seconds: float


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The demo of TODAY (default seed), loaded once per backend for the tests that only read it
    (a load takes seconds)."""
    urls: AbstractContextManager[str]
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "failwell.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        urls = nullcontext(f"sqlite:///{path}")
    else:
        urls = scratch_pg_database(f"failwell_demo_{os.getpid()}", request.getfixturevalue("pg_template"))
    with urls as url:
        db = Database(url, pool_size=2)
        try:
            assert database_is_empty(db)
            began = clock.perf_counter()
            summary = load_demo(db, today=TODAY)
            yield Loaded(db, summary, clock.perf_counter() - began)
        finally:
            db.dispose()


def fingerprint(db: Database) -> tuple[object, ...]:
    with db.session(write=False) as s:
        failures = s.execute(
            select(
                Failure.id,
                Failure.title,
                Failure.status,
                Failure.started_at,
                Failure.detected_at,
                Failure.mitigated_at,
                Failure.resolved_at,
                Failure.reporter_id,
                Failure.updated_at,
            ).order_by(Failure.id)
        ).all()
        deployments = s.execute(select(func.count(Deployment.id), func.max(Deployment.id))).one()
        newest = select(Deployment.version, Deployment.started_at, Deployment.commit_shas)
        last = s.execute(newest.order_by(Deployment.id.desc())).first()
        reviews = s.execute(
            select(Review.failure_id, Review.status, Review.published_at).order_by(Review.id)
        ).all()
        actions = s.execute(
            select(CorrectiveAction.title, CorrectiveAction.status, CorrectiveAction.due_date).order_by(
                CorrectiveAction.id
            )
        ).all()
        problems = s.execute(
            select(
                Problem.id, Problem.title, Problem.status, Problem.created_at, Problem.updated_at
            ).order_by(Problem.id)
        ).all()
        members = s.execute(
            select(ProblemFailure.problem_id, ProblemFailure.failure_id, ProblemFailure.created_at).order_by(
                ProblemFailure.problem_id, ProblemFailure.failure_id
            )
        ).all()
        links = s.execute(
            select(RecurrenceLink.failure_id, RecurrenceLink.earlier_id, RecurrenceLink.created_at).order_by(
                RecurrenceLink.failure_id, RecurrenceLink.earlier_id
            )
        ).all()
        known = s.execute(select(KnownError.id, KnownError.problem_id, KnownError.created_at)).all()
        deliveries = s.execute(
            select(
                Integration.name,
                Integration.created_at,
                IntegrationDelivery.event,
                IntegrationDelivery.received_at,
                IntegrationDelivery.verdict,
                IntegrationDelivery.detail,
            )
            .join(Integration, Integration.id == IntegrationDelivery.integration_id)
            .order_by(IntegrationDelivery.id)
        ).all()
        return (
            tuple(failures),
            tuple(deployments),
            tuple(last or ()),
            tuple(reviews),
            tuple(actions),
            tuple(problems),
            tuple(members),
            tuple(links),
            tuple(sorted(known)),
            tuple(deliveries),
        )


def test_demo_organisation_is_complete_and_consistent(loaded: Loaded) -> None:
    db, summary = loaded.db, loaded.summary
    # `make run` loads it while a person waits. Its speed is measured by hand, not here: this bound
    # only catches a runaway (it took 20 s on a machine running eight test suites at once).
    assert loaded.seconds < 180

    assert 5 <= summary.teams <= 8
    assert 20 <= summary.people <= 30
    assert summary.services == 15
    assert 200 <= summary.changes <= 600
    assert 4_000 <= summary.deployments <= 6_000
    assert 130 <= summary.failures <= 170
    assert 60 <= summary.reviews < summary.failures
    assert summary.actions >= 100
    assert summary.problems == len(PROBLEMS)
    assert (summary.login_email, summary.login_password) == (DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD)
    assert not database_is_empty(db)

    with db.session(write=False) as s:
        assert count(s, Team) == summary.teams
        assert count(s, Person) == summary.people
        assert count(s, Deployment) == summary.deployments
        assert count(s, Change) == summary.changes
        assert count(s, Failure) == summary.failures
        assert count(s, Review) == summary.reviews
        assert count(s, CorrectiveAction) == summary.actions

        # The organisation: every role, tier and kind of dependant.
        assert set(s.scalars(select(Person.role))) == set(Role)
        assert set(s.scalars(select(Service.tier))) == set(Tier)
        assert {ConsumerKind.partner, ConsumerKind.consumer} <= set(s.scalars(select(ServiceConsumer.kind)))
        assert all(t.description for t in s.scalars(select(Team)))
        assert all(t.members for t in s.scalars(select(Team)))

        # The demo login can sign in, as a practice owner; nobody else has a password.
        owner = sign_in.authenticate_password(s, DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD)
        assert owner is not None and owner.role == Role.practice_owner
        assert sign_in.authenticate_password(s, DEMO_LOGIN_EMAIL, "not-the-password") is None
        assert s.scalar(select(func.count()).where(Person.password_hash.is_not(None))) == 1

        check_deployments(s)
        check_failures(s)
        check_reviews(s)
        check_actions(s)
        check_recurrences(s)
        check_problems(s)

    with pytest.raises(Conflict):
        load_demo(db, today=TODAY)


# Another weekday and another month.
DAYS_LATER = 45


def _shifted(value: object, delta: timedelta) -> object:
    if isinstance(value, datetime | date):
        return value + delta
    if isinstance(value, tuple | list):
        return tuple(_shifted(v, delta) for v in value)
    if isinstance(value, Row):
        return tuple(_shifted(v, delta) for v in value)
    return value


def test_demo_is_deterministic(loaded: Loaded, tmp_path: Path) -> None:
    """The same seed and day give the same organisation; another seed another one; another day
    (another weekday, another month) the same one moved in time, so the suite's browser tests
    and screenshots do not depend on the day they run."""

    def fresh(name: str, day: date, seed: int = 42) -> tuple[DemoSummary, tuple[object, ...]]:
        url = f"sqlite:///{tmp_path / name}"
        upgrade(url)
        database = Database(url, pool_size=1)
        try:
            return load_demo(database, today=day, seed=seed), fingerprint(database)
        finally:
            database.dispose()

    # The twin is SQLite whatever `loaded` is, so on PostgreSQL this also compares the backends.
    summary, twin = fresh("twin.db", TODAY)
    assert summary == loaded.summary
    assert fingerprint(loaded.db) == twin
    if loaded.db.engine.dialect.name != "sqlite":
        return  # the rest does not involve `loaded`: once is enough
    assert fresh("other.db", TODAY, seed=8)[1] != twin
    _, later = fresh("later.db", TODAY + timedelta(days=DAYS_LATER))
    assert _shifted(twin, timedelta(days=DAYS_LATER)) == _shifted(later, timedelta(0))


def test_demo_failures_are_indexed_for_similar_search(loaded: Loaded) -> None:
    """The loader writes rows directly, so it must index them as reporting would have."""
    from failwell.recurrence.models import FailureSearch
    from failwell.recurrence.service import similar_to_failure

    with loaded.db.session(write=False) as s:
        failures = s.scalar(select(func.count()).select_from(Failure))
        indexed = s.scalar(select(func.count()).select_from(FailureSearch))
        assert indexed == failures
        problem_failures = s.scalars(
            select(ProblemFailure.failure_id).order_by(ProblemFailure.failure_id)
        ).all()
        later = max(problem_failures)
        found = similar_to_failure(s, later)
        # A later failure of a problem finds at least one of its siblings among its suggestions.
        siblings = set(problem_failures) - {later}
        assert siblings & {item.failure_id for item in found.items}
