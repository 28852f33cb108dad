"""The blameless-language coach over the API: any role, offsets into the text sent, factor
descriptions, and refusals as problem documents."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem
from failwell.enums import Role
from support import Org

URL = f"{API}/reviews/language"
TEXT = (
    "## What went wrong\n\n"
    "- The health check failed to detect the leak.\n"
    "- Bob forgot to renew the certificate. Priya spotted the expiry warning.\n"
    "- We should have caught this in staging.\n"
)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_any_role_gets_marks_with_offsets(client: TestClient, org: Org, role: Role) -> None:
    r = client.post(URL, headers=org.headers(role), json={"text": TEXT})
    assert r.status_code == 200, r.text
    marks = r.json()["marks"]
    assert [(m["rule"], m["phrase"]) for m in marks] == [
        ("person-blamed", "forgot"),
        ("hindsight", "should have"),
    ]
    for mark in marks:
        assert TEXT[mark["start"] : mark["end"]] == mark["sentence"]
        assert mark["reason"] and mark["suggestion"]
    assert marks[0]["sentence"] == "Bob forgot to renew the certificate."


def test_factor_descriptions_and_clean_text(client: TestClient, org: Org) -> None:
    headers = org.headers(Role.viewer)
    r = client.post(URL, headers=headers, json={"text": "The new hire", "factor": True})
    assert [m["rule"] for m in r.json()["marks"]] == ["person-as-factor"]
    r = client.post(URL, headers=headers, json={"text": "The pool was sized for last year."})
    assert r.json() == {"marks": []}
    assert client.post(URL, headers=headers, json={"text": ""}).json() == {"marks": []}


def test_refusals_are_problem_documents(client: TestClient, org: Org) -> None:
    assert_problem(client.post(URL, json={"text": "Bob forgot."}), 401)
    headers = org.headers(Role.viewer)
    assert_problem(client.post(URL, headers=headers, json={}), 422, "text")
    assert_problem(client.post(URL, headers=headers, json={"text": "x" * 50_001}), 422, "text")
    assert_problem(client.post(URL, headers=headers, json={"text": "a", "extra": 1}), 422)
    assert_problem(client.post(URL, headers=headers, json={"text": 5}), 422, "text")
    r = client.post(URL, headers=headers, json={"text": "Bob forgot. " * 4_000})
    assert r.status_code == 200 and len(r.json()["marks"]) == 4_000
