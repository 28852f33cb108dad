"""The review list through the HTTP API: its filters, sort keys, pagination and word search, and
the query strings it refuses."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from factories import (
    API,
    assert_problem,
    ids,
    iso,
    make_failure,
    make_review,
    make_service,
    page,
    publishable_review,
    utc,
)
from failwell.db import Database
from failwell.enums import Role
from failwell.reviews.models import Review
from support import Org


def test_review_list_filters_sort_pagination(client: TestClient, org: Org, db: Database) -> None:
    make_service(client, org, "search", owner_team=org.other_team)
    fa = make_failure(client, org, "Payments down")
    fb = make_failure(client, org, "Search slow", services=["search"])
    fc = make_failure(client, org, "Both broken", services=["search", org.service])
    a = publishable_review(client, org, fa["id"])
    b = make_review(
        client,
        org,
        fb["id"],
        summary="Index rebuild starved the cache",
        factors=[{"category": "capacity", "description": "Cache too small."}],
    )
    c = publishable_review(client, org, fc["id"])
    manager = org.headers(Role.practice_manager)
    for review in (a, c):
        r = client.patch(f"{API}/reviews/{review['id']}", headers=manager, json={"status": "published"})
        assert r.status_code == 200, r.text
    r = client.patch(
        f"{API}/reviews/{c['id']}",
        headers=manager,
        json={
            "lessons_learned": "Watch the cache hit ratio.",
            "factors": [
                {"category": "capacity", "description": "x"},
                {"category": "dependency", "description": "y"},
            ],
        },
    )
    assert r.status_code == 200, r.text
    with db.session() as s:  # pin the times the filters and sorts look at
        for review_id, published, updated in [
            (a["id"], utc(2026, 1, 10), utc(2026, 1, 11)),
            (b["id"], None, utc(2026, 2, 1)),
            (c["id"], utc(2026, 3, 10), utc(2026, 3, 11)),
        ]:
            s.execute(
                update(Review)
                .where(Review.id == review_id)
                .values(published_at=published, updated_at=updated)
            )

    def listed(**params: object) -> list[int]:
        return ids(page(client, org, "/reviews", **params))

    assert listed() == [c["id"], b["id"], a["id"]]  # default: most recently updated first
    assert listed(sort="created_at") == [a["id"], b["id"], c["id"]]
    assert listed(sort="-published_at")[:1] in ([c["id"]], [b["id"]])  # where NULLs go is the backend's
    assert listed(status="published") == [c["id"], a["id"]]
    assert listed(status="draft") == [b["id"]]
    assert listed(status="in_review") == []
    assert listed(service=org.service) == [c["id"], a["id"]]
    assert listed(service="search") == [c["id"], b["id"]]
    assert listed(team=org.other_team) == [c["id"], b["id"]]
    assert listed(category="capacity") == [c["id"], b["id"]]
    assert listed(category="dependency") == [c["id"]]
    assert listed(category="process") == []
    assert listed(since=iso(utc(2026, 2, 1))) == [c["id"]]  # by publication date
    assert listed(until=iso(utc(2026, 3, 10))) == [a["id"]]
    assert listed(since=iso(utc(2026, 1, 10)), until=iso(utc(2026, 12, 31))) == [c["id"], a["id"]]
    # Summary or lessons learned; by relevance unless a sort is given.
    assert listed(q="cache", sort="-updated_at") == [c["id"], b["id"]]
    assert sorted(listed(q="cache")) == sorted([c["id"], b["id"]])
    assert listed(q="POOL", sort="-updated_at") == [c["id"], a["id"]]
    assert listed(q="cache", status="published", category="dependency") == [c["id"]]

    second = page(client, org, "/reviews", limit=2, offset=2)
    assert ids(second) == [a["id"]] and second["total"] == 3

    headers = org.headers()
    for params, field in [
        ({"category": "gremlins"}, "category"),
        ({"status": "done"}, "status"),
        ({"sort": "title"}, "sort"),
        ({"service": "nope"}, "service"),
        ({"team": "nope"}, "team"),
        ({"since": "2026-03-01", "until": "2026-01-01"}, "until"),
    ]:
        assert_problem(client.get(f"{API}/reviews", headers=headers, params=params), 422, field)


def test_review_list_searches_words_in_any_order(client: TestClient, org: Org) -> None:
    """?q= on /reviews reads words the way the failures list does (issue 10.2), not a substring."""
    pool = make_failure(client, org, "Checkout returns 502")
    make_review(client, org, pool["id"], summary="The connection-pool was exhausted at the Monday peak.")
    dns = make_failure(client, org, "Login slow")
    make_review(
        client,
        org,
        dns["id"],
        summary="DNS resolver timeouts.",
        lessons_learned="Cache the pool of DNS answers.",
    )

    def found(q: str, **params: str) -> list[int]:
        r = client.get(f"{API}/reviews", headers=org.headers(Role.viewer), params={"q": q, **params})
        assert r.status_code == 200, r.text
        return [item["failure_id"] for item in r.json()["items"]]

    assert found("exhausted pool") == [pool["id"]]  # any order; the hyphen splits words
    assert found("connection pool") == [pool["id"]]
    assert found("checkout exhaus") == [pool["id"]]  # the failure's title too; the last word a prefix
    assert sorted(found("pool")) == sorted([pool["id"], dns["id"]])
    assert found("pool -dns") == [pool["id"]]
    assert found('"pool exhausted"') == []  # a phrase keeps its order
    assert sorted(found("pool", sort="-created_at")) == sorted([pool["id"], dns["id"]])
    assert found("!!!") == []
