"""End to end: a change through the API, its outbox rows, a worker, and what reached real
receivers on loopback (an SMTP server, an HTTP webhook). Both databases."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from broadcast.receivers import SmtpReceiver, WebhookReceiver, text_of, wait_for
from factories import API, make_action, make_failure, publishable_review
from failwell.broadcast.models import Delivery, DeliveryStatus, OutboxEvent
from failwell.broadcast.worker import Worker
from failwell.db import Database, utcnow
from failwell.enums import Role
from support import Org


def channel(client: TestClient, org: Org, name: str, kind: str, url: str, **fields: Any) -> dict[str, Any]:
    r = client.post(
        f"{API}/broadcast/channels",
        headers=org.headers(),
        json={"name": name, "kind": kind, "url": url, **fields},
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def subscribe(client: TestClient, org: Org, role: Role = Role.practice_owner, **body: Any) -> dict[str, Any]:
    r = client.post(f"{API}/broadcast/subscriptions", headers=org.headers(role), json=body)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def publish(client: TestClient, org: Org, failure_id: int) -> dict[str, Any]:
    review = publishable_review(client, org, failure_id)
    r = client.patch(f"{API}/reviews/{review['id']}", headers=org.headers(), json={"status": "published"})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def deliveries(db: Database) -> list[Delivery]:
    with db.session(write=False) as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def test_webhook_receives_reported_failures_with_idempotency_keys(
    client: TestClient, org: Org, db: Database, webhook: WebhookReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "ops-hook", "webhook", webhook.json_url)
    subscribe(client, org, channel="ops-hook", topics=["failure_reported"])
    first = make_failure(client, org, "Card payments time out", severity=2)
    second = make_failure(client, org, "Refunds stuck", severity=4)

    stats = make_worker().drain()
    assert stats.delivered == 2
    calls = webhook.snapshot()
    assert len(calls) == 2
    titles = sorted(c.body["title"] for c in calls)
    assert "Card payments time out" in titles[0] and "Refunds stuck" in titles[1]
    for call in calls:
        assert call.path == "/hook"
        assert call.body["event"] == "failure_reported"
        assert call.headers["Idempotency-Key"] == call.body["idempotency_key"]
        assert call.headers["Idempotency-Key"].startswith("fw-")
    assert len({c.headers["Idempotency-Key"] for c in calls}) == 2
    assert {d.status for d in deliveries(db)} == {DeliveryStatus.delivered}
    assert first["id"] != second["id"]


def test_filters_decide_who_hears(
    client: TestClient, org: Org, db: Database, webhook: WebhookReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "sev", "webhook", webhook.json_url.replace("/hook", "/sev"))
    channel(client, org, "tagged", "webhook", webhook.json_url.replace("/hook", "/tag"))
    channel(client, org, "near", "webhook", webhook.json_url.replace("/hook", "/near"))
    subscribe(client, org, channel="sev", topics=["failure_reported"], filters={"min_severity": 2})
    subscribe(client, org, channel="tagged", topics=["failure_reported"], filters={"tag": "dns"})
    subscribe(
        client,
        org,
        channel="near",
        topics=["failure_reported"],
        filters={"kind": "near_miss", "service": "payments"},
    )
    make_failure(client, org, "Severe", severity=1)
    make_failure(client, org, "Mild with dns", severity=4, tags=["dns"])
    make_failure(client, org, "Near miss elsewhere", kind="near_miss", services=[])
    make_failure(client, org, "Near miss here", kind="near_miss", severity=5)

    make_worker().drain()
    by_path: dict[str, list[str]] = {}
    for call in webhook.snapshot():
        by_path.setdefault(call.path, []).append(call.body["title"])
    assert [t.split(": ", 1)[1].split(" (")[0] for t in by_path["/sev"]] == ["Severe"]
    assert [t.split(": ", 1)[1].split(" (")[0] for t in by_path["/tag"]] == ["Mild with dns"]
    assert [t.split(": ", 1)[1].split(" (")[0] for t in by_path["/near"]] == ["Near miss here"]


def test_owner_team_and_people_get_email_through_the_mail_channel(
    client: TestClient, org: Org, db: Database, smtp: SmtpReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "mail", "email", smtp.mail_url(), for_people=True)
    # The payments team owns the payments service: it hears without subscribing (the default rule).
    failure = make_failure(client, org, "Checkout errors", severity=2)
    publish(client, org, failure["id"])
    make_worker().drain()

    got = smtp.snapshot()
    members = sorted(org.emails.values())
    reported = [m for rcpt, m in got if "Failure reported" in str(m["Subject"])]
    published = [m for rcpt, m in got if "Lesson published" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in reported) == members
    assert sorted(str(m["To"]) for m in published) == members
    plain, html = text_of(published[0])
    assert "Alert on pool usage." in plain and "Alert on pool usage." in html
    assert "<p>" in html and "<p>" not in plain
    keys = {str(m["X-Failwell-Idempotency-Key"]) for _, m in got}
    assert len(keys) == len(got)


def test_default_rule_can_be_switched_off(
    client: TestClient, org: Org, db: Database, smtp: SmtpReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "mail", "email", smtp.mail_url(), for_people=True)
    r = client.patch(f"{API}/broadcast/options", headers=org.headers(), json={"owner_team_default": False})
    assert r.status_code == 200 and r.json()["owner_team_default"] is False
    make_failure(client, org, "Nobody is told")
    make_worker().drain()
    assert smtp.snapshot() == []


def test_team_channel_replaces_member_emails(
    client: TestClient, org: Org, db: Database, smtp: SmtpReceiver, webhook: WebhookReceiver,
    make_worker: Callable[..., Worker],
) -> None:  # fmt: skip
    channel(client, org, "mail", "email", smtp.mail_url(), for_people=True)
    channel(client, org, "payments-room", "webhook", webhook.json_url, team=org.team)
    make_failure(client, org, "Team room only")
    make_worker().drain()
    assert smtp.snapshot() == []
    assert len(webhook.snapshot()) == 1


def test_personal_subscription_and_action_done(
    client: TestClient, org: Org, db: Database, smtp: SmtpReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "mail", "email", smtp.mail_url(), for_people=True)
    client.patch(f"{API}/broadcast/options", headers=org.headers(), json={"owner_team_default": False})
    subscribe(client, org, Role.viewer, topics=["action_done"])
    failure = make_failure(client, org, "Queue backlog")
    action = make_action(client, org, failure["id"], "Add a queue depth alert")
    r = client.post(f"{API}/actions/{action['id']}/done", headers=org.headers(Role.practitioner))
    assert r.status_code == 200
    make_worker().drain()
    got = smtp.snapshot()
    assert [rcpt for rcpt, _ in got] == [[org.emails[Role.viewer]]]
    assert "Add a queue depth alert" in str(got[0][1]["Subject"])


def test_anonymous_reports_stay_anonymous_and_names_can_be_hidden(
    client: TestClient, org: Org, db: Database, webhook: WebhookReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "hook", "webhook", webhook.json_url)
    subscribe(client, org, channel="hook", topics=["failure_reported", "review_published"])
    viewer_name = "Viewer"  # the fixture's name for the viewer
    make_failure(client, org, "Said anonymously", role=Role.viewer, anonymous=True)
    make_failure(client, org, "Said openly", role=Role.viewer)
    make_worker().drain()
    calls = {c.body["title"]: c.body["message"] for c in webhook.snapshot()}
    anonymous = next(m for t, m in calls.items() if "Said anonymously" in t)
    openly = next(m for t, m in calls.items() if "Said openly" in t)
    assert viewer_name not in anonymous and org.emails[Role.viewer] not in anonymous
    assert f"Reported by: {viewer_name}" in openly
    with db.session(write=False) as s:
        stored = [e.text + e.html + str(e.facts) for e in s.scalars(select(OutboxEvent))]
    assert viewer_name not in next(t for t in stored if "Said anonymously" in t)

    r = client.patch(f"{API}/broadcast/options", headers=org.headers(), json={"hide_names": True})
    assert r.status_code == 200
    failure = make_failure(client, org, "Viewer saw it first", role=Role.viewer)
    publish(client, org, failure["id"])
    make_worker().drain()
    later = [c.body for c in webhook.snapshot()][2:]
    assert len(later) == 2
    for body in later:
        assert viewer_name not in body["message"] and viewer_name not in body["title"]
        assert "Practice Owner" not in body["message"]  # the review's author
    assert any("someone saw it first" in b["title"] for b in later)


def test_failing_receiver_is_retried_then_parked_then_retried_by_hand(
    client: TestClient, org: Org, db: Database, webhook: WebhookReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "flaky", "webhook", webhook.json_url)
    subscribe(client, org, channel="flaky", topics=["failure_reported"])
    webhook.status = 500
    started = time.monotonic()
    make_failure(client, org, "Receiver is broken")
    # Reporting never calls a receiver (the worker does, later); the bound only has to tell
    # "did not wait" from a sender's retries, with room for a busy shared machine.
    assert webhook.snapshot() == [], "reporting must not call any receiver"
    assert time.monotonic() - started < 10, "reporting must not wait for any receiver"

    worker = make_worker()
    wait_for(lambda: (worker.run_once(), deliveries(db)[0].status == DeliveryStatus.failed)[1], timeout_s=10)
    [parked] = deliveries(db)
    assert parked.status == DeliveryStatus.failed
    assert parked.attempts == 3
    assert parked.last_error and "500" in parked.last_error
    calls = webhook.snapshot()
    assert len(calls) == 3
    assert len({c.headers["Idempotency-Key"] for c in calls}) == 1

    listed = client.get(
        f"{API}/broadcast/deliveries", headers=org.headers(), params={"status": "failed"}
    ).json()
    assert [d["id"] for d in listed["items"]] == [parked.id]
    assert listed["items"][0]["destination"] == "channel:flaky"

    webhook.status = 200
    r = client.post(f"{API}/broadcast/deliveries/{parked.id}/retry", headers=org.headers())
    assert r.status_code == 200 and r.json()["status"] == "pending"
    worker.drain()
    [done] = deliveries(db)
    assert done.status == DeliveryStatus.delivered
    assert webhook.snapshot()[-1].headers["Idempotency-Key"] == calls[0].headers["Idempotency-Key"]


def test_slow_and_down_receivers_do_not_block_others(
    client: TestClient, org: Org, db: Database, webhook: WebhookReceiver, make_worker: Callable[..., Worker]
) -> None:
    slow = WebhookReceiver(delay_s=12.0)
    try:
        ids = {
            name: channel(client, org, name, "webhook", url)["id"]
            for name, url in (
                ("slow", slow.json_url),
                ("down", "json://127.0.0.1:9/nothing-listens"),
                ("fine", webhook.json_url),
            )
        }
        for name in ids:
            subscribe(client, org, channel=name, topics=["failure_reported"])
        make_failure(client, org, "Three receivers")
        worker = make_worker(send_timeout_s=1.0, max_attempts=2)
        started = time.monotonic()
        worker.run_once()
        # Held to its answer, the worker would wait 12 s; cut at the 1 s timeout it does not.
        assert time.monotonic() - started < 6, "a slow receiver held the worker past the timeout"
        assert len(webhook.snapshot()) == 1
        wait_for(lambda: (worker.run_once(), all(d.status != "pending" for d in deliveries(db)))[1], 15)
        status = {d.channel_id: d.status for d in deliveries(db)}
        assert status == {
            ids["fine"]: DeliveryStatus.delivered,
            ids["slow"]: DeliveryStatus.failed,  # timed out twice: parked, retryable
            ids["down"]: DeliveryStatus.failed,
        }
    finally:
        slow.close()


def test_app_never_blocks_and_loses_nothing_while_a_receiver_is_down(
    client: TestClient, org: Org, db: Database, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "down", "webhook", "json://127.0.0.1:9/nothing")
    subscribe(client, org, channel="down", topics=["failure_reported"])
    started = time.monotonic()
    for i in range(10):
        make_failure(client, org, f"While down {i}")
    assert time.monotonic() - started < 15  # room for a busy shared machine; speed is the bench's
    rows = deliveries(db)
    assert len(rows) == 10 and all(d.status == DeliveryStatus.pending for d in rows)


def test_a_refused_change_queues_nothing(
    client: TestClient, org: Org, db: Database, webhook: WebhookReceiver
) -> None:
    channel(client, org, "hook", "webhook", webhook.json_url)
    subscribe(client, org, channel="hook", topics=["failure_reported"])
    r = client.post(
        f"{API}/failures",
        headers=org.headers(),
        json={"title": "x", "kind": "incident", "services": ["nope"]},
    )
    assert r.status_code == 422
    with db.session(write=False) as s:
        assert s.scalars(select(OutboxEvent)).all() == []


def test_chat_channels_reach_their_servers(
    client: TestClient, org: Org, db: Database, webhook: WebhookReceiver, make_worker: Callable[..., Worker]
) -> None:
    """ntfy and Mattermost speak HTTP, so a loopback server can stand in for theirs."""
    channel(client, org, "ntfy", "ntfy", f"ntfy://127.0.0.1:{webhook.port}/failwell-alerts")
    channel(client, org, "mm", "mattermost", f"mmost://127.0.0.1:{webhook.port}/abcdefghijklmnopqrstuvwxyz")
    for name in ("ntfy", "mm"):
        subscribe(client, org, channel=name, topics=["failure_reported"])
    make_failure(client, org, "Chat servers hear this")
    stats = make_worker().drain()
    assert stats.delivered == 2
    calls = webhook.snapshot()
    bodies = {c.path: c.body for c in calls}
    assert len(calls) == 2
    assert any("Chat servers hear this" in str(body) for body in bodies.values())
    assert all("Chat servers hear this" in str(body) for body in bodies.values()), bodies


def test_recurrence_and_problem_events_are_told(
    client: TestClient, org: Org, db: Database, webhook: WebhookReceiver, make_worker: Callable[..., Worker]
) -> None:
    """The recurrence slice raises these; what it sends is read defensively (ids and a title)."""
    from failwell.authz import SYSTEM
    from failwell.events import PROBLEM_UPDATED, RECURRENCE_DETECTED, DomainEvent, emit

    channel(client, org, "hook", "webhook", webhook.json_url)
    subscribe(client, org, channel="hook", topics=["recurrence_detected", "problem_updated"])
    earlier = make_failure(client, org, "Disk full on ledger")
    again = make_failure(client, org, "Disk full on ledger, again")
    with db.session() as s:
        emit(s, SYSTEM, DomainEvent(RECURRENCE_DETECTED, again["id"], {"earlier_failure_id": earlier["id"]}))
        emit(s, SYSTEM, DomainEvent(PROBLEM_UPDATED, 7, {"title": "Disks fill up", "status": "known_error"}))
    make_worker().drain()
    titles = sorted(c.body["title"] for c in webhook.snapshot())
    assert titles == [
        "[failwell] Happened before: Disk full on ledger, again",
        "[failwell] Problem updated: Disks fill up",
    ]
    from failwell.broadcast.digest import build_digest, week_of

    with db.session(write=False) as s:
        digest = build_digest(s, week_of(utcnow().date()))
    assert [r.title for r in digest.recurrences] == ["Disk full on ledger, again"]
