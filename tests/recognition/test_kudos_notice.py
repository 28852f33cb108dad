"""A thank-you reaches the person or team thanked, and no one else; the anonymous reporter of a
report is never told (nothing leads from the report to a person)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from broadcast.test_delivery import channel, subscribe
from factories import API, make_failure, person_id
from failwell.broadcast.models import Delivery, OutboxEvent
from failwell.db import Database
from failwell.enums import Role
from recognition.helpers import kudos, team_id
from support import Org

# Nothing is sent here (no worker runs): the deliveries show to whom it would go.
MAIL = "mailto://127.0.0.1:2525?mode=insecure&from=failwell@example.com&to=list@example.com"


def _notices(db: Database) -> list[tuple[str, list[str]]]:
    with db.session(write=False) as s:
        events = s.scalars(
            select(OutboxEvent).where(OutboxEvent.topic == "kudos_received").order_by(OutboxEvent.id)
        ).all()
        return [
            (e.title, sorted(s.scalars(select(Delivery.destination).where(Delivery.outbox_id == e.id))))
            for e in events
        ]


def test_the_person_thanked_is_told_and_subscribers_are_not(
    client: TestClient, org: Org, db: Database
) -> None:
    channel(client, org, "mail", "email", MAIL, for_people=True)
    # Subscribing to the topic itself brings no one else's thank-you notes.
    subscribe(client, org, Role.viewer, topics=["kudos_received", "award_announced"])
    failure = make_failure(client, org, "Cache stampede", role=Role.practitioner)
    practitioner = person_id(client, org, Role.practitioner)
    kudos(
        client, org, Role.practice_manager,
        recipient_kind="person", person_id=practitioner, thanked_kind="failure", thanked_id=failure["id"],
        message="Your report let us fix the cache before the sale",
    )  # fmt: skip
    ((title, destinations),) = _notices(db)
    manager = client.get(f"{API}/people/me", headers=org.headers(Role.practice_manager)).json()["name"]
    assert title == f"[failwell] {manager} thanks you"
    assert destinations == [f"email:{org.emails[Role.practitioner]}"]


def test_a_team_thanked_is_told_as_a_team(client: TestClient, org: Org, db: Database) -> None:
    channel(client, org, "mail", "email", MAIL, for_people=True)
    failure = make_failure(client, org, "Queue backlog")
    kudos(client, org, recipient_kind="team", team_id=team_id(client, org), thanked_kind="failure",
          thanked_id=failure["id"])  # fmt: skip
    ((title, destinations),) = _notices(db)
    assert title.endswith(f"thanks team {org.team}")
    assert destinations  # the team's members, through the channel for people


def test_the_anonymous_reporter_is_never_told(client: TestClient, org: Org, db: Database) -> None:
    channel(client, org, "mail", "email", MAIL, for_people=True)
    failure = make_failure(
        client, org, "Almost deleted prod", role=Role.practitioner, anonymous=True, kind="near_miss"
    )
    kudos(client, org, Role.practice_manager, recipient_kind="anonymous_reporter", thanked_kind="failure",
          thanked_id=failure["id"])  # fmt: skip
    assert _notices(db) == []
