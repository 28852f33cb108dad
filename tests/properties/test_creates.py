"""Property-based robustness of the create endpoints: no payload, however odd, makes the API
fail on its side.

Every create endpoint gets random JSON and "almost valid" payloads (a valid payload with one
field replaced by a hostile value). The properties, on SQLite and on PostgreSQL:

* never a 5xx;
* every 4xx is `application/problem+json` with type, title, status and detail;
* a 422 lists `errors[]`, each with a field and a reason;
* a 201 returns the created object, and reading it back gives the same object.

The updates are in test_updates.py, list query strings and ids in paths in
test_lists_and_paths.py, the edge cases that once gave a 500 in test_regressions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from failwell.actions.schemas import ActionIn, ActionOut
from failwell.catalogue.schemas import ServiceIn, ServiceOut
from failwell.changes.schemas import ChangeIn, ChangeOut, DeploymentIn, DeploymentOut
from failwell.failures.schemas import FailureIn, FailureOut, TimelineEventIn, TimelineEventOut
from failwell.people.schemas import PersonIn, PersonOut, TeamIn, TeamOut, TokenCreated, TokenIn
from failwell.reviews.schemas import FactorCategoryIn, FactorCategoryOut, ReviewOut, ReviewSections
from properties.hostile import (
    API,
    FUZZ,
    World,
    _created,
    _unique,
    almost_valid,
    random_payload,
    read_back,
    send,
)

# ---- create endpoints ------------------------------------------------------------


@dataclass(frozen=True)
class Create:
    name: str
    schema: type[BaseModel]
    out: type[BaseModel]
    path: Callable[[World], str]
    valid: Callable[[World, int], dict[str, Any]]
    reread: Callable[[TestClient, World, dict[str, Any]], dict[str, Any]]


def _by_id(collection: str) -> Callable[[TestClient, World, dict[str, Any]], dict[str, Any]]:
    return lambda c, w, body: read_back(c, w, f"{API}/{collection}/{body['id']}")


def _fresh_failure(client: TestClient, world: World) -> int:
    payload = {"title": "needs a review", "kind": "near_miss", "started_at": "2026-01-01T00:00:00Z"}
    return _created(client.post(f"{API}/failures", json=payload, headers=world.headers))


CREATES = [
    Create(
        "teams",
        TeamIn,
        TeamOut,
        lambda w: f"{API}/teams",
        lambda w, n: {"name": f"team-{n}", "description": "Runs things"},
        _by_id("teams"),
    ),
    Create(
        "people",
        PersonIn,
        PersonOut,
        lambda w: f"{API}/people",
        lambda w, n: {
            "name": f"Person {n}",
            "email": f"p{n}@example.com",
            "role": "practitioner",
            "teams": ["platform"],
        },
        _by_id("people"),
    ),
    Create(
        "services",
        ServiceIn,
        ServiceOut,
        lambda w: f"{API}/services",
        lambda w, n: {
            "name": f"svc-{n}",
            "description": "",
            "owner_team": "platform",
            "tier": "tier2",
            "consumers": [{"name": "Shops", "kind": "partner"}],
        },
        _by_id("services"),
    ),
    Create(
        "changes",
        ChangeIn,
        ChangeOut,
        lambda w: f"{API}/changes",
        lambda w, n: {
            "title": f"Change {n}",
            "description": "",
            "change_type": "normal",
            "risk": "low",
            "service": "payments",
            "external_ref": "CHG-1",
        },
        _by_id("changes"),
    ),
    Create(
        "deployments",
        DeploymentIn,
        DeploymentOut,
        lambda w: f"{API}/deployments",
        lambda w, n: {
            "service": "payments",
            "environment": "production",
            "version": f"1.{n}",
            "commit_shas": ["abcdef1"],
            "started_at": "2026-01-01T00:00:00Z",
            "finished_at": "2026-01-01T00:05:00Z",
            "outcome": "succeeded",
            "change_id": w.change_id,
            "pipeline_url": "https://ci.example.com/1",
        },
        _by_id("deployments"),
    ),
    Create(
        "failures",
        FailureIn,
        FailureOut,
        lambda w: f"{API}/failures",
        lambda w, n: {
            "title": f"Checkout down {n}",
            "description": "",
            "kind": "incident",
            "severity": 2,
            "status": "open",
            "started_at": "2026-01-01T00:00:00Z",
            "detected_at": "2026-01-01T00:01:00Z",
            "services": ["payments"],
            "deployment_ids": [w.deployment_id],
            "change_ids": [w.change_id],
            "tags": ["db"],
            "anonymous": False,
            "reported_via": "api",
        },
        _by_id("failures"),
    ),
    Create(
        "timeline",
        TimelineEventIn,
        TimelineEventOut,
        lambda w: f"{API}/failures/{w.failure_id}/timeline",
        lambda w, n: {
            "occurred_at": "2026-01-01T00:02:00Z",
            "kind": "detection",
            "description": "Alert fired",
        },
        lambda c, w, body: read_back(c, w, f"{API}/failures/{w.failure_id}/timeline", body["id"]),
    ),
    Create(
        "review",
        ReviewSections,
        ReviewOut,
        lambda w: f"{API}/failures/{w.failure_id}/review",
        lambda w, n: {
            "summary": "s",
            "impact": "i",
            "what_went_well": "w",
            "what_went_wrong": "ww",
            "where_we_got_lucky": "l",
            "lessons_learned": "ll",
            "factors": [{"category": "capacity", "description": "Pool too small"}],
        },
        lambda c, w, body: read_back(c, w, f"{API}/failures/{body['failure_id']}/review"),
    ),
    Create(
        "actions",
        ActionIn,
        ActionOut,
        lambda w: f"{API}/actions",
        lambda w, n: {
            "failure_id": w.failure_id,
            "title": f"Add alert {n}",
            "description": "",
            "action_type": "detect",
            "owner_team": "platform",
            "owner_person": w.practitioner_email,
            "due_date": "2027-01-01",
            "priority": "high",
            "external_url": "https://tracker.example.com/1",
        },
        _by_id("actions"),
    ),
    Create(
        "factor-categories",
        FactorCategoryIn,
        FactorCategoryOut,
        lambda w: f"{API}/factor-categories",
        lambda w, n: {"key": f"cat_{n}", "name": f"Category {n}", "description": "", "position": 5},
        lambda c, w, body: read_back(c, w, f"{API}/factor-categories?include_retired=true", body["id"]),
    ),
    Create(
        "tokens",
        TokenIn,
        TokenCreated,
        lambda w: f"{API}/tokens",
        lambda w, n: {"name": f"tok-{n}", "expires_in_days": 30},
        lambda c, w, body: {**read_back(c, w, f"{API}/tokens", body["id"]), "token": body["token"]},
    ),
]


def _check_created(client: TestClient, world: World, endpoint: Create, resp: Response) -> None:
    assert resp.status_code == 201, resp.status_code
    body = resp.json()
    endpoint.out.model_validate(body)
    assert body == endpoint.reread(client, world, body), "the stored object differs from the one returned"
    if endpoint.name == "tokens":
        me = client.get(f"{API}/people/me", headers={"Authorization": f"Bearer {body['token']}"})
        assert me.status_code == 200, me.text


def _create_path(client: TestClient, world: World, endpoint: Create) -> str:
    if endpoint.name == "review":  # one review per failure: give each example its own failure
        return f"{API}/failures/{_fresh_failure(client, world)}/review"
    return endpoint.path(world)


@pytest.mark.parametrize("endpoint", CREATES, ids=lambda e: e.name)
@FUZZ
@given(data=st.data())
def test_create_survives_hostile_payloads(
    client: TestClient, world: World, backend: str, endpoint: Create, data: st.DataObject
) -> None:
    valid = endpoint.valid(world, next(_unique))
    payload = data.draw(
        almost_valid(valid, endpoint.schema) | random_payload(endpoint.schema), label="payload"
    )
    resp = send(client, backend, "POST", _create_path(client, world, endpoint), world.headers, payload)
    if resp is not None:
        _check_created(client, world, endpoint, resp)
