"""Ideas through the HTTP API: anyone proposes, supports and comments; managers accept or close."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API, assert_problem, counts, ids, make_failure, person_id
from failwell.broadcast.models import OutboxEvent
from failwell.db import Database
from failwell.enums import Role
from failwell.ideas import service
from failwell.ideas.models import Idea, IdeaSupport
from support import Org


def propose(client: TestClient, org: Org, role: Role = Role.viewer, **fields: Any) -> dict[str, Any]:
    r = client.post(
        f"{API}/ideas", headers=org.headers(role), json={"title": "Canary every deploy", **fields}
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_role_proposes_supports_and_comments(client: TestClient, org: Org, role: Role) -> None:
    failure = make_failure(client, org)
    idea = propose(client, org, role, body="Roll out to **5%** first.", failure_ids=[failure["id"]])
    assert idea["proposed_by"]["id"] == person_id(client, org, role)
    assert (idea["status"], idea["failure_ids"], idea["supporters"]) == ("open", [failure["id"]], 0)

    r = client.put(f"{API}/ideas/{idea['id']}/support", headers=org.headers(role))
    assert r.status_code == 200 and r.json()["supporters"] == 1 and r.json()["supported_by_me"]
    r = client.post(f"{API}/ideas/{idea['id']}/comments", headers=org.headers(role), json={"body": "Yes!"})
    assert r.status_code == 201, r.text
    assert r.json()["author"]["id"] == person_id(client, org, role)


def test_support_is_once_per_person_and_can_be_withdrawn(client: TestClient, org: Org, db: Database) -> None:
    idea = propose(client, org)
    for _ in range(2):
        r = client.put(f"{API}/ideas/{idea['id']}/support", headers=org.headers(Role.practitioner))
        assert r.json()["supporters"] == 1
    r = client.put(f"{API}/ideas/{idea['id']}/support", headers=org.headers(Role.viewer))
    assert r.json()["supporters"] == 2
    # Another reader sees the count, not their own support.
    r = client.get(f"{API}/ideas/{idea['id']}", headers=org.headers(Role.practice_owner))
    assert (r.json()["supporters"], r.json()["supported_by_me"]) == (2, False)
    r = client.delete(f"{API}/ideas/{idea['id']}/support", headers=org.headers(Role.viewer))
    assert (r.json()["supporters"], r.json()["supported_by_me"]) == (1, False)
    r = client.delete(f"{API}/ideas/{idea['id']}/support", headers=org.headers(Role.viewer))
    assert r.json()["supporters"] == 1


def test_list_sorts_by_support_and_filters_by_status(client: TestClient, org: Org) -> None:
    quiet = propose(client, org, title="Quiet idea")
    loud = propose(client, org, title="Loud idea")
    for role in (Role.viewer, Role.practitioner):
        client.put(f"{API}/ideas/{loud['id']}/support", headers=org.headers(role))
    client.put(f"{API}/ideas/{quiet['id']}/support", headers=org.headers(Role.viewer))
    closed = propose(client, org, title="Closed idea")
    r = client.post(
        f"{API}/ideas/{closed['id']}/close",
        headers=org.headers(Role.practice_manager),
        json={"reason": "Done already"},
    )
    assert r.status_code == 200 and r.json()["close_reason"] == "Done already"

    listed = client.get(f"{API}/ideas", headers=org.headers(Role.viewer), params={"status": "open"}).json()
    assert ids(listed) == [loud["id"], quiet["id"]]
    newest = client.get(
        f"{API}/ideas", headers=org.headers(Role.viewer), params={"sort": "-created_at"}
    ).json()
    assert ids(newest) == [closed["id"], loud["id"], quiet["id"]]
    found = client.get(f"{API}/ideas", headers=org.headers(Role.viewer), params={"q": "LOUD"}).json()
    assert ids(found) == [loud["id"]]
    assert_problem(client.get(f"{API}/ideas", headers=org.headers(), params={"sort": "votes"}), 422, "sort")


def test_accepting_makes_an_action_crediting_the_proposer(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    idea = propose(client, org, Role.viewer, body="Canary first.", failure_ids=[failure["id"]])
    r = client.post(
        f"{API}/ideas/{idea['id']}/accept",
        headers=org.headers(Role.practice_manager),
        json={"action_type": "prevent", "due_date": "2027-01-31"},
    )
    assert r.status_code == 200, r.text
    accepted, action = r.json()["idea"], r.json()["action"]
    assert (accepted["status"], accepted["action_id"]) == ("accepted", action["id"])
    assert action["failure_id"] == failure["id"] and action["title"] == "Canary every deploy"
    assert action["status"] == "open" and action["owner_team"] == org.team
    assert action["proposed_by"]["id"] == person_id(client, org, Role.viewer)
    assert action["description"] == "Canary first."
    # Decided ideas take no more support, and are not decided twice.
    r = client.put(f"{API}/ideas/{idea['id']}/support", headers=org.headers(Role.viewer))
    assert_problem(r, 422, "status")
    r = client.post(f"{API}/ideas/{idea['id']}/close", headers=org.headers(), json={"reason": "x"})
    assert_problem(r, 422, "status")
    with db.session() as s:
        topics = set(s.scalars(select(OutboxEvent.topic)))
    assert {"idea_proposed", "idea_accepted"} <= topics


def test_accepting_needs_a_failure(client: TestClient, org: Org, db: Database) -> None:
    idea = propose(client, org)
    before = counts(db)
    r = client.post(f"{API}/ideas/{idea['id']}/accept", headers=org.headers(Role.practice_manager), json={})
    assert_problem(r, 422, "failure_id")
    assert counts(db) == before
    failure = make_failure(client, org)
    r = client.post(
        f"{API}/ideas/{idea['id']}/accept",
        headers=org.headers(Role.practice_manager),
        json={"failure_id": failure["id"], "title": "Canary in staging"},
    )
    assert r.status_code == 200 and r.json()["action"]["title"] == "Canary in staging"


@pytest.mark.parametrize("role", [Role.viewer, Role.practitioner])
def test_only_managers_decide(client: TestClient, org: Org, db: Database, role: Role) -> None:
    failure = make_failure(client, org)
    idea = propose(client, org, failure_ids=[failure["id"]])
    before = counts(db)
    assert_problem(client.post(f"{API}/ideas/{idea['id']}/accept", headers=org.headers(role), json={}), 403)
    r = client.post(f"{API}/ideas/{idea['id']}/close", headers=org.headers(role), json={"reason": "No"})
    assert_problem(r, 403)
    assert counts(db) == before


def test_anonymous_idea_stores_no_path_to_the_proposer(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    idea = propose(client, org, Role.practitioner, anonymous=True, failure_ids=[failure["id"]])
    assert idea["proposed_by"] is None and idea["anonymous"] is True
    with db.session() as s:
        row = s.get(Idea, idea["id"])
        assert row is not None and row.proposed_by_id is None
        assert s.scalars(select(IdeaSupport)).all() == []
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.topic == "idea_proposed")).all()
        assert "Practitioner" not in events[0].text and "anonymously" in events[0].text
        assert service.get_idea(s, idea["id"]).proposed_by is None
    r = client.post(f"{API}/ideas/{idea['id']}/accept", headers=org.headers(Role.practice_manager), json={})
    action = r.json()["action"]
    assert action["proposed_by"] is None and action["proposed_anonymously"] is True


def test_bad_input_names_the_field_and_changes_nothing(client: TestClient, org: Org, db: Database) -> None:
    before = counts(db)
    headers = org.headers(Role.viewer)
    assert_problem(client.post(f"{API}/ideas", headers=headers, json={"title": " "}), 422, "title")
    r = client.post(f"{API}/ideas", headers=headers, json={"title": "x", "failure_ids": [999]})
    assert_problem(r, 422, "failure_ids")
    assert_problem(client.post(f"{API}/ideas", headers=headers, json={"title": "x", "problem_id": 999}), 422)
    assert counts(db) == before
    assert_problem(client.get(f"{API}/ideas/999", headers=headers), 404)
    idea = propose(client, org)
    r = client.post(f"{API}/ideas/{idea['id']}/comments", headers=headers, json={"body": "  "})
    assert_problem(r, 422, "body")
    r = client.post(f"{API}/ideas/{idea['id']}/close", headers=org.headers(), json={"reason": ""})
    assert_problem(r, 422, "reason")


def test_get_idea_for_recognition(client: TestClient, org: Org, db: Database) -> None:
    idea = propose(client, org, Role.practitioner)
    with db.session() as s:
        subject = service.get_idea(s, idea["id"])
    assert subject.title == "Canary every deploy"
    assert subject.proposed_by is not None and subject.proposed_by.id == person_id(
        client, org, Role.practitioner
    )


def test_comments_list_in_order(client: TestClient, org: Org) -> None:
    idea = propose(client, org)
    for body in ("First", "Second"):
        client.post(f"{API}/ideas/{idea['id']}/comments", headers=org.headers(), json={"body": body})
    r = client.get(f"{API}/ideas/{idea['id']}/comments", headers=org.headers(Role.viewer))
    assert [c["body"] for c in r.json()] == ["First", "Second"]
    assert client.get(f"{API}/ideas/{idea['id']}", headers=org.headers()).json()["comments"] == 2
