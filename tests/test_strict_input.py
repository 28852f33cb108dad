"""Stricter input through the API: numbers are not times or yes/no answers, names and titles are
plain one-line text, and times are plausible (1970 to 2099)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem, make_failure, person_id
from failwell.enums import Role
from support import Org


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/failures", {"until": "0.5"}, "until"),
        ("/failures", {"since": "1700000000"}, "since"),
        ("/deployments", {"until": "1e9"}, "until"),
        ("/changes", {"since": "-1"}, "since"),
        ("/metrics/dora", {"until": "0"}, "until"),
        ("/actions", {"due_before": "20000"}, "due_before"),
        ("/failures", {"since": "1969-12-31T23:59:59Z"}, "since"),
        ("/failures", {"until": "2100-01-01T00:00:00Z"}, "until"),
        ("/deployments", {"since": "0001-01-01T00:00:00Z"}, "since"),
        ("/actions", {"due_before": "9999-12-31"}, "due_before"),
    ],
)
def test_query_times_are_written_and_plausible(
    client: TestClient, org: Org, path: str, params: dict[str, str], field: str
) -> None:
    body = assert_problem(client.get(f"{API}{path}", params=params, headers=org.headers()), 422, field)
    reason = body["errors"][0]["reason"]
    assert "not a number" in reason or "between 1970 and 2099" in reason


def test_plausible_times_are_still_accepted(client: TestClient, org: Org) -> None:
    h = org.headers()
    for params in (
        {"since": "2026-01-01", "until": "2026-02-01T00:00:00Z"},
        {"since": "1970-01-01T00:00:00Z"},
    ):
        assert client.get(f"{API}/failures", params=params, headers=h).status_code == 200
    assert (
        client.get(
            f"{API}/actions", params={"due_before": "2099-12-31", "overdue": "true"}, headers=h
        ).status_code
        == 200
    )


@pytest.mark.parametrize("value", [0.0, 1, 0, 1.0])
def test_numbers_are_not_booleans(client: TestClient, org: Org, value: float) -> None:
    me = person_id(client, org, Role.viewer)
    r = client.patch(f"{API}/people/{me}", headers=org.headers(), json={"is_active": value})
    assert "true or false" in assert_problem(r, 422, "is_active")["errors"][0]["reason"]
    assert client.get(f"{API}/people/{me}", headers=org.headers()).json()["is_active"] is True
    report = {"title": "Disk full", "kind": "incident", "anonymous": value}
    assert_problem(client.post(f"{API}/failures", json=report, headers=org.headers()), 422, "anonymous")


@pytest.mark.parametrize("value", [1_700_000_000, 0.5, "1700000000"])
def test_numbers_are_not_times_in_bodies(client: TestClient, org: Org, value: Any) -> None:
    report = {"title": "Disk full", "kind": "incident", "started_at": value}
    assert_problem(client.post(f"{API}/failures", json=report, headers=org.headers()), 422, "started_at")


@pytest.mark.parametrize(
    "when", ["1900-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "2100-01-01T00:00:00+00:00"]
)
def test_implausible_times_are_refused_in_bodies(client: TestClient, org: Org, when: str) -> None:
    report = {"title": "Disk full", "kind": "incident", "started_at": when}
    body = assert_problem(
        client.post(f"{API}/failures", json=report, headers=org.headers()), 422, "started_at"
    )
    assert "between 1970 and 2099" in body["errors"][0]["reason"]


@pytest.mark.parametrize(
    "character",
    ["\u202e", "\u202a", "\u2066", "\u2069", "\x07", "\x1b", "\t", "\n", "\x7f", "\x85", "\u2028"],
)
def test_control_and_direction_characters_are_refused_in_names_and_titles(
    client: TestClient, org: Org, character: str
) -> None:
    h = org.headers()
    text = f"invoice{character}fdp.exe"
    for path, payload, field in (
        ("/teams", {"name": text}, "name"),
        ("/failures", {"title": text, "kind": "incident"}, "title"),
        ("/people", {"name": text, "email": "eve@example.com"}, "name"),
    ):
        body = assert_problem(client.post(f"{API}{path}", json=payload, headers=h), 422, field)
        assert f"U+{ord(character):04X}" in body["errors"][0]["reason"]


def test_ordinary_unicode_names_and_titles_are_accepted(client: TestClient, org: Org) -> None:
    # Right-to-left scripts, accents, emoji and the marks that set direction are ordinary text.
    for title in ("خطأ في الدفع", "Zürich läuft nicht 🙂", "שגיאה\u200f 502", "  trimmed  "):
        failure = make_failure(client, org, title=title)
        assert failure["title"] == title.strip()


def test_lengths_of_lower_cased_words_are_counted_in_characters(client: TestClient, org: Org) -> None:
    """An environment or a tag is a string: its length is said in characters, not in 'items'."""
    body = {"service": "payments", "version": "1.0.0", "outcome": "succeeded", "environment": ""}
    problem = assert_problem(client.post(f"{API}/deployments", headers=org.headers(), json=body), 422)
    assert [(e["field"], e["reason"]) for e in problem["errors"]] == [
        ("environment", "String should have at least 1 character")
    ], problem
    long_tag = {"title": "Queue stuck", "kind": "incident", "tags": ["ok", "x" * 65]}
    problem = assert_problem(client.post(f"{API}/failures", headers=org.headers(), json=long_tag), 422)
    assert [(e["field"], e["reason"]) for e in problem["errors"]] == [
        ("tags[1]", "String should have at most 64 characters")
    ], problem
