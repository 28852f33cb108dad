"""Corrective actions through the HTTP API: assignment, work, closure, overdue tracking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from factories import (
    API,
    assert_problem,
    counts,
    days_from_today,
    ids,
    make_action,
    make_failure,
    make_review,
    make_service,
    page,
    parse_ts,
    person_id,
)
from failwell.actions import service as actions
from failwell.actions.schemas import ActionFilter, ActionIn, ActionUpdate
from failwell.db import Database, utcnow
from failwell.enums import ActionPriority, ActionStatus, ActionType, Role
from failwell.errors import InvalidInput, PermissionDenied
from support import Org


def test_action_create_read_update(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    r = client.post(
        f"{API}/actions",
        headers=org.headers(Role.practice_manager),
        json={
            "failure_id": failure["id"],
            "title": " Alert on pool saturation ",
            "description": "Page at 80%.",
            "action_type": "detect",
            "owner_team": org.other_team,
            "owner_person": org.emails[Role.practitioner],
            "due_date": "2027-01-31",
            "priority": "high",
            "external_url": "https://tracker.example.com/OPS-12",
        },
    )
    assert r.status_code == 201, r.text
    action = r.json()
    assert action["title"] == "Alert on pool saturation" and action["failure_id"] == failure["id"]
    assert (action["action_type"], action["owner_team"], action["priority"]) == (
        "detect",
        org.other_team,
        "high",
    )
    assert action["owner_person"] == {"id": person_id(client, org, Role.practitioner), "name": "Practitioner"}
    assert action["due_date"] == "2027-01-31" and action["status"] == "open" and action["overdue"] is False
    assert action["external_url"] == "https://tracker.example.com/OPS-12"
    assert action["completed_at"] is None and action["wont_do_reason"] is None
    assert action["review_id"] is None  # the failure has no review yet

    review = make_review(client, org, failure["id"])
    got = client.get(f"{API}/actions/{action['id']}", headers=org.headers(Role.viewer))
    assert got.status_code == 200
    assert got.json()["review_id"] == review["id"]  # derived from the failure's review
    assert {k: v for k, v in got.json().items() if k != "review_id"} == {
        k: v for k, v in action.items() if k != "review_id"
    }

    minimal = make_action(client, org, failure["id"], "Document the pool limits")
    assert (minimal["priority"], minimal["due_date"], minimal["owner_person"]) == ("medium", None, None)
    assert minimal["review_id"] == review["id"]

    r = client.patch(
        f"{API}/actions/{action['id']}",
        headers=org.headers(Role.practitioner),
        json={
            "title": "Alert on pool saturation above 80%",
            "status": "in_progress",
            "action_type": "prevent",
            "description": "Paging the on-call engineer.",
            "external_url": "https://tracker.example.com/OPS-13",
        },
    )
    assert r.status_code == 200, r.text
    worked = client.get(f"{API}/actions/{action['id']}", headers=org.headers()).json()
    assert (worked["title"], worked["status"], worked["action_type"]) == (
        "Alert on pool saturation above 80%",
        "in_progress",
        "prevent",
    )
    assert worked["external_url"] == "https://tracker.example.com/OPS-13" and worked["completed_at"] is None
    assert worked["owner_team"] == org.other_team and worked["due_date"] == "2027-01-31"  # untouched

    r = client.patch(
        f"{API}/actions/{action['id']}",
        headers=org.headers(Role.practice_manager),
        json={
            "owner_team": org.team,
            "owner_person": org.emails[Role.viewer],
            "due_date": "2027-02-28",
            "priority": "critical",
        },
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["owner_team"],
        r.json()["owner_person"]["name"],
        r.json()["due_date"],
        r.json()["priority"],
    ) == (org.team, "Viewer", "2027-02-28", "critical")

    before, stored = counts(db), client.get(f"{API}/actions/{action['id']}", headers=org.headers()).json()
    headers = org.headers()
    for body, field in [
        ({"failure_id": 999999, "title": "x", "action_type": "detect", "owner_team": org.team}, "failure_id"),
        (
            {"failure_id": failure["id"], "title": "x", "action_type": "detect", "owner_team": "nobody"},
            "owner_team",
        ),
        (
            {
                "failure_id": failure["id"],
                "title": "x",
                "action_type": "detect",
                "owner_team": org.team,
                "owner_person": "ghost@example.com",
            },
            "owner_person",
        ),
        (
            {"failure_id": failure["id"], "title": "x", "action_type": "blame", "owner_team": org.team},
            "action_type",
        ),
        (
            {
                "failure_id": failure["id"],
                "title": "x",
                "action_type": "detect",
                "owner_team": org.team,
                "priority": "urgent",
            },
            "priority",
        ),
        (
            {
                "failure_id": failure["id"],
                "title": "x",
                "action_type": "detect",
                "owner_team": org.team,
                "external_url": "not a url",
            },
            "external_url",
        ),
        ({"failure_id": failure["id"], "action_type": "detect", "owner_team": org.team}, "title"),
    ]:
        assert_problem(client.post(f"{API}/actions", headers=headers, json=body), 422, field)
    for body, field in [
        ({"owner_team": "nobody"}, "owner_team"),
        ({"owner_person": "ghost@example.com"}, "owner_person"),
        ({"status": "finished"}, "status"),
        ({"due_date": "31/01/2027"}, "due_date"),
    ]:
        assert_problem(client.patch(f"{API}/actions/{action['id']}", headers=headers, json=body), 422, field)
    assert_problem(client.get(f"{API}/actions/999999", headers=headers), 404)
    assert_problem(client.patch(f"{API}/actions/999999", headers=headers, json={"title": "x"}), 404)
    assert_problem(client.post(f"{API}/actions/999999/done", headers=headers), 404)
    assert counts(db) == before
    assert client.get(f"{API}/actions/{action['id']}", headers=org.headers()).json() == stored


def test_action_done_wont_do_and_reopen(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"], due_date=days_from_today(-3))
    url = f"{API}/actions/{action['id']}"
    practitioner = org.headers(Role.practitioner)
    assert action["overdue"] is True

    r = client.post(f"{url}/done", headers=practitioner)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "done" and done["overdue"] is False
    assert abs(parse_ts(done["completed_at"]) - utcnow()) < timedelta(minutes=1)
    again = client.post(f"{url}/done", headers=practitioner)  # idempotent: completion time is kept
    assert again.status_code == 200 and again.json()["completed_at"] == done["completed_at"]
    assert client.get(url, headers=org.headers(Role.viewer)).json()["status"] == "done"

    r = client.patch(url, headers=practitioner, json={"status": "open"})  # reopened
    assert r.status_code == 200 and r.json()["completed_at"] is None and r.json()["overdue"] is True

    # wont_do needs a reason; the refusal changes nothing.
    before = counts(db)
    for body in ({"status": "wont_do"}, {"status": "wont_do", "wont_do_reason": "   "}):
        assert_problem(client.patch(url, headers=practitioner, json=body), 422)
    assert_problem(
        client.patch(url, headers=practitioner, json={"wont_do_reason": "n/a"}), 422, "wont_do_reason"
    )
    assert counts(db) == before
    assert client.get(url, headers=org.headers()).json()["status"] == "open"

    r = client.patch(
        url,
        headers=practitioner,
        json={"status": "wont_do", "wont_do_reason": "The service is being retired."},
    )
    assert r.status_code == 200, r.text
    closed = client.get(url, headers=org.headers()).json()
    assert closed["status"] == "wont_do" and closed["wont_do_reason"] == "The service is being retired."
    assert closed["completed_at"] is not None and closed["overdue"] is False
    r = client.patch(url, headers=practitioner, json={"wont_do_reason": "Retired in Q1."})
    assert r.status_code == 200 and r.json()["wont_do_reason"] == "Retired in Q1."

    r = client.patch(url, headers=practitioner, json={"status": "in_progress"})
    assert r.status_code == 200
    assert (r.json()["wont_do_reason"], r.json()["completed_at"]) == (None, None)
    r = client.post(f"{url}/done", headers=practitioner)
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["completed_at"] is not None

    # The service layer directly.
    failure = make_failure(client, org)
    data = ActionIn(
        failure_id=failure["id"], title="Add alert", action_type=ActionType.detect, owner_team=org.team
    )
    before = counts(db)
    with pytest.raises(PermissionDenied), db.session() as s:
        actions.create_action(s, org.actors[Role.practitioner], data)
    with pytest.raises(PermissionDenied), db.session() as s:
        action = actions.create_action(s, org.actors[Role.practice_manager], data)
        actions.update_action(
            s, org.actors[Role.practitioner], action.id, ActionUpdate(priority=ActionPriority.low)
        )
    assert counts(db) == before  # the whole unit of work was rolled back
    with db.session() as s:
        action = actions.create_action(s, org.actors[Role.practice_manager], data)
        actions.complete_action(s, org.actors[Role.practitioner], action.id)
        action_id = action.id
    with db.session(write=False) as s:
        rows, total, exact = actions.list_actions(s, ActionFilter(status=ActionStatus.done, q="add alert"))
        assert [a.id for a in rows] == [action_id] and (total, exact) == (1, True)
        assert actions.actions_out(s, rows)[0].completed_at is not None
        with pytest.raises(InvalidInput):
            actions.set_status(rows[0], ActionStatus.wont_do, " ")


def test_wont_do_without_reason_names_the_field(client: TestClient, org: Org) -> None:
    action = make_action(client, org, make_failure(client, org)["id"])
    r = client.patch(f"{API}/actions/{action['id']}", headers=org.headers(), json={"status": "wont_do"})
    assert_problem(r, 422, "wont_do_reason")


def test_overdue_flag_and_filter(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    late = make_action(client, org, failure["id"], "late", due_date=days_from_today(-2))
    late_started = make_action(client, org, failure["id"], "late, started", due_date=days_from_today(-1))
    client.patch(f"{API}/actions/{late_started['id']}", headers=org.headers(), json={"status": "in_progress"})
    late_done = make_action(client, org, failure["id"], "late but done", due_date=days_from_today(-5))
    client.post(f"{API}/actions/{late_done['id']}/done", headers=org.headers())
    due_today = make_action(client, org, failure["id"], "due today", due_date=days_from_today(0))
    future = make_action(client, org, failure["id"], "future", due_date=days_from_today(10))

    flags = {a["id"]: a["overdue"] for a in page(client, org, "/actions")["items"]}
    assert flags == {
        late["id"]: True,
        late_started["id"]: True,
        late_done["id"]: False,
        due_today["id"]: False,
        future["id"]: False,
    }
    assert ids(page(client, org, "/actions", overdue=True)) == [late["id"], late_started["id"]]
    assert sorted(ids(page(client, org, "/actions", overdue=False))) == sorted(
        [late_done["id"], due_today["id"], future["id"]]
    )
    assert ids(page(client, org, "/actions", overdue=True, status="in_progress")) == [late_started["id"]]
    assert client.get(f"{API}/actions/{late['id']}", headers=org.headers()).json()["overdue"] is True
    assert_problem(
        client.get(f"{API}/actions", headers=org.headers(), params={"overdue": "maybe"}), 422, "overdue"
    )


def test_overdue_false_keeps_actions_without_a_due_date(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    undated = make_action(client, org, failure["id"], "no due date")
    assert undated["overdue"] is False
    assert ids(page(client, org, "/actions", overdue=False)) == [undated["id"]]


def test_action_list_filters_sort_pagination(client: TestClient, org: Org) -> None:
    make_service(client, org, "search", owner_team=org.other_team)
    fa = make_failure(client, org, "Payments down")
    fb = make_failure(client, org, "Search slow", services=["search"])
    a1 = make_action(
        client,
        org,
        fa["id"],
        "Add pool alert",
        action_type="detect",
        priority="high",
        due_date="2027-03-01",
        description="Page the on-call",
    )
    a2 = make_action(
        client,
        org,
        fa["id"],
        "Write runbook",
        action_type="process",
        priority="low",
        due_date="2027-01-01",
        owner_team=org.other_team,
    )
    a3 = make_action(
        client,
        org,
        fb["id"],
        "Shard the index",
        action_type="prevent",
        priority="critical",
        due_date="2027-02-01",
        owner_team=org.other_team,
    )
    client.post(f"{API}/actions/{a2['id']}/done", headers=org.headers())

    def listed(**params: object) -> list[int]:
        return ids(page(client, org, "/actions", **params))

    assert listed() == [a2["id"], a3["id"], a1["id"]]  # default: soonest due first
    assert listed(sort="-due_date") == [a1["id"], a3["id"], a2["id"]]
    assert listed(sort="created_at") == [a1["id"], a2["id"], a3["id"]]
    assert listed(sort="-updated_at")[0] == a2["id"]
    assert listed(failure_id=fa["id"]) == [a2["id"], a1["id"]]
    assert listed(failure_id=999999) == []
    assert listed(team=org.other_team) == [a2["id"], a3["id"]]
    assert listed(service="search") == [a3["id"]]
    assert listed(service=org.service) == [a2["id"], a1["id"]]
    assert listed(status="done") == [a2["id"]]
    assert listed(status="open") == [a3["id"], a1["id"]]
    assert listed(action_type="prevent") == [a3["id"]]
    assert listed(priority="high") == [a1["id"]]
    assert listed(due_before="2027-02-01") == [a2["id"]]  # exclusive
    assert listed(q="RUNBOOK") == [a2["id"]]
    assert listed(q="on-call") == [a1["id"]]  # description too
    assert listed(team=org.other_team, status="open", q="shard") == [a3["id"]]

    first = page(client, org, "/actions", limit=2)
    rest = page(client, org, "/actions", limit=2, offset=2)
    assert ids(first) + ids(rest) == [a2["id"], a3["id"], a1["id"]]
    assert first["total"] == rest["total"] == 3 and rest["total_exact"] is True

    headers = org.headers()
    for params, field in [
        ({"sort": "title"}, "sort"),
        ({"sort": "--due_date"}, "sort"),
        ({"status": "closed"}, "status"),
        ({"priority": "p1"}, "priority"),
        ({"team": "nobody"}, "team"),
        ({"service": "nope"}, "service"),
        ({"due_before": "tomorrow"}, "due_before"),
        ({"owner": "me"}, "owner"),
    ]:
        assert_problem(client.get(f"{API}/actions", headers=headers, params=params), 422, field)


def test_action_sort_by_priority_follows_the_scale(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    for priority in ("low", "critical", "medium", "high"):
        make_action(client, org, failure["id"], priority, priority=priority)
    listed = [a["priority"] for a in page(client, org, "/actions", sort="-priority")["items"]]
    assert listed == ["critical", "high", "medium", "low"]  # like -severity and -risk: most first
    listed = [a["priority"] for a in page(client, org, "/actions", sort="priority")["items"]]
    assert listed == ["low", "medium", "high", "critical"]


def test_actions_without_due_date_sort_last(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    undated = make_action(client, org, failure["id"], "someday")
    dated = make_action(client, org, failure["id"], "soon", due_date=days_from_today(7))
    assert ids(page(client, org, "/actions")) == [dated["id"], undated["id"]]
