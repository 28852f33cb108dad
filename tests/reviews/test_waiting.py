"""Reviews waiting: in draft or in review although their failure is resolved or closed. Home
counts them; the API's ``status=waiting`` and the /reviews page list them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from factories import API, assert_problem, ids, iso, make_failure, make_review, page, publishable_review, utc
from failwell.enums import Role
from support import Org

if TYPE_CHECKING:  # only for types: with tests/e2e in the same run, "conftest" can be that one
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
_OVER = {"started_at": iso(utc(2026, 3, 1, 9)), "resolved_at": iso(utc(2026, 3, 1, 11))}


def _reviews(client: TestClient, org: Org) -> dict[str, Any]:
    """One review of each kind, by the title of its failure."""
    made: dict[str, Any] = {}
    made["resolved, draft"] = make_review(
        client, org, make_failure(client, org, "Resolved draft", status="resolved", **_OVER)["id"]
    )
    made["closed, draft"] = make_review(
        client, org, make_failure(client, org, "Closed draft", status="closed", **_OVER)["id"]
    )
    made["resolved, in review"] = publishable_review(
        client, org, make_failure(client, org, "Resolved in review", status="resolved", **_OVER)["id"]
    )
    made["open, draft"] = make_review(client, org, make_failure(client, org, "Still open draft")["id"])
    published = publishable_review(
        client, org, make_failure(client, org, "Resolved published", status="resolved", **_OVER)["id"]
    )
    r = client.patch(
        f"{API}/reviews/{published['id']}",
        headers=org.headers(Role.practice_manager),
        json={"status": "published"},
    )
    assert r.status_code == 200, r.text
    made["resolved, published"] = published
    return made


def test_the_api_lists_the_reviews_waiting(client: TestClient, org: Org) -> None:
    made = _reviews(client, org)
    waiting = {made[k]["id"] for k in ("resolved, draft", "closed, draft", "resolved, in review")}
    assert set(ids(page(client, org, "/reviews", status="waiting"))) == waiting
    drafts = {made[k]["id"] for k in ("resolved, draft", "closed, draft", "open, draft")}
    assert set(ids(page(client, org, "/reviews", status="draft"))) == drafts
    assert ids(page(client, org, "/reviews", status="published")) == [made["resolved, published"]["id"]]
    r = client.get(f"{API}/reviews", headers=org.headers(Role.viewer), params={"status": "pending"})
    problem = assert_problem(r, 422, "status")
    assert "waiting" in str(problem["errors"])


def test_the_reviews_page_lists_every_review_waiting_and_home_links_to_it(
    client: TestClient, org: Org, pages: Pages
) -> None:
    _reviews(client, org)
    viewer = pages(Role.viewer)
    home = viewer.get("/")
    assert home.status_code == 200
    assert 'href="/reviews?status=waiting"' in home.text
    listed = viewer.get("/reviews?status=waiting")
    assert listed.status_code == 200, listed.text
    for title in ("Resolved draft", "Closed draft", "Resolved in review"):
        assert title in listed.text
    for title in ("Still open draft", "Resolved published"):
        assert title not in listed.text
    assert "Showing 1\u20133 of 3" in listed.text
    everything = viewer.get("/reviews")
    assert "Still open draft" in everything.text and "Resolved published" in everything.text


def test_the_reviews_page_says_what_it_cannot_filter_by(client: TestClient, org: Org, pages: Pages) -> None:
    _reviews(client, org)
    viewer = pages(Role.viewer)
    unknown = viewer.get("/reviews?service=no-such-service")
    assert unknown.status_code == 200
    assert "no-such-service" in unknown.text and "No reviews match." in unknown.text
    bad = viewer.get("/reviews?status=pending")  # dropped, said, and the rest shown
    assert bad.status_code == 200
    assert 'role="alert"' in bad.text and "Still open draft" in bad.text
