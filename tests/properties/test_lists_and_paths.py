"""Property-based robustness of list query strings, ids in paths and malformed bodies.

Every list gets random query strings (mostly its own filter keys, so the queries reach the
database), item paths get hostile ids, and a create endpoint gets raw bodies no JSON parser
should accept. On SQLite and on PostgreSQL: never a 5xx, every 4xx a problem document, and a
list that answers returns a well-formed page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from failwell.actions.schemas import ActionFilter, ActionOut
from failwell.catalogue.schemas import ServiceFilter, ServiceOut
from failwell.changes.schemas import ChangeFilter, ChangeOut, DeploymentFilter, DeploymentOut
from failwell.failures.schemas import FailureFilter, FailureOut
from failwell.listing import Page
from failwell.people.schemas import PersonFilter, PersonOut, TeamFilter, TeamOut, TokenOut
from failwell.reviews.schemas import FactorCategoryOut, ReviewFilter, ReviewOut
from properties.hostile import (
    _NO_BODY,
    API,
    BAD_DATES,
    FUZZ,
    ODD_CHARS,
    World,
    assert_problem,
    iso_datetimes,
    odd_ints,
    send,
)

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
