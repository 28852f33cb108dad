"""What the property tests share: hostile values, the strategies built from them, and the checks.

The strategies draw odd text, boundary integers, bad dates and random JSON, and "almost valid"
payloads: a valid payload with one field pushed past its edges, retyped, removed or added.
`send` checks the universal properties on every answer (never a 5xx; every 4xx a problem
document, a 422 with `errors[]`); `read_back` reads a stored object back. `World` holds the
objects the payloads refer to (made by the `world` fixture, in conftest.py).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, currently_in_test_context, event, settings
from hypothesis import strategies as st
from pydantic import BaseModel

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


# ---- the organisation every property uses (made by the world fixture, conftest.py) ----


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


# ---- payloads for the create and update endpoints ------------------------------------


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
