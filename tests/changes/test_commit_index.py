"""The commit index (failwell.changes.commit_index): kept by triggers from every writer of
deployments and found by SHA prefix (tests/test_migrations.py: filled for the deployments
already there when it is made)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from factories import utc
from failwell.authz import SYSTEM
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceIn
from failwell.changes.commit_index import DEPLOYMENT_COMMITS, naming_commits
from failwell.changes.models import Deployment
from failwell.changes.schemas import DeploymentIn
from failwell.changes.service import record_deployment, record_deployments
from failwell.db import Database
from failwell.enums import DeploymentOutcome
from failwell.people import teams
from failwell.people.schemas import TeamIn

A = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
B = "b2c3d4e5f60718293a4b5c6d7e8f901234567890"
C = "c3d4e5f60718293a4b5c6d7e8f90123456789012"


def _index(session: Session) -> set[tuple[str, int]]:
    rows = session.execute(select(DEPLOYMENT_COMMITS.c.sha, DEPLOYMENT_COMMITS.c.deployment_id))
    return {(sha, dep) for sha, dep in rows}


def _naming(session: Session, *prefixes: str) -> set[int]:
    return set(session.scalars(select(Deployment.id).where(naming_commits(list(prefixes)))))


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        teams.create_team(s, SYSTEM, TeamIn(name="delivery"))
        catalogue.create_service(s, SYSTEM, ServiceIn(name="ledger", owner_team="delivery"))
        yield s


def _deployment(version: str, shas: list[str]) -> DeploymentIn:
    return DeploymentIn(
        service="ledger",
        environment="production",
        version=version,
        commit_shas=shas,
        started_at=utc(2026, 5, 1, 9),
        outcome=DeploymentOutcome.succeeded,
    )


def test_every_writer_keeps_the_index(session: Session) -> None:
    one = record_deployment(session, SYSTEM, _deployment("1.0.0", [A, B])).id
    two, three = record_deployments(session, SYSTEM, [_deployment("1.0.1", [B]), _deployment("1.0.2", [])])
    assert _index(session) == {(A, one), (B, one), (B, two)}
    # Found by any prefix of 7 or more characters, as people abbreviate a SHA.
    assert _naming(session, A[:7]) == {one}
    assert _naming(session, B[:12]) == {one, two}
    assert _naming(session, A[:7], B) == {one, two}
    assert _naming(session, C[:7]) == set()
    assert _naming(session) == set()
    # An update of the SHAs replaces the deployment's rows; another column's leaves them.
    session.execute(update(Deployment).where(Deployment.id == one).values(commit_shas=[C.upper()]))
    session.execute(update(Deployment).where(Deployment.id == two).values(version="1.0.1b"))
    assert _index(session) == {(C, one), (B, two)}
    # A row written around the services (a bulk loader, an import) is indexed too.
    session.execute(
        insert(Deployment).values(
            service_id=session.scalar(select(Deployment.service_id).where(Deployment.id == one)),
            environment="staging",
            version="2.0.0",
            commit_shas=[A, A],
            started_at=utc(2026, 5, 2),
            outcome=DeploymentOutcome.failed,
            created_at=utc(2026, 5, 2),
        )
    )
    four = session.scalar(select(Deployment.id).where(Deployment.version == "2.0.0"))
    assert four is not None and _naming(session, A) == {four}
    session.execute(delete(Deployment).where(Deployment.id.in_([one, three])))
    assert _index(session) == {(B, two), (A, four)}
