"""Changes and deployments through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from factories import (
    API,
    assert_problem,
    counts,
    ids,
    iso,
    make_change,
    make_deployment,
    make_service,
    page,
    parse_ts,
    utc,
)
from failwell.changes import service as changes
from failwell.changes.models import Change
from failwell.changes.schemas import DeploymentFilter, DeploymentIn
from failwell.db import Database, utcnow
from failwell.enums import DeploymentOutcome, Role
from failwell.errors import InvalidInput, PermissionDenied
from support import Org


def test_change_create_read_update(client: TestClient, org: Org) -> None:
    r = client.post(
        f"{API}/changes",
        headers=org.headers(Role.practitioner),
        json={
            "title": "  Raise connection pool  ",
            "description": "From 20 to 50",
            "change_type": "standard",
            "risk": "medium",
            "service": org.service,
            "external_ref": "CHG-1042",
        },
    )
    assert r.status_code == 201, r.text
    change = r.json()
    assert change["title"] == "Raise connection pool" and change["service"] == org.service
    assert (change["change_type"], change["risk"], change["external_ref"]) == (
        "standard",
        "medium",
        "CHG-1042",
    )
    assert abs(parse_ts(change["created_at"]) - utcnow()) < timedelta(minutes=1)
    default = make_change(client, org, "Defaults")
    assert default["risk"] == "low" and default["description"] == "" and default["external_ref"] is None

    got = client.get(f"{API}/changes/{change['id']}", headers=org.headers(Role.viewer))
    assert got.status_code == 200 and got.json() == change

    r = client.patch(
        f"{API}/changes/{change['id']}",
        headers=org.headers(Role.practitioner),
        json={"risk": "high", "change_type": "emergency", "description": "From 20 to 80"},
    )
    assert r.status_code == 200, r.text
    again = client.get(f"{API}/changes/{change['id']}", headers=org.headers()).json()
    assert (again["risk"], again["change_type"], again["description"]) == (
        "high",
        "emergency",
        "From 20 to 80",
    )
    assert again["title"] == "Raise connection pool" and again["external_ref"] == "CHG-1042"

    assert_problem(client.get(f"{API}/changes/999999", headers=org.headers()), 404)
    assert_problem(client.patch(f"{API}/changes/999999", headers=org.headers(), json={"risk": "low"}), 404)
    assert_problem(
        client.patch(f"{API}/changes/{change['id']}", headers=org.headers(), json={"risk": "extreme"}),
        422,
        "risk",
    )
    assert_problem(
        client.patch(f"{API}/changes/{change['id']}", headers=org.headers(), json={"service": "other"}),
        422,
        "service",
    )  # a change stays on its service


def test_change_list_filters_sort_pagination(client: TestClient, org: Org, db: Database) -> None:
    make_service(client, org, "search", owner_team=org.other_team)
    a = make_change(
        client, org, "Upgrade TLS library", change_type="standard", risk="low", external_ref="CHG-1"
    )
    b = make_change(
        client, org, "Rotate database password", change_type="normal", risk="high", external_ref="CHG-2"
    )
    c = make_change(
        client, org, "Hotfix search ranking", change_type="emergency", risk="medium", service="search"
    )
    created = {a["id"]: utc(2026, 1, 10), b["id"]: utc(2026, 2, 10), c["id"]: utc(2026, 3, 10)}
    with db.session() as s:
        for change_id, when in created.items():
            s.execute(update(Change).where(Change.id == change_id).values(created_at=when))

    def listed(**params: object) -> list[int]:
        return ids(page(client, org, "/changes", **params))

    assert listed() == [c["id"], b["id"], a["id"]]  # default: newest first
    assert listed(sort="created_at") == [a["id"], b["id"], c["id"]]
    assert listed(sort="title") == [c["id"], b["id"], a["id"]]
    assert listed(sort="-title") == [a["id"], b["id"], c["id"]]
    assert listed(service="search") == [c["id"]]
    assert listed(service=org.service) == [b["id"], a["id"]]
    assert listed(team=org.other_team) == [c["id"]]
    assert listed(team=org.team, sort="created_at") == [a["id"], b["id"]]
    assert listed(change_type="normal") == [b["id"]]
    assert listed(risk="medium") == [c["id"]]
    assert listed(q="rotate") == [b["id"]]
    assert listed(q="chg-1") == [a["id"]]  # the external reference is searched too
    assert listed(since=iso(utc(2026, 2, 10))) == [c["id"], b["id"]]  # since is inclusive
    assert listed(until=iso(utc(2026, 2, 10))) == [a["id"]]  # until is exclusive
    assert listed(since="2026-01-15T00:00:00+01:00", until="2026-03-01") == [b["id"]]
    assert listed(service=org.service, risk="low", q="tls") == [a["id"]]

    first = page(client, org, "/changes", limit=2, sort="created_at")
    rest = page(client, org, "/changes", limit=2, offset=2, sort="created_at")
    assert ids(first) + ids(rest) == [a["id"], b["id"], c["id"]]
    assert first["total"] == rest["total"] == 3

    headers = org.headers()
    assert_problem(
        client.get(f"{API}/changes", headers=headers, params={"since": "2026-03-01", "until": "2026-01-01"}),
        422,
        "until",
    )
    assert_problem(client.get(f"{API}/changes", headers=headers, params={"since": "last week"}), 422, "since")
    assert_problem(client.get(f"{API}/changes", headers=headers, params={"service": "nope"}), 422, "service")
    assert_problem(client.get(f"{API}/changes", headers=headers, params={"team": "nope"}), 422, "team")
    assert_problem(client.get(f"{API}/changes", headers=headers, params={"sort": "service"}), 422, "sort")


def test_change_sort_by_risk_follows_the_scale(client: TestClient, org: Org) -> None:
    for risk in ("medium", "high", "low"):
        make_change(client, org, f"{risk} risk", risk=risk)
    assert [c["risk"] for c in page(client, org, "/changes", sort="risk")["items"]] == [
        "low",
        "medium",
        "high",
    ]


def test_deployment_create_read_update(client: TestClient, org: Org, db: Database) -> None:
    change = make_change(client, org)
    r = client.post(
        f"{API}/deployments",
        headers=org.headers(Role.practitioner),
        json={
            "service": org.service,
            "environment": " staging ",
            "version": " 2.4.1 ",
            "commit_shas": [" abcdef1", "abcdef1", "0123456789abcdef"],
            "outcome": "failed",
            "started_at": "2026-04-01T10:00:00+02:00",
            "change_id": change["id"],
            "pipeline_url": "https://ci.example.com/runs/77",
        },
    )
    assert r.status_code == 201, r.text
    dep = r.json()
    assert dep["environment"] == "staging" and dep["version"] == "2.4.1"
    assert dep["commit_shas"] == ["abcdef1", "0123456789abcdef"]  # trimmed and deduplicated
    assert parse_ts(dep["started_at"]) == utc(2026, 4, 1, 8)  # stored in UTC
    assert dep["finished_at"] is None and dep["change_id"] == change["id"]
    assert dep["pipeline_url"] == "https://ci.example.com/runs/77" and dep["outcome"] == "failed"

    plain = make_deployment(client, org)
    assert plain["environment"] == "production" and plain["commit_shas"] == [] and plain["change_id"] is None
    assert abs(parse_ts(plain["started_at"]) - utcnow()) < timedelta(minutes=1)  # default: now

    got = client.get(f"{API}/deployments/{dep['id']}", headers=org.headers(Role.viewer))
    assert got.status_code == 200 and got.json() == dep

    r = client.patch(
        f"{API}/deployments/{dep['id']}",
        headers=org.headers(Role.practitioner),
        json={"finished_at": "2026-04-01T08:20:00Z", "outcome": "rolled_back"},
    )
    assert r.status_code == 200, r.text
    again = client.get(f"{API}/deployments/{dep['id']}", headers=org.headers()).json()
    assert parse_ts(again["finished_at"]) == utc(2026, 4, 1, 8, 20) and again["outcome"] == "rolled_back"
    assert again["change_id"] == change["id"] and again["version"] == "2.4.1"

    other = make_change(client, org, "Another")
    r = client.patch(
        f"{API}/deployments/{plain['id']}", headers=org.headers(), json={"change_id": other["id"]}
    )
    assert r.status_code == 200 and r.json()["change_id"] == other["id"]

    before = counts(db)
    assert_problem(
        client.patch(
            f"{API}/deployments/{dep['id']}",
            headers=org.headers(),
            json={"finished_at": "2026-04-01T07:59:00Z"},
        ),
        422,
        "finished_at",
    )
    assert_problem(
        client.patch(f"{API}/deployments/{dep['id']}", headers=org.headers(), json={"change_id": 999999}),
        422,
        "change_id",
    )
    assert_problem(
        client.post(
            f"{API}/deployments",
            headers=org.headers(),
            json={"service": org.service, "version": "1", "outcome": "succeeded", "change_id": 999999},
        ),
        422,
        "change_id",
    )
    assert_problem(
        client.post(
            f"{API}/deployments",
            headers=org.headers(),
            json={"service": org.service, "version": "1", "outcome": "succeeded", "commit_shas": ["xyz"]},
        ),
        422,
        "commit_shas[0]",
    )
    assert_problem(
        client.post(
            f"{API}/deployments",
            headers=org.headers(),
            json={"service": org.service, "version": "1", "outcome": "exploded"},
        ),
        422,
        "outcome",
    )
    assert_problem(
        client.post(
            f"{API}/deployments",
            headers=org.headers(),
            json={"service": org.service, "version": "1", "outcome": "failed", "pipeline_url": "ftp://x"},
        ),
        422,
        "pipeline_url",
    )
    assert_problem(client.get(f"{API}/deployments/999999", headers=org.headers()), 404)
    assert counts(db) == before
    unchanged = client.get(f"{API}/deployments/{dep['id']}", headers=org.headers()).json()
    assert unchanged == again

    # The service layer directly.
    before = counts(db)
    with pytest.raises(PermissionDenied), db.session() as s:
        changes.record_deployment(
            s, org.actors[Role.viewer], DeploymentIn(service=org.service, version="1", outcome="succeeded")
        )
    with pytest.raises(InvalidInput) as caught, db.session() as s:
        changes.record_deployment(
            s,
            org.actors[Role.practitioner],
            DeploymentIn(service=org.service, version="1", outcome="succeeded", finished_at=utc(2020, 1, 1)),
        )
    assert caught.value.errors[0].field == "finished_at"
    assert counts(db) == before
    with db.session() as s:
        dep = changes.record_deployment(
            s, org.actors[Role.practitioner], DeploymentIn(service=org.service, version="9", outcome="failed")
        )
        dep_id = dep.id
    with db.session(write=False) as s:
        rows, total, exact = changes.list_deployments(s, DeploymentFilter(outcome=DeploymentOutcome.failed))
        assert [d.id for d in rows] == [dep_id] and (total, exact) == (1, True)


def test_deployment_environment_and_shas_are_lower_cased(client: TestClient, org: Org) -> None:
    r = client.post(
        f"{API}/deployments",
        headers=org.headers(),
        json={
            "service": org.service,
            "version": "1",
            "outcome": "succeeded",
            "environment": "Production",
            "commit_shas": ["ABCDEF1"],
        },
    )
    assert r.status_code == 201, r.text
    assert (r.json()["environment"], r.json()["commit_shas"]) == ("production", ["abcdef1"])


def test_deployment_list_filters_sort_pagination(client: TestClient, org: Org) -> None:
    make_service(client, org, "search", owner_team=org.other_team)
    change = make_change(client, org)
    d1 = make_deployment(
        client,
        org,
        "1.0.0",
        started_at=iso(utc(2026, 1, 1)),
        finished_at=iso(utc(2026, 1, 1, 1)),
        commit_shas=["aaaaaaa1"],
    )
    d2 = make_deployment(
        client, org, "1.1.0", started_at=iso(utc(2026, 2, 1)), outcome="failed", change_id=change["id"]
    )
    d3 = make_deployment(
        client,
        org,
        "10.0.0",
        service="search",
        environment="staging",
        started_at=iso(utc(2026, 3, 1)),
        outcome="rolled_back",
    )

    def listed(**params: object) -> list[int]:
        return ids(page(client, org, "/deployments", **params))

    assert listed() == [d3["id"], d2["id"], d1["id"]]  # default: latest start first
    assert listed(sort="started_at") == [d1["id"], d2["id"], d3["id"]]
    assert listed(sort="-version") == [d3["id"], d2["id"], d1["id"]]
    assert listed(service="search") == [d3["id"]]
    assert listed(team=org.team) == [d2["id"], d1["id"]]
    assert listed(environment="staging") == [d3["id"]]
    assert listed(environment="production") == [d2["id"], d1["id"]]
    assert listed(outcome="failed") == [d2["id"]]
    assert listed(change_id=change["id"]) == [d2["id"]]
    assert listed(since=iso(utc(2026, 2, 1))) == [d3["id"], d2["id"]]
    assert listed(until=iso(utc(2026, 2, 1))) == [d1["id"]]
    assert listed(since=iso(utc(2026, 1, 15)), until=iso(utc(2026, 2, 15))) == [d2["id"]]
    assert listed(q="1.1.0") == [d2["id"]]
    assert listed(q="1.") == [d2["id"], d1["id"]]  # a version prefix
    assert listed(q="1%") == []  # wildcards are literal

    p = page(client, org, "/deployments", limit=1, offset=1)
    assert ids(p) == [d2["id"]] and p["total"] == 3

    headers = org.headers()
    assert_problem(
        client.get(f"{API}/deployments", headers=headers, params={"outcome": "meh"}), 422, "outcome"
    )
    assert_problem(client.get(f"{API}/deployments", headers=headers, params={"sort": "outcome"}), 422, "sort")
    assert_problem(
        client.get(
            f"{API}/deployments", headers=headers, params={"since": "2026-02-01", "until": "2026-01-01"}
        ),
        422,
        "until",
    )


def test_deployment_q_finds_a_commit_sha_prefix(client: TestClient, org: Org) -> None:
    dep = make_deployment(client, org, "3.0.0", commit_shas=["deadbeefcafe1234"])
    make_deployment(client, org, "3.0.1", commit_shas=["0badc0de"])
    assert ids(page(client, org, "/deployments", q="deadbeef")) == [dep["id"]]
