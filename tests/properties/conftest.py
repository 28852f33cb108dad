"""The organisation every property test uses: the `world` fixture."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from failwell.enums import Role
from properties.hostile import API, World, _created
from support import Org


@pytest.fixture
def world(client: TestClient, org: Org) -> World:
    h = org.headers(Role.practice_owner)
    post = client.post
    team_id = _created(post(f"{API}/teams", json={"name": "fuzz-team"}, headers=h))
    service_id = _created(
        post(f"{API}/services", json={"name": "fuzz-svc", "owner_team": "platform"}, headers=h)
    )
    change_id = _created(
        post(f"{API}/changes", json={"title": "c", "change_type": "normal", "service": "payments"}, headers=h)
    )
    deployment_id = _created(
        post(
            f"{API}/deployments",
            json={
                "service": "payments",
                "version": "1.0",
                "outcome": "succeeded",
                "started_at": "2026-01-01T00:00:00Z",
            },
            headers=h,
        )
    )
    failure = {
        "title": "f",
        "kind": "incident",
        "started_at": "2026-01-01T00:00:00Z",
        "services": ["payments"],
    }
    failure_id = _created(post(f"{API}/failures", json=failure, headers=h))
    event_id = _created(post(f"{API}/failures/{failure_id}/timeline", json={"description": "e"}, headers=h))
    review_id = _created(post(f"{API}/failures/{failure_id}/review", json={"summary": "s"}, headers=h))
    action_id = _created(
        post(
            f"{API}/actions",
            json={"failure_id": failure_id, "title": "a", "action_type": "prevent", "owner_team": "platform"},
            headers=h,
        )
    )
    category_id = _created(post(f"{API}/factor-categories", json={"key": "fuzz", "name": "Fuzz"}, headers=h))
    return World(
        headers=h,
        practitioner_email=org.emails[Role.practitioner],
        viewer_id=org.actors[Role.viewer].person_id,
        team_id=team_id,
        service_id=service_id,
        change_id=change_id,
        deployment_id=deployment_id,
        failure_id=failure_id,
        event_id=event_id,
        review_id=review_id,
        action_id=action_id,
        category_id=category_id,
    )
