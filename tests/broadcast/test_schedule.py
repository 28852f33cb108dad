"""Reminders and weekly digests: who gets them, what they say, and never twice in a period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from broadcast.conftest import FAST
from broadcast.receivers import SmtpReceiver, text_of
from broadcast.test_delivery import channel, publish, subscribe
from factories import API, assert_problem, days_from_today, iso, make_action, make_failure
from failwell.broadcast.digest import week_of
from failwell.broadcast.schedule import run_schedule
from failwell.broadcast.worker import Worker
from failwell.db import Database, utcnow
from failwell.enums import Role
from support import Org


def test_reminders_go_once_per_period_to_the_right_people(
    client: TestClient, org: Org, db: Database, smtp: SmtpReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "mail", "email", smtp.mail_url(), for_people=True)
    client.patch(f"{API}/broadcast/options", headers=org.headers(), json={"owner_team_default": False})
    failure = make_failure(client, org, "Disk filled up")
    make_action(client, org, failure["id"], "Rotate logs", due_date=days_from_today(-2))
    make_action(client, org, failure["id"], "Alert on disk", due_date=days_from_today(2))
    make_action(client, org, failure["id"], "Someday", due_date=days_from_today(30))
    resolved = utcnow() - timedelta(days=10)
    make_failure(
        client, org, "Resolved, never reviewed", status="resolved",
        started_at=iso(resolved - timedelta(hours=2)), resolved_at=iso(resolved),
    )  # fmt: skip

    first = run_schedule(db, FAST)
    assert (first.overdue, first.due_soon, first.reviews) == (1, 1, 1)
    again = run_schedule(db, FAST)
    assert (again.overdue, again.due_soon, again.reviews) == (0, 0, 0)
    make_worker().drain()

    got = smtp.snapshot()
    subjects: dict[str, list[str]] = {}
    for rcpt, msg in got:
        subjects.setdefault(str(msg["Subject"]), []).extend(rcpt)
    team = sorted(org.emails.values())
    overdue = next(s for s in subjects if "overdue" in s)
    assert "Rotate logs" in overdue and sorted(subjects[overdue]) == team
    soon = next(s for s in subjects if "Alert on disk" in s)
    assert sorted(subjects[soon]) == team
    review = next(s for s in subjects if "Review not published" in s)
    assert "Resolved, never reviewed" in review
    assert subjects[review] == [org.emails[Role.practice_manager]]
    assert not any("Someday" in s for s in subjects)

    # A week later: both actions are overdue now, and the unpublished review reminds again.
    later = run_schedule(db, FAST, now=utcnow() + timedelta(days=7))
    assert (later.overdue, later.due_soon, later.reviews) == (2, 0, 1)


def test_weekly_digest_by_email_and_in_the_api(
    client: TestClient, org: Org, db: Database, smtp: SmtpReceiver, make_worker: Callable[..., Worker]
) -> None:
    channel(client, org, "mail", "email", smtp.mail_url(), for_people=True)
    client.patch(f"{API}/broadcast/options", headers=org.headers(), json={"owner_team_default": False})
    subscribe(client, org, Role.viewer, topics=["weekly_digest"])
    first = make_failure(client, org, "Pool exhausted", severity=3)
    second = make_failure(client, org, "Certificate expired", severity=1)
    publish(client, org, first["id"])
    review = publish(client, org, second["id"])
    client.post(f"{API}/reviews/{review['id']}/read", headers=org.headers(Role.viewer))
    action = make_action(client, org, first["id"], "Pool alert")
    client.post(f"{API}/actions/{action['id']}/done", headers=org.headers())
    make_action(client, org, first["id"], "Late one", due_date=days_from_today(-3))

    week = week_of(utcnow().date())
    r = client.get(f"{API}/digests/organisation", headers=org.headers(Role.viewer), params={"week": week})
    assert r.status_code == 200, r.text
    digest = r.json()
    assert (digest["lessons"], digest["actions_done"], digest["actions_overdue"]) == (2, 1, 1)
    assert digest["lesson_of_the_week"] == "Certificate expired"  # the one that was read
    team = client.get(f"{API}/digests/teams/{org.team}", headers=org.headers(), params={"week": week}).json()
    assert team["lessons"] == 2 and team["scope"] == org.team
    other = client.get(f"{API}/digests/teams/{org.other_team}", headers=org.headers(), params={"week": week})
    assert other.json()["lessons"] == 0
    assert_problem(
        client.get(f"{API}/digests/organisation", headers=org.headers(), params={"week": "2026-W99"}), 422
    )

    # The next week's first tick sends last week's digest, once.
    result = run_schedule(db, FAST, now=utcnow() + timedelta(days=7))
    assert result.digests == 2  # the organisation's and the payments team's (the other team's is empty)
    assert run_schedule(db, FAST, now=utcnow() + timedelta(days=7)).digests == 0
    make_worker().drain()
    digests = [(rcpt, m) for rcpt, m in smtp.snapshot() if "Weekly learning digest" in str(m["Subject"])]
    assert [rcpt for rcpt, _ in digests] == [[org.emails[Role.viewer]]]
    plain, html = text_of(digests[0][1])
    assert "Lesson of the week" in html and "Certificate expired" in html
    assert "Certificate expired" in plain and "<h2>" not in plain
    assert "Pool alert" in plain and "Late one" in plain


def test_a_tick_tells_queued_reminders_apart_in_a_few_statements(
    client: TestClient, org: Org, db: Database
) -> None:
    """A large organisation has tens of thousands of reminders already sent this period: the
    tick looks their keys up in chunks, not one statement each (it took seconds, holding the
    in-app worker's thread and the app's CPU, at 100,000 failures)."""
    from sqlalchemy import event, select

    from failwell.broadcast.models import OutboxEvent
    from failwell.broadcast.schedule import KEY_CHUNK, _not_yet_queued

    failure = make_failure(client, org, "Disk filled up")
    make_action(client, org, failure["id"], "Rotate logs", due_date=days_from_today(-2))
    assert run_schedule(db, FAST).overdue == 1
    with db.session() as s:
        # Reminders only: on a Monday or a Tuesday the action (due two days ago) also puts last
        # week's digest on the queue, which has a key of its own.
        sent = s.scalars(select(OutboxEvent.dedupe_key).where(OutboxEvent.dedupe_key.like("remind:%"))).all()
    assert len(sent) == 1
    made_up = [(f"remind:test:{i}", i) for i in range(2 * KEY_CHUNK + 100)]
    keyed = [*made_up[:700], (sent[0], -1), *made_up[700:]]

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as s:
            left = _not_yet_queued(s, keyed)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert left == made_up
    assert sum("outbox" in sql.lower() for sql in statements) == 3


def test_a_tick_queues_at_most_its_share_of_reminders_oldest_first(
    client: TestClient, org: Org, db: Database
) -> None:
    failure = make_failure(client, org, "Disk filled up")
    for title in ("First", "Second", "Third"):
        make_action(client, org, failure["id"], title, due_date=days_from_today(-2))
    two = FAST.model_copy(update={"reminders_per_tick": 2})
    assert run_schedule(db, two).overdue == 2
    assert run_schedule(db, two).overdue == 1  # the rest, on the next tick
    assert run_schedule(db, two).overdue == 0
