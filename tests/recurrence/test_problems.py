"""Problems and known errors, recurrence links and their events, lessons before deploying, metrics."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API, assert_problem, days_from_today, make_action, make_failure, publishable_review
from failwell.actions.models import CorrectiveAction
from failwell.db import Database
from failwell.enums import ActionPriority, ActionType, Role
from failwell.events import PROBLEM_UPDATED, RECURRENCE_DETECTED, DomainEvent, handles
from failwell.people.models import Team
from support import Org

seen: list[DomainEvent] = []


@handles(RECURRENCE_DETECTED, PROBLEM_UPDATED)
def _record(_session: Any, _actor: Any, event: DomainEvent) -> None:
    seen.append(event)


@pytest.fixture(autouse=True)
def _clear_events() -> None:
    seen.clear()


def test_problem_lifecycle_links_and_known_errors(client: TestClient, org: Org) -> None:
    first = make_failure(client, org, "Pool exhausted at peak", started_at="2026-01-01T10:00:00Z")
    second = make_failure(client, org, "Pool exhausted again", started_at="2026-03-01T10:00:00Z")
    h = org.headers(Role.practitioner)
    r = client.post(
        f"{API}/problems", headers=h, json={"title": "Pool too small", "failure_ids": [first["id"]]}
    )
    assert r.status_code == 201, r.text
    problem = r.json()
    assert [o["failure_id"] for o in problem["occurrences"]] == [first["id"]]
    assert seen[-1].name == PROBLEM_UPDATED

    r = client.post(f"{API}/problems/{problem['id']}/failures", headers=h, json={"failure_id": second["id"]})
    assert r.status_code == 200, r.text
    assert [o["failure_id"] for o in r.json()["occurrences"]] == [first["id"], second["id"]]
    detected = [e for e in seen if e.name == RECURRENCE_DETECTED]
    assert detected and detected[0].subject_id == second["id"]
    assert detected[0].data["earlier_failure_id"] == first["id"]
    assert detected[0].data["problem_id"] == problem["id"]
    again = client.post(
        f"{API}/problems/{problem['id']}/failures", headers=h, json={"failure_id": second["id"]}
    )
    assert_problem(again, 409, "failure_id")

    r = client.post(
        f"{API}/problems/{problem['id']}/known-errors",
        headers=h,
        json={"title": "Pool of 10 under peak load", "workaround": "Restart the pods to drain connections"},
    )
    assert r.status_code == 201, r.text
    known = r.json()
    body = client.get(f"{API}/problems/{problem['id']}", headers=org.headers(Role.viewer)).json()
    assert body["status"] == "known_error"
    assert body["known_errors"][0]["workaround"].startswith("Restart")
    r = client.patch(f"{API}/known-errors/{known['id']}", headers=h, json={"workaround": "Raise pool to 50"})
    assert r.status_code == 200 and r.json()["workaround"] == "Raise pool to 50"
    found = client.get(f"{API}/known-errors", headers=h, params={"q": "pool"}).json()
    assert [k["id"] for k in found] == [known["id"]]

    r = client.patch(
        f"{API}/problems/{problem['id']}", headers=h, json={"status": "resolved", "root_cause": "Pool size"}
    )
    assert r.status_code == 200 and r.json()["resolved_at"] is not None
    listed = client.get(f"{API}/problems", headers=h, params={"status": "resolved"}).json()
    assert listed["items"][0]["occurrences"] == 2

    r = client.delete(f"{API}/problems/{problem['id']}/failures/{second['id']}", headers=h)
    assert r.status_code == 200 and len(r.json()["occurrences"]) == 1
    assert_problem(client.get(f"{API}/problems/999999", headers=h), 404)
    assert_problem(client.post(f"{API}/problems", headers=org.headers(Role.viewer), json={"title": "x"}), 403)
    assert_problem(client.post(f"{API}/problems", headers=h, json={"title": " "}), 422, "title")


def test_recurrence_link_and_metrics(client: TestClient, org: Org) -> None:
    first = make_failure(client, org, "Disk full on ledger", started_at="2026-01-01T00:00:00Z")
    second = make_failure(client, org, "Disk full on ledger again", started_at="2026-01-11T00:00:00Z")
    make_failure(client, org, "Unrelated", started_at="2026-01-05T00:00:00Z")
    action = make_action(client, org, first["id"], title="Alert on disk usage", priority="critical")
    h = org.headers(Role.practitioner)
    # Marked done before the second failure started? It was done now, after: not "after fix".
    r = client.post(
        f"{API}/failures/{second['id']}/recurrence-of", headers=h, json={"earlier_failure_id": first["id"]}
    )
    assert r.status_code == 201, r.text
    assert seen[-1].name == RECURRENCE_DETECTED and seen[-1].data["fix_did_not_hold"] is False
    backwards = client.post(
        f"{API}/failures/{first['id']}/recurrence-of", headers=h, json={"earlier_failure_id": second["id"]}
    )
    assert_problem(backwards, 422, "earlier_failure_id")
    metrics = client.get(f"{API}/recurrence/metrics", headers=h).json()
    assert metrics["failures"] == 3 and metrics["recurrences"] == 1
    assert metrics["repeat_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert metrics["median_days_between"] == pytest.approx(10.0)
    assert metrics["after_fix_done"] == 0
    # A fix done, then the failure recurring later: counted as after a fix.
    assert client.post(f"{API}/actions/{action['id']}/done", headers=h).status_code == 200
    third = make_failure(client, org, "Disk full on ledger, third time")
    client.post(
        f"{API}/failures/{third['id']}/recurrence-of", headers=h, json={"earlier_failure_id": first["id"]}
    )
    assert seen[-1].data["fix_did_not_hold"] is True
    metrics = client.get(f"{API}/recurrence/metrics", headers=h).json()
    assert metrics["recurrences"] == 2 and metrics["after_fix_done"] == 1
    links = client.get(f"{API}/failures/{third['id']}/recurrence-of", headers=h).json()
    assert [link["earlier_failure_id"] for link in links] == [first["id"]]
    similar = client.get(f"{API}/failures/{third['id']}/similar", headers=h).json()
    top = similar["items"][0]
    assert top["failure_id"] == first["id"]
    assert top["fix_did_not_hold"] is True and similar["alert"] == "fix_did_not_hold"
    assert "linked" in {r["kind"] for r in top["reasons"]}
    r = client.delete(f"{API}/failures/{third['id']}/recurrence-of/{first['id']}", headers=h)
    assert r.status_code == 204


def test_similar_suggests_an_existing_problem(client: TestClient, org: Org) -> None:
    a = make_failure(client, org, "Kafka consumer lag on orders", started_at="2026-01-01T00:00:00Z")
    b = make_failure(client, org, "Kafka consumer lag on orders topic", started_at="2026-02-01T00:00:00Z")
    h = org.headers(Role.practitioner)
    r = client.post(
        f"{API}/problems", headers=h, json={"title": "Consumers too slow", "failure_ids": [a["id"], b["id"]]}
    )
    problem = r.json()
    c = make_failure(client, org, "Consumer lag on the orders Kafka topic")
    body = client.get(f"{API}/failures/{c['id']}/similar", headers=h).json()
    assert body["suggested_problem"]["id"] == problem["id"]
    assert body["suggested_problem"]["matched"] == 2


def test_lessons_before_deploying(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, "Checkout errors after deploy")
    review = publishable_review(client, org, failure["id"])
    r = client.patch(f"{API}/reviews/{review['id']}", headers=org.headers(), json={"status": "published"})
    assert r.status_code == 200, r.text
    make_action(client, org, failure["id"], title="Canary the checkout", priority="critical")
    make_action(client, org, failure["id"], title="Old runbook", priority="low", due_date=days_from_today(-3))
    body = client.get(f"{API}/services/{org.service}/lessons", headers=org.headers(Role.viewer)).json()
    assert body["failures"] == 1
    assert body["lessons"][0]["lessons_learned"] == "Alert on pool usage."
    assert body["open_critical"] == 1 and body["overdue"] == 1
    assert [a["priority"] for a in body["open_actions"]] == ["critical", "low"]
    assert_problem(client.get(f"{API}/services/nope/lessons", headers=org.headers()), 422, "service")


def test_lessons_count_open_actions_beyond_the_listed_cap(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org, "Checkout errors under load")
    critical = make_action(client, org, failure["id"], title="Canary the checkout", priority="critical")
    past = date.fromisoformat(days_from_today(-3))
    with db.session() as s:
        team_id = s.scalar(select(Team.id).where(Team.name == org.team))
        assert team_id is not None
        s.add_all(
            CorrectiveAction(
                failure_id=failure["id"],
                title=f"Chore {n}",
                action_type=ActionType.detect,
                owner_team_id=team_id,
                priority=ActionPriority.low,
                due_date=past,
            )
            for n in range(500)
        )
    body = client.get(f"{API}/services/{org.service}/lessons", headers=org.headers(Role.viewer)).json()
    # The list is capped at 500, the counts are not: an undated critical action still gates a deploy.
    assert body["open_critical"] == 1 and body["overdue"] == 500
    assert len(body["open_actions"]) == 500
    assert body["open_actions"][0]["id"] == critical["id"]
