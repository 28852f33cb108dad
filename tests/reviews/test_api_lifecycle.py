"""A blameless review through the HTTP API: starting and editing it (sections and contributing
factors), and its status from draft through review to publication, by role. The factor taxonomy
is in test_api_factors.py, the review list in test_api_lists.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem, counts, make_failure, make_review, parse_ts
from failwell.db import Database, utcnow
from failwell.enums import ReviewStatus, Role
from failwell.errors import InvalidInput, PermissionDenied
from failwell.reviews import service as reviews
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
