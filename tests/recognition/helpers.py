"""Shared steps for the recognition tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories import API
from failwell.enums import Role
from support import Org

R = f"{API}/recognition"


def team_id(client: TestClient, org: Org, name: str | None = None) -> int:
    teams = client.get(f"{API}/teams", headers=org.headers()).json()["items"]
    return int(next(t["id"] for t in teams if t["name"] == (name or org.team)))


def kudos(client: TestClient, org: Org, role: Role = Role.viewer, **fields: Any) -> dict[str, Any]:
    r = client.post(f"{R}/kudos", headers=org.headers(role), json={"message": "Thank you", **fields})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def award_cycle(client: TestClient, org: Org, **fields: Any) -> dict[str, Any]:
    r = client.post(f"{R}/awards", headers=org.headers(), json={"name": "Best near miss"})
    assert r.status_code == 201, r.text
    body = {
        "title": "November",
        "nominations_close_on": "2026-11-20",
        "voting_closes_on": "2026-11-30",
        **fields,
    }
    r = client.post(f"{R}/awards/{r.json()['id']}/cycles", headers=org.headers(), json=body)
    assert r.status_code == 201, r.text
    cycle: dict[str, Any] = r.json()
    return cycle


def nominate(client: TestClient, org: Org, cycle_id: int, role: Role = Role.viewer, **fields: Any) -> int:
    body = {"nominee_kind": "team", "reason": "Shared the pool lesson", "link": "/failures/1", **fields}
    r = client.post(f"{R}/cycles/{cycle_id}/nominations", headers=org.headers(role), json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])
