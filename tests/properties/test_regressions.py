"""Edge cases that once gave a 500, found by the property tests: deterministic regression tests.

Each is refused with a problem document (or, where the input is fine, stored whole), never a
5xx. Some run on PostgreSQL only, where the column types once overflowed.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from properties.hostile import API, assert_problem
from support import Org

# ---- edge cases that once gave a 500: deterministic regression tests ----------------

only_postgres = pytest.mark.parametrize("backend", ["postgresql"])


def _expect_client_error(resp: Response, allowed: tuple[int, ...] = (422,)) -> None:
    assert resp.status_code in allowed, f"{resp.status_code}: {resp.text[:300]}"
    if resp.status_code >= 400:
        assert_problem(resp)


def test_nul_characters_are_refused_not_a_500(client: TestClient, org: Org) -> None:
    h = org.headers()
    _expect_client_error(client.post(f"{API}/teams", json={"name": "a\x00b"}, headers=h))
    _expect_client_error(client.get(f"{API}/failures", params={"q": "a\x00b"}, headers=h), (200, 422))


def test_datetime_that_overflows_in_utc_is_refused(client: TestClient, org: Org) -> None:
    h = org.headers()
    payload = {"title": "x", "kind": "incident", "started_at": "0001-01-01T00:00:00+01:00"}
    _expect_client_error(client.post(f"{API}/failures", json=payload, headers=h))
    query = {"since": "9999-12-31T23:59:59-01:00"}
    _expect_client_error(client.get(f"{API}/deployments", params=query, headers=h))


def test_huge_ids_are_not_found_or_refused(client: TestClient, org: Org) -> None:
    h = org.headers()
    _expect_client_error(client.get(f"{API}/failures/{2**63}", headers=h), (404, 422))
    payload = {"failure_id": 2**63, "title": "t", "action_type": "prevent", "owner_team": "platform"}
    _expect_client_error(client.post(f"{API}/actions", json=payload, headers=h))


def test_ids_beyond_int4_are_not_found_or_refused(client: TestClient, org: Org) -> None:
    h = org.headers()
    _expect_client_error(client.get(f"{API}/failures/{2**31}", headers=h), (404, 422))
    failure = {"title": "x", "kind": "incident", "deployment_ids": [2**31]}
    _expect_client_error(client.post(f"{API}/failures", json=failure, headers=h))
    _expect_client_error(client.get(f"{API}/deployments", params={"change_id": 2**31}, headers=h), (200, 422))


@only_postgres
def test_long_change_description_is_stored_whole(client: TestClient, org: Org) -> None:
    payload = {"title": "t", "change_type": "normal", "service": "payments", "description": "d" * 30_000}
    resp = client.post(f"{API}/changes", json=payload, headers=org.headers())
    assert resp.status_code == 201, resp.text[:300]
    stored = client.get(f"{API}/changes/{resp.json()['id']}", headers=org.headers()).json()
    assert len(stored["description"]) == 30_000


@only_postgres
def test_long_severity_name_is_stored_or_refused(client: TestClient, org: Org) -> None:
    resp = client.patch(f"{API}/severity-levels/3", json={"name": "n" * 80}, headers=org.headers())
    _expect_client_error(resp, (200, 422))


@only_postgres
def test_long_url_is_refused(client: TestClient, org: Org) -> None:
    payload = {
        "service": "payments",
        "version": "1",
        "outcome": "succeeded",
        "pipeline_url": "https://ci.example.com/" + "a" * 2100,
    }
    _expect_client_error(client.post(f"{API}/deployments", json=payload, headers=org.headers()))


def test_email_longer_than_320_after_lowercasing_is_refused(client: TestClient, org: Org) -> None:
    payload = {"name": "x", "email": "\u0130" * 300 + "@example.com"}
    resp = client.post(f"{API}/people", json=payload, headers=org.headers())
    if resp.status_code == 201:
        assert len(resp.json()["email"]) <= 320
    else:
        _expect_client_error(resp)
