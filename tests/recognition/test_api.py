"""Recognition through the HTTP API, on SQLite and PostgreSQL: kudos from anyone, the anonymous
reporter thanked without a trace of who they are, the choice not to be named, and award cycles
from nominations to an announcement (one vote per voter, ties chosen by the owner)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API, assert_problem, counts, make_action, make_failure, person_id, publishable_review
from failwell.audit.models import AuditEntry
from failwell.broadcast.models import OutboxEvent
from failwell.db import Database
from failwell.enums import Role
from failwell.recognition.models import Kudos
from recognition.helpers import R, award_cycle, kudos, nominate, team_id
from support import Org


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_role_thanks_a_person_or_a_team(client: TestClient, org: Org, role: Role) -> None:
    failure = make_failure(client, org, kind="near_miss")
    other = Role.practitioner if role != Role.practitioner else Role.viewer
    given = kudos(
        client,
        org,
        role,
        recipient_kind="person",
        person_id=person_id(client, org, other),
        thanked_kind="failure",
        thanked_id=failure["id"],
        message="Reporting this near miss saved us an outage.",
    )
    assert given["recipient"]["name"] and given["recipient"]["person_id"] == person_id(client, org, other)
    assert given["giver"]["person_id"] == person_id(client, org, role)
    assert given["thanked"] == {
        "kind": "failure",
        "id": failure["id"],
        "title": failure["title"],
        "url": f"/failures/{failure['id']}",
    }
    team = kudos(
        client,
        org,
        role,
        recipient_kind="team",
        team_id=team_id(client, org),
        thanked_kind="failure",
        thanked_id=failure["id"],
    )
    assert team["recipient"] == {
        "kind": "team",
        "person_id": None,
        "team_id": team_id(client, org),
        "name": org.team,
        "hidden": False,
    }
    listed = client.get(f"{R}/kudos", headers=org.headers(Role.viewer)).json()
    assert [k["id"] for k in listed["items"]] == [team["id"], given["id"]]


def test_thanking_an_anonymous_report_stores_and_shows_no_person(
    client: TestClient, org: Org, db: Database
) -> None:
    failure = make_failure(
        client, org, "Almost deleted prod", role=Role.practitioner, anonymous=True, kind="near_miss"
    )
    given = kudos(
        client,
        org,
        Role.practice_manager,
        recipient_kind="anonymous_reporter",
        thanked_kind="failure",
        thanked_id=failure["id"],
    )
    assert given["recipient"] == {
        "kind": "anonymous_reporter",
        "person_id": None,
        "team_id": None,
        "name": "the anonymous reporter",
        "hidden": True,
    }
    with db.session(write=False) as s:
        row = s.scalars(select(Kudos).where(Kudos.id == given["id"])).one()
        assert (row.to_person_id, row.to_team_id) == (None, None)
    reporter = client.get(f"{API}/people/me", headers=org.headers(Role.practitioner)).json()
    # Every reader, owners included, sees nobody; the failure names nobody either.
    for role in Role:
        body = client.get(f"{R}/kudos", headers=org.headers(role)).json()["items"][0]
        assert (
            body["recipient"]["person_id"] is None and body["recipient"]["name"] == "the anonymous reporter"
        )
        assert reporter["name"] not in str(body) and reporter["email"] not in str(body)
    f = client.get(f"{API}/failures/{failure['id']}", headers=org.headers()).json()
    assert f["reporter"] is None
    # A named report's author is thanked by name, not as anonymous.
    named = make_failure(client, org, "Named", kind="near_miss")
    r = client.post(
        f"{R}/kudos",
        headers=org.headers(),
        json={
            "recipient_kind": "anonymous_reporter",
            "thanked_kind": "failure",
            "thanked_id": named["id"],
            "message": "Thanks",
        },
    )
    assert_problem(r, 422, "recipient_kind")
    r = client.post(
        f"{R}/kudos",
        headers=org.headers(),
        json={
            "recipient_kind": "anonymous_reporter",
            "person_id": 1,
            "thanked_kind": "failure",
            "thanked_id": failure["id"],
            "message": "Thanks",
        },
    )
    assert_problem(r, 422, "person_id")


def test_kudos_refusals_name_the_field(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"])
    before = counts(db)
    cases = [
        ({"recipient_kind": "person", "thanked_kind": "failure", "thanked_id": failure["id"]}, "person_id"),
        ({"recipient_kind": "team", "thanked_kind": "failure", "thanked_id": failure["id"]}, "team_id"),
        ({"recipient_kind": "team", "team_id": 99999, "thanked_kind": "failure", "thanked_id": 1}, "team_id"),
        (
            {
                "recipient_kind": "person",
                "person_id": person_id(client, org, Role.viewer),
                "thanked_kind": "failure",
                "thanked_id": 99999,
            },
            "thanked_id",
        ),
        # An action is thanked once it is done (it held), not while it is open.
        (
            {
                "recipient_kind": "team",
                "team_id": team_id(client, org),
                "thanked_kind": "action",
                "thanked_id": action["id"],
            },
            "thanked_id",
        ),
        (
            {
                "recipient_kind": "person",
                "person_id": person_id(client, org, Role.practice_owner),
                "thanked_kind": "failure",
                "thanked_id": failure["id"],
            },
            "person_id",
        ),  # oneself
        (
            {"recipient_kind": "team", "team_id": 1, "thanked_kind": "failures", "thanked_id": 1},
            "thanked_kind",
        ),
    ]
    for body, field in cases:
        r = client.post(f"{R}/kudos", headers=org.headers(), json={"message": "Thanks", **body})
        assert_problem(r, 422, field)
    r = client.post(
        f"{R}/kudos",
        headers=org.headers(),
        json={
            "recipient_kind": "team",
            "team_id": 1,
            "thanked_kind": "failure",
            "thanked_id": failure["id"],
            "message": "",
        },
    )
    assert_problem(r, 422, "message")
    assert counts(db) == before


def test_lessons_reviews_and_done_actions_can_be_thanked(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    review = publishable_review(client, org, failure["id"])
    team = team_id(client, org)
    r = client.post(
        f"{R}/kudos",
        headers=org.headers(),
        json={
            "recipient_kind": "team",
            "team_id": team,
            "thanked_kind": "lesson",
            "thanked_id": review["id"],
            "message": "Thanks",
        },
    )
    assert_problem(r, 422, "thanked_id")  # not published yet
    assert (
        kudos(
            client, org, recipient_kind="team", team_id=team, thanked_kind="review", thanked_id=review["id"]
        )["thanked"]["url"]
        == f"/failures/{failure['id']}/review"
    )
    action = make_action(client, org, failure["id"])
    assert client.post(f"{API}/actions/{action['id']}/done", headers=org.headers()).status_code == 200
    done = kudos(
        client, org, recipient_kind="team", team_id=team, thanked_kind="action", thanked_id=action["id"]
    )
    assert done["thanked"]["title"] == action["title"]


def test_a_person_who_chose_not_to_be_named_shows_as_a_colleague(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, kind="near_miss")
    shy = person_id(client, org, Role.practitioner)
    given = kudos(
        client,
        org,
        Role.viewer,
        recipient_kind="person",
        person_id=shy,
        thanked_kind="failure",
        thanked_id=failure["id"],
    )
    r = client.put(f"{R}/preference", headers=org.headers(Role.practitioner), json={"named_publicly": False})
    assert r.status_code == 200 and r.json() == {"person_id": shy, "named_publicly": False}

    def seen_by(role: Role) -> dict[str, object]:
        items = client.get(f"{R}/kudos", headers=org.headers(role)).json()["items"]
        found: dict[str, object] = next(k for k in items if k["id"] == given["id"])["recipient"]
        return found

    assert seen_by(Role.viewer) == {
        "kind": "person",
        "person_id": None,
        "team_id": None,
        "name": "a colleague",
        "hidden": True,
    }
    assert seen_by(Role.practice_manager)["name"] == "a colleague"
    assert seen_by(Role.practitioner)["person_id"] == shy  # themselves
    assert seen_by(Role.practice_owner)["person_id"] == shy
    # Asking for their kudos by id finds none (a count would name them).
    r = client.get(f"{R}/kudos", params={"person_id": shy}, headers=org.headers(Role.viewer))
    assert r.json()["items"] == []
    r = client.get(f"{R}/kudos", params={"person_id": shy}, headers=org.headers(Role.practitioner))
    assert [k["id"] for k in r.json()["items"]] == [given["id"]]
    r = client.put(f"{R}/preference", headers=org.headers(Role.practitioner), json={"named_publicly": 0})
    assert_problem(r, 422, "named_publicly")


def test_an_award_cycle_from_nominations_to_the_announcement(
    client: TestClient, org: Org, db: Database
) -> None:
    cycle = award_cycle(client, org)
    assert (cycle["status"], cycle["award_name"], cycle["winner"]) == ("nominating", "Best near miss", None)
    team, other = team_id(client, org), team_id(client, org, org.other_team)
    first = nominate(client, org, cycle["id"], team_id=team)
    second = nominate(
        client,
        org,
        cycle["id"],
        Role.practitioner,
        nominee_kind="person",
        person_id=person_id(client, org, Role.viewer),
        link="https://example.com/x",
    )
    r = client.post(f"{R}/cycles/{cycle['id']}/votes", headers=org.headers(), json={"nomination_id": first})
    assert_problem(r, 409, "status")  # not voting yet
    r = client.post(f"{R}/cycles/{cycle['id']}/voting", headers=org.headers(Role.practice_manager))
    assert_problem(r, 403)
    r = client.post(f"{R}/cycles/{cycle['id']}/voting", headers=org.headers())
    assert r.status_code == 200 and r.json()["status"] == "voting"
    r = client.post(
        f"{R}/cycles/{cycle['id']}/nominations",
        headers=org.headers(),
        json={"nominee_kind": "team", "team_id": other, "reason": "Late"},
    )
    assert_problem(r, 409, "status")

    for role, choice in ((Role.viewer, first), (Role.practitioner, second)):
        r = client.post(
            f"{R}/cycles/{cycle['id']}/votes", headers=org.headers(role), json={"nomination_id": choice}
        )
        assert r.status_code == 201 and r.json()["my_vote"] == choice
        assert all(n["votes"] is None for n in r.json()["nominations"])  # no tally until announced
    r = client.post(
        f"{R}/cycles/{cycle['id']}/votes", headers=org.headers(Role.viewer), json={"nomination_id": second}
    )
    problem = assert_problem(r, 409, "voter")
    assert "one vote per voter" in problem["detail"]

    # One vote each: tied, and the owner is told to choose among the tied.
    r = client.post(f"{R}/cycles/{cycle['id']}/announce", headers=org.headers(), json={})
    problem = assert_problem(r, 409, "winner_nomination_id")
    assert f"{first}, {second}" in problem["detail"]
    r = client.post(
        f"{R}/cycles/{cycle['id']}/announce", headers=org.headers(), json={"winner_nomination_id": 999}
    )
    assert_problem(r, 422, "winner_nomination_id")
    r = client.post(
        f"{R}/cycles/{cycle['id']}/announce", headers=org.headers(), json={"winner_nomination_id": first}
    )
    assert r.status_code == 200, r.text
    announced = r.json()
    assert announced["status"] == "announced" and announced["winner"]["id"] == first
    assert announced["winner"]["nominee"]["name"] == org.team
    assert [n["votes"] for n in announced["nominations"]] == [1, 1]
    with db.session(write=False) as s:
        topics = {e.topic for e in s.scalars(select(OutboxEvent))}
        assert "award_announced" in topics
        audited = {(e.subject_type, e.action) for e in s.scalars(select(AuditEntry))}
        assert {("award", "created"), ("award_cycle", "created"), ("award_cycle", "updated")} <= audited
    r = client.post(f"{R}/cycles/{cycle['id']}/announce", headers=org.headers(), json={})
    assert_problem(r, 409, "status")


def test_a_panel_votes_alone(client: TestClient, org: Org) -> None:
    panel = [person_id(client, org, Role.practice_manager)]
    cycle = award_cycle(client, org, voters="panel", panel_ids=panel)
    first = nominate(client, org, cycle["id"], team_id=team_id(client, org))
    client.post(f"{R}/cycles/{cycle['id']}/voting", headers=org.headers())
    r = client.post(
        f"{R}/cycles/{cycle['id']}/votes", headers=org.headers(Role.viewer), json={"nomination_id": first}
    )
    assert_problem(r, 422, "voter")
    r = client.post(
        f"{R}/cycles/{cycle['id']}/votes",
        headers=org.headers(Role.practice_manager),
        json={"nomination_id": first},
    )
    assert r.status_code == 201
    r = client.post(f"{R}/cycles/{cycle['id']}/announce", headers=org.headers(), json={})
    assert r.json()["winner"]["id"] == first


def test_cycle_and_award_refusals(client: TestClient, org: Org) -> None:
    r = client.post(f"{R}/awards", headers=org.headers(), json={"name": "Learning of the month"})
    award = r.json()["id"]
    r = client.post(f"{R}/awards", headers=org.headers(), json={"name": "learning of the month"})
    assert_problem(r, 409, "name")
    # Beyond ASCII too, where SQLite's lower() would not fold (found by the API fuzzer: a 500).
    r = client.post(f"{R}/awards", headers=org.headers(), json={"name": "Ãrbol"})
    assert r.status_code == 201
    for name in ("ãrbol", "Ãrbol"):
        r = client.post(f"{R}/awards", headers=org.headers(), json={"name": name})
        assert_problem(r, 409, "name")
    r = client.post(f"{R}/awards", headers=org.headers(Role.practice_manager), json={"name": "Mine"})
    assert_problem(r, 403)
    base = {"title": "Dec", "nominations_close_on": "2026-12-10", "voting_closes_on": "2026-12-01"}
    r = client.post(f"{R}/awards/{award}/cycles", headers=org.headers(), json=base)
    assert_problem(r, 422, "voting_closes_on")
    base["voting_closes_on"] = "2026-12-20"
    r = client.post(f"{R}/awards/{award}/cycles", headers=org.headers(), json={**base, "voters": "panel"})
    assert_problem(r, 422, "panel_ids")
    r = client.post(
        f"{R}/awards/{award}/cycles", headers=org.headers(), json={**base, "nominations_close_on": "x"}
    )
    assert_problem(r, 422, "nominations_close_on")
    cycle = client.post(f"{R}/awards/{award}/cycles", headers=org.headers(), json=base).json()
    r = client.post(f"{R}/cycles/{cycle['id']}/voting", headers=org.headers())
    assert_problem(r, 422, "nominations")
    r = client.post(
        f"{R}/cycles/{cycle['id']}/nominations",
        headers=org.headers(),
        json={"nominee_kind": "team", "team_id": 1, "reason": "x", "link": "javascript:alert(1)"},
    )
    assert_problem(r, 422, "link")
    r = client.patch(f"{R}/awards/{award}", headers=org.headers(), json={"description": "Monthly."})
    assert r.status_code == 200 and r.json()["description"] == "Monthly."
    assert client.get(f"{R}/cycles/99999", headers=org.headers()).status_code == 404
