"""Blameless reviews, their contributing factors and the factor taxonomy through the HTTP API."""

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
    make_failure,
    make_review,
    make_service,
    page,
    parse_ts,
    publishable_review,
    utc,
)
from failwell.db import Database, utcnow
from failwell.enums import ReviewStatus, Role
from failwell.errors import InvalidInput, PermissionDenied
from failwell.reviews import service as reviews
from failwell.reviews.models import Review
from failwell.reviews.schemas import FactorIn, ReviewFilter, ReviewSections, ReviewUpdate
from support import Org


def test_start_and_edit_a_review(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org, "Checkout returns 502")
    url = f"{API}/failures/{failure['id']}/review"
    practitioner = org.headers(Role.practitioner)

    assert_problem(client.get(url, headers=org.headers()), 404)  # no review yet
    r = client.post(
        url,
        headers=practitioner,
        json={
            "summary": "The connection pool ran dry under the Monday peak.",
            "factors": [
                {"category": "capacity", "description": "Pool sized for last year's traffic."},
                {"category": "detection_gap", "description": "No alert on pool saturation."},
            ],
        },
    )
    assert r.status_code == 201, r.text
    review = r.json()
    assert review["failure_id"] == failure["id"] and review["failure_title"] == "Checkout returns 502"
    assert review["status"] == "draft" and review["published_at"] is None
    assert review["summary"] == "The connection pool ran dry under the Monday peak."
    assert review["lessons_learned"] == "" and review["what_went_well"] == ""
    assert review["factors"] == [
        {
            "category": "capacity",
            "category_name": "Capacity",
            "description": "Pool sized for last year's traffic.",
        },
        {
            "category": "detection_gap",
            "category_name": "Detection gap",
            "description": "No alert on pool saturation.",
        },
    ]
    assert client.get(url, headers=org.headers(Role.viewer)).json() == review
    assert client.get(f"{API}/reviews/{review['id']}", headers=org.headers(Role.viewer)).json() == review

    r = client.patch(
        f"{API}/reviews/{review['id']}",
        headers=practitioner,
        json={
            "impact": "12% of checkouts failed for 40 minutes.",
            "what_went_well": "Rollback took 3 minutes.",
            "what_went_wrong": "Alerts fired late.",
            "where_we_got_lucky": "It was not Black Friday.",
            "lessons_learned": "Size pools from measured peaks.",
        },
    )
    assert r.status_code == 200, r.text
    edited = client.get(f"{API}/reviews/{review['id']}", headers=org.headers()).json()
    assert edited["impact"] == "12% of checkouts failed for 40 minutes."
    assert edited["where_we_got_lucky"] == "It was not Black Friday."
    assert edited["summary"] == review["summary"]  # sections not sent stay as they were
    assert edited["factors"] == review["factors"]  # factors not sent stay as they were
    assert parse_ts(edited["updated_at"]) > parse_ts(review["updated_at"])

    r = client.patch(
        f"{API}/reviews/{review['id']}",
        headers=practitioner,
        json={"factors": [{"category": "dependency", "description": "Bank API slow."}]},
    )
    assert r.status_code == 200
    assert [f["category"] for f in r.json()["factors"]] == ["dependency"]  # replaced, not merged
    assert parse_ts(r.json()["updated_at"]) > parse_ts(edited["updated_at"])  # factor edits count as updates
    r = client.patch(f"{API}/reviews/{review['id']}", headers=practitioner, json={"what_went_well": ""})
    assert r.status_code == 200 and r.json()["what_went_well"] == ""

    before, stored = counts(db), client.get(f"{API}/reviews/{review['id']}", headers=org.headers()).json()
    assert_problem(client.post(url, headers=practitioner, json={}), 409)  # one review per failure
    assert_problem(
        client.patch(
            f"{API}/reviews/{review['id']}",
            headers=practitioner,
            json={
                "factors": [
                    {"category": "dependency", "description": "ok"},
                    {"category": "gremlins", "description": "?"},
                ]
            },
        ),
        422,
        "factors[1].category",
    )
    assert_problem(
        client.patch(
            f"{API}/reviews/{review['id']}",
            headers=practitioner,
            json={"factors": [{"category": "dependency", "description": " "}]},
        ),
        422,
        "factors[0].description",
    )
    assert_problem(
        client.patch(f"{API}/reviews/{review['id']}", headers=practitioner, json={"blame": "Bob"}),
        422,
        "blame",
    )
    assert_problem(client.post(f"{API}/failures/999999/review", headers=practitioner, json={}), 404)
    assert_problem(client.get(f"{API}/reviews/999999", headers=practitioner), 404)
    assert_problem(client.patch(f"{API}/reviews/999999", headers=practitioner, json={"summary": "x"}), 404)
    assert counts(db) == before
    assert client.get(f"{API}/reviews/{review['id']}", headers=org.headers()).json() == stored


def test_review_status_transitions(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    review = make_review(client, org, failure["id"])
    url = f"{API}/reviews/{review['id']}"
    practitioner, manager = org.headers(Role.practitioner), org.headers(Role.practice_manager)

    # A practice manager may publish straight from draft (issue 10), once it is written; not a practitioner.
    assert_problem(client.patch(url, headers=manager, json={"status": "published"}), 422, "summary")
    assert_problem(client.patch(url, headers=practitioner, json={"status": "published"}), 403)
    r = client.patch(url, headers=practitioner, json={"status": "in_review"})
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    r = client.patch(url, headers=practitioner, json={"status": "draft"})  # back for more work
    assert r.status_code == 200 and r.json()["status"] == "draft"
    assert client.patch(url, headers=practitioner, json={"status": "in_review"}).status_code == 200

    # Publishing needs a summary and lessons learned; whitespace does not count.
    assert_problem(client.patch(url, headers=manager, json={"status": "published"}), 422, "summary")
    assert_problem(
        client.patch(url, headers=manager, json={"status": "published", "summary": "Pool ran dry."}),
        422,
        "lessons_learned",
    )
    stored = client.get(url, headers=manager).json()
    assert stored["status"] == "in_review" and stored["summary"] == ""  # the refused request changed nothing
    assert_problem(
        client.patch(
            url,
            headers=manager,
            json={"status": "published", "summary": "Pool ran dry.", "lessons_learned": "   "},
        ),
        422,
        "lessons_learned",
    )

    r = client.patch(
        url,
        headers=manager,
        json={"status": "published", "summary": "Pool ran dry.", "lessons_learned": "Alert on saturation."},
    )
    assert r.status_code == 200, r.text
    published = r.json()
    assert published["status"] == "published"
    assert abs(parse_ts(published["published_at"]) - utcnow()) < timedelta(minutes=1)
    assert client.get(url, headers=org.headers(Role.viewer)).json()["status"] == "published"

    assert_problem(client.patch(url, headers=manager, json={"status": "draft"}), 422, "status")
    # A manager may reopen it; that withdraws publication.
    r = client.patch(url, headers=manager, json={"status": "in_review"})
    assert r.status_code == 200 and r.json()["status"] == "in_review" and r.json()["published_at"] is None
    r = client.patch(url, headers=org.headers(), json={"status": "published"})
    assert r.status_code == 200 and r.json()["published_at"] is not None
    # Sending the current status again is no move at all.
    assert client.patch(url, headers=manager, json={"status": "published"}).status_code == 200
    assert_problem(client.patch(url, headers=manager, json={"status": "archived"}), 422, "status")

    # The service layer directly.
    failure = make_failure(client, org)
    with db.session() as s:
        review = reviews.start_review(
            s,
            org.actors[Role.practitioner],
            failure["id"],
            ReviewSections(
                summary="Pool ran dry",
                lessons_learned="Alert earlier",
                factors=[FactorIn(category="capacity", description="Too small")],
            ),
        )
        reviews.update_review(
            s, org.actors[Role.practitioner], review.id, ReviewUpdate(status=ReviewStatus.in_review)
        )
        review_id = review.id
    before = counts(db)
    with pytest.raises(PermissionDenied), db.session() as s:
        reviews.update_review(
            s, org.actors[Role.practitioner], review_id, ReviewUpdate(status=ReviewStatus.published)
        )
    with pytest.raises(InvalidInput) as caught, db.session() as s:
        reviews.update_review(
            s,
            org.actors[Role.practice_manager],
            review_id,
            ReviewUpdate(status=ReviewStatus.published, summary=" "),
        )
    assert caught.value.errors[0].field == "summary"
    assert counts(db) == before
    with db.session() as s:
        published = reviews.update_review(
            s, org.actors[Role.practice_manager], review_id, ReviewUpdate(status=ReviewStatus.published)
        )
        assert published.published_at is not None
    with db.session(write=False) as s:
        rows, total, _ = reviews.list_reviews(
            s, ReviewFilter(category="capacity", status=ReviewStatus.published)
        )
        assert [r.id for r in rows] == [review_id] and total == 1
        assert reviews.review_out(rows[0]).factors[0].category_name == "Capacity"


def test_factor_categories_create_retire_and_use(client: TestClient, org: Org) -> None:
    default = client.get(f"{API}/factor-categories", headers=org.headers(Role.viewer))
    assert default.status_code == 200
    keys = [c["key"] for c in default.json()]
    assert len(keys) == 11 and {"capacity", "dependency", "detection_gap", "other"} <= set(keys)
    assert all(c["is_active"] for c in default.json())

    r = client.post(
        f"{API}/factor-categories",
        headers=org.headers(),
        json={
            "key": "feature_flags",
            "name": "Feature flags",
            "description": "A flag flipped unexpectedly.",
            "position": 5,
        },
    )
    assert r.status_code == 201, r.text
    flags = r.json()
    assert flags["key"] == "feature_flags" and flags["is_active"] is True and flags["position"] == 5
    listed = [c["key"] for c in client.get(f"{API}/factor-categories", headers=org.headers()).json()]
    assert "feature_flags" in listed and len(listed) == 12
    assert_problem(
        client.post(
            f"{API}/factor-categories", headers=org.headers(), json={"key": "feature_flags", "name": "Again"}
        ),
        409,
        "key",
    )
    assert_problem(
        client.post(
            f"{API}/factor-categories", headers=org.headers(), json={"key": "has spaces", "name": "Bad"}
        ),
        422,
        "key",
    )

    # A review uses it, then the category is retired.
    old = make_failure(client, org, "Old")
    old_review = make_review(
        client, org, old["id"], factors=[{"category": "feature_flags", "description": "Flag on for all."}]
    )
    r = client.patch(
        f"{API}/factor-categories/{flags['id']}",
        headers=org.headers(),
        json={"is_active": False, "name": "Feature flags (retired)"},
    )
    assert r.status_code == 200 and r.json()["is_active"] is False
    active = [c["key"] for c in client.get(f"{API}/factor-categories", headers=org.headers()).json()]
    assert "feature_flags" not in active and len(active) == 11
    everything = client.get(
        f"{API}/factor-categories", headers=org.headers(), params={"include_retired": True}
    )
    assert {c["key"]: c["is_active"] for c in everything.json()}["feature_flags"] is False

    # Retired: not usable on a new review, nor newly on an existing one...
    new = make_failure(client, org, "New")
    assert_problem(
        client.post(
            f"{API}/failures/{new['id']}/review",
            headers=org.headers(),
            json={"factors": [{"category": "feature_flags", "description": "x"}]},
        ),
        422,
        "factors[0].category",
    )
    assert_problem(client.get(f"{API}/failures/{new['id']}/review", headers=org.headers()), 404)
    fresh = make_review(client, org, new["id"])
    assert_problem(
        client.patch(
            f"{API}/reviews/{fresh['id']}",
            headers=org.headers(),
            json={
                "factors": [
                    {"category": "other", "description": "y"},
                    {"category": "feature_flags", "description": "x"},
                ]
            },
        ),
        422,
        "factors[1].category",
    )
    # ...but a review that already had it keeps it, and still shows it.
    r = client.patch(
        f"{API}/reviews/{old_review['id']}",
        headers=org.headers(),
        json={
            "factors": [
                {"category": "feature_flags", "description": "Flag on for everyone."},
                {"category": "process", "description": "No flag review."},
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert [(f["category"], f["category_name"]) for f in r.json()["factors"]] == [
        ("feature_flags", "Feature flags (retired)"),
        ("process", "Process"),
    ]

    r = client.patch(
        f"{API}/factor-categories/{flags['id']}", headers=org.headers(), json={"is_active": True}
    )
    assert r.status_code == 200
    r = client.patch(
        f"{API}/reviews/{fresh['id']}",
        headers=org.headers(),
        json={"factors": [{"category": "feature_flags", "description": "x"}]},
    )
    assert r.status_code == 200, r.text
    assert_problem(
        client.patch(f"{API}/factor-categories/999999", headers=org.headers(), json={"name": "x"}), 404
    )


def test_category_keys_are_lower_cased(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    r = client.post(
        f"{API}/failures/{failure['id']}/review",
        headers=org.headers(),
        json={"factors": [{"category": "Capacity", "description": "Pool too small"}]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["factors"][0]["category"] == "capacity"


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
