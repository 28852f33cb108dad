"""Failures, their timelines and the severity scale through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from factories import (
    API,
    assert_problem,
    counts,
    ids,
    iso,
    make_change,
    make_deployment,
    make_failure,
    make_service,
    page,
    parse_ts,
    person_id,
    utc,
)
from failwell.db import Database, utcnow
from failwell.enums import FailureKind, Role
from failwell.errors import InvalidInput
from failwell.failures import service as failures
from failwell.failures import timeline
from failwell.failures.schemas import FailureFilter, FailureIn, TimelineEventIn
from support import Org


def test_report_failure_and_read_it_back(client: TestClient, org: Org, db: Database) -> None:
    make_service(client, org, "search", owner_team=org.other_team)
    dep = make_deployment(client, org, "5.0.0", outcome="failed")
    change = make_change(client, org)
    r = client.post(
        f"{API}/failures",
        headers=org.headers(Role.practitioner),
        json={
            "title": "  Checkout returns 502  ",
            "description": "Half of the payments failed.",
            "kind": "failed_deployment",
            "severity": 2,
            "status": "open",
            "started_at": "2026-05-01T09:00:00Z",
            "detected_at": "2026-05-01T09:05:00Z",
            "services": ["search", org.service, "search"],
            "impact_partners": "Web shops saw errors",
            "impact_consumers": "Payments declined",
            "deployment_ids": [dep["id"]],
            "change_ids": [change["id"]],
            "tags": ["database", " timeouts ", "database"],
            "reported_via": "cli",
        },
    )
    assert r.status_code == 201, r.text
    failure = r.json()
    assert failure["title"] == "Checkout returns 502" and failure["kind"] == "failed_deployment"
    assert (failure["severity"], failure["status"], failure["reported_via"]) == (2, "open", "cli")
    assert parse_ts(failure["started_at"]) == utc(2026, 5, 1, 9)
    assert parse_ts(failure["detected_at"]) == utc(2026, 5, 1, 9, 5)
    assert failure["mitigated_at"] is None and failure["resolved_at"] is None
    assert sorted(failure["services"]) == ["payments", "search"]
    assert sorted(failure["tags"]) == ["database", "timeouts"]
    assert failure["deployment_ids"] == [dep["id"]] and failure["change_ids"] == [change["id"]]
    assert failure["impact_partners"] == "Web shops saw errors"
    assert failure["reporter"] == {"id": person_id(client, org, Role.practitioner), "name": "Practitioner"}
    assert failure["anonymous"] is False

    got = client.get(f"{API}/failures/{failure['id']}", headers=org.headers(Role.viewer))
    assert got.status_code == 200, got.text
    read = got.json()
    assert read["services"] == ["payments", "search"] and read["tags"] == ["database", "timeouts"]
    assert {k: v for k, v in read.items() if k not in ("services", "tags")} == {
        k: v for k, v in failure.items() if k not in ("services", "tags")
    }

    # Defaults: severity 3, status open, started now, no services.
    minimal = client.post(
        f"{API}/failures", headers=org.headers(), json={"title": "Blip", "kind": "near_miss"}
    )
    assert minimal.status_code == 201, minimal.text
    m = minimal.json()
    assert (m["severity"], m["status"], m["services"], m["tags"], m["reported_via"]) == (
        3,
        "open",
        [],
        [],
        "api",
    )
    assert abs(parse_ts(m["started_at"]) - utcnow()) < timedelta(minutes=1)

    # Reporting as resolved without a time stamps "now".
    resolved = make_failure(client, org, "Already over", status="resolved", started_at=iso(utc(2026, 1, 1)))
    assert abs(parse_ts(resolved["resolved_at"]) - utcnow()) < timedelta(minutes=1)

    headers = org.headers()
    for body, field in [
        ({"title": "x", "kind": "incident", "deployment_ids": [999999]}, "deployment_ids[0]"),
        ({"title": "x", "kind": "incident", "change_ids": [change["id"], 999999]}, "change_ids[1]"),
        ({"title": "x", "kind": "incident", "severity": 6}, "severity"),
        ({"title": "x", "kind": "incident", "severity": 0}, "severity"),
        ({"title": "x", "kind": "incident", "tags": ["no spaces"]}, "tags[0]"),
        ({"title": "", "kind": "incident"}, "title"),
        ({"kind": "incident"}, "title"),
        ({"title": "x", "kind": "incident", "reporter_id": 1}, "reporter_id"),
        (
            {
                "title": "x",
                "kind": "incident",
                "started_at": "2026-05-01T10:00:00Z",
                "detected_at": "2026-05-01T09:00:00Z",
            },
            "detected_at",
        ),
        (
            {
                "title": "x",
                "kind": "incident",
                "started_at": "2026-05-01T10:00:00Z",
                "mitigated_at": "2026-05-01T12:00:00Z",
                "resolved_at": "2026-05-01T11:00:00Z",
            },
            "resolved_at",
        ),
    ]:
        assert_problem(client.post(f"{API}/failures", headers=headers, json=body), 422, field)
    assert_problem(client.get(f"{API}/failures/999999", headers=headers), 404)
    assert page(client, org, "/failures")["total"] == 3

    # The service layer directly.
    viewer = org.actors[Role.viewer]
    before = counts(db)
    with pytest.raises(InvalidInput) as caught, db.session() as s:
        failures.report_failure(s, viewer, FailureIn(title="x", kind=FailureKind.incident, services=["nope"]))
    assert caught.value.errors[0].field == "services[0]"
    assert counts(db) == before
    with db.session() as s:
        failure = failures.report_failure(
            s,
            viewer,
            FailureIn(
                title="Queue stuck",
                kind=FailureKind.incident,
                services=[org.service],
                severity=2,
                started_at=utc(2026, 6, 1),
            ),
        )
        timeline.add_event(s, org.actors[Role.practitioner], failure.id, TimelineEventIn(description="Seen"))
        fid = failure.id
    with db.session(write=False) as s:
        rows, total, exact = failures.list_failures(
            s, FailureFilter(service=org.service, severity_at_least=2, q="queue")
        )
        assert [f.id for f in rows] == [fid] and (total, exact) == (1, True)
        out = failures.failure_out(rows[0])
        assert out.reporter is not None and out.reporter.id == viewer.person_id
        assert [e.description for e in timeline.list_events(s, fid)] == ["Seen"]


def test_update_failure(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org, started_at=iso(utc(2026, 5, 1, 9)), tags=["db"])
    fid = failure["id"]
    practitioner = org.headers(Role.practitioner)

    r = client.patch(
        f"{API}/failures/{fid}",
        headers=practitioner,
        json={
            "title": "Checkout returns 502 for card payments",
            "severity": 1,
            "kind": "failed_deployment",
            "description": "Card payments only.",
            "impact_consumers": "Orders lost",
        },
    )
    assert r.status_code == 200, r.text
    after = client.get(f"{API}/failures/{fid}", headers=org.headers()).json()
    assert after["title"] == "Checkout returns 502 for card payments"
    assert (after["severity"], after["kind"], after["description"]) == (
        1,
        "failed_deployment",
        "Card payments only.",
    )
    assert after["impact_consumers"] == "Orders lost"
    assert after["services"] == ["payments"] and after["tags"] == ["db"]  # untouched
    assert after["reporter"] == failure["reporter"]
    assert parse_ts(after["updated_at"]) > parse_ts(failure["updated_at"])

    # Moving to mitigated without a time means "now"; explicit times are kept.
    r = client.patch(f"{API}/failures/{fid}", headers=practitioner, json={"status": "mitigated"})
    assert r.status_code == 200 and abs(parse_ts(r.json()["mitigated_at"]) - utcnow()) < timedelta(minutes=1)
    assert r.json()["resolved_at"] is None
    r = client.patch(
        f"{API}/failures/{fid}",
        headers=practitioner,
        json={
            "status": "resolved",
            "mitigated_at": "2026-05-01T09:30:00Z",
            "resolved_at": "2026-05-01T10:00:00Z",
        },
    )
    assert r.status_code == 200, r.text
    assert parse_ts(r.json()["mitigated_at"]) == utc(2026, 5, 1, 9, 30)
    assert parse_ts(r.json()["resolved_at"]) == utc(2026, 5, 1, 10)

    make_service(client, org, "search", owner_team=org.other_team)
    previous = client.get(f"{API}/failures/{fid}", headers=org.headers()).json()
    r = client.patch(
        f"{API}/failures/{fid}",
        headers=practitioner,
        json={"services": ["search"], "tags": ["network", "dns"]},
    )
    assert r.status_code == 200, r.text
    after = client.get(f"{API}/failures/{fid}", headers=org.headers()).json()
    assert after["services"] == ["search"] and after["tags"] == ["dns", "network"]
    # Only links changed, yet the failure counts as updated.
    assert parse_ts(after["updated_at"]) > parse_ts(previous["updated_at"])
    r = client.patch(f"{API}/failures/{fid}", headers=practitioner, json={"description": None})
    assert r.status_code == 200, r.text
    after = client.get(f"{API}/failures/{fid}", headers=org.headers()).json()
    assert after["description"] == ""  # null clears optional text

    before, stored = counts(db), after
    for body, field in [
        ({"title": None}, "title"),
        ({"started_at": None}, "started_at"),
        ({"kind": None}, "kind"),
        ({"resolved_at": "2026-05-01T08:00:00Z"}, "resolved_at"),  # before the start
        ({"started_at": "2026-05-01T09:45:00Z"}, "mitigated_at"),  # now after the mitigation
        ({"services": ["nope"]}, "services[0]"),
        ({"status": "forgotten"}, "status"),
        ({"anonymous": True}, "anonymous"),  # who reported cannot be changed afterwards
    ]:
        assert_problem(client.patch(f"{API}/failures/{fid}", headers=practitioner, json=body), 422, field)
    assert_problem(client.patch(f"{API}/failures/999999", headers=practitioner, json={"title": "x"}), 404)
    assert counts(db) == before
    assert client.get(f"{API}/failures/{fid}", headers=org.headers()).json() == stored


def test_tags_are_lower_cased(client: TestClient, org: Org) -> None:
    r = client.post(
        f"{API}/failures",
        headers=org.headers(),
        json={"title": "x", "kind": "incident", "tags": ["Database"]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["tags"] == ["database"]
    assert ids(page(client, org, "/failures", tag="DATABASE")) == [r.json()["id"]]


def test_services_and_tags_listed_in_the_same_order_on_write_and_read(client: TestClient, org: Org) -> None:
    make_service(client, org, "search")
    r = client.post(
        f"{API}/failures",
        headers=org.headers(),
        json={"title": "x", "kind": "incident", "services": ["search", "payments"], "tags": ["zz", "aa"]},
    )
    assert r.status_code == 201, r.text
    got = client.get(f"{API}/failures/{r.json()['id']}", headers=org.headers()).json()
    assert (r.json()["services"], r.json()["tags"]) == (got["services"], got["tags"])
    assert (got["services"], got["tags"]) == (["payments", "search"], ["aa", "zz"])


def test_failure_list_filters_sort_pagination(client: TestClient, org: Org) -> None:
    make_service(client, org, "search", owner_team=org.other_team)
    f1 = make_failure(
        client,
        org,
        "Card payments declined",
        severity=1,
        status="resolved",
        started_at=iso(utc(2026, 1, 10)),
        tags=["database"],
        description="Pool exhausted",
    )
    f2 = make_failure(
        client,
        org,
        "Search index stale",
        kind="near_miss",
        severity=4,
        started_at=iso(utc(2026, 2, 10)),
        services=["search"],
        tags=["cache"],
    )
    f3 = make_failure(
        client,
        org,
        "Payments and search slow",
        severity=2,
        started_at=iso(utc(2026, 3, 10)),
        services=["search", org.service],
        tags=["database", "network"],
    )
    f4 = make_failure(
        client,
        org,
        "Deploy broke login",
        kind="failed_deployment",
        severity=3,
        status="mitigated",
        started_at=iso(utc(2026, 4, 10)),
        services=[],
    )

    def listed(**params: object) -> list[int]:
        return ids(page(client, org, "/failures", **params))

    assert listed() == [f4["id"], f3["id"], f2["id"], f1["id"]]  # default: latest start first
    assert listed(sort="started_at") == [f1["id"], f2["id"], f3["id"], f4["id"]]
    # Keys read as people mean them: -severity is the most severe (SEV1) first.
    assert listed(sort="-severity") == [f1["id"], f3["id"], f4["id"], f2["id"]]
    assert listed(sort="severity") == [f2["id"], f4["id"], f3["id"], f1["id"]]
    assert listed(sort="title") == [f1["id"], f4["id"], f3["id"], f2["id"]]
    assert listed(sort="-created_at") == [f4["id"], f3["id"], f2["id"], f1["id"]]
    assert listed(service=org.service) == [f3["id"], f1["id"]]
    assert listed(service="search") == [f3["id"], f2["id"]]
    assert listed(team=org.other_team) == [f3["id"], f2["id"]]
    assert listed(team=org.team) == [f3["id"], f1["id"]]  # f3 once, though two services match
    assert listed(kind="near_miss") == [f2["id"]]
    assert listed(kind="failed_deployment") == [f4["id"]]
    assert listed(status="open") == [f3["id"], f2["id"]]
    assert listed(status="mitigated") == [f4["id"]]
    assert listed(severity=3) == [f4["id"]]
    assert listed(severity_at_least=2) == [f3["id"], f1["id"]]  # SEV2 or worse
    assert listed(severity_at_least=3, sort="started_at") == [f1["id"], f3["id"], f4["id"]]
    assert listed(tag="database") == [f3["id"], f1["id"]]
    assert listed(tag="cache") == [f2["id"]]
    assert listed(tag="unused") == []
    assert listed(since=iso(utc(2026, 3, 10))) == [f4["id"], f3["id"]]  # inclusive
    assert listed(until=iso(utc(2026, 2, 10))) == [f1["id"]]  # exclusive
    assert listed(since="2026-01-11", until="2026-04-01") == [f3["id"], f2["id"]]
    # With q and no sort, results come by relevance (issue 10); the default order on request.
    assert sorted(listed(q="PAYMENTS")) == sorted([f3["id"], f1["id"]])
    assert listed(q="PAYMENTS", sort="-started_at") == [f3["id"], f1["id"]]
    assert listed(q="exhausted") == [f1["id"]]  # the description is searched too
    assert listed(q="  stale ") == [f2["id"]]
    assert listed(service="search", severity_at_least=2, tag="network", q="slow") == [f3["id"]]

    first = page(client, org, "/failures", limit=3)
    second = page(client, org, "/failures", limit=3, offset=3)
    assert ids(first) + ids(second) == listed()
    assert first["total"] == second["total"] == 4 and first["total_exact"] is True
    assert page(client, org, "/failures", limit=2, severity_at_least=2)["total"] == 2

    headers = org.headers()
    for params, field in [
        ({"sort": "reporter"}, "sort"),
        ({"sort": "-"}, "sort"),
        ({"kind": "outage"}, "kind"),
        ({"status": "gone"}, "status"),
        ({"severity": 9}, "severity"),
        ({"severity_at_least": 0}, "severity_at_least"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"service": "nope"}, "service"),
        ({"team": "nope"}, "team"),
        ({"limit": 0}, "limit"),
        ({"q": "x" * 201}, "q"),
    ]:
        assert_problem(client.get(f"{API}/failures", headers=headers, params=params), 422, field)

    # '%' and '_' are not wildcards: like every punctuation mark they split words (issue 10), so
    # "db_1" is the words "db 1" in that order, not "db, any character, 1".
    full = make_failure(client, org, "Disk at 100% on db-1")
    make_failure(client, org, "1000 requests dropped")
    make_failure(client, org, "dbx1 and db2 offline")
    assert listed(q="100%") == [full["id"]]
    assert listed(q="db_1") == [full["id"]]
    assert listed(q="db-1") == [full["id"]]


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
