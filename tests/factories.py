"""Helpers shared by the API test modules: request builders, problem-details checks, row counts.

Every builder goes through the HTTP API as the practice owner unless told otherwise, and
asserts the request succeeded, so a test reads as the story it tells.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from failwell.db import Database
from failwell.enums import Role
from failwell.models import Base
from support import Org

API = "/api/v1"
PROBLEM_JSON = "application/problem+json"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.isoformat()


def today_utc() -> date:
    return datetime.now(UTC).date()


def days_from_today(days: int) -> str:
    return (today_utc() + timedelta(days=days)).isoformat()


def parse_ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# ---- database ----------------------------------------------------------------


def counts(db: Database) -> dict[str, int]:
    """Rows in every table, in one round trip: the fingerprint of 'nothing changed'."""
    # The audit trail records refusals in a transaction of their own: not a change to the record.
    tables = sorted(
        (t for t in Base.metadata.tables.values() if not t.name.startswith("audit_")), key=lambda t: t.name
    )
    stmt = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables))
    with db.session(write=False) as s:
        row = s.execute(stmt).one()
    return dict(row._mapping)


# ---- problem details ---------------------------------------------------------


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """An RFC 9457 body with the given status; with `field`, an errors[] entry naming it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    for key in ("type", "title", "status", "detail"):
        assert key in body, body
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["type"].startswith("https://")
    if field is not None:
        errors = body.get("errors")
        assert isinstance(errors, list) and errors, body
        for error in errors:
            assert set(error) >= {"field", "reason"} and error["reason"], error
        assert field in [e["field"] for e in errors], body
    return body


def field_errors(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json().get("errors", [])]


# ---- builders ----------------------------------------------------------------


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def make_team(client: TestClient, org: Org, name: str, **fields: Any) -> dict[str, Any]:
    return _created(client.post(f"{API}/teams", headers=org.headers(), json={"name": name, **fields}))


def make_service(
    client: TestClient, org: Org, name: str, owner_team: str | None = None, **fields: Any
) -> dict[str, Any]:
    body = {"name": name, "owner_team": owner_team or org.team, **fields}
    return _created(client.post(f"{API}/services", headers=org.headers(), json=body))


def make_change(
    client: TestClient, org: Org, title: str = "Raise pool size", **fields: Any
) -> dict[str, Any]:
    body = {"title": title, "change_type": "normal", "service": org.service, **fields}
    return _created(client.post(f"{API}/changes", headers=org.headers(), json=body))


def make_deployment(client: TestClient, org: Org, version: str = "1.0.0", **fields: Any) -> dict[str, Any]:
    body = {"service": org.service, "version": version, "outcome": "succeeded", **fields}
    return _created(client.post(f"{API}/deployments", headers=org.headers(), json=body))


def make_failure(
    client: TestClient,
    org: Org,
    title: str = "Checkout errors",
    role: Role = Role.practice_owner,
    **fields: Any,
) -> dict[str, Any]:
    body = {"title": title, "kind": "incident", "services": [org.service], **fields}
    return _created(client.post(f"{API}/failures", headers=org.headers(role), json=body))


def make_review(client: TestClient, org: Org, failure_id: int, **sections: Any) -> dict[str, Any]:
    return _created(client.post(f"{API}/failures/{failure_id}/review", headers=org.headers(), json=sections))


def publishable_review(client: TestClient, org: Org, failure_id: int) -> dict[str, Any]:
    """A review in in_review with the sections publishing needs."""
    review = make_review(
        client, org, failure_id, summary="Pool exhausted under load.", lessons_learned="Alert on pool usage."
    )
    r = client.patch(f"{API}/reviews/{review['id']}", headers=org.headers(), json={"status": "in_review"})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def make_action(
    client: TestClient, org: Org, failure_id: int, title: str = "Alert on pool usage", **fields: Any
) -> dict[str, Any]:
    body = {
        "failure_id": failure_id,
        "title": title,
        "action_type": "detect",
        "owner_team": org.team,
        **fields,
    }
    return _created(client.post(f"{API}/actions", headers=org.headers(), json=body))


def person_id(client: TestClient, org: Org, role: Role) -> int:
    r = client.get(f"{API}/people/me", headers=org.headers(role))
    assert r.status_code == 200, r.text
    return int(r.json()["id"])


def page(client: TestClient, org: Org, path: str, **params: Any) -> dict[str, Any]:
    """GET a list as the viewer (reads are open to everyone) and return the page."""
    r = client.get(f"{API}{path}", headers=org.headers(Role.viewer), params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"]]
