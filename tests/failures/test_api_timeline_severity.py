"""A failure's timeline (adding events, listing them in time order, changing them) and the
severity scale through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from factories import API, assert_problem, counts, iso, make_failure, parse_ts, person_id, utc
from failwell.db import Database, utcnow
from failwell.enums import Role
from support import Org


def test_timeline_add_list_update(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org, started_at=iso(utc(2026, 5, 1, 9)))
    other = make_failure(client, org, "Other")
    url = f"{API}/failures/{failure['id']}/timeline"
    practitioner = org.headers(Role.practitioner)

    r = client.post(
        url,
        headers=practitioner,
        json={"occurred_at": "2026-05-01T09:20:00Z", "kind": "mitigation", "description": " Rolled back "},
    )
    assert r.status_code == 201, r.text
    rollback = r.json()
    assert rollback["failure_id"] == failure["id"] and rollback["kind"] == "mitigation"
    assert rollback["description"] == "Rolled back"
    assert rollback["author"] == {"id": person_id(client, org, Role.practitioner), "name": "Practitioner"}
    r = client.post(
        url,
        headers=org.headers(),
        json={"occurred_at": "2026-05-01T09:05:00Z", "kind": "detection", "description": "Alert fired"},
    )
    assert r.status_code == 201
    alert = r.json()
    r = client.post(url, headers=practitioner, json={"description": "Writing the review"})
    assert r.status_code == 201 and r.json()["kind"] == "note"
    note = r.json()
    assert abs(parse_ts(note["occurred_at"]) - utcnow()) < timedelta(minutes=1)

    events = client.get(url, headers=org.headers(Role.viewer))
    assert events.status_code == 200
    assert [e["id"] for e in events.json()] == [alert["id"], rollback["id"], note["id"]]  # by time

    r = client.patch(
        f"{url}/{alert['id']}",
        headers=practitioner,
        json={"occurred_at": "2026-05-01T09:25:00Z", "description": "Pager alert fired"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "detection" and r.json()["description"] == "Pager alert fired"
    assert [e["id"] for e in client.get(url, headers=org.headers()).json()] == [
        rollback["id"],
        alert["id"],
        note["id"],
    ]
    r = client.patch(f"{url}/{note['id']}", headers=practitioner, json={"kind": "key_moment"})
    assert (
        r.status_code == 200
        and r.json()["kind"] == "key_moment"
        and r.json()["description"] == "Writing the review"
    )

    assert client.get(f"{API}/failures/{other['id']}/timeline", headers=org.headers()).json() == []
    before = counts(db)
    stored = client.get(url, headers=org.headers()).json()
    other_url = f"{API}/failures/{other['id']}/timeline"
    assert_problem(
        client.patch(f"{other_url}/{alert['id']}", headers=practitioner, json={"kind": "note"}), 404
    )
    assert_problem(client.patch(f"{url}/999999", headers=practitioner, json={"kind": "note"}), 404)
    assert_problem(
        client.patch(f"{url}/{alert['id']}", headers=practitioner, json={"description": "  "}),
        422,
        "description",
    )
    assert_problem(client.post(url, headers=practitioner, json={"description": ""}), 422, "description")
    assert_problem(
        client.post(url, headers=practitioner, json={"description": "x", "kind": "gossip"}), 422, "kind"
    )
    assert_problem(
        client.post(f"{API}/failures/999999/timeline", headers=practitioner, json={"description": "x"}), 404
    )
    assert_problem(client.get(f"{API}/failures/999999/timeline", headers=practitioner), 404)
    assert counts(db) == before and client.get(url, headers=org.headers()).json() == stored


def test_severity_levels(client: TestClient, org: Org) -> None:
    levels = client.get(f"{API}/severity-levels", headers=org.headers(Role.viewer))
    assert levels.status_code == 200
    assert [(lv["level"], lv["name"]) for lv in levels.json()] == [(n, f"SEV{n}") for n in range(1, 6)]
    assert all(lv["description"] for lv in levels.json())

    r = client.patch(
        f"{API}/severity-levels/2",
        headers=org.headers(),
        json={"description": "Major: card payments degraded for over 5 minutes."},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "level": 2,
        "name": "SEV2",
        "description": "Major: card payments degraded for over 5 minutes.",
    }
    r = client.patch(f"{API}/severity-levels/5", headers=org.headers(), json={"name": "Near miss"})
    assert r.status_code == 200 and r.json()["name"] == "Near miss"
    after = {lv["level"]: lv for lv in client.get(f"{API}/severity-levels", headers=org.headers()).json()}
    assert after[2]["description"] == "Major: card payments degraded for over 5 minutes."
    assert after[5]["name"] == "Near miss" and after[1] == levels.json()[0]

    no_level = client.patch(f"{API}/severity-levels/6", headers=org.headers(), json={"name": "x"})
    assert_problem(no_level, no_level.status_code)
    assert no_level.status_code in (404, 422)  # unknown level, or refused as out of range
    assert_problem(
        client.patch(f"{API}/severity-levels/2", headers=org.headers(), json={"description": "x" * 2001}),
        422,
        "description",
    )
    assert_problem(
        client.patch(f"{API}/severity-levels/2", headers=org.headers(), json={"level": 1}), 422, "level"
    )
