"""Who may change what, by ITIL practice role, through the HTTP API.

Every write is tried as every role. An allowed write succeeds; a refused one answers 403
with problem details and changes nothing: no table's row count moves and the target reads
back exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import (
    API,
    assert_problem,
    counts,
    make_action,
    make_change,
    make_deployment,
    make_failure,
    make_review,
    person_id,
    publishable_review,
)
from failwell.db import Database
from failwell.enums import ROLE_RANK, Role
from support import Org


@dataclass(frozen=True)
class Write:
    what: str
    least: Role  # the least role allowed to do it
    method: str
    path: str  # formatted with the setup's ids
    body: dict[str, Any] | None = None
    readback: str | None = None  # what to read before and after; default: path for PATCH


WRITES = [
    # Culture surveys are run by practice owners.
    Write(
        "create a survey campaign",
        Role.practice_owner,
        "POST",
        "/surveys",
        {"title": "Pulse", "opens_on": "2026-01-01", "closes_on": "2026-01-10"},
    ),
    # Reporting is open to everyone, viewers included.
    Write("report a failure", Role.viewer, "POST", "/failures", {"title": "Seen it", "kind": "near_miss"}),
    # Ideas are open to everyone too: the one place a viewer proposes change.
    Write("propose an idea", Role.viewer, "POST", "/ideas", {"title": "Canary every deploy"}),
    # Self-service on one's own account.
    Write("create an own token", Role.viewer, "POST", "/tokens", {"name": "mine"}),
    Write("rename oneself", Role.viewer, "PATCH", "/people/{me}", {"name": "New Name"}),
    # Practitioners record and work.
    Write("update a failure", Role.practitioner, "PATCH", "/failures/{failure}", {"severity": 1}),
    Write(
        "add a timeline event",
        Role.practitioner,
        "POST",
        "/failures/{failure}/timeline",
        {"description": "Restarted the pool"},
        readback="/failures/{failure}/timeline",
    ),
    Write(
        "edit a timeline event",
        Role.practitioner,
        "PATCH",
        "/failures/{failure}/timeline/{event}",
        {"description": "Alert fired at 09:05"},
        readback="/failures/{failure}/timeline",
    ),
    Write(
        "record a change",
        Role.practitioner,
        "POST",
        "/changes",
        {"title": "Bump", "change_type": "standard", "service": "payments"},
    ),
    Write("update a change", Role.practitioner, "PATCH", "/changes/{change}", {"risk": "high"}),
    Write(
        "record a deployment",
        Role.practitioner,
        "POST",
        "/deployments",
        {"service": "payments", "version": "9.9.9", "outcome": "succeeded"},
    ),
    Write(
        "update a deployment", Role.practitioner, "PATCH", "/deployments/{deployment}", {"outcome": "failed"}
    ),
    Write(
        "start a review",
        Role.practitioner,
        "POST",
        "/failures/{unreviewed}/review",
        {"summary": "Start"},
        readback="/failures/{unreviewed}",
    ),
    Write(
        "edit review sections",
        Role.practitioner,
        "PATCH",
        "/reviews/{draft}",
        {"impact": "Half the checkouts", "factors": [{"category": "capacity", "description": "Too small"}]},
    ),
    Write(
        "send a review for review", Role.practitioner, "PATCH", "/reviews/{draft}", {"status": "in_review"}
    ),
    Write(
        "work an action",
        Role.practitioner,
        "PATCH",
        "/actions/{action}",
        {"title": "Alert at 80%", "status": "in_progress"},
    ),
    Write(
        "close an action as wont_do",
        Role.practitioner,
        "PATCH",
        "/actions/{other_action}",
        {"status": "wont_do", "wont_do_reason": "Superseded"},
    ),
    Write(
        "propose an action",
        Role.practitioner,
        "POST",
        "/actions/proposals",
        {"failure_id": 0, "title": "Proposed", "action_type": "detect"},
    ),
    # Practice managers publish, assign and run the catalogue.
    Write(
        "publish a review", Role.practice_manager, "PATCH", "/reviews/{in_review}", {"status": "published"}
    ),
    Write(
        "create an action",
        Role.practice_manager,
        "POST",
        "/actions",
        {"failure_id": 0, "title": "New", "action_type": "prevent", "owner_team": "payments-team"},
    ),
    Write(
        "reassign an action's team",
        Role.practice_manager,
        "PATCH",
        "/actions/{action}",
        {"owner_team": "platform"},
    ),
    Write(
        "assign an action's owner",
        Role.practice_manager,
        "PATCH",
        "/actions/{action}",
        {"owner_person": "viewer@example.com"},
    ),
    Write(
        "set an action's due date",
        Role.practice_manager,
        "PATCH",
        "/actions/{action}",
        {"due_date": "2027-06-30"},
    ),
    Write(
        "set an action's priority",
        Role.practice_manager,
        "PATCH",
        "/actions/{action}",
        {"priority": "critical"},
    ),
    Write(
        "create a service",
        Role.practice_manager,
        "POST",
        "/services",
        {"name": "ledger", "owner_team": "platform", "consumers": [{"name": "Shops", "kind": "partner"}]},
    ),
    Write("update a service", Role.practice_manager, "PATCH", "/services/{service}", {"tier": "tier2"}),
    Write("create a team", Role.practice_manager, "POST", "/teams", {"name": "sre"}),
    Write("update a team", Role.practice_manager, "PATCH", "/teams/{team}", {"description": "Renamed"}),
    # Practice owners run people, the taxonomy and the severity scale.
    Write(
        "add a person",
        Role.practice_owner,
        "POST",
        "/people",
        {"name": "New Hire", "email": "new@example.com"},
    ),
    Write(
        "change someone's role", Role.practice_owner, "PATCH", "/people/{sam}", {"role": "practice_manager"}
    ),
    Write("change one's own role", Role.practice_owner, "PATCH", "/people/{me}", {"role": "practice_owner"}),
    Write(
        "create a token for someone",
        Role.practice_owner,
        "POST",
        "/tokens",
        {"name": "for sam", "person": "sam@example.com"},
    ),
    Write(
        "revoke someone's token",
        Role.practice_owner,
        "DELETE",
        "/tokens/{sam_token}",
        readback="/tokens?person_id={sam}",
    ),
    Write(
        "create a factor category",
        Role.practice_owner,
        "POST",
        "/factor-categories",
        {"key": "flags", "name": "Feature flags"},
    ),
    Write(
        "retire a factor category",
        Role.practice_owner,
        "PATCH",
        "/factor-categories/{category}",
        {"is_active": False},
        readback="/factor-categories?include_retired=true",
    ),
    Write(
        "edit a severity level",
        Role.practice_owner,
        "PATCH",
        "/severity-levels/3",
        {"description": "Minor: only internal users notice."},
        readback="/severity-levels",
    ),
    # Recognition: anyone thanks, nominates and votes; practice owners run awards.
    Write(
        "give kudos",
        Role.viewer,
        "POST",
        "/recognition/kudos",
        {
            "recipient_kind": "team",
            "team_id": "{team}",
            "thanked_kind": "failure",
            "thanked_id": "{failure}",
            "message": "Thank you",
        },
    ),
    Write(
        "choose how one is named", Role.viewer, "PUT", "/recognition/preference", {"named_publicly": False}
    ),
    Write(
        "nominate for an award",
        Role.viewer,
        "POST",
        "/recognition/cycles/{cycle}/nominations",
        {"nominee_kind": "team", "team_id": "{team}", "reason": "Shared the lesson"},
    ),
    Write(
        "vote for an award",
        Role.viewer,
        "POST",
        "/recognition/cycles/{voting}/votes",
        {"nomination_id": "{nomination}"},
    ),
    Write(
        "define an award",
        Role.practice_owner,
        "POST",
        "/recognition/awards",
        {"name": "Learning of the month"},
    ),
    Write(
        "change an award",
        Role.practice_owner,
        "PATCH",
        "/recognition/awards/{award}",
        {"description": "Monthly"},
        readback="/recognition/awards",
    ),
    Write(
        "open an award cycle",
        Role.practice_owner,
        "POST",
        "/recognition/awards/{award}/cycles",
        {"title": "Dec", "nominations_close_on": "2026-12-10", "voting_closes_on": "2026-12-20"},
    ),
    Write("announce an award", Role.practice_owner, "POST", "/recognition/cycles/{voting}/announce", {}),
    # Completing last, so the earlier action edits find it open.
    Write(
        "complete an action",
        Role.practitioner,
        "POST",
        "/actions/{action}/done",
        readback="/actions/{action}",
    ),
]

READS = [
    "/teams",
    "/teams/{team}",
    "/people",
    "/people/{sam}",
    "/people/me",
    "/tokens",
    "/services",
    "/services/{service}",
    "/changes",
    "/changes/{change}",
    "/deployments",
    "/deployments/{deployment}",
    "/failures",
    "/failures/{failure}",
    "/failures/{failure}/timeline",
    "/failures/{failure}/review",
    "/reviews",
    "/reviews/{draft}",
    "/factor-categories",
    "/severity-levels",
    "/actions",
    "/actions/{action}",
    "/surveys",
    "/surveys/instruments",
    "/recognition/kudos",
    "/recognition/awards",
    "/recognition/cycles",
    "/recognition/cycles/{cycle}",
    "/recognition/preference",
]


def _setup(client: TestClient, org: Org, role: Role) -> dict[str, Any]:
    owner = org.headers()
    failure = make_failure(client, org)
    r = client.post(f"{API}/failures/{failure['id']}/timeline", headers=owner, json={"description": "Alert"})
    assert r.status_code == 201
    sam = client.post(
        f"{API}/people",
        headers=owner,
        json={"name": "Sam", "email": "sam@example.com", "role": "practitioner"},
    )
    assert sam.status_code == 201
    sam_token = client.post(
        f"{API}/tokens", headers=owner, json={"name": "sam's", "person": "sam@example.com"}
    )
    assert sam_token.status_code == 201
    category = client.post(
        f"{API}/factor-categories", headers=owner, json={"key": "weather", "name": "Weather"}
    )
    assert category.status_code == 201
    services = client.get(f"{API}/services", headers=owner).json()["items"]
    award = client.post(f"{API}/recognition/awards", headers=owner, json={"name": "Best near miss"}).json()
    dates = {"nominations_close_on": "2026-11-20", "voting_closes_on": "2026-11-30"}
    cycle, voting = (
        client.post(
            f"{API}/recognition/awards/{award['id']}/cycles", headers=owner, json={"title": t, **dates}
        ).json()["id"]
        for t in ("Open", "Voting")
    )
    nomination = client.post(
        f"{API}/recognition/cycles/{voting}/nominations",
        headers=owner,
        json={"nominee_kind": "team", "team_id": 1, "reason": "Taught us"},
    ).json()["id"]
    assert client.post(f"{API}/recognition/cycles/{voting}/voting", headers=owner).status_code == 200
    teams = {t["name"]: t["id"] for t in client.get(f"{API}/teams", headers=owner).json()["items"]}
    return {
        "me": person_id(client, org, role),
        "failure": failure["id"],
        "event": r.json()["id"],
        "unreviewed": make_failure(client, org, "Unreviewed")["id"],
        "draft": make_review(client, org, failure["id"])["id"],
        "in_review": publishable_review(client, org, make_failure(client, org, "Reviewed")["id"])["id"],
        "change": make_change(client, org)["id"],
        "deployment": make_deployment(client, org)["id"],
        "action": make_action(client, org, failure["id"])["id"],
        "other_action": make_action(client, org, failure["id"], "Other")["id"],
        "service": services[0]["id"],
        "team": teams["platform"],
        "sam": sam.json()["id"],
        "sam_token": sam_token.json()["id"],
        "category": category.json()["id"],
        "award": award["id"],
        "cycle": cycle,
        "voting": voting,
        "nomination": nomination,
    }


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_writes_by_role(client: TestClient, org: Org, db: Database, role: Role) -> None:
    ctx = _setup(client, org, role)
    headers, owner = org.headers(role), org.headers()

    if role == Role.viewer:  # reading is open to everyone, the least role included
        for path in READS:
            r = client.get(API + path.format(**ctx), headers=headers)
            assert r.status_code == 200, f"{role.value} reading {path}: {r.text}"

    for write in WRITES:
        path = API + write.path.format(**ctx)
        body = dict(write.body) if write.body is not None else None
        if body is not None and "failure_id" in body:
            body["failure_id"] = ctx["failure"]
        if body is not None:  # ids the setup made, named in the body as "{name}"
            body = {k: ctx[v[1:-1]] if isinstance(v, str) and v[:1] == "{" else v for k, v in body.items()}
        if ROLE_RANK[role] >= ROLE_RANK[write.least]:
            r = client.request(write.method, path, headers=headers, json=body)
            assert r.status_code in (200, 201), f"{role.value} may {write.what}: {r.text}"
            continue

        readback = write.readback or (write.path if write.method == "PATCH" else None)
        readback_url = API + readback.format(**ctx) if readback else None
        before = counts(db)
        stored = client.get(readback_url, headers=owner).json() if readback_url else None
        r = client.request(write.method, path, headers=headers, json=body)
        problem = assert_problem(r, 403)
        assert "role" in problem["detail"], problem
        assert counts(db) == before, f"refused '{write.what}' changed row counts"
        if readback_url:
            after = client.get(readback_url, headers=owner).json()
            assert after == stored, f"refused '{write.what}' changed data"

    # After the allowed writes, the outcome shows in what anyone reads.
    review = client.get(f"{API}/reviews/{ctx['in_review']}", headers=owner).json()
    assert review["status"] == (
        "published" if role in (Role.practice_manager, Role.practice_owner) else "in_review"
    )
    action = client.get(f"{API}/actions/{ctx['action']}", headers=owner).json()
    assert action["status"] == ("open" if role == Role.viewer else "done")
    assert action["priority"] == (
        "critical" if ROLE_RANK[role] >= ROLE_RANK[Role.practice_manager] else "medium"
    )
    sam = client.get(f"{API}/people/{ctx['sam']}", headers=owner).json()
    assert sam["role"] == ("practice_manager" if role == Role.practice_owner else "practitioner")
    me = client.get(f"{API}/people/me", headers=headers)
    assert me.status_code == 200 and me.json()["role"] == role.value and me.json()["name"] == "New Name"


def test_writes_without_a_token_change_nothing(client: TestClient, org: Org, db: Database) -> None:
    ctx = _setup(client, org, Role.viewer)
    before = counts(db)
    for write in WRITES:
        body = dict(write.body) if write.body is not None else None
        r = client.request(write.method, API + write.path.format(**ctx), json=body)
        assert_problem(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
        r = client.request(
            write.method,
            API + write.path.format(**ctx),
            json=body,
            headers={"Authorization": "Bearer fw_not-a-real-token"},
        )
        assert_problem(r, 401)
    assert counts(db) == before
