"""The broadcast API: channels (secrets never shown), subscriptions and who may manage them,
the delivery log, options, reach, digests and Atom feeds. Both databases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from broadcast.test_delivery import channel, publish, subscribe
from factories import API, assert_problem, make_failure, make_team
from failwell.broadcast.config import get_broadcast_settings
from failwell.broadcast.models import Channel
from failwell.broadcast.secrets import new_key
from failwell.db import Database
from failwell.enums import Role
from support import Org

SLACK = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_channel_secrets_are_never_shown(client: TestClient, org: Org, db: Database) -> None:
    created = channel(client, org, "alerts", "slack", SLACK)
    assert created["url_hint"] == "slack://…i7FQ"
    assert created["encrypted"] is False
    for r in (
        client.get(f"{API}/broadcast/channels", headers=org.headers()),
        client.get(f"{API}/broadcast/channels/{created['id']}", headers=org.headers(Role.viewer)),
        client.patch(
            f"{API}/broadcast/channels/{created['id']}", headers=org.headers(), json={"enabled": False}
        ),
    ):
        assert r.status_code == 200, r.text
        assert "TIiajkdnlazkcOXrIdevi7FQ" not in r.text and "A1BRTD4JD" not in r.text
    with db.session(write=False) as s:
        stored = s.scalar(select(Channel.secret_url))
    assert stored == "plain:" + SLACK  # no key configured: stored as given, never shown


def test_channel_urls_are_encrypted_with_a_key(
    client: TestClient, org: Org, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILWELL_BROADCAST_SECRET_KEYS", new_key())
    get_broadcast_settings.cache_clear()
    created = channel(client, org, "alerts", "slack", SLACK)
    assert created["encrypted"] is True
    with db.session(write=False) as s:
        stored = s.scalar(select(Channel.secret_url))
    assert stored is not None and stored.startswith("enc:") and "A1BRTD4JD" not in stored


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("slack", "json://127.0.0.1/x"),  # the wrong kind of URL
        ("webhook", "https://example.com/hook"),  # apprise's JSON webhook is json:// or jsons://
        ("email", "mailto://"),  # not a usable address
    ],
)
def test_bad_channel_urls_are_refused(client: TestClient, org: Org, kind: str, url: str) -> None:
    r = client.post(
        f"{API}/broadcast/channels", headers=org.headers(), json={"name": "x", "kind": kind, "url": url}
    )
    assert_problem(r, 422, "url")


def test_only_practice_owners_configure_channels(client: TestClient, org: Org) -> None:
    body = {"name": "x", "kind": "slack", "url": SLACK}
    r = client.post(f"{API}/broadcast/channels", headers=org.headers(Role.practice_manager), json=body)
    assert_problem(r, 403)
    r = client.post(f"{API}/broadcast/channels", headers=org.headers(), json={**body, "for_people": True})
    assert_problem(r, 422, "for_people")
    channel(client, org, "x", "slack", SLACK)
    assert_problem(client.post(f"{API}/broadcast/channels", headers=org.headers(), json=body), 409, "name")


def test_all_channel_kinds_are_accepted(client: TestClient, org: Org) -> None:
    urls = {
        "email": "mailtos://user:pass@smtp.example.com?from=fw@example.com",
        "slack": SLACK,
        "msteams": "workflows://prod-00.westus.logic.azure.com:443/workflow1/signature2",
        "mattermost": "mmosts://chat.example.com/abcdefghijkl",
        "discord": "discord://123456/abcdefg",
        "gchat": "gchat://workspace/key/token",
        "ntfy": "ntfys://ntfy.example.com/failwell",
        "webhook": "jsons://hooks.example.com/failwell",
    }
    for kind, url in urls.items():
        channel(client, org, f"c-{kind}", kind, url)
    names = [c["kind"] for c in client.get(f"{API}/broadcast/channels", headers=org.headers()).json()]
    assert sorted(names) == sorted(urls)


def test_subscription_permissions(client: TestClient, org: Org) -> None:
    make_team(client, org, "elsewhere")
    channel(client, org, "ops", "slack", SLACK)
    mine = subscribe(client, org, Role.viewer, topics=["review_published"])
    assert mine["subscriber_kind"] == "person" and mine["subscriber"] == "Viewer"
    # A viewer may not subscribe someone else, a team, or a channel.
    for body in (
        {"person": org.emails[Role.practitioner], "topics": ["failure_reported"]},
        {"team": org.team, "topics": ["failure_reported"]},
        {"channel": "ops", "topics": ["failure_reported"]},
    ):
        r = client.post(f"{API}/broadcast/subscriptions", headers=org.headers(Role.viewer), json=body)
        assert_problem(r, 403)
    # A practitioner may subscribe their own team, not another.
    subscribe(client, org, Role.practitioner, team=org.team, topics=["failure_reported"])
    r = client.post(
        f"{API}/broadcast/subscriptions",
        headers=org.headers(Role.practitioner),
        json={"team": "elsewhere", "topics": ["failure_reported"]},
    )
    assert_problem(r, 403)
    subscribe(client, org, Role.practice_manager, channel="ops", topics=["recurrence_detected"])
    # Others cannot see, change or remove a personal subscription.
    assert_problem(
        client.get(f"{API}/broadcast/subscriptions/{mine['id']}", headers=org.headers(Role.practitioner)), 404
    )
    assert (
        client.get(
            f"{API}/broadcast/subscriptions/{mine['id']}", headers=org.headers(Role.viewer)
        ).status_code
        == 200
    )
    r = client.delete(f"{API}/broadcast/subscriptions/{mine['id']}", headers=org.headers(Role.practitioner))
    assert_problem(r, 403)
    r = client.patch(
        f"{API}/broadcast/subscriptions/{mine['id']}",
        headers=org.headers(Role.viewer),
        json={"topics": ["action_done"], "filters": {"min_severity": 2}},
    )
    assert r.status_code == 200 and r.json()["topics"] == ["action_done"]
    assert r.json()["filters"]["min_severity"] == 2
    listed = client.get(
        f"{API}/broadcast/subscriptions", headers=org.headers(Role.viewer), params={"mine": True}
    )
    assert {s["subscriber"] for s in listed.json()["items"]} == {"Viewer", org.team}
    r = client.delete(f"{API}/broadcast/subscriptions/{mine['id']}", headers=org.headers(Role.viewer))
    assert r.status_code == 204


def test_subscriptions_filter_by_topic_before_paging(client: TestClient, org: Org) -> None:
    channel(client, org, "ops", "slack", SLACK)
    subscribe(client, org, Role.viewer, topics=["review_published"])
    subscribe(client, org, Role.practitioner, topics=["failure_reported", "review_unpublished"])
    subscribe(client, org, Role.practitioner, team=org.team, topics=["action_done", "review_published"])
    subscribe(client, org, Role.practice_manager, channel="ops", topics=["recurrence_detected"])
    subscribe(client, org, Role.practice_manager, topics=["review_published"])
    seen = []
    for offset in (0, 2):
        r = client.get(
            f"{API}/broadcast/subscriptions",
            headers=org.headers(),
            params={"topic": "review_published", "limit": 2, "offset": offset},
        )
        assert r.status_code == 200, r.text
        assert r.json()["total"] == 3 and r.json()["total_exact"] is True
        seen += r.json()["items"]
    assert len(seen) == 3 and all("review_published" in s["topics"] for s in seen)


def test_subscription_input_is_checked(client: TestClient, org: Org) -> None:
    cases = [
        ({"topics": []}, "topics"),
        ({"topics": ["everything"]}, "topics[0]"),
        ({"topics": ["failure_reported"], "filters": {"service": "nope"}}, "filters.service"),
        ({"topics": ["failure_reported"], "filters": {"factor": "nope"}}, "filters.factor"),
        ({"topics": ["failure_reported"], "filters": {"min_severity": 9}}, "filters.min_severity"),
        ({"team": org.team, "channel": "x", "topics": ["failure_reported"]}, "channel"),
        ({"channel": "missing", "topics": ["failure_reported"]}, "channel"),
    ]
    for body, field in cases:
        r = client.post(f"{API}/broadcast/subscriptions", headers=org.headers(), json=body)
        assert_problem(r, 422, field)
    sub = subscribe(
        client,
        org,
        topics=["failure_reported", "review_published"],
        filters={
            "service": "payments",
            "team": org.team,
            "kind": "incident",
            "factor": "capacity",
            "tag": "DNS",
        },
    )
    assert sub["filters"] == {
        "service": "payments",
        "team": org.team,
        "kind": "incident",
        "min_severity": None,
        "factor": "capacity",
        "tag": "dns",
    }


def test_delivery_log_is_for_managers_and_retry_for_owners(client: TestClient, org: Org) -> None:
    assert_problem(client.get(f"{API}/broadcast/deliveries", headers=org.headers(Role.practitioner)), 403)
    assert (
        client.get(f"{API}/broadcast/deliveries", headers=org.headers(Role.practice_manager)).status_code
        == 200
    )
    counts = client.get(f"{API}/broadcast/deliveries/counts", headers=org.headers()).json()
    assert counts == {"pending": 0, "sending": 0, "delivered": 0, "failed": 0}
    assert_problem(
        client.post(f"{API}/broadcast/deliveries/retry-failed", headers=org.headers(Role.practice_manager)),
        403,
    )
    created = channel(client, org, "hook", "webhook", "json://127.0.0.1:9/x")
    r = client.post(f"{API}/broadcast/channels/{created['id']}/test", headers=org.headers())
    assert r.status_code == 202 and r.json()["deliveries"] == 1
    listed = client.get(
        f"{API}/broadcast/deliveries", headers=org.headers(), params={"event_id": r.json()["event_id"]}
    ).json()
    [delivery] = listed["items"]
    assert delivery["status"] == "pending" and delivery["destination"] == "channel:hook"
    # Only a parked delivery can be retried.
    assert_problem(
        client.post(f"{API}/broadcast/deliveries/{delivery['id']}/retry", headers=org.headers()), 409
    )


def test_reach_counts_readers_by_team_and_never_lists_people(client: TestClient, org: Org) -> None:
    make_team(client, org, "observers")
    failure = make_failure(client, org)
    review = publish(client, org, failure["id"])
    for role in (Role.viewer, Role.practitioner):
        r = client.post(f"{API}/reviews/{review['id']}/read", headers=org.headers(role))
        assert r.status_code == 200, r.text
    r = client.post(f"{API}/reviews/{review['id']}/read", headers=org.headers(Role.viewer))  # twice: once
    reach = r.json()
    assert reach["readers"] == 2 and reach["read_by_me"] is True
    payments = next(t for t in reach["teams"] if t["team"] == org.team)
    assert payments == {"team": org.team, "members": 4, "readers": 2, "share": 0.5}
    assert all(set(t) == {"team", "members", "readers", "share"} for t in reach["teams"])
    other = client.get(f"{API}/reviews/{review['id']}/reach", headers=org.headers(Role.practice_owner)).json()
    assert other["read_by_me"] is False
    r = client.delete(f"{API}/reviews/{review['id']}/read", headers=org.headers(Role.viewer))
    assert r.json()["readers"] == 1
    draft = make_failure(client, org, "Not reviewed yet")
    rv = client.post(
        f"{API}/failures/{draft['id']}/review", headers=org.headers(), json={"summary": "x"}
    ).json()
    assert_problem(client.post(f"{API}/reviews/{rv['id']}/read", headers=org.headers()), 409)
    assert_problem(client.get(f"{API}/reviews/999999/reach", headers=org.headers()), 404)


def test_options_are_read_by_all_and_set_by_owners(client: TestClient, org: Org) -> None:
    r = client.get(f"{API}/broadcast/options", headers=org.headers(Role.viewer))
    assert r.json() == {"hide_names": False, "owner_team_default": True}
    assert_problem(
        client.patch(
            f"{API}/broadcast/options", headers=org.headers(Role.practice_manager), json={"hide_names": True}
        ),
        403,
    )
    r = client.patch(f"{API}/broadcast/options", headers=org.headers(), json={"hide_names": True})
    assert r.json() == {"hide_names": True, "owner_team_default": True}


def test_feeds_need_a_feed_token_and_list_published_lessons(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, "Pool exhausted")
    publish(client, org, failure["id"])
    make_failure(client, org, "No review yet")

    assert_problem(client.get(f"{API}/feeds/lessons.atom", params={"token": "fwf_wrong"}), 401)
    created = client.post(f"{API}/feeds/tokens", headers=org.headers(Role.viewer))
    assert created.status_code == 201
    token = created.json()["token"]
    assert token in created.json()["feeds"]["organisation"]

    for path in (
        "/feeds/lessons.atom",
        f"/feeds/services/{org.service}.atom",
        f"/feeds/teams/{org.team}.atom",
    ):
        r = client.get(f"{API}{path}", params={"token": token})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/atom+xml")
        feed = ET.fromstring(r.content)
        titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
        assert titles == ["Pool exhausted"], (path, titles)
        content = feed.find(f"{ATOM}entry/{ATOM}content")
        assert content is not None and "Alert on pool usage." in (content.text or "")
    other = client.get(f"{API}/feeds/teams/{org.other_team}.atom", params={"token": token})
    assert ET.fromstring(other.content).findall(f"{ATOM}entry") == []

    tokens = client.get(f"{API}/feeds/tokens", headers=org.headers(Role.viewer)).json()
    assert [t["prefix"] for t in tokens] == [token[:12]] and "token" not in tokens[0]
    client.delete(f"{API}/feeds/tokens/{tokens[0]['id']}", headers=org.headers(Role.viewer))
    assert_problem(client.get(f"{API}/feeds/lessons.atom", params={"token": token}), 401)
