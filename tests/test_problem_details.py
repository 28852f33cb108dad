"""Bad input gets RFC 9457 problem details (application/problem+json) and changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories import API, assert_problem, counts, make_action, make_failure, utc
from failwell.db import Database
from failwell.enums import Role
from support import Org

MIB = 1024 * 1024


def _try(
    client: TestClient,
    db: Database,
    method: str,
    path: str,
    status: int,
    field: str | None,
    headers: dict[str, str] | None,
    **kwargs: Any,
) -> dict[str, Any]:
    before = counts(db)
    r = client.request(method, API + path, headers=headers, **kwargs)
    body = assert_problem(r, status, field)
    assert body.get("instance") in (None, API + path.split("?")[0]), body
    assert counts(db) == before, f"{method} {path} changed row counts"
    return body


def test_invalid_input(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"])
    fpath, apath = f"/failures/{failure['id']}", f"/actions/{action['id']}"
    report = {"title": "x", "kind": "incident"}
    assign = {"failure_id": failure["id"], "title": "x", "action_type": "detect", "owner_team": org.team}
    change = {"title": "x", "change_type": "normal", "service": org.service}
    deploy = {"service": org.service, "version": "1", "outcome": "failed"}
    writes: list[tuple[str, str, dict[str, Any], int, str]] = [
        # unknown service
        ("POST", "/failures", {**report, "services": ["nope"]}, 422, "services[0]"),
        ("POST", "/failures", {**report, "services": [org.service, "nope"]}, 422, "services[1]"),
        ("POST", "/changes", {**change, "service": "nope"}, 422, "service"),
        ("POST", "/deployments", {**deploy, "service": "nope"}, 422, "service"),
        # end before start
        ("POST", "/deployments", {**deploy, "finished_at": "2020-01-01T00:00:00Z"}, 422, "finished_at"),
        (
            "POST",
            "/failures",
            {**report, "started_at": "2026-05-01T10:00:00Z", "resolved_at": "2026-05-01T09:00:00Z"},
            422,
            "resolved_at",
        ),
        ("PATCH", fpath, {"status": "resolved", "resolved_at": "2000-01-01T00:00:00Z"}, 422, "resolved_at"),
        # malformed dates
        ("POST", "/actions", {**assign, "due_date": "2026-13-45"}, 422, "due_date"),
        ("POST", "/actions", {**assign, "due_date": "tomorrow"}, 422, "due_date"),
        ("PATCH", apath, {"due_date": "2026-13-45"}, 422, "due_date"),
        ("PATCH", apath, {"due_date": "tomorrow"}, 422, "due_date"),
        ("POST", "/failures", {**report, "started_at": "noon"}, 422, "started_at"),
        # oversized text
        ("POST", "/failures", {**report, "title": "x" * 301}, 422, "title"),
        ("POST", "/failures", {**report, "description": "y" * 50_001}, 422, "description"),
        ("PATCH", fpath, {"title": "x" * 301}, 422, "title"),
        ("POST", "/changes", {**change, "description": "d" * 50_001}, 422, "description"),
        ("POST", "/teams", {"name": "t" * 101}, 422, "name"),
        # unknown enum values
        ("POST", "/failures", {**report, "kind": "outage"}, 422, "kind"),
        ("POST", "/changes", {**change, "change_type": "yolo"}, 422, "change_type"),
        ("PATCH", apath, {"status": "finished"}, 422, "status"),
        # wrong types, unknown and missing fields
        ("POST", "/failures", {**report, "severity": "high"}, 422, "severity"),
        ("POST", "/failures", {**report, "services": "payments"}, 422, "services"),
        ("POST", "/failures", {**report, "reporter": "me"}, 422, "reporter"),
        ("POST", "/failures", {"title": "x"}, 422, "kind"),
        # duplicate names
        ("POST", "/teams", {"name": org.team}, 409, "name"),
        ("POST", "/teams", {"name": f"  {org.team} "}, 409, "name"),
        ("POST", "/services", {"name": org.service, "owner_team": org.team}, 409, "name"),
        ("POST", "/people", {"name": "Twin", "email": org.emails[Role.viewer]}, 409, "email"),
    ]
    reads: list[tuple[str, dict[str, str], str]] = [
        ("/failures", {"service": "nope"}, "service"),
        ("/actions", {"service": "nope"}, "service"),
        ("/failures", {"since": "2026-05-02", "until": "2026-05-01"}, "until"),
        ("/failures", {"kind": "outage"}, "kind"),
        # unknown query parameters and sort keys
        ("/failures", {"colour": "red"}, "colour"),
        ("/actions", {"sevrity": "1"}, "sevrity"),
        ("/failures", {"sort": "colour"}, "sort"),
        ("/teams", {"sort": "-colour"}, "sort"),
    ]
    headers = org.headers()
    for method, path, body, status, field in writes:
        problem = _try(client, db, method, path, status, field, headers, json=body)
        assert field in problem["detail"], problem
    for path, params, field in reads:
        problem = _try(client, db, "GET", path, 422, field, headers, params=params)
        assert field in problem["detail"], problem
    # At the limits, text is accepted.
    assert make_failure(client, org, "x" * 300, description="y" * 50_000)["title"] == "x" * 300


def test_authentication_and_permission(client: TestClient, org: Org, db: Database) -> None:
    report = {"title": "x", "kind": "incident"}
    for headers in (
        None,
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": org.tokens[Role.viewer]},
    ):
        body = _try(client, db, "POST", "/failures", 401, None, headers, json=report)
        assert body["type"].endswith("not-authenticated")
    for token in ("fw_wrong", org.tokens[Role.viewer] + "x", org.tokens[Role.viewer][:-1]):
        r = client.post(f"{API}/failures", headers={"Authorization": f"Bearer {token}"}, json=report)
        assert_problem(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
    r = client.get(f"{API}/failures")
    assert_problem(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"

    viewer = org.headers(Role.viewer)
    body = _try(client, db, "POST", "/teams", 403, None, viewer, json={"name": "new"})
    assert body["type"].endswith("permission-denied") and "viewer" in body["detail"]
    _try(
        client,
        db,
        "POST",
        "/changes",
        403,
        None,
        viewer,
        json={"title": "x", "change_type": "normal", "service": org.service},
    )
    _try(
        client,
        db,
        "PATCH",
        "/severity-levels/3",
        403,
        None,
        org.headers(Role.practice_manager),
        json={"description": "x"},
    )


def test_not_found(client: TestClient, org: Org, db: Database) -> None:
    h = org.headers()
    for method, path, body in [
        ("GET", "/failures/987654", None),
        ("PATCH", "/failures/987654", {"title": "x"}),
        ("GET", "/reviews/987654", None),
        ("PATCH", "/reviews/987654", {"summary": "x"}),
        ("GET", "/actions/987654", None),
        ("POST", "/actions/987654/done", None),
        ("GET", "/teams/987654", None),
        ("PATCH", "/teams/987654", {"description": "x"}),
        ("GET", "/people/987654", None),
        ("GET", "/services/987654", None),
        ("PATCH", "/services/987654", {"tier": "tier1"}),
        ("GET", "/changes/987654", None),
        ("GET", "/deployments/987654", None),
        ("DELETE", "/tokens/987654", None),
        ("POST", "/failures/987654/review", {}),
        ("GET", "/failures/987654/timeline", None),
        ("PATCH", "/factor-categories/987654", {"name": "x"}),
        ("GET", "/no-such-thing", None),
    ]:
        problem = _try(client, db, method, path, 404, None, h, json=body)
        assert problem["type"].endswith("not-found"), problem

    # Malformed JSON and unsupported methods.
    headers = {**org.headers(), "content-type": "application/json"}
    _try(client, db, "POST", "/failures", 422, None, headers, content=b'{"title": "x", "kind": ')
    _try(client, db, "POST", "/failures", 422, None, headers, content=b"[1, 2, 3]")
    r = client.put(f"{API}/failures", headers=org.headers(), json={})
    assert_problem(r, 405)


def test_body_over_the_limit(client: TestClient, org: Org, db: Database) -> None:
    big = {"title": "x", "kind": "incident", "description": "y" * (2 * MIB)}
    body = _try(client, db, "POST", "/failures", 413, None, org.headers(), json=big)
    assert "2097152" in body["detail"]
    _try(client, db, "PATCH", "/teams/1", 413, None, org.headers(), json={"description": "z" * (3 * MIB)})
    # Just under the limit the body is parsed, and refused for what it says instead.
    under = {"title": "x", "kind": "incident", "description": "y" * (2 * MIB - 200)}
    _try(client, db, "POST", "/failures", 422, "description", org.headers(), json=under)


def test_chunked_body_over_the_limit(client: TestClient, org: Org, db: Database) -> None:
    def chunks() -> Any:
        yield b'{"title": "x", "kind": "incident", "description": "'
        for _ in range(3 * 16):
            yield b"y" * (64 * 1024)
        yield b'"}'

    headers = {**org.headers(), "content-type": "application/json"}
    _try(client, db, "POST", "/failures", 413, None, headers, content=chunks())


def test_deployment_end_before_start_names_the_field(client: TestClient, org: Org, db: Database) -> None:
    _try(
        client,
        db,
        "POST",
        "/deployments",
        422,
        "finished_at",
        org.headers(),
        json={
            "service": org.service,
            "version": "1",
            "outcome": "failed",
            "started_at": utc(2026, 5, 2).isoformat(),
            "finished_at": utc(2026, 5, 1).isoformat(),
        },
    )


def test_a_domain_error_reads_as_one_line_that_says_each_reason_once() -> None:
    from failwell.errors import Conflict, FieldError, InvalidInput

    assert str(InvalidInput.on("deployments[3].service", "unknown service 'x'")) == (
        "deployments[3].service: unknown service 'x'"
    )
    several = InvalidInput("Invalid input", [FieldError("a", "is empty"), FieldError("b", "is too long")])
    assert str(several) == "Invalid input (a: is empty; b: is too long)"
    partly = Conflict("name: taken", [FieldError("name", "taken"), FieldError("slug", "taken")])
    assert str(partly) == "name: taken (slug: taken)"
