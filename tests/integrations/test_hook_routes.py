"""The webhooks' hot path (integrations.hooks_api.fast_routes) answers exactly as the documented
FastAPI routes would, and leaves them every address they must refuse."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match

from factories import API, assert_problem, iso, utc
from failwell.app import create_app
from failwell.db import Database
from failwell.integrations.hooks_api import _WellFormedHook
from failwell.settings import Settings
from integrations.conftest import Hook, sign

T0 = utc(2026, 4, 1, 9)


def _documented_only(app: FastAPI) -> FastAPI:
    app.router.routes[:] = [r for r in app.router.routes if not isinstance(r, _WellFormedHook)]
    return app


@pytest.fixture
def documented(db: Database, database_url: str) -> Iterator[TestClient]:
    """The same app on the same database, without the hot path: FastAPI's routes answer."""
    app = _documented_only(create_app(Settings(database_url=database_url), db))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _shape(response: httpx.Response) -> tuple[int, str, str]:
    """Status, media type and body, with every number made alike (ids and versions differ)."""
    body = json.dumps(response.json(), sort_keys=True)
    return response.status_code, response.headers["content-type"], re.sub(r"\d+", "N", body)


def _deployment(version: str, **fields: Any) -> dict[str, Any]:
    base = {"service": "payments", "version": version, "outcome": "succeeded", "started_at": iso(T0)}
    return {**base, **fields}


def test_hot_path_answers_as_the_documented_routes(
    client: TestClient, documented: TestClient, make_hook: Callable[..., Hook]
) -> None:
    generic, github = make_hook("generic", "ci"), make_hook("github", "gh")
    auth = {"Authorization": f"Bearer {generic.secret}", "Content-Type": "application/json"}
    push = json.dumps({"repository": {"full_name": "acme/pay"}, "commits": []}).encode()

    def cases(n: int) -> list[tuple[str, bytes, dict[str, str]]]:
        key = {"Idempotency-Key": f"same-{n}"}
        batch = json.dumps({"deployments": [_deployment(f"9.{n}.0"), _deployment(f"9.{n}.1")]}).encode()
        return [
            (generic.url, json.dumps(_deployment(f"1.{n}.0")).encode(), auth),  # accepted
            (generic.url, json.dumps(_deployment(f"2.{n}.0")).encode(), {**auth, **key}),
            (generic.url, json.dumps(_deployment(f"2.{n}.0")).encode(), {**auth, **key}),  # duplicate
            (generic.url, b"{not json %d" % n, auth),  # refused: 422 with its delivery
            (generic.url, json.dumps({"version": str(n)}).encode(), auth),  # refused: fields
            (generic.url, json.dumps(_deployment("1")).encode(), {"Authorization": "Bearer wrong"}),  # 401
            (f"{API}/hooks/999999/generic", b"{}", auth),  # no such integration: 404
            (f"{API}/hooks/{generic.id}/gitlab", b"{}", auth),  # not that kind: 404
            (generic.url + "/batch", batch, auth),
            (
                github.url,
                push,
                {
                    "X-GitHub-Event": "push",
                    "X-GitHub-Delivery": f"d-{n}",
                    "X-Hub-Signature-256": "sha256=" + sign(github.secret, push),
                },
            ),
        ]

    fast = [client.post(url, content=body, headers=headers) for url, body, headers in cases(1)]
    slow = [documented.post(url, content=body, headers=headers) for url, body, headers in cases(2)]
    assert [_shape(r) for r in fast] == [_shape(r) for r in slow]
    assert [r.status_code for r in fast] == [200, 200, 200, 422, 422, 401, 404, 404, 200, 200]
    verdicts = [r.json().get("verdict") for r in fast[:5]]
    assert verdicts == ["accepted", "accepted", "duplicate", "refused", "refused"]
    assert fast[5].headers["www-authenticate"] == slow[5].headers["www-authenticate"] == "Bearer"
    assert len(fast[8].json()["result"]["deployments"]) == 2


def test_well_formed_posts_take_the_hot_path_and_the_rest_fall_through(
    client: TestClient, make_hook: Callable[..., Hook]
) -> None:
    routes = [r for r in client.app.router.routes if isinstance(r, _WellFormedHook)]  # type: ignore[attr-defined]
    assert len(routes) == 2 and client.app.router.routes[:2] == routes  # type: ignore[attr-defined]

    def taken(method: str, path: str) -> bool:
        scope = {"type": "http", "method": method, "path": path, "root_path": ""}
        return any(route.matches(scope)[0] == Match.FULL for route in routes)

    assert taken("POST", f"{API}/hooks/7/github") and taken("POST", f"{API}/hooks/7/generic/batch")
    for method, path in [
        ("GET", f"{API}/hooks/7/github"),
        ("POST", f"{API}/hooks/abc/github"),
        ("POST", f"{API}/hooks/0/github"),
        ("POST", f"{API}/hooks/99999999999/github"),
        ("POST", f"{API}/hooks/7/nonsense"),
        ("POST", f"{API}/hooks/7/github/extra"),
    ]:
        assert not taken(method, path), (method, path)
    # What falls through gets FastAPI's answers, naming the field at fault.
    hook = make_hook("generic", "ci")
    assert_problem(client.post(f"{API}/hooks/abc/generic", content=b"{}"), 422, "integration_id")
    assert_problem(client.post(f"{API}/hooks/0/generic", content=b"{}"), 422, "integration_id")
    assert_problem(client.post(f"{API}/hooks/{hook.id}/nonsense", content=b"{}"), 422, "kind")
    wrong_method = client.get(hook.url)
    assert_problem(wrong_method, 405)
    assert "POST" in wrong_method.headers["allow"]
