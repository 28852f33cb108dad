"""Deliveries that only record one deployment, recorded together (integrations.grouped and
batch.record_each): each delivery's answer is its own, as if it had come alone, in one commit."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from failwell.authz import SYSTEM
from failwell.changes.models import Deployment
from failwell.db import Database
from failwell.failures.models import Failure
from failwell.integrations import service as integrations
from failwell.integrations.grouped import record_together
from failwell.integrations.models import IntegrationKind, Verdict
from failwell.integrations.receive import Inbound, Received, admit
from failwell.integrations.schemas import IntegrationIn, RuleIn
from support import Org

SECRET = "grouped-deployments-secret-0123"
GENERIC_SECRET = "grouped-generic-secret-01234567"
_n = itertools.count(1)
# Starts in the past: failwell refuses a start in the future.
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)


def signed(event_name: str, payload: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    body = json.dumps(payload).encode()
    return {
        "x-github-event": event_name,
        "x-github-delivery": f"together-{next(_n)}",
        "x-hub-signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }, body


def status(dep_id: int, state: str, env: str = "production", sha: str = "", ref: str = "") -> Any:
    sha = sha or f"{dep_id:040x}"
    created = (START + timedelta(minutes=dep_id % 1000)).isoformat()
    return signed(
        "deployment_status",
        {
            "deployment_status": {"state": state, "environment": env, "created_at": created},
            "deployment": {"id": dep_id, "sha": sha, "ref": ref or f"v{dep_id}", "created_at": created},
            "repository": {"full_name": "acme/app"},
        },
    )


@pytest.fixture
def hooks(db: Database, org: Org) -> tuple[int, int]:
    with db.session() as s:
        gh, _ = integrations.create_integration(
            s, SYSTEM, IntegrationIn(kind=IntegrationKind.github, name="gh", secret=SECRET)
        )
        integrations.create_rule(
            s, SYSTEM, gh.id, RuleIn(match_field="repository", pattern="acme/app", service=org.service)
        )
        ci, _ = integrations.create_integration(
            s, SYSTEM, IntegrationIn(kind=IntegrationKind.generic, name="ci", secret=GENERIC_SECRET)
        )
        return gh.id, ci.id


def admitted(db: Database, hook: int, *deliveries: tuple[dict[str, str], bytes]) -> list[Inbound]:
    return [admit(db, hook, IntegrationKind.github, headers, body) for headers, body in deliveries]


def together(db: Database, group: list[Inbound]) -> list[Received]:
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda _conn: commits.append(1))
    answers = record_together(db, group)
    assert len(commits) == 1, "recorded together, in one transaction"
    assert all(isinstance(a, Received) and a.verdict == Verdict.accepted for a in answers), answers
    return [a for a in answers if isinstance(a, Received)]


def deployments(db: Database) -> dict[str, Deployment]:
    with db.session(write=False) as s:
        rows = list(s.scalars(select(Deployment)))
        s.expunge_all()
    return {d.external_id or "": d for d in rows}


def test_each_delivery_of_a_group_answers_its_own_deployment_and_failure(
    db: Database, hooks: tuple[int, int]
) -> None:
    sends = [
        status(101, "success"),
        status(102, "failure"),
        status(103, "success", env="staging"),
        status(104, "error"),
        status(105, "failure", env="staging"),
    ]
    answers = together(db, admitted(db, hooks[0], *sends))
    rows = deployments(db)
    assert len(rows) == 5
    failures: list[int] = []
    for answer, dep_id, outcome in zip(
        answers,
        (101, 102, 103, 104, 105),
        ("succeeded", "failed", "succeeded", "failed", "failed"),
        strict=True,
    ):
        row = rows[f"deployment:{dep_id}"]
        assert row.outcome.value == outcome
        assert answer.result["deployments"] == [row.id]
        assert answer.detail == f"deployment {row.id} {outcome}"
        failures += answer.result.get("failures", [])
        # A failed production deployment opens a failure (the integration's default); others none.
        opens = outcome == "failed" and row.environment == "production"
        assert ("failures" in answer.result) == opens, (dep_id, answer.result)
    assert len(set(failures)) == 2
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Failure)) == 2
    ids = [a.delivery_id for a in answers]
    assert ids == sorted(ids) and len(set(ids)) == 5  # stored in the order they came


def test_a_retry_of_a_deployment_in_the_same_group_updates_it(db: Database, hooks: tuple[int, int]) -> None:
    first, retry = status(201, "success"), status(201, "failure")
    answers = together(db, admitted(db, hooks[0], first, retry))
    rows = deployments(db)
    assert list(rows) == ["deployment:201"]
    row = rows["deployment:201"]
    assert row.outcome.value == "failed"  # the later status wins, as when they come one by one
    assert [a.result["deployments"] for a in answers] == [[row.id], [row.id]]
    assert [a.detail for a in answers] == [f"deployment {row.id} succeeded", f"deployment {row.id} failed"]
    assert "failures" not in answers[0].result and len(answers[1].result["failures"]) == 1


def test_failed_deployments_of_one_version_in_a_group_open_one_failure(
    db: Database, hooks: tuple[int, int]
) -> None:
    sha = "ab" * 20
    sends = [status(301, "failure", sha=sha, ref="v9"), status(302, "failure", sha=sha, ref="v9")]
    answers = together(db, admitted(db, hooks[0], *sends))
    assert answers[0].result["failures"] == answers[1].result["failures"]
    assert answers[0].result["deployments"] != answers[1].result["deployments"]
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Failure)) == 1


def test_a_push_in_a_group_gives_the_deployments_after_it_their_first_commit(
    db: Database, hooks: tuple[int, int]
) -> None:
    sha = "cd" * 20
    committed = START - timedelta(hours=3)
    push = signed(
        "push",
        {
            "repository": {"full_name": "acme/app"},
            "commits": [{"id": sha, "timestamp": committed.isoformat()}],
        },
    )
    group = admitted(db, hooks[0], status(401, "success", sha=sha), push, status(402, "success", sha=sha))
    answers = together(db, group)
    assert answers[1].result["commits"] == 1
    rows = deployments(db)
    assert rows["deployment:401"].first_commit_at is None  # recorded before the push said when
    assert rows["deployment:402"].first_commit_at == committed


def test_deliveries_of_two_integrations_in_one_group(db: Database, hooks: tuple[int, int], org: Org) -> None:
    generic_body = json.dumps(
        {
            "service": org.service,
            "environment": "production",
            "version": "7.0.0",
            "started_at": START.isoformat(),
            "outcome": "succeeded",
            "external_id": "run-7",
        }
    ).encode()
    generic = admit(
        db, hooks[1], IntegrationKind.generic, {"authorization": f"Bearer {GENERIC_SECRET}"}, generic_body
    )
    group = [
        *admitted(db, hooks[0], status(501, "success")),
        generic,
        *admitted(db, hooks[0], status(502, "failure")),
    ]
    answers = together(db, group)
    rows = deployments(db)
    assert answers[1].detail == f"recorded deployment {rows['run-7'].id}"
    assert answers[0].result["deployments"] == [rows["deployment:501"].id]
    assert answers[2].result["deployments"] == [rows["deployment:502"].id]
    assert rows["run-7"].integration_id == hooks[1] and rows["deployment:501"].integration_id == hooks[0]


def test_a_refused_status_in_a_group_is_refused_alone_and_the_others_recorded(
    db: Database, hooks: tuple[int, int]
) -> None:
    bad = signed(
        "deployment_status",
        {
            "deployment_status": {"state": "success", "environment": "production"},
            "deployment": {"id": 601, "sha": "ef" * 20, "ref": "v1", "created_at": "not a time"},
            "repository": {"full_name": "acme/app"},
        },
    )
    answers = record_together(db, admitted(db, hooks[0], status(602, "success"), bad, status(603, "failure")))
    verdicts = [a.verdict for a in answers if isinstance(a, Received)]
    assert verdicts == [Verdict.accepted, Verdict.refused, Verdict.accepted]
    assert "started_at" in answers[1].detail  # type: ignore[union-attr]  # names the field
    assert sorted(deployments(db)) == ["deployment:602", "deployment:603"]
