"""A CI batch's failed production deployments open their failures together (one flush, their
events' handlers once for all): each still gets everything a failure opened alone gets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import API, iso, utc
from failwell.audit.models import AuditEntry
from failwell.broadcast.models import OutboxEvent
from failwell.db import Database
from failwell.failures.models import Failure, failure_deployments
from failwell.failures.search import FailureSearch
from failwell.insights.models import DeploymentRollup
from failwell.insights.rollup import rebuild_rollup
from failwell.integrations.models import FailureGroup
from failwell.recurrence.models import EmbeddingBacklog
from integrations.conftest import Hook
from support import Org

T0 = utc(2026, 4, 1, 9)


def deployment(
    version: str, minutes: int, outcome: str = "succeeded", env: str = "production"
) -> dict[str, object]:
    return {
        "service": "payments",
        "environment": env,
        "version": version,
        "outcome": outcome,
        "started_at": iso(T0 + timedelta(minutes=minutes)),
        "external_id": f"run-{version}-{minutes}",
    }


def rollup(db: Database) -> set[tuple[object, ...]]:
    with db.session(write=False) as s:
        r = DeploymentRollup
        return {
            tuple(row) for row in s.execute(select(r.day, r.environment, r.deployments, r.failed, r.linked))
        }


def test_a_batch_opens_each_failure_once_with_all_its_consequences(
    client: TestClient, org: Org, db: Database, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic")
    items = [deployment(f"5.0.{i}", i) for i in range(10)]
    items[2] = deployment("5.0.2", 2, "failed")
    items[5] = deployment("5.0.5", 5, "failed")
    items[7] = deployment("5.0.5", 7, "failed")  # a retry of 5.0.5 in the same batch: one failure
    items[8] = deployment("5.0.8", 8, "failed", env="staging")  # not production: none
    got = hook.bearer({"deployments": items}, path="/batch").json()
    assert got["verdict"] == "accepted", got
    deployments = got["result"]["deployments"]
    failures = got["result"]["failures"]
    assert len(failures) == 2
    with db.session(write=False) as s:
        opened = {f.id: f for f in s.scalars(select(Failure).where(Failure.id.in_(failures)))}
        assert sorted(f.title for f in opened.values()) == [
            "Deployment of payments 5.0.2 to production failed",
            "Deployment of payments 5.0.5 to production failed",
        ]
        # The first deployment to report a failure gives its start.
        five = next(f for f in opened.values() if "5.0.5" in f.title)
        assert five.started_at == T0 + timedelta(minutes=5)
        links = {
            (f, d)
            for f, d in s.execute(
                select(failure_deployments.c.failure_id, failure_deployments.c.deployment_id).where(
                    failure_deployments.c.state == "confirmed", failure_deployments.c.source == "webhook"
                )
            )
        }
        by_version = {"5.0.2": [deployments[2]], "5.0.5": [deployments[5], deployments[7]]}
        assert links == {
            (f.id, d) for f in opened.values() for v, ds in by_version.items() if v in f.title for d in ds
        }
        for failure_id in failures:
            assert s.get(FailureSearch, failure_id) is not None
            assert s.get(EmbeddingBacklog, failure_id) is not None
            assert (
                s.scalar(
                    select(func.count()).where(
                        OutboxEvent.topic == "failure_reported", OutboxEvent.subject_id == failure_id
                    )
                )
                == 1
            )
            assert (
                s.scalar(
                    select(func.count()).where(
                        AuditEntry.action == "reported",
                        AuditEntry.subject_type == "failure",
                        AuditEntry.subject_id == str(failure_id),
                    )
                )
                == 1
            )
        assert s.scalar(select(func.count()).select_from(FailureGroup)) == 2
    # The rollup kept in the transaction is what a recount from scratch makes.
    kept = rollup(db)
    with db.session() as s:
        rebuild_rollup(s)
    assert rollup(db) == kept
    # A later batch retrying 5.0.5 and failing 5.0.9 adds one failure, and links the retry.
    again = hook.bearer(
        {"deployments": [deployment("5.0.5", 20, "failed"), deployment("5.0.9", 21, "failed")]}, path="/batch"
    ).json()
    assert again["verdict"] == "accepted", again
    assert five.id in again["result"]["failures"] and len(again["result"]["failures"]) == 2
    listed = client.get(f"{API}/failures", headers=org.headers()).json()
    assert listed["total"] == 3
