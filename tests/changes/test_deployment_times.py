"""A deployment happened already: a start or finish beyond a small clock skew ahead is refused
(a wrong year) and nothing is recorded. The API, CI batches and the CLI share the one check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from factories import API, assert_problem, iso
from support import Org


def test_a_deployment_in_the_future_is_refused(client: TestClient, org: Org) -> None:
    now = datetime.now(UTC)
    body = {"service": "payments", "version": "1.0.0", "outcome": "succeeded"}
    late = {**body, "started_at": iso(now + timedelta(days=365))}
    problem = assert_problem(client.post(f"{API}/deployments", headers=org.headers(), json=late), 422)
    assert "started_at" in problem["detail"] and "future" in problem["detail"]
    skewed = {**body, "started_at": iso(now + timedelta(minutes=2))}  # a clock a little ahead
    created = client.post(f"{API}/deployments", headers=org.headers(), json=skewed)
    assert created.status_code == 201, created.text
    ends_later = {"finished_at": iso(now + timedelta(days=2))}
    url = f"{API}/deployments/{created.json()['id']}"
    problem = assert_problem(client.patch(url, headers=org.headers(), json=ends_later), 422)
    assert "finished_at" in problem["detail"]
    listed = client.get(f"{API}/deployments", headers=org.headers()).json()
    assert listed["total"] == 1 and listed["items"][0]["finished_at"] is None
