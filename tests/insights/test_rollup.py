"""The deployment rollup: kept by the services' events in the unit of work of each write (always
equal to a recount from scratch), and its lead-time histogram's percentiles within a bucket."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from failwell.authz import SYSTEM
from failwell.catalogue.models import Service
from failwell.changes.models import Deployment
from failwell.changes.schemas import DeploymentIn, DeploymentUpdate
from failwell.changes.service import record_deployment, record_deployments, update_deployment
from failwell.db import Database
from failwell.enums import DeploymentOutcome, FailureKind
from failwell.failures.schemas import FailureIn, FailureUpdate
from failwell.failures.service import delete_failure, report_failure, update_failure
from failwell.insights.models import DeploymentRollup
from failwell.insights.rollup import PENDING, rebuild_rollup
from failwell.insights.rollup_read import histogram_percentiles
from failwell.insights.rollup_tally import N_BUCKETS, bucket_of
from failwell.people.models import Team

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TOLERANCE = 2 ** (1 / 16) - 1


def _rows(session: Session) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    r = DeploymentRollup
    out = {}
    for row in session.execute(select(r)).scalars():
        if row.deployments:  # a key left empty keeps a row of zeros
            out[(row.environment, row.day, row.service_id)] = (
                row.deployments,
                row.failed,
                row.rolled_back,
                row.rework,
                row.linked,
                row.lead_times,
            )
    return out


def _assert_matches_a_recount(db: Database) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    with db.session(write=False) as s:
        kept = _rows(s)
    with db.session() as s:
        rebuild_rollup(s)
        recounted = _rows(s)
    assert kept == recounted
    return kept


def _deploy(s: Session, service: str, at: datetime, outcome: str = "succeeded") -> int:
    data = DeploymentIn(service=service, version="1", started_at=at, outcome=DeploymentOutcome(outcome))
    return record_deployment(s, SYSTEM, data).id


def _report_incident(s: Session, service: str, started: datetime, deployment_ids: list[int]) -> int:
    data = FailureIn(
        title=f"{service} broke",
        kind=FailureKind.incident,
        started_at=started,
        services=[service],
        deployment_ids=deployment_ids,
    )
    return report_failure(s, SYSTEM, data).id


def test_writes_through_the_services_keep_the_rollup(db: Database) -> None:
    with db.session() as s:
        team = Team(name="roll-team")
        s.add(team)
        s.flush()
        s.add_all(
            [Service(name="roll-a", owner_team_id=team.id), Service(name="roll-b", owner_team_id=team.id)]
        )
    with db.session() as s:
        ids = [_deploy(s, "roll-a", NOW - timedelta(days=d, hours=h)) for d in (1, 2, 2) for h in (1, 3)]
        ids.append(_deploy(s, "roll-b", NOW - timedelta(days=2), "failed"))
    kept = _assert_matches_a_recount(db)
    assert sum(v[0] for v in kept.values()) == 7
    with db.session() as s:
        update_deployment(s, SYSTEM, ids[-1], DeploymentUpdate(outcome=DeploymentOutcome.succeeded))
        fid = _report_incident(s, "roll-a", NOW - timedelta(hours=20), ids[:2])
    kept = _assert_matches_a_recount(db)
    assert sum(v[4] for v in kept.values()) == 2  # linked
    with db.session() as s:  # one link removed, another added
        update_failure(s, SYSTEM, fid, FailureUpdate(deployment_ids=[ids[1], ids[2]]))
    kept = _assert_matches_a_recount(db)
    assert sum(v[4] for v in kept.values()) == 2
    with db.session() as s:  # a near miss's links do not count
        update_failure(s, SYSTEM, fid, FailureUpdate(kind=FailureKind.near_miss))
    kept = _assert_matches_a_recount(db)
    assert sum(v[4] for v in kept.values()) == 0
    with db.session() as s:
        update_failure(s, SYSTEM, fid, FailureUpdate(kind=FailureKind.incident))
    assert sum(v[4] for v in _assert_matches_a_recount(db).values()) == 2
    with db.session() as s:
        delete_failure(s, SYSTEM, fid)
    assert sum(v[4] for v in _assert_matches_a_recount(db).values()) == 0


def test_links_to_failed_deployments_recount_nothing_and_rework_is_still_kept(db: Database) -> None:
    """A failed deployment counts the same whether linked or not: a failure CI opens for it
    marks no key for a recount (the figures stay exact), while a failed hotfix made after the
    failure becomes rework through its link and is counted as such."""
    with db.session() as s:
        team = Team(name="fl-team")
        s.add(team)
        s.flush()
        s.add(Service(name="fl-svc", owner_team_id=team.id))
    with db.session() as s:
        broke = _deploy(s, "fl-svc", NOW - timedelta(hours=5), "failed")
        hotfix = _deploy(s, "fl-svc", NOW - timedelta(hours=1), "failed")
    with db.session() as s:
        fid = _report_incident(s, "fl-svc", NOW - timedelta(hours=4), [broke])
        assert not s.info.get(PENDING)  # nothing to recount
    _assert_matches_a_recount(db)
    with db.session() as s:
        update_failure(s, SYSTEM, fid, FailureUpdate(deployment_ids=[broke, hotfix]))
    kept = _assert_matches_a_recount(db)
    assert [(v[0], v[1], v[3], v[4]) for v in kept.values()] == [(2, 2, 1, 0)]  # the hotfix is rework


def test_a_rolled_back_write_leaves_the_rollup_as_it_was(db: Database) -> None:
    with db.session() as s:
        team = Team(name="rb-team")
        s.add(team)
        s.flush()
        s.add(Service(name="rb-svc", owner_team_id=team.id))
    with pytest.raises(RuntimeError), db.session() as s:
        _deploy(s, "rb-svc", NOW - timedelta(days=1))
        raise RuntimeError("abandoned")
    with db.session(write=False) as s:
        assert _rows(s) == {}


def test_new_deployments_are_added_to_their_day_without_a_recount(db: Database) -> None:
    """A delivery adds its deployment to the day's row (lead time included, set after the
    insert in the same transaction as integrations do); a recount of the same key in the same
    transaction counts it once."""
    with db.session() as s:
        team = Team(name="add-team")
        s.add(team)
        s.flush()
        s.add(Service(name="add-svc", owner_team_id=team.id))
    day = NOW - timedelta(days=3)
    for n in range(4):  # one per transaction, as single webhook deliveries come
        with db.session() as s:
            dep_id = _deploy(s, "add-svc", day + timedelta(minutes=n), "failed" if n == 3 else "succeeded")
            s.execute(
                update(Deployment)
                .where(Deployment.id == dep_id)
                .values(first_commit_at=day - timedelta(hours=n + 1), rework=n == 2)
            )
    kept = _assert_matches_a_recount(db)
    [(deployments, failed, _, rework, _, lead_times)] = kept.values()
    assert (deployments, failed, rework) == (4, 1, 1) and lead_times
    with db.session() as s:  # a batch, in one multi-row insert, to the same day and the next
        items = [
            DeploymentIn(
                service="add-svc",
                version=f"b{i}",
                started_at=day + timedelta(hours=i * 10),
                outcome=DeploymentOutcome.succeeded,
            )
            for i in range(5)
        ]
        record_deployments(s, SYSTEM, items)
    kept = _assert_matches_a_recount(db)
    assert sum(v[0] for v in kept.values()) == 9 and len(kept) == 3
    with db.session() as s:  # a new deployment and a change to another of the same day
        first = s.scalars(select(Deployment.id).order_by(Deployment.id)).first()
        assert first is not None
        _deploy(s, "add-svc", day + timedelta(minutes=30))
        update_deployment(s, SYSTEM, first, DeploymentUpdate(outcome=DeploymentOutcome.rolled_back))
    kept = _assert_matches_a_recount(db)
    assert sum(v[0] for v in kept.values()) == 10


@pytest.mark.parametrize("seed", range(5))
def test_histogram_percentiles_are_within_a_bucket(seed: int) -> None:
    rng = random.Random(seed)
    hours = [math.exp(rng.uniform(math.log(0.05), math.log(2000))) for _ in range(rng.randint(1, 400))]
    histogram = np.zeros(N_BUCKETS)
    for h in hours:
        histogram[bucket_of(h * 3600)] += 1
    for p, got in zip((0.5, 0.9), histogram_percentiles(histogram, (0.5, 0.9)), strict=True):
        want = float(np.percentile(hours, p * 100))
        assert got is not None
        assert abs(got - want) <= TOLERANCE * want + 1 / 60
