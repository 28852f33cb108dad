"""Property-based robustness of the update endpoints: no payload, however odd, makes the API
fail on its side.

Every update (PATCH) endpoint gets random JSON and "almost valid" payloads. The properties, on
SQLite and on PostgreSQL: never a 5xx; every 4xx a problem document (a 422 with `errors[]`);
a 200 returns the changed object, and reading it back gives the same object. Last, a guard on
the fuzzing itself: the valid base payloads of every create and update endpoint are accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from failwell.actions.schemas import ActionOut, ActionUpdate
from failwell.catalogue.schemas import ServiceOut, ServiceUpdate
from failwell.changes.schemas import ChangeOut, ChangeUpdate, DeploymentOut, DeploymentUpdate
from failwell.failures.schemas import (
    FailureOut,
    FailureUpdate,
    SeverityLevelOut,
    SeverityLevelUpdate,
    TimelineEventOut,
    TimelineEventUpdate,
)
from failwell.people.schemas import PersonOut, PersonUpdate, TeamOut, TeamUpdate
from failwell.reviews.schemas import FactorCategoryOut, FactorCategoryUpdate, ReviewOut, ReviewUpdate
from properties.hostile import API, FUZZ, World, _unique, almost_valid, random_payload, read_back, send
from properties.test_creates import CREATES, _check_created, _create_path

# ---- update endpoints ------------------------------------------------------------


@dataclass(frozen=True)
class Update:
    name: str
    schema: type[BaseModel]
    out: type[BaseModel]
    path: Callable[[World], str]
    valid: Callable[[World, int], dict[str, Any]]
    reread: Callable[[TestClient, World], dict[str, Any]]


def _same(path: Callable[[World], str]) -> Callable[[TestClient, World], dict[str, Any]]:
    return lambda c, w: read_back(c, w, path(w))


def _severity_level(client: TestClient, world: World, level: int) -> dict[str, Any]:
    levels = client.get(f"{API}/severity-levels", headers=world.headers).json()
    return dict(next(x for x in levels if x["level"] == level))


_T = "2026-01-01T00:"
UPDATES = [
    Update(
        "teams",
        TeamUpdate,
        TeamOut,
        lambda w: f"{API}/teams/{w.team_id}",
        lambda w, n: {"name": f"renamed-{n}", "description": "x"},
        _same(lambda w: f"{API}/teams/{w.team_id}"),
    ),
    Update(
        "people",
        PersonUpdate,
        PersonOut,
        lambda w: f"{API}/people/{w.viewer_id}",
        lambda w, n: {
            "name": "New Name",
            "email": f"v{n}@example.com",
            "role": "viewer",
            "is_active": True,
            "teams": ["platform"],
        },
        _same(lambda w: f"{API}/people/{w.viewer_id}"),
    ),
    Update(
        "services",
        ServiceUpdate,
        ServiceOut,
        lambda w: f"{API}/services/{w.service_id}",
        lambda w, n: {
            "name": f"svc-r-{n}",
            "description": "x",
            "owner_team": "platform",
            "tier": "tier1",
            "consumers": [],
        },
        _same(lambda w: f"{API}/services/{w.service_id}"),
    ),
    Update(
        "changes",
        ChangeUpdate,
        ChangeOut,
        lambda w: f"{API}/changes/{w.change_id}",
        lambda w, n: {
            "title": f"t{n}",
            "description": "d",
            "change_type": "emergency",
            "risk": "high",
            "external_ref": "CHG-2",
        },
        _same(lambda w: f"{API}/changes/{w.change_id}"),
    ),
    Update(
        "deployments",
        DeploymentUpdate,
        DeploymentOut,
        lambda w: f"{API}/deployments/{w.deployment_id}",
        lambda w, n: {
            "finished_at": f"{_T}{n % 60:02d}:00Z",
            "outcome": "failed",
            "change_id": w.change_id,
            "pipeline_url": "https://ci.example.com/2",
        },
        _same(lambda w: f"{API}/deployments/{w.deployment_id}"),
    ),
    Update(
        "failures",
        FailureUpdate,
        FailureOut,
        lambda w: f"{API}/failures/{w.failure_id}",
        lambda w, n: {
            "title": f"t{n}",
            "severity": 3,
            "status": "mitigated",
            "mitigated_at": f"{_T}30:00Z",
            "services": ["payments"],
            "tags": ["x"],
            "deployment_ids": [w.deployment_id],
        },
        _same(lambda w: f"{API}/failures/{w.failure_id}"),
    ),
    Update(
        "timeline",
        TimelineEventUpdate,
        TimelineEventOut,
        lambda w: f"{API}/failures/{w.failure_id}/timeline/{w.event_id}",
        lambda w, n: {"occurred_at": f"{_T}03:00Z", "kind": "mitigation", "description": "rolled back"},
        lambda c, w: read_back(c, w, f"{API}/failures/{w.failure_id}/timeline", w.event_id),
    ),
    Update(
        "reviews",
        ReviewUpdate,
        ReviewOut,
        lambda w: f"{API}/reviews/{w.review_id}",
        lambda w, n: {
            "summary": "s",
            "lessons_learned": "l",
            "status": "in_review",
            "factors": [{"category": "dependency", "description": "upstream timed out"}],
        },
        _same(lambda w: f"{API}/reviews/{w.review_id}"),
    ),
    Update(
        "actions",
        ActionUpdate,
        ActionOut,
        lambda w: f"{API}/actions/{w.action_id}",
        lambda w, n: {
            "title": f"t{n}",
            "status": "in_progress",
            "priority": "low",
            "due_date": "2027-02-01",
            "owner_person": w.practitioner_email,
        },
        _same(lambda w: f"{API}/actions/{w.action_id}"),
    ),
    Update(
        "factor-categories",
        FactorCategoryUpdate,
        FactorCategoryOut,
        lambda w: f"{API}/factor-categories/{w.category_id}",
        lambda w, n: {"name": "Renamed", "description": "d", "position": 3, "is_active": True},
        lambda c, w: read_back(c, w, f"{API}/factor-categories?include_retired=true", w.category_id),
    ),
    Update(
        "severity-levels",
        SeverityLevelUpdate,
        SeverityLevelOut,
        lambda w: f"{API}/severity-levels/3",
        lambda w, n: {"name": "SEV3", "description": "Minor"},
        lambda c, w: _severity_level(c, w, 3),
    ),
]


@settings(FUZZ, max_examples=FUZZ.max_examples * 6)
@given(data=st.data())
def test_update_survives_hostile_payloads(
    client: TestClient, world: World, backend: str, data: st.DataObject
) -> None:
    endpoint = data.draw(st.sampled_from(UPDATES), label="endpoint")
    valid = endpoint.valid(world, next(_unique))
    payload = data.draw(
        almost_valid(valid, endpoint.schema) | random_payload(endpoint.schema), label="payload"
    )
    resp = send(client, backend, "PATCH", endpoint.path(world), world.headers, payload)
    if resp is None:
        return
    assert resp.status_code == 200
    body = resp.json()
    endpoint.out.model_validate(body)
    assert body == endpoint.reread(client, world), "the stored object differs from the one returned"


def test_the_valid_payloads_are_valid(client: TestClient, world: World, backend: str) -> None:
    """Guards the fuzzing itself: the base payloads must be accepted, or 'almost valid' means nothing."""
    for create in CREATES:
        resp = send(
            client,
            backend,
            "POST",
            _create_path(client, world, create),
            world.headers,
            create.valid(world, next(_unique)),
        )
        assert resp is not None and resp.status_code == 201, create.name
        _check_created(client, world, create, resp)
    for update in UPDATES:
        resp = send(client, backend, "PATCH", update.path(world), world.headers, update.valid(world, 7))
        assert resp is not None and resp.status_code == 200, update.name
        assert resp.json() == update.reread(client, world), update.name
