"""The failure list through the HTTP API: its filters, sort keys, text search and pagination,
and the query strings it refuses."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import API, assert_problem, ids, iso, make_failure, make_service, page, utc
from support import Org


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
