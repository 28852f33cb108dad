"""Corrective actions proposed by practitioners: pending until a practice manager accepts or
declines them, and counted nowhere meanwhile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem, counts, days_from_today, ids, make_failure, page, person_id
from failwell.actions import service as actions
from failwell.db import Database, utcnow
from failwell.enums import Role
from failwell.insights.attention import overdue_actions
from failwell.insights.learning import follow_through
from failwell.insights.measures import resolve_scope
from support import Org


def propose(client: TestClient, org: Org, failure_id: int, role: Role = Role.practitioner) -> dict[str, Any]:
    r = client.post(
        f"{API}/actions/proposals",
        headers=org.headers(role),
        json={"failure_id": failure_id, "title": "Alert on queue depth", "action_type": "detect"},
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_practitioner_proposes_and_manager_accepts(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    action = propose(client, org, failure["id"])
    assert action["status"] == "proposed" and action["owner_team"] == org.team
    assert action["proposed_by"]["id"] == person_id(client, org, Role.practitioner)
    r = client.post(f"{API}/actions/{action['id']}/accept", headers=org.headers(Role.practice_manager))
    assert r.status_code == 200 and r.json()["status"] == "open", r.text
    assert r.json()["proposed_by"]["id"] == person_id(client, org, Role.practitioner)
    # Accepted once; not again, and never declined after.
    assert_problem(client.post(f"{API}/actions/{action['id']}/accept", headers=org.headers()), 422, "status")


def test_declining_needs_a_reason(client: TestClient, org: Org, db: Database) -> None:
    action = propose(client, org, make_failure(client, org)["id"])
    manager = org.headers(Role.practice_manager)
    before = counts(db)
    r = client.post(f"{API}/actions/{action['id']}/decline", headers=manager, json={"reason": "  "})
    assert_problem(r, 422, "reason")
    assert counts(db) == before
    r = client.post(
        f"{API}/actions/{action['id']}/decline", headers=manager, json={"reason": "Covered by #12"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["decline_reason"]) == ("declined", "Covered by #12")


@pytest.mark.parametrize("role", [Role.viewer, Role.practitioner])
def test_who_may_propose_and_decide(client: TestClient, org: Org, db: Database, role: Role) -> None:
    failure = make_failure(client, org)
    action = propose(client, org, failure["id"])
    before = counts(db)
    if role == Role.viewer:
        body = {"failure_id": failure["id"], "title": "x", "action_type": "detect"}
        assert_problem(client.post(f"{API}/actions/proposals", headers=org.headers(role), json=body), 403)
    assert_problem(client.post(f"{API}/actions/{action['id']}/accept", headers=org.headers(role)), 403)
    r = client.post(f"{API}/actions/{action['id']}/decline", headers=org.headers(role), json={"reason": "No"})
    assert_problem(r, 403)
    assert counts(db) == before


def test_a_proposal_is_not_worked_before_it_is_accepted(client: TestClient, org: Org) -> None:
    action = propose(client, org, make_failure(client, org)["id"])
    headers = org.headers(Role.practice_owner)
    r = client.patch(f"{API}/actions/{action['id']}", headers=headers, json={"status": "in_progress"})
    assert_problem(r, 422, "status")
    assert_problem(client.post(f"{API}/actions/{action['id']}/done", headers=headers), 422, "status")
    other = propose(client, org, action["failure_id"])
    client.post(f"{API}/actions/{other['id']}/accept", headers=headers)
    r = client.patch(f"{API}/actions/{other['id']}", headers=headers, json={"status": "proposed"})
    assert_problem(r, 422, "status")


def test_proposals_count_nowhere(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    action = propose(client, org, failure["id"])
    past = days_from_today(-3)
    r = client.patch(f"{API}/actions/{action['id']}", headers=org.headers(), json={"due_date": past})
    assert r.status_code == 200 and r.json()["overdue"] is False
    declined = propose(client, org, failure["id"])
    client.patch(f"{API}/actions/{declined['id']}", headers=org.headers(), json={"due_date": past})
    client.post(f"{API}/actions/{declined['id']}/decline", headers=org.headers(), json={"reason": "No"})

    assert ids(page(client, org, "/actions", overdue=True)) == []
    assert set(ids(page(client, org, "/actions", status="proposed"))) == {action["id"]}
    with db.session(write=False) as s:
        assert actions.board_counts(s) == []
        now = utcnow()
        scope = resolve_scope(s, now, since=now - timedelta(days=30), until=now)
        assert follow_through(s, scope, now.date()) == (0, 0)
        assert overdue_actions(s, [], now.date()).items == []
