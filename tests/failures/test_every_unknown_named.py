"""A request naming several things that do not exist is refused once, naming each of them,
not only the first (the reporter fixes them all in one go)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import API, assert_problem
from support import Org


def test_every_unknown_service_and_id_is_named(client: TestClient, org: Org) -> None:
    body = {"title": "Checkout errors", "kind": "incident", "services": ["nope-a", org.service, "nope-b"]}
    problem = assert_problem(client.post(f"{API}/failures", headers=org.headers(), json=body), 422)
    assert [(e["field"], e["reason"]) for e in problem["errors"]] == [
        ("services[0]", "unknown service 'nope-a'"),
        ("services[2]", "unknown service 'nope-b'"),
    ]
    assert problem["detail"] == "services[0]: unknown service 'nope-a'; services[2]: unknown service 'nope-b'"
    body = {"title": "Checkout errors", "kind": "incident", "deployment_ids": [999_998, 999_999]}
    problem = assert_problem(client.post(f"{API}/failures", headers=org.headers(), json=body), 422)
    assert [e["field"] for e in problem["errors"]] == ["deployment_ids[0]", "deployment_ids[1]"]
    # Nothing was recorded.
    listed = client.get(f"{API}/failures", headers=org.headers(), params={"q": "Checkout errors"}).json()
    assert listed["total"] == 0
