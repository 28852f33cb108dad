"""What the audit trail records, by whom, with before/after and secrets masked. Both databases."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from audit.helpers import entries, last
from broadcast.test_delivery import channel, publish, subscribe
from factories import API, assert_problem, make_failure
from failwell.audit.capture import MASK, subject_words
from failwell.db import Database
from failwell.enums import Role
from support import Org, PageClient

SLACK = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"


def test_token_creation_records_the_token_actor_and_never_the_secret(
    client: TestClient, org: Org, db: Database
) -> None:
    r = client.post(f"{API}/tokens", headers=org.headers(Role.practitioner), json={"name": "ci"})
    assert r.status_code == 201, r.text
    created = r.json()
    entry = last(db, subject_type="api_token", action="created")
    assert entry["subject_id"] == str(created["id"])
    assert entry["actor_kind"] == "token"
    assert entry["actor_person_id"] == org.actors[Role.practitioner].person_id
    assert entry["token_id"] is not None
    assert entry["changes"]["name"] == [None, "ci"]
    assert entry["summary"] == "API token 'ci' created"  # not "Api token"
    assert "token_hash" not in entry["changes"]
    text = json.dumps(entries(db))
    assert created["token"] not in text

    r = client.delete(f"{API}/tokens/{created['id']}", headers=org.headers(Role.practitioner))
    assert r.status_code == 200, r.text
    revoked = last(db, subject_type="api_token", action="updated")
    before, after = revoked["changes"]["revoked_at"]
    assert before is None and after


def test_role_change_has_before_and_after(client: TestClient, org: Org, db: Database) -> None:
    viewer = org.actors[Role.viewer].person_id
    r = client.patch(f"{API}/people/{viewer}", headers=org.headers(), json={"role": "practitioner"})
    assert r.status_code == 200, r.text
    entry = last(db, subject_type="person", action="updated")
    assert entry["subject_id"] == str(viewer)
    assert entry["changes"] == {"role": ["viewer", "practitioner"]}
    assert entry["actor_name"] == org.actors[Role.practice_owner].name
    assert "Viewer" in entry["summary"]


def test_channel_secret_is_masked_on_create_and_change(client: TestClient, org: Org, db: Database) -> None:
    created = channel(client, org, "alerts", "slack", SLACK)
    entry = last(db, subject_type="channel", action="created")
    assert entry["changes"]["secret_url"] == [None, MASK]
    assert entry["changes"]["name"] == [None, "alerts"]
    r = client.patch(
        f"{API}/broadcast/channels/{created['id']}",
        headers=org.headers(),
        json={"url": "slack://T1/A2/newsecretvalue99", "enabled": False},
    )
    assert r.status_code == 200, r.text
    entry = last(db, subject_type="channel", action="updated")
    assert entry["changes"]["secret_url"] == [MASK, "changed"]
    assert entry["changes"]["enabled"] == [True, False]
    everything = json.dumps(entries(db))
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in everything and "newsecretvalue99" not in everything
    assert client.delete(f"{API}/broadcast/channels/{created['id']}", headers=org.headers()).status_code < 300
    deleted = last(db, subject_type="channel", action="deleted")
    assert "secret_url" not in deleted["changes"]
    assert deleted["changes"]["name"] == ["alerts", None]


def test_integration_secret_is_masked(client: TestClient, org: Org, db: Database) -> None:
    r = client.post(f"{API}/integrations", headers=org.headers(), json={"kind": "generic", "name": "ci-hook"})
    assert r.status_code == 201, r.text
    secret = r.json()["secret"]
    entry = last(db, subject_type="integration", action="created")
    assert entry["changes"]["secret_sealed"] == [None, MASK]
    r = client.patch(
        f"{API}/integrations/{r.json()['id']}", headers=org.headers(), json={"rotate_secret": True}
    )
    assert r.status_code == 200, r.text
    rotated = last(db, subject_type="integration", action="updated")
    assert rotated["changes"]["secret_sealed"] == [MASK, "changed"]
    everything = json.dumps(entries(db))
    assert secret not in everything and r.json()["secret"] not in everything


def test_subscription_recorded(client: TestClient, org: Org, db: Database) -> None:
    sub = subscribe(client, org, Role.practitioner, topics=["failure_reported"])
    entry = last(db, subject_type="subscription", action="created")
    assert entry["subject_id"] == str(sub["id"])
    assert entry["changes"]["topics"] == [None, ["failure_reported"]]
    assert entry["actor_person_id"] == org.actors[Role.practitioner].person_id


def test_publish_and_delete_recorded(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    review = publish(client, org, failure["id"])
    published = last(db, action="published")
    assert published["subject_type"] == "review" and published["subject_id"] == str(review["id"])
    assert published["changes"]["status"][1] == "published"
    r = client.patch(f"{API}/reviews/{review['id']}", headers=org.headers(), json={"status": "in_review"})
    assert r.status_code == 200, r.text
    unpublished = last(db, action="unpublished")
    assert unpublished["changes"]["status"] == ["published", "in_review"]
    assert client.delete(f"{API}/failures/{failure['id']}", headers=org.headers()).status_code == 204
    deleted = last(db, subject_type="failure", action="deleted")
    assert deleted["subject_id"] == str(failure["id"])
    assert deleted["changes"]["title"] == ["Checkout errors", None]
    assert deleted["actor_person_id"] == org.actors[Role.practice_owner].person_id


def test_refusal_recorded_though_the_request_rolled_back(client: TestClient, org: Org, db: Database) -> None:
    viewer = org.actors[Role.viewer]
    assert_problem(
        client.patch(
            f"{API}/people/{viewer.person_id}", headers=org.headers(Role.viewer), json={"role": "viewer"}
        ),
        403,
    )
    [entry] = entries(db, action="refused")  # once, though both the unit of work and the app saw it
    assert entry["actor_person_id"] == viewer.person_id
    assert entry["actor_kind"] == "token"
    assert entry["request_method"] == "PATCH"
    assert entry["request_path"] == f"/api/v1/people/{viewer.person_id}"
    assert entry["summary"]
    # Strangers are answered before anyone is known, and are not recorded.
    before = len(entries(db))
    assert client.get(f"{API}/audit", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert len(entries(db)) == before


def test_anonymous_report_records_nobody(client: TestClient, org: Org, db: Database) -> None:
    named = make_failure(client, org, "Named report", role=Role.practitioner)
    entry = last(db, subject_type="failure", action="reported", subject_id=str(named["id"]))
    assert entry["actor_person_id"] == org.actors[Role.practitioner].person_id

    written_before = len(entries(db))
    anonymous = make_failure(client, org, "Quiet report", role=Role.practitioner, anonymous=True)
    entry = last(db, subject_type="failure", subject_id=str(anonymous["id"]))
    assert entry["actor_kind"] == "anonymous"
    assert entry["actor_person_id"] is None and entry["token_id"] is None and entry["actor_name"] == ""
    assert entry["request_method"] is None and entry["request_path"] is None
    person = org.actors[Role.practitioner]
    assert person.name not in json.dumps(entry) and org.emails[Role.practitioner] not in json.dumps(entry)
    # Nothing else written by that request names the reporter either.
    assert entries(db)[written_before:] == [entry]


def test_anonymous_report_from_the_page_records_nobody(
    pages: Callable[[Role], PageClient], org: Org, db: Database
) -> None:
    page = pages(Role.practitioner)
    form = {"title": "Page quiet report", "kind": "incident", "services": org.service, "anonymous": "on"}
    r = page.post("/failures/new", data=form)
    assert r.status_code in (200, 303), r.text
    entry = last(db, subject_type="failure", action="reported")
    assert (
        entry["actor_kind"] == "anonymous" and entry["actor_person_id"] is None and entry["token_id"] is None
    )


def test_subject_types_read_as_words() -> None:
    assert subject_words("api_token") == "API token"
    assert subject_words("sso_claim_rule") == "SSO claim rule"
    assert subject_words("award_panel_member") == "Award panel member"
