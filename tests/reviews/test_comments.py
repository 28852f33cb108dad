"""Comments on a review with @mentions: stored, listed, told to the people named through the
broadcast channels, and never revealing an anonymous failure's reporter."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API, assert_problem, make_failure, make_review
from failwell.broadcast.models import Delivery, OutboxEvent
from failwell.db import Database
from failwell.enums import Role
from support import Org

if TYPE_CHECKING:
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
HTMX = {"HX-Request": "true"}


def mail_channel(client: TestClient, org: Org) -> None:
    body = {
        "name": "mail",
        "kind": "email",
        "url": "mailto://127.0.0.1:9?mode=insecure&from=failwell@example.com&to=list@example.com",
        "for_people": True,
    }
    assert client.post(f"{API}/broadcast/channels", headers=org.headers(), json=body).status_code == 201


def told(db: Database) -> list[tuple[str, str]]:
    """(destination, reason) of every delivery of a review comment."""
    with db.session() as s:
        stmt = select(Delivery.destination, Delivery.reason).join(
            OutboxEvent, OutboxEvent.id == Delivery.outbox_id
        )
        return sorted(tuple(r) for r in s.execute(stmt.where(OutboxEvent.topic == "review_commented")))


def test_comment_with_mentions_tells_the_people_named(client: TestClient, org: Org, db: Database) -> None:
    mail_channel(client, org)
    review = make_review(client, org, make_failure(client, org)["id"])
    path = f"{API}/reviews/{review['id']}/comments"
    body = {
        "body": "Could @viewer check the timeline, and @practice.manager@example.com the factors? @nobody"
    }
    made = client.post(path, headers=org.headers(Role.practitioner), json=body)
    assert made.status_code == 201, made.text
    comment = made.json()
    assert comment["author"]["name"] == "Practitioner"
    assert [p["name"] for p in comment["mentions"]] == ["Viewer", "Practice Manager"]
    assert [c["id"] for c in client.get(path, headers=org.headers(Role.viewer)).json()] == [comment["id"]]
    reason = "mentioned in a review comment"
    assert told(db) == [
        (f"email:{org.emails[Role.practice_manager]}", reason),
        (f"email:{org.emails[Role.viewer]}", reason),
    ]

    assert_problem(client.post(path, headers=org.headers(Role.viewer), json=body), 403)
    assert_problem(client.post(path, headers=org.headers(), json={"body": ""}), 422, "body")
    assert_problem(client.get(f"{API}/reviews/999999/comments", headers=org.headers()), 404)


def test_an_anonymous_reporter_stays_anonymous_to_commenters(
    client: TestClient, org: Org, db: Database, pages: Pages
) -> None:
    mail_channel(client, org)
    failure = make_failure(client, org, "Secret outage", role=Role.viewer, anonymous=True)["id"]
    review = make_review(client, org, failure)
    made = client.post(
        f"{API}/reviews/{review['id']}/comments",
        headers=org.headers(Role.practitioner),
        json={"body": "Who reported this? @practice.owner, can you ask?"},
    )
    assert made.status_code == 201
    assert "Viewer" not in made.text
    page = pages(Role.practitioner).get(f"/failures/{failure}/review").text
    assert "Who reported this?" in page and "Viewer" not in page
    with db.session() as s:
        message = s.scalars(select(OutboxEvent).where(OutboxEvent.topic == "review_commented")).one()
        assert "Viewer" not in message.title + message.text + message.html
        assert message.facts["anonymous"] is True and "reporter" not in message.facts


def test_comment_form_on_the_review_page(client: TestClient, org: Org, pages: Pages) -> None:
    failure = make_failure(client, org)["id"]
    review = make_review(client, org, failure)["id"]
    me = pages(Role.practitioner)
    assert 'id="comment_body"' in me.get(f"/failures/{failure}/review").text
    assert 'id="comment_body"' not in pages(Role.viewer).get(f"/failures/{failure}/review").text

    fragment = me.post(f"/reviews/{review}/comments", data={"comment_body": "Ask @viewer"}, headers=HTMX)
    assert fragment.status_code == 200 and "Ask @viewer" in fragment.text and "told Viewer" in fragment.text
    empty = me.post(f"/reviews/{review}/comments", data={"comment_body": "  "}, headers=HTMX)
    assert empty.status_code == 200 and 'id="comment_body-error"' in empty.text
    page = me.post(f"/reviews/{review}/comments", data={"comment_body": ""})
    assert page.status_code == 422 and 'id="comment_body-error"' in page.text
    assert me.post(f"/reviews/{review}/comments", data={"comment_body": "Fine"}).status_code == 303
