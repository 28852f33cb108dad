"""failwell always keeps someone who can administer it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from failwell.enums import Role
from support import Org


def test_the_last_owner_cannot_demote_or_deactivate_themself(client: TestClient, org: Org) -> None:
    owner = org.actors[Role.practice_owner]
    for change in ({"role": "viewer"}, {"is_active": False}):
        refused = client.patch(
            f"/api/v1/people/{owner.person_id}", json=change, headers=org.headers(Role.practice_owner)
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0]["field"] == "role"
    me = client.get("/api/v1/people/me", headers=org.headers(Role.practice_owner)).json()
    assert me["role"] == "practice_owner" and me["is_active"] is True


def test_an_owner_may_step_down_once_there_is_another(client: TestClient, org: Org) -> None:
    manager = org.actors[Role.practice_manager]
    owner = org.actors[Role.practice_owner]
    promoted = client.patch(
        f"/api/v1/people/{manager.person_id}",
        json={"role": "practice_owner"},
        headers=org.headers(Role.practice_owner),
    )
    assert promoted.status_code == 200
    stepped_down = client.patch(
        f"/api/v1/people/{owner.person_id}",
        json={"role": "practitioner"},
        headers=org.headers(Role.practice_owner),
    )
    assert stepped_down.status_code == 200, stepped_down.text
