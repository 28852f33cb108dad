"""The broadcast pages: subscriptions, feeds, digest, channel and delivery administration, and
the reach fragment the review page includes. Both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from broadcast.test_delivery import channel, publish
from factories import API, make_failure
from failwell.db import Database
from failwell.enums import Role
from support import Org

# The `pages` fixture (tests/conftest.py): a signed-in page client per role.
Pages = Callable[[Role], Any]
SLACK = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"


def test_subscribe_and_unsubscribe_from_the_page(pages: Pages, client: TestClient, org: Org) -> None:
    me = pages(Role.practitioner)
    r = me.get("/subscriptions")
    assert r.status_code == 200 and "My subscriptions" in r.text
    assert "My team payments-team" in r.text
    r = me.post(
        "/subscriptions",
        data={
            "subscriber": f"team:{org.team}",
            "topics": ["review_published", "action_done"],
            "min_severity": "2",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = me.get("/subscriptions")
    assert "SEV2 or worse" in r.text and "A review (lesson) is published" in r.text
    listed = client.get(
        f"{API}/broadcast/subscriptions", headers=org.headers(), params={"team": org.team}
    ).json()
    [sub] = listed["items"]
    assert sub["filters"]["min_severity"] == 2
    r = me.post(f"/subscriptions/{sub['id']}/delete", follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"{API}/broadcast/subscriptions", headers=org.headers()).json()["total"] == 0


def test_subscribe_form_errors_keep_the_input(pages: Pages, org: Org) -> None:
    me = pages(Role.viewer)
    r = me.post("/subscriptions", data={"subscriber": "me", "tag": "Bad tag!"})
    assert r.status_code == 422
    assert "field-error" in r.text and 'value="Bad tag!"' in r.text
    r = me.post("/subscriptions", data={"subscriber": f"team:{org.team}", "topics": ["failure_reported"]})
    assert r.status_code == 403  # a viewer cannot subscribe the team


def test_feed_token_is_shown_once_and_works(pages: Pages, client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, "Pool exhausted")
    publish(client, org, failure["id"])
    me = pages(Role.viewer)
    r = me.post("/subscriptions/feed-token")
    assert r.status_code == 200
    token = r.text.split("shown only now): <code>")[1].split("</code>")[0]
    assert token.startswith("fwf_")
    feed = client.get(f"{API}/feeds/lessons.atom", params={"token": token})
    assert feed.status_code == 200 and "Pool exhausted" in feed.text
    assert token not in me.get("/subscriptions").text


def test_channel_admin_never_shows_the_secret(
    pages: Pages, client: TestClient, org: Org, db: Database
) -> None:
    assert pages(Role.practice_manager).get("/admin/broadcast").status_code == 403
    owner = pages(Role.practice_owner)
    r = owner.post(
        "/admin/broadcast/channels",
        data={"name": "ops", "kind": "slack", "url": SLACK},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = owner.get("/admin/broadcast").text
    assert "ops" in page and "slack://…i7FQ" in page
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in page and "A1BRTD4JD" not in page
    # A refused form does not echo the URL back either.
    r = owner.post("/admin/broadcast/channels", data={"name": "ops", "kind": "slack", "url": SLACK})
    assert r.status_code == 409 and "A1BRTD4JD" not in r.text
    [c] = client.get(f"{API}/broadcast/channels", headers=org.headers()).json()
    assert owner.post(f"/admin/broadcast/channels/{c['id']}/test", follow_redirects=False).status_code == 303
    log = owner.get("/admin/broadcast/deliveries").text
    assert "Test message for channel" in log and "channel:ops" in log
    assert (
        owner.post(f"/admin/broadcast/channels/{c['id']}/toggle", follow_redirects=False).status_code == 303
    )
    assert client.get(f"{API}/broadcast/channels/{c['id']}", headers=org.headers()).json()["enabled"] is False
    r = owner.post("/admin/broadcast/options", data={"hide_names": "true"}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"{API}/broadcast/options", headers=org.headers()).json() == {
        "hide_names": True,
        "owner_team_default": False,
    }


def test_parked_deliveries_are_retried_from_the_log(
    pages: Pages, client: TestClient, org: Org, db: Database
) -> None:
    from sqlalchemy import update

    from failwell.broadcast.models import Delivery, DeliveryStatus

    created = channel(client, org, "hook", "webhook", "json://127.0.0.1:9/x")
    client.post(f"{API}/broadcast/channels/{created['id']}/test", headers=org.headers())
    with db.session() as s:
        s.execute(update(Delivery).values(status=DeliveryStatus.failed, attempts=8, last_error="refused"))
    owner = pages(Role.practice_owner)
    page = owner.get("/admin/broadcast/deliveries?status=failed").text
    assert "refused" in page and "Retry all 1 parked" in page
    [d] = client.get(f"{API}/broadcast/deliveries", headers=org.headers()).json()["items"]
    assert (
        owner.post(f"/admin/broadcast/deliveries/{d['id']}/retry", follow_redirects=False).status_code == 303
    )
    assert (
        client.get(f"{API}/broadcast/deliveries/{d['id']}", headers=org.headers()).json()["status"]
        == "pending"
    )
    manager = pages(Role.practice_manager).get("/admin/broadcast/deliveries").text
    assert "Retry" not in manager.split("<tbody>")[1]


def test_reach_fragment_and_read_button(pages: Pages, client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    draft = client.post(
        f"{API}/failures/{failure['id']}/review", headers=org.headers(), json={"summary": "x"}
    )
    me = pages(Role.viewer)
    assert "once the review is published" in me.get(f"/reviews/{draft.json()['id']}/reach").text
    other = make_failure(client, org, "Published one")
    review = publish(client, org, other["id"])
    fragment = me.get(f"/reviews/{review['id']}/reach")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "I have read this" in fragment.text and "0 people have read it" in fragment.text
    r = me.post(f"/reviews/{review['id']}/read", headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "You have read this" in r.text and "1 person has read it" in r.text
    assert "1 of 4" in r.text and "25%" in r.text
    assert "Viewer" not in r.text  # counts only, never names
    r = me.post(f"/reviews/{review['id']}/unread", headers={"HX-Request": "true"})
    assert "I have read this" in r.text


def test_digest_page(pages: Pages, client: TestClient, org: Org) -> None:
    from failwell.broadcast.digest import week_of
    from failwell.db import utcnow

    failure = make_failure(client, org, "Certificate expired")
    publish(client, org, failure["id"])
    me = pages(Role.viewer)
    r = me.get(f"/digest?week={week_of(utcnow().date())}")
    assert r.status_code == 200
    assert "Lesson of the week" in r.text and "Certificate expired" in r.text
    r = me.get(f"/digest?week=2026-W99&team={org.team}")
    assert r.status_code == 200 and "Showing last week instead" in r.text
