"""GitHub webhooks, fed with GitHub's own example payloads (npm @octokit/webhooks-examples)."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import API, assert_problem, counts
from failwell.db import Database
from failwell.integrations.config import get_integration_settings
from failwell.integrations.models import Commit
from integrations.conftest import Hook, sign
from integrations.peers import github_examples
from support import Org

ACCEPTED_EVENTS = ("ping", "push", "deployment", "deployment_status", "workflow_run")


@pytest.fixture(scope="module")
def examples() -> dict[str, list[dict[str, Any]]]:
    return github_examples()


def deliver(
    hook: Hook, event: str, payload: Any, delivery: str | None = None, secret: str | None = None
) -> httpx.Response:
    body = json.dumps(payload).encode()
    return hook.post(
        body,
        {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": "sha256=" + sign(secret or hook.secret, body),
        },
    )


@pytest.fixture
def github(make_hook: Callable[..., Hook]) -> Hook:
    hook = make_hook("github", options={"deploy_workflows": ["*"]})
    hook.rule(match_field="repository", pattern="Codertocat/*", service="payments")
    hook.rule(match_field="repository", pattern="octo-org/octo-repo", service="payments")
    hook.rule(match_field="environment", pattern="github-pages", environment="pages")
    return hook


def test_every_accepted_event_type(
    client: TestClient, org: Org, db: Database, github: Hook, examples: dict[str, list[dict[str, Any]]]
) -> None:
    for event in ACCEPTED_EVENTS:
        assert examples[event], event
        for payload in examples[event]:
            r = deliver(github, event, payload)
            assert r.status_code == 200, (event, r.text)
            assert r.json()["verdict"] == "accepted", (event, r.json())
    deployments = client.get(f"{API}/deployments", headers=org.headers(), params={"limit": 100}).json()[
        "items"
    ]
    # The three final statuses of deployment 145988746 are one deployment; the completed
    # successful runs of workflow run(s) are the others.
    statuses = [d for d in deployments if d["commit_shas"] == ["f95f852bd8fca8fcc58a9a2d6c842781e32a215e"]]
    assert len(statuses) == 1
    assert statuses[0]["outcome"] == "succeeded" and statuses[0]["environment"] == "production"
    runs = {
        p["workflow_run"]["id"]
        for p in examples["workflow_run"]
        if p["action"] == "completed" and p["workflow_run"]["conclusion"] == "success"
    }
    assert len(deployments) == 1 + len(runs)
    with db.session(write=False) as s:
        pushed = s.scalar(
            select(func.count()).select_from(Commit).where(Commit.repository == "Codertocat/Hello-World")
        )
    assert pushed == 1  # the example pushes carry one commit between them (6113728)
    # Events failwell does not use are acknowledged and change nothing.
    before = counts(db)
    assert deliver(github, "issues", examples["issues"][0]).json()["verdict"] == "accepted"
    after = counts(db)
    assert after.pop("integration_deliveries") == before.pop("integration_deliveries") + 1
    assert after == before


def test_a_failed_deployment_status_opens_a_failure(
    client: TestClient, org: Org, github: Hook, examples: dict[str, list[dict[str, Any]]]
) -> None:
    payload = copy.deepcopy(examples["deployment_status"][0])
    payload["deployment_status"]["state"] = "failure"
    got = deliver(github, "deployment_status", payload).json()
    assert got["verdict"] == "accepted", got
    [failure] = client.get(f"{API}/failures", headers=org.headers()).json()["items"]
    assert failure["kind"] == "failed_deployment"
    assert failure["deployment_ids"] == got["result"]["deployments"]
    # GitHub retries, and a second failure status of the same deployment: still one failure.
    deliver(github, "deployment_status", payload)
    assert client.get(f"{API}/failures", headers=org.headers()).json()["total"] == 1


def test_unmapped_repository_is_kept(
    github: Hook, make_hook: Callable[..., Hook], examples: dict[str, list[dict[str, Any]]]
) -> None:
    bare = make_hook("github", "bare")
    got = deliver(bare, "deployment_status", examples["deployment_status"][0]).json()
    assert got["verdict"] == "unmapped"
    assert [d["verdict"] for d in bare.deliveries()] == ["unmapped"]


def test_tampered_unsigned_replayed_and_oversized_are_refused(
    client: TestClient, db: Database, github: Hook, examples: dict[str, list[dict[str, Any]]]
) -> None:
    payload = examples["deployment_status"][0]
    body = json.dumps(payload).encode()
    good = "sha256=" + sign(github.secret, body)
    before = counts(db)
    tampered = body.replace(b'"success"', b'"failure"', 1)
    assert_problem(
        github.post(tampered, {"X-GitHub-Event": "deployment_status", "X-Hub-Signature-256": good}), 401
    )
    assert_problem(github.post(body, {"X-GitHub-Event": "deployment_status"}), 401)
    assert_problem(deliver(github, "deployment_status", payload, secret="not-the-secret-at-all"), 401)
    assert_problem(
        github.post(body, {"X-GitHub-Event": "deployment_status", "X-Hub-Signature-256": "sha1=ab"}), 401
    )
    get_integration_settings().max_body_bytes = 1024
    big = copy.deepcopy(payload)
    big["padding"] = "x" * 2048
    assert_problem(deliver(github, "deployment_status", big), 413)
    assert counts(db) == before
    assert github.deliveries() == []
    get_integration_settings.cache_clear()
    first = deliver(github, "deployment_status", payload, delivery="d-1").json()
    after_first = counts(db)
    replayed = deliver(github, "deployment_status", payload, delivery="d-1")
    assert replayed.status_code == 200
    assert replayed.json()["verdict"] == "duplicate"
    assert replayed.json()["delivery_id"] == first["delivery_id"]
    assert counts(db) == after_first
    assert len(github.deliveries()) == 1
