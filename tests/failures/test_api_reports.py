"""Reporting failures and changing them through the HTTP API: what is stored and read back, the
defaults, what is refused (leaving nothing behind), and tags and services as written and read.
The failure list is in test_api_lists.py; timelines and the severity scale are in
test_api_timeline_severity.py."""

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
