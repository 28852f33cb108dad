"""Property-based robustness tests: no input, however odd, makes the API fail on its side.

Every create and update endpoint and every list query string gets random JSON and
"almost valid" payloads (a valid payload with one field replaced by a hostile value).
The properties, on SQLite and on PostgreSQL:

* never a 5xx;
* every 4xx is `application/problem+json` with type, title, status and detail;
* a 422 lists `errors[]`, each with a field and a reason;
* a 2xx returns the created or changed object, and reading it back gives the same object.

Edge cases that once gave a 500 are kept at the end as deterministic regression tests.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from failwell.actions.schemas import ActionFilter, ActionIn, ActionOut, ActionUpdate
from failwell.catalogue.schemas import ServiceFilter, ServiceIn, ServiceOut, ServiceUpdate
from failwell.changes.schemas import (
    ChangeFilter,
    ChangeIn,
    ChangeOut,
    ChangeUpdate,
    DeploymentFilter,
    DeploymentIn,
    DeploymentOut,
    DeploymentUpdate,
)
from failwell.enums import Role
from failwell.failures.schemas import (
    FailureFilter,
    FailureIn,
    FailureOut,
    FailureUpdate,
    SeverityLevelOut,
    SeverityLevelUpdate,
    TimelineEventIn,
    TimelineEventOut,
    TimelineEventUpdate,
)
from failwell.listing import Page
from failwell.people.schemas import (
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonUpdate,
    TeamFilter,
    TeamIn,
    TeamOut,
    TeamUpdate,
    TokenCreated,
    TokenIn,
    TokenOut,
)
from failwell.reviews.schemas import (
    FactorCategoryIn,
    FactorCategoryOut,
    FactorCategoryUpdate,
    ReviewFilter,
    ReviewOut,
    ReviewSections,
    ReviewUpdate,
)
from support import Org

API = "/api/v1"
# 20 examples a property (40 before; the wider ones multiply it below): the suite checks the
# properties on every run, on both databases; .ci/fuzz-api searches the API deeper.
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
_unique = itertools.count(1)
_NO_BODY = object()

# ---- hostile values ----------------------------------------------------------

# Characters that have broken real systems: NUL, bidi overrides, BOM, zero-width,
# combining marks, case mappings that change length, astral planes, RTL and old scripts.
# fmt: off
ODD_CHARS = [
    "\x00", "\x7f", "\u202e", "\ufeff", "\u200b", "\u0301", "\u0130", "\u00df", "\ufb03", "\U0001f642",
    "\U0010ffff", "\u0644\u0627", "\u16a0\u16c7", "\ua66e", "\u0e01\u0e34", "\u4e2d", "\t", "\n", "\r", " ",
    "%", "_", "\\", "'", '"', "<", ";",
]
# Just under and just over every limit in the schemas and the columns.
LENGTHS = [0, 1, 7, 50, 51, 64, 65, 100, 101, 128, 129, 200, 201, 300, 301, 320, 321, 2000, 2001, 5001,
           20_001, 50_000, 50_001]
BOUNDARY_INTS = [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]
BAD_DATES = [
    "2024-02-30", "2024-13-01", "0000-01-01", "2024-01-01T25:00:00", "2024-01-01T00:00:00+24:00",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59.999999Z",
    "0001-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "-0001-01-01", "yesterday", "", "T", "2024-W01-1",
    "1970-01-01T00:00:00.0000000001Z", "2024-01-01 00:00", "20240101", "1e400",
]
WHITESPACE = [" ", "\t", "\n", "\u00a0", "\u3000", "\u2028"]
# fmt: on

unicode_text = st.text(st.characters(codec="utf-8"), max_size=40)
odd_text = st.one_of(
    unicode_text,
    st.lists(st.sampled_from(ODD_CHARS), max_size=12).map("".join),
    st.tuples(st.sampled_from(["x", "\u0130", "\u00e9", " ", "\x00", "a@"]), st.sampled_from(LENGTHS)).map(
        lambda t: t[0] * t[1]
    ),
)
offsets = st.timedeltas(
    min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
)
iso_datetimes = st.builds(
    lambda dt, off: dt.replace(tzinfo=timezone(off)).isoformat() if off is not None else dt.isoformat(),
    st.datetimes(),
    st.none() | offsets,
)
odd_dates = st.sampled_from(BAD_DATES) | iso_datetimes | st.dates().map(str)
odd_ints = st.sampled_from(BOUNDARY_INTS) | st.integers()
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | unicode_text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(unicode_text, inner, max_size=4),
    max_leaves=12,
)
odd_values = st.one_of(odd_text, odd_ints, st.floats(), odd_dates, st.booleans(), st.none(), json_values)
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _stretch(value: str, length: int) -> str:
    return (value * (length // max(len(value), 1) + 1))[:length] if value else "x" * length


def hostile_like(value: Any) -> st.SearchStrategy[Any]:
    """Values close to `value`: the same JSON type, but at or past the edges."""
    if isinstance(value, bool):
        return st.sampled_from([0, 1, "true", "yes", "", None, [value]])
    if isinstance(value, int):
        return odd_ints | odd_ints.map(str) | st.floats()
    if isinstance(value, str) and _DATE_LIKE.match(value):
        return odd_dates
    if isinstance(value, str):
        return st.one_of(
            st.builds(
                lambda c, i: value[:i] + c + value[i:], st.sampled_from(ODD_CHARS), st.integers(0, len(value))
            ),
            st.integers(0, len(value)).map(lambda i: value[:i] + "\x00" + value[i:]),
            st.sampled_from(LENGTHS).map(lambda n: _stretch(value, n)),
            st.sampled_from(WHITESPACE).map(lambda w: w + value + w),
            st.sampled_from(WHITESPACE).map(lambda w: w * 3),
            odd_text,
        )
    if isinstance(value, list) and value:
        return st.one_of(
            st.builds(
                lambda i, v: [*value[:i], v, *value[i + 1 :]], st.integers(0, len(value) - 1), odd_values
            ),
            hostile_like(value[0]).map(lambda v: [*value, v]),
            st.sampled_from([2, 31, 51, 101]).map(lambda n: (value * n)[:n]),
        )
    if isinstance(value, dict) and value:
        return st.sampled_from(sorted(value)).flatmap(
            lambda k: hostile_like(value[k]).map(lambda v: {**value, k: v})
        )
    return odd_values


# ---- the organisation every property uses --------------------------------------


@dataclass
class World:
    """Objects the payloads refer to, created through the API."""

    headers: dict[str, str]
    practitioner_email: str
    viewer_id: int
    team_id: int
    service_id: int
    change_id: int
    deployment_id: int
    failure_id: int
    event_id: int
    review_id: int
    action_id: int
    category_id: int


def _created(resp: Response) -> int:
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


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


# ---- the properties ------------------------------------------------------------


def assert_problem(resp: Response) -> None:
    assert resp.headers.get("content-type", "").startswith("application/problem+json"), resp.headers
    body = resp.json()
    assert isinstance(body, dict), body
    for key in ("type", "title", "detail"):
        assert isinstance(body.get(key), str) and body[key], f"{key} missing in {body}"
    assert body.get("status") == resp.status_code, body
    if resp.status_code == 422:
        errors = body.get("errors")
        assert isinstance(errors, list) and errors, f"422 without errors[]: {body}"
        for error in errors:
            assert isinstance(error, dict), body
            assert isinstance(error.get("field"), str) and error["field"], body
            assert isinstance(error.get("reason"), str) and error["reason"], body


def send(
    client: TestClient,
    backend: str,
    method: str,
    path: str,
    headers: dict[str, str],
    payload: Any = _NO_BODY,
    query: list[tuple[str, str]] | None = None,
) -> Response | None:
    """Sends the request and checks the universal properties.

    Returns the response when it is a 2xx, None for a 4xx (already checked) or a
    tolerated known bug.
    """
    query = query or []
    content = None
    if payload is not _NO_BODY:
        content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {**headers, "Content-Type": "application/json"}
    resp = client.request(method, path, headers=headers, params=query, content=content)
    if currently_in_test_context():
        event(f"{method} answered {resp.status_code // 100}xx")
    if resp.status_code >= 500:
        raise AssertionError(f"{resp.status_code} from {method} {path} query={query!r}: {resp.text[:300]}")
    if resp.status_code >= 400:
        assert_problem(resp)
        return None
    assert 200 <= resp.status_code < 300, resp.status_code
    assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers
    return resp


def _find(items: list[dict[str, Any]], item_id: int) -> dict[str, Any] | None:
    return next((item for item in items if item.get("id") == item_id), None)


def read_back(client: TestClient, world: World, url: str, item_id: int | None = None) -> dict[str, Any]:
    resp = client.get(url, headers=world.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    if item_id is None:
        return dict(body)
    found = _find(body, item_id)
    assert found is not None, f"{item_id} not in {url}"
    return found


# ---- create endpoints ------------------------------------------------------------


@dataclass(frozen=True)
class Create:
    name: str
    schema: type[BaseModel]
    out: type[BaseModel]
    path: Callable[[World], str]
    valid: Callable[[World, int], dict[str, Any]]
    reread: Callable[[TestClient, World, dict[str, Any]], dict[str, Any]]


def _by_id(collection: str) -> Callable[[TestClient, World, dict[str, Any]], dict[str, Any]]:
    return lambda c, w, body: read_back(c, w, f"{API}/{collection}/{body['id']}")


def _fresh_failure(client: TestClient, world: World) -> int:
    payload = {"title": "needs a review", "kind": "near_miss", "started_at": "2026-01-01T00:00:00Z"}
    return _created(client.post(f"{API}/failures", json=payload, headers=world.headers))


CREATES = [
    Create(
        "teams",
        TeamIn,
        TeamOut,
        lambda w: f"{API}/teams",
        lambda w, n: {"name": f"team-{n}", "description": "Runs things"},
        _by_id("teams"),
    ),
    Create(
        "people",
        PersonIn,
        PersonOut,
        lambda w: f"{API}/people",
        lambda w, n: {
            "name": f"Person {n}",
            "email": f"p{n}@example.com",
            "role": "practitioner",
            "teams": ["platform"],
        },
        _by_id("people"),
    ),
    Create(
        "services",
        ServiceIn,
        ServiceOut,
        lambda w: f"{API}/services",
        lambda w, n: {
            "name": f"svc-{n}",
            "description": "",
            "owner_team": "platform",
            "tier": "tier2",
            "consumers": [{"name": "Shops", "kind": "partner"}],
        },
        _by_id("services"),
    ),
    Create(
        "changes",
        ChangeIn,
        ChangeOut,
        lambda w: f"{API}/changes",
        lambda w, n: {
            "title": f"Change {n}",
            "description": "",
            "change_type": "normal",
            "risk": "low",
            "service": "payments",
            "external_ref": "CHG-1",
        },
        _by_id("changes"),
    ),
    Create(
        "deployments",
        DeploymentIn,
        DeploymentOut,
        lambda w: f"{API}/deployments",
        lambda w, n: {
            "service": "payments",
            "environment": "production",
            "version": f"1.{n}",
            "commit_shas": ["abcdef1"],
            "started_at": "2026-01-01T00:00:00Z",
            "finished_at": "2026-01-01T00:05:00Z",
            "outcome": "succeeded",
            "change_id": w.change_id,
            "pipeline_url": "https://ci.example.com/1",
        },
        _by_id("deployments"),
    ),
    Create(
        "failures",
        FailureIn,
        FailureOut,
        lambda w: f"{API}/failures",
        lambda w, n: {
            "title": f"Checkout down {n}",
            "description": "",
            "kind": "incident",
            "severity": 2,
            "status": "open",
            "started_at": "2026-01-01T00:00:00Z",
            "detected_at": "2026-01-01T00:01:00Z",
            "services": ["payments"],
            "deployment_ids": [w.deployment_id],
            "change_ids": [w.change_id],
            "tags": ["db"],
            "anonymous": False,
            "reported_via": "api",
        },
        _by_id("failures"),
    ),
    Create(
        "timeline",
        TimelineEventIn,
        TimelineEventOut,
        lambda w: f"{API}/failures/{w.failure_id}/timeline",
        lambda w, n: {
            "occurred_at": "2026-01-01T00:02:00Z",
            "kind": "detection",
            "description": "Alert fired",
        },
        lambda c, w, body: read_back(c, w, f"{API}/failures/{w.failure_id}/timeline", body["id"]),
    ),
    Create(
        "review",
        ReviewSections,
        ReviewOut,
        lambda w: f"{API}/failures/{w.failure_id}/review",
        lambda w, n: {
            "summary": "s",
            "impact": "i",
            "what_went_well": "w",
            "what_went_wrong": "ww",
            "where_we_got_lucky": "l",
            "lessons_learned": "ll",
            "factors": [{"category": "capacity", "description": "Pool too small"}],
        },
        lambda c, w, body: read_back(c, w, f"{API}/failures/{body['failure_id']}/review"),
    ),
    Create(
        "actions",
        ActionIn,
        ActionOut,
        lambda w: f"{API}/actions",
        lambda w, n: {
            "failure_id": w.failure_id,
            "title": f"Add alert {n}",
            "description": "",
            "action_type": "detect",
            "owner_team": "platform",
            "owner_person": w.practitioner_email,
            "due_date": "2027-01-01",
            "priority": "high",
            "external_url": "https://tracker.example.com/1",
        },
        _by_id("actions"),
    ),
    Create(
        "factor-categories",
        FactorCategoryIn,
        FactorCategoryOut,
        lambda w: f"{API}/factor-categories",
        lambda w, n: {"key": f"cat_{n}", "name": f"Category {n}", "description": "", "position": 5},
        lambda c, w, body: read_back(c, w, f"{API}/factor-categories?include_retired=true", body["id"]),
    ),
    Create(
        "tokens",
        TokenIn,
        TokenCreated,
        lambda w: f"{API}/tokens",
        lambda w, n: {"name": f"tok-{n}", "expires_in_days": 30},
        lambda c, w, body: {**read_back(c, w, f"{API}/tokens", body["id"]), "token": body["token"]},
    ),
]


def almost_valid(valid: dict[str, Any], schema: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """The valid payload with one field pushed past its edges, retyped, removed or added."""
    keys = sorted(valid)
    every = sorted(set(valid) | set(schema.model_fields))
    edged = st.sampled_from(keys).flatmap(lambda k: hostile_like(valid[k]).map(lambda v: {**valid, k: v}))
    retyped = st.builds(lambda k, v: {**valid, k: v}, st.sampled_from(every), odd_values)
    removed = st.sampled_from(keys).map(lambda k: {x: v for x, v in valid.items() if x != k})
    added = st.builds(lambda k, v: {**valid, k: v}, unicode_text, odd_values)
    return st.one_of(edged, edged, edged, retyped, removed, added)


def random_payload(schema: type[BaseModel]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(sorted(schema.model_fields)) | unicode_text
    return json_values | st.dictionaries(keys, odd_values, max_size=6)


def _check_created(client: TestClient, world: World, endpoint: Create, resp: Response) -> None:
    assert resp.status_code == 201, resp.status_code
    body = resp.json()
    endpoint.out.model_validate(body)
    assert body == endpoint.reread(client, world, body), "the stored object differs from the one returned"
    if endpoint.name == "tokens":
        me = client.get(f"{API}/people/me", headers={"Authorization": f"Bearer {body['token']}"})
        assert me.status_code == 200, me.text


def _create_path(client: TestClient, world: World, endpoint: Create) -> str:
    if endpoint.name == "review":  # one review per failure: give each example its own failure
        return f"{API}/failures/{_fresh_failure(client, world)}/review"
    return endpoint.path(world)


@pytest.mark.parametrize("endpoint", CREATES, ids=lambda e: e.name)
@FUZZ
@given(data=st.data())
def test_create_survives_hostile_payloads(
    client: TestClient, world: World, backend: str, endpoint: Create, data: st.DataObject
) -> None:
    valid = endpoint.valid(world, next(_unique))
    payload = data.draw(
        almost_valid(valid, endpoint.schema) | random_payload(endpoint.schema), label="payload"
    )
    resp = send(client, backend, "POST", _create_path(client, world, endpoint), world.headers, payload)
    if resp is not None:
        _check_created(client, world, endpoint, resp)


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


# ---- list query strings ----------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    path: str
    keys: tuple[str, ...]
    out: type[BaseModel]
    paged: bool = True


def _listing(path: str, filters: type[BaseModel], out: type[BaseModel]) -> Listing:
    return Listing(path, tuple(sorted(filters.model_fields)), out)


LISTINGS = [
    _listing("teams", TeamFilter, TeamOut),
    _listing("people", PersonFilter, PersonOut),
    _listing("services", ServiceFilter, ServiceOut),
    _listing("changes", ChangeFilter, ChangeOut),
    _listing("deployments", DeploymentFilter, DeploymentOut),
    _listing("failures", FailureFilter, FailureOut),
    _listing("reviews", ReviewFilter, ReviewOut),
    _listing("actions", ActionFilter, ActionOut),
    Listing("tokens", ("person_id",), TokenOut, paged=False),
    Listing("factor-categories", ("include_retired",), FactorCategoryOut, paged=False),
]
# fmt: off
PLAUSIBLE = [
    "payments", "platform", "payments-team", "production", "incident", "open", "draft", "high", "tier1",
    "succeeded", "normal", "capacity", "db", "true", "false", "1", "0", "-1", "500", "501", "10000000",
    "name", "-name", "created_at", "-started_at", "severity", "due_date", "-updated_at", "priority", "--name",
    "2026-01-01", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00+05:30", "%", "_", "\\", "'", "1.0",
]
# fmt: on
query_values = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.sampled_from(BAD_DATES),
    iso_datetimes,
    odd_ints.map(str),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.lists(st.sampled_from(ODD_CHARS), max_size=8).map("".join),
)


@settings(FUZZ, max_examples=FUZZ.max_examples * 5)
@given(data=st.data())
def test_lists_survive_hostile_query_strings(
    client: TestClient, world: World, backend: str, data: st.DataObject
) -> None:
    listing = data.draw(st.sampled_from(LISTINGS), label="listing")
    known = st.sampled_from(listing.keys)
    keys = st.one_of(
        known, known, known, st.text(max_size=8)
    )  # mostly known keys, so queries reach the database
    values = st.one_of(st.sampled_from(PLAUSIBLE), query_values)
    query = data.draw(st.lists(st.tuples(keys, values), max_size=4), label="query")
    resp = send(client, backend, "GET", f"{API}/{listing.path}", world.headers, query=query)
    if resp is None:
        return
    if not listing.paged:
        for item in resp.json():
            listing.out.model_validate(item)
        return
    page = Page[listing.out].model_validate(resp.json())  # type: ignore[name-defined]
    assert len(page.items) <= page.limit
    assert page.total >= len(page.items)


# ---- ids in paths --------------------------------------------------------------

# fmt: off
ITEM_PATHS = [
    ("GET", "teams/{}"), ("GET", "people/{}"), ("GET", "services/{}"), ("GET", "changes/{}"),
    ("GET", "deployments/{}"), ("GET", "failures/{}"), ("GET", "failures/{}/timeline"),
    ("GET", "failures/{}/review"), ("GET", "reviews/{}"), ("GET", "actions/{}"),
    ("PATCH", "teams/{}"), ("PATCH", "failures/{}"), ("PATCH", "severity-levels/{}"),
    ("PATCH", "factor-categories/{}"), ("PATCH", "failures/1/timeline/{}"), ("POST", "actions/{}/done"),
]
# fmt: on
path_ids = st.one_of(
    odd_ints.map(str),
    st.sampled_from(["abc", "1.5", "1e3", " 1", "+1", "-0", "0x10", "\u0663", "1_000", "%00", "null", "%2F"]),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).map(lambda s: quote(s, safe="")),
)


@settings(FUZZ, max_examples=FUZZ.max_examples * 2)
@given(target=st.sampled_from(ITEM_PATHS), item_id=path_ids)
def test_hostile_ids_in_paths(
    client: TestClient, world: World, backend: str, target: tuple[str, str], item_id: str
) -> None:
    method, template = target
    payload: Any = {} if method == "PATCH" else _NO_BODY
    send(client, backend, method, f"{API}/{template.format(item_id)}", world.headers, payload)


RAW_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"text"',
    b"NaN",
    b'{"name": "x", "name": "y"}',
    b'{"name": "\\ud800"}',  # a lone surrogate, legal as a JSON escape
    b'{"name": "\xff\xfe"}',  # not UTF-8
    b"[" * 100_000 + b"]" * 100_000,  # deeper than any parser recursion limit
    b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}',  # over the request size limit
]


def test_malformed_bodies_are_problems(client: TestClient, world: World, backend: str) -> None:
    for raw in RAW_BODIES:
        for content_type in ("application/json", "text/plain"):
            resp = client.post(
                f"{API}/teams", content=raw, headers={**world.headers, "Content-Type": content_type}
            )
            assert resp.status_code < 500, (raw[:40], content_type, resp.text[:300])
            if resp.status_code >= 400:
                assert_problem(resp)
            else:
                TeamOut.model_validate(resp.json())


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
