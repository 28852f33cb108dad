"""The failure rollup: kept by the failure events in the unit of work of each write (always equal
to a recount from scratch), and the metrics page's one read of it equal to each figure taken on
its own."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import SYSTEM
from failwell.catalogue.models import Service
from failwell.changes.schemas import DeploymentIn
from failwell.changes.service import record_deployment
from failwell.db import Database
from failwell.enums import DeploymentOutcome, FailureKind, FailureStatus, ReviewStatus
from failwell.failures.schemas import FailureIn, FailureUpdate
from failwell.failures.service import delete_failure, report_failure, update_failure
from failwell.insights.delivery import dora
from failwell.insights.failure_rollup import Day, rebuild_failure_rollup
from failwell.insights.learning import learning
from failwell.insights.measures import resolve_scope
from failwell.insights.models import FailureRollup
from failwell.insights.trends import overview, trend
from failwell.people.models import Team
from failwell.reviews.schemas import ReviewSections, ReviewUpdate
from failwell.reviews.service import start_review, update_review
from insights.stream import NOW, Stream

TODAY = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _rows(session: Session) -> dict[Any, tuple[Any, ...]]:
    """The rollup's days with failures, their recovery values sorted (a day's order follows how
    its failures were added)."""
    out = {}
    for row in session.execute(select(FailureRollup)).scalars():
        if row.failures or row.review_lags:  # a day left empty keeps a row of zeros
            day = Day.of_row(
                (
                    row.failures,
                    row.near_misses,
                    row.incidents,
                    row.recovery,
                    row.linked_recovery,
                    row.review_lags,
                )
            )
            out[row.day] = (
                day.failures,
                day.near_misses,
                day.incidents,
                sorted(day.recovery),
                sorted((s, tuple(envs)) for s, envs in day.linked),
                sorted(day.lags),
            )
    return out


def _assert_matches_a_recount(db: Database) -> dict[Any, tuple[Any, ...]]:
    with db.session(write=False) as s:
        kept = _rows(s)
    with db.session() as s:
        rebuild_failure_rollup(s)
        recounted = _rows(s)
    assert kept == recounted
    return kept


def _setup(db: Database) -> list[int]:
    with db.session() as s:
        team = Team(name="fr-team")
        s.add(team)
        s.flush()
        s.add_all([Service(name="fr-a", owner_team_id=team.id), Service(name="fr-b", owner_team_id=team.id)])
    with db.session() as s:
        return [
            record_deployment(
                s,
                SYSTEM,
                DeploymentIn(
                    service="fr-a",
                    version=str(i),
                    environment=env,
                    started_at=TODAY - timedelta(days=3),
                    outcome=DeploymentOutcome.succeeded,
                ),
            ).id
            for i, env in enumerate(("production", "staging"))
        ]


def _report(s: Session, kind: FailureKind, started: datetime, **more: Any) -> int:
    data = FailureIn(title=f"{kind} at {started}", kind=kind, started_at=started, services=["fr-a"], **more)
    return report_failure(s, SYSTEM, data).id


def test_writes_through_the_services_keep_the_failure_rollup(db: Database) -> None:
    production, staging = _setup(db)
    day = TODAY - timedelta(days=2)
    with db.session() as s:  # reported: added to their days without a recount
        fd = _report(
            s,
            FailureKind.failed_deployment,
            day,
            status=FailureStatus.resolved,
            resolved_at=day + timedelta(hours=3),
        )
        incident = _report(s, FailureKind.incident, day + timedelta(hours=1), deployment_ids=[staging])
        near = _report(s, FailureKind.near_miss, day - timedelta(days=1))
    kept = _assert_matches_a_recount(db)
    assert sum(v[0] for v in kept.values()) == 3 and len(kept) == 2
    assert [v[3] for v in kept.values() if v[3]] == [[3 * 3600.0]]
    with db.session() as s:  # resolved, and linked to a production deployment too
        update_failure(
            s,
            SYSTEM,
            incident,
            FailureUpdate(
                status=FailureStatus.resolved,
                resolved_at=day + timedelta(hours=5),
                deployment_ids=[staging, production],
            ),
        )
    kept = _assert_matches_a_recount(db)
    assert [v[4] for v in kept.values() if v[4]] == [[(4 * 3600.0, ("production", "staging"))]]
    with db.session() as s:  # its review published: a lag on the day it was resolved
        review = start_review(s, SYSTEM, incident, ReviewSections(summary="What", lessons_learned="Learned"))
        update_review(s, SYSTEM, review.id, ReviewUpdate(status=ReviewStatus.published))
    kept = _assert_matches_a_recount(db)
    assert sum(len(v[5]) for v in kept.values()) == 1
    with db.session() as s:  # resolved two days later than said: the lag moves to that day
        update_failure(s, SYSTEM, incident, FailureUpdate(resolved_at=day + timedelta(days=2)))
    kept = _assert_matches_a_recount(db)
    assert [v[0] for v in kept.values() if v[5]] == [0]
    with db.session() as s:  # unpublished: no lag left
        update_review(s, SYSTEM, review.id, ReviewUpdate(status=ReviewStatus.in_review))
    kept = _assert_matches_a_recount(db)
    assert not any(v[5] for v in kept.values())
    with db.session() as s:  # its start moves a day back: both days are recounted
        update_failure(s, SYSTEM, fd, FailureUpdate(started_at=day - timedelta(days=1)))
        update_failure(s, SYSTEM, near, FailureUpdate(kind=FailureKind.incident))
    kept = _assert_matches_a_recount(db)
    assert sorted(v[:3] for v in kept.values()) == [(1, 0, 1), (2, 0, 1)]
    with db.session() as s:  # reported and changed in one transaction: counted once
        late = _report(s, FailureKind.near_miss, day + timedelta(hours=2))
        update_failure(s, SYSTEM, late, FailureUpdate(started_at=day + timedelta(days=1)))
        delete_failure(s, SYSTEM, fd)
    kept = _assert_matches_a_recount(db)
    assert sum(v[0] for v in kept.values()) == 3 and sum(v[1] for v in kept.values()) == 1


def test_a_rolled_back_write_leaves_the_failure_rollup_as_it_was(db: Database) -> None:
    _setup(db)
    with pytest.raises(RuntimeError), db.session() as s:
        _report(s, FailureKind.incident, TODAY - timedelta(days=1))
        raise RuntimeError("abandoned")
    with db.session(write=False) as s:
        assert _rows(s) == {}


@pytest.mark.parametrize(
    ("days", "period", "service"), [(200, "month", None), (90, "week", None), (120, "week", "checkout")]
)
def test_the_pages_one_read_equals_each_figure_on_its_own(
    db: Database, stream: Stream, days: int, period: str, service: str | None
) -> None:
    """The page adds the trend's periods up into the window's figures: they must equal DORA's
    keys, the learning figures and the trend measured each on its own."""
    with db.session(write=False) as s:
        scope = resolve_scope(s, NOW, service=service, since=NOW - timedelta(days=days), until=NOW)
        delivery, learned, points = overview(s, scope, period, NOW)
        assert delivery == dora(s, scope)
        assert learned == learning(s, scope, NOW)
        assert points == trend(s, scope, period)
    assert delivery.deployments and learned.repeat_rate.sample_size
    assert delivery.failed_deployment_recovery_time.sample_size


def test_the_rollup_agrees_with_summing_the_failures_themselves(db: Database, stream: Stream) -> None:
    """Organisation-wide windows read whole days from the rollup; a scope of services sums its
    failures in SQL. Over every service both must agree (recovery times to the figures'
    rounding: the rollup keeps Python's seconds, SQLite's julianday differs in the microseconds)."""
    with db.session(write=False) as s:
        every = resolve_scope(s, NOW, since=NOW - timedelta(days=150), until=NOW)
        summed = replace(every, service_ids=tuple(sorted(s.scalars(select(Service.id)))))
        assert every.service_ids is None and summed.service_ids
        a, b = dora(s, every), dora(s, summed)
        assert replace(a, failed_deployment_recovery_time=None, recovery_time_p90=None) == replace(
            b, failed_deployment_recovery_time=None, recovery_time_p90=None
        )
        assert a.failed_deployment_recovery_time.sample_size == b.failed_deployment_recovery_time.sample_size
        assert a.failed_deployment_recovery_time.value == pytest.approx(
            b.failed_deployment_recovery_time.value, abs=0.011
        )
        assert a.recovery_time_p90 == pytest.approx(b.recovery_time_p90, abs=0.011)
        la, lb = learning(s, every, NOW), learning(s, summed, NOW)
        assert (la.repeat_rate, la.near_miss_ratio) == (lb.repeat_rate, lb.near_miss_ratio)
        points_a, points_b = trend(s, every, "week"), trend(s, summed, "week")
        assert [(p.failures, p.near_misses, p.incidents, p.repeat_rate) for p in points_a] == [
            (p.failures, p.near_misses, p.incidents, p.repeat_rate) for p in points_b
        ]


def test_concurrent_reports_of_one_day_are_all_counted(db: Database) -> None:
    """Writers adding to the same day's row wait for each other (PostgreSQL: the row is locked
    before it is read), so no addition overwrites another."""
    _setup(db)
    day = TODAY - timedelta(days=1)
    pool = Database(db.url, pool_size=4)
    errors: list[BaseException] = []

    def report(worker: int) -> None:
        for i in range(5):
            try:
                with pool.session() as s:
                    _report(s, FailureKind.incident, day + timedelta(minutes=10 * worker + i))
            except BaseException as exc:  # asserted on below, in the test's thread
                errors.append(exc)

    try:
        threads = [threading.Thread(target=report, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        pool.dispose()
    assert not errors, errors[0]
    kept = _assert_matches_a_recount(db)
    assert [v[:3] for v in kept.values()] == [(20, 0, 20)]
