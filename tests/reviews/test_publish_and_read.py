"""A practice manager publishes straight from draft; a published review opens to be read."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from factories import API, assert_problem, make_failure, make_review
from failwell.enums import Role
from support import Org

if TYPE_CHECKING:
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
WRITTEN = {"summary": "Pool ran out", "lessons_learned": "Alert on pool usage"}


def test_api_publishes_from_draft_for_practice_managers_only(client: TestClient, org: Org) -> None:
    review = make_review(client, org, make_failure(client, org)["id"], **WRITTEN)
    path = f"{API}/reviews/{review['id']}"
    refused = client.patch(path, headers=org.headers(Role.practitioner), json={"status": "published"})
    assert_problem(refused, 403)
    published = client.patch(path, headers=org.headers(Role.practice_manager), json={"status": "published"})
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["published_at"]


def test_draft_offers_publish_and_the_published_review_opens_to_be_read(
    client: TestClient, org: Org, pages: Pages
) -> None:
    failure = make_failure(client, org)["id"]
    review = make_review(client, org, failure, **WRITTEN)
    manager = pages(Role.practice_manager)
    draft = manager.get(f"/failures/{failure}/review").text
    assert 'name="to_status" value="published"' in draft
    assert 'value="published"' not in pages(Role.practitioner).get(f"/failures/{failure}/review").text

    data = {**WRITTEN, "to_status": "published"}
    assert manager.post(f"/reviews/{review['id']}/save", data=data).status_code == 303

    read = manager.get(f"/failures/{failure}/review").text
    assert 'id="review-form"' not in read and "Alert on pool usage" in read
    assert f'href="/failures/{failure}/review?edit=1"' in read and "Edit the review" in read
    editing = manager.get(f"/failures/{failure}/review?edit=1").text
    assert 'id="review-form"' in editing and "Save changes" in editing
    # Those who may not change it read it, with no Edit button.
    practitioner = pages(Role.practitioner).get(f"/failures/{failure}/review?edit=1").text
    assert 'id="review-form"' not in practitioner and "Edit the review" not in practitioner
    assert "Read the review" in manager.get(f"/failures/{failure}").text
