"""GitLab webhooks. @octokit/webhooks-examples holds GitHub's payloads only, so these follow
GitLab's documented examples (docs.gitlab.com, "Webhook events": Deployment events, Pipeline
events, Push events), trimmed to the fields a receiver reads plus some it does not."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import API, assert_problem, counts
from failwell.db import Database
from failwell.integrations.models import Commit
from integrations.conftest import Hook
from support import Org

PROJECT = {
    "id": 30,
    "name": "test-deployment-webhooks",
    "path_with_namespace": "root/test-deployment-webhooks",
    "web_url": "http://10.126.0.2:3000/root/test-deployment-webhooks",
    "default_branch": "master",
}
DEPLOYMENT = {
    "object_kind": "deployment",
    "status": "success",
    "status_changed_at": "2021-04-28 21:50:00 +0200",
    "deployment_id": 15,
    "deployable_id": 796,
    "deployable_url": "http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796",
    "environment": "production",
    "environment_tier": "production",
    "environment_slug": "production",
    "environment_external_url": "https://production.example.com",
    "project": PROJECT,
    "short_sha": "279484c0",
    "user": {"id": 1, "name": "Administrator", "username": "root"},
    "user_url": "http://10.126.0.2:3000/root",
    "commit_url": "http://10.126.0.2:3000/root/test-deployment-webhooks/-/commit/"
    "279484c09fbe69ededfced8c1bb6e6d24616b468",
    "commit_title": "Add new file",
}
PIPELINE = {
    "object_kind": "pipeline",
    "object_attributes": {
        "id": 31,
        "iid": 3,
        "name": "Pipeline for branch: master",
        "ref": "master",
        "tag": False,
        "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
        "before_sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
        "source": "push",
        "status": "failed",
        "detailed_status": "failed",
        "stages": ["build", "test", "deploy"],
        "created_at": "2016-08-12 15:23:28 UTC",
        "finished_at": "2016-08-12 15:26:29 UTC",
        "duration": 63,
        "url": "http://example.com/gitlab-org/gitlab-test/-/pipelines/31",
    },
    "project": {**PROJECT, "path_with_namespace": "gitlab-org/gitlab-test"},
    "commit": {
        "id": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
        "message": "test\n",
        "timestamp": "2016-08-12T17:23:21+02:00",
        "url": "http://example.com/gitlab-org/gitlab-test/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2",
    },
    "builds": [
        {"id": 377, "stage": "test", "name": "test-build", "status": "success", "environment": None},
        {
            "id": 380,
            "stage": "deploy",
            "name": "deploy-production",
            "status": "failed",
            "environment": {"name": "production", "action": "start", "deployment_tier": "production"},
        },
    ],
}
PUSH = {
    "object_kind": "push",
    "event_name": "push",
    "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
    "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    "ref": "refs/heads/master",
    "checkout_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    "project": PROJECT,
    "commits": [
        {
            "id": "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
            "message": "Update Catalan translation to e38cb41.",
            "timestamp": "2011-12-12T14:27:31+02:00",
        },
        {
            "id": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            "message": "fixed readme",
            "timestamp": "2012-01-03T23:36:29+02:00",
        },
    ],
    "total_commits_count": 2,
}
EVENT_HEADER = {"deployment": "Deployment Hook", "pipeline": "Pipeline Hook", "push": "Push Hook"}


def deliver(
    hook: Hook, payload: dict[str, Any], token: str | None = None, key: str | None = None
) -> httpx.Response:
    headers = {"X-Gitlab-Event": EVENT_HEADER[payload["object_kind"]], "X-Gitlab-Token": token or hook.secret}
    if key:
        headers["Idempotency-Key"] = key
    return hook.post(payload, headers)


@pytest.fixture
def gitlab(make_hook: Callable[..., Hook]) -> Hook:
    hook = make_hook("gitlab", options={"deploy_workflows": ["deploy-*"]})
    hook.rule(match_field="repository", pattern="root/*", service="payments")
    hook.rule(match_field="repository", pattern="gitlab-org/gitlab-test", service="payments")
    return hook


def test_push_then_deployment_gives_lead_time(
    client: TestClient, org: Org, db: Database, gitlab: Hook
) -> None:
    assert deliver(gitlab, PUSH).json()["verdict"] == "accepted"
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Commit)) == 2
    got = deliver(gitlab, DEPLOYMENT).json()
    assert got["verdict"] == "accepted", got
    [dep] = client.get(f"{API}/deployments", headers=org.headers()).json()["items"]
    assert dep["commit_shas"] == ["279484c09fbe69ededfced8c1bb6e6d24616b468"]
    assert dep["outcome"] == "succeeded" and dep["environment"] == "production"
    assert dep["started_at"].startswith("2021-04-28T19:50:00")
    # A running status first, then the final one: still one deployment.
    running = {**DEPLOYMENT, "deployment_id": 16, "status": "running"}
    assert deliver(gitlab, running).json()["detail"].startswith("deployment running")
    deliver(gitlab, {**running, "status": "failed"})
    deliver(gitlab, {**running, "status": "failed"}, key="same")
    assert deliver(gitlab, {**running, "status": "failed"}, key="same").json()["verdict"] == "duplicate"
    assert client.get(f"{API}/deployments", headers=org.headers()).json()["total"] == 2
    assert client.get(f"{API}/failures", headers=org.headers()).json()["total"] == 1


def test_a_pipeline_with_a_deploy_job_is_a_deployment(client: TestClient, org: Org, gitlab: Hook) -> None:
    got = deliver(gitlab, PIPELINE).json()
    assert got["verdict"] == "accepted", got
    [dep] = client.get(f"{API}/deployments", headers=org.headers()).json()["items"]
    assert (dep["outcome"], dep["version"]) == ("failed", "master@bcbb5ec3")
    [failure] = client.get(f"{API}/failures", headers=org.headers()).json()["items"]
    assert failure["kind"] == "failed_deployment" and failure["deployment_ids"] == [dep["id"]]
    # Without a deploying job the pipeline is acknowledged and left alone.
    plain = copy.deepcopy(PIPELINE)
    plain["object_attributes"]["id"] = 32
    plain["builds"] = plain["builds"][:1]
    assert deliver(gitlab, plain).json()["detail"].startswith("no deploying job")
    assert client.get(f"{API}/deployments", headers=org.headers()).json()["total"] == 1


def test_wrong_or_missing_token_changes_nothing(db: Database, gitlab: Hook) -> None:
    before = counts(db)
    assert_problem(deliver(gitlab, DEPLOYMENT, token="not-the-token-at-all"), 401)
    assert_problem(gitlab.post(DEPLOYMENT, {"X-Gitlab-Event": "Deployment Hook"}), 401)
    assert counts(db) == before
