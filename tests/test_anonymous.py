"""Anonymous reporting: an anonymous report stores nothing that identifies the reporter.

Checked where it matters, in the stored row itself, not only in what the API shows.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API, page
from failwell.authz import SYSTEM
from failwell.db import Database
from failwell.enums import FailureKind, Role
from failwell.failures import service as failures
from failwell.failures.models import Failure, TimelineEvent
from failwell.failures.schemas import FailureIn
from failwell.people import service as people
from failwell.people import tokens
from failwell.people.schemas import PersonIn, TokenIn
from support import Org

NAME = "Quillon Marchbanks"
EMAIL = "quillon.marchbanks@example.com"


def _reporter(db: Database) -> tuple[int, str, dict[str, str]]:
    """A viewer with a distinctive name: the id, the token prefix, and auth headers."""
    with db.session() as s:
        person = people.create_person(s, SYSTEM, PersonIn(name=NAME, email=EMAIL, role=Role.viewer))
        token, secret = tokens.create_token(s, people.actor_for(person), TokenIn(name="phone"))
        return person.id, token.prefix, {"Authorization": f"Bearer {secret}"}


def _row(db: Database, failure_id: int) -> dict[str, Any]:
    with db.session(write=False) as s:
        row = s.execute(select(Failure.__table__).where(Failure.__table__.c.id == failure_id)).one()
    return dict(row._mapping)


def _assert_nothing_identifies(db: Database, failure_id: int, reporter_id: int, prefix: str) -> None:
    row = _row(db, failure_id)
    assert row["reporter_id"] is None
    assert row["anonymous"] is True
    table = Failure.__table__
    for column in table.columns:
        value = row[column.name]
        if any(fk.column.table.name == "people" for fk in column.foreign_keys):
            assert value is None, f"{column.name} points at a person"
        if isinstance(value, str):
            lowered = value.lower()
            for secret in (NAME.lower(), "quillon", "marchbanks", EMAIL, prefix.lower()):
                assert secret not in lowered, f"{column.name} holds {secret!r}"
        if isinstance(value, int) and not isinstance(value, bool) and column.name not in ("id", "severity"):
            assert value != reporter_id, f"{column.name} holds the reporter's id"
    # Nothing else written along with the report points back at the reporter.
    with db.session(write=False) as s:
        authors = s.scalars(
            select(TimelineEvent.author_id).where(TimelineEvent.failure_id == failure_id)
        ).all()
    assert reporter_id not in authors


def test_anonymous_and_named_reports(client: TestClient, org: Org, db: Database) -> None:
    reporter_id, prefix, headers = _reporter(db)
    r = client.post(
        f"{API}/failures",
        headers=headers,
        json={
            "title": "Someone pushed config straight to production",
            "kind": "near_miss",
            "anonymous": True,
            "services": [org.service],
            "description": "Caught by the canary.",
            "tags": ["config"],
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["reporter"] is None and body["anonymous"] is True
    assert NAME not in r.text and EMAIL not in r.text and prefix not in r.text

    _assert_nothing_identifies(db, body["id"], reporter_id, prefix)

    # Every later read shows no reporter, including to the practice owner.
    got = client.get(f"{API}/failures/{body['id']}", headers=org.headers())
    assert got.json()["reporter"] is None and got.json()["anonymous"] is True
    listed = page(client, org, "/failures")["items"]
    assert [(f["id"], f["reporter"]) for f in listed] == [(body["id"], None)]
    assert NAME not in got.text and NAME not in client.get(f"{API}/failures", headers=org.headers()).text

    # Editing the report later does not attach anyone to it.
    r = client.patch(
        f"{API}/failures/{body['id']}",
        headers=org.headers(Role.practitioner),
        json={"severity": 2, "status": "resolved"},
    )
    assert r.status_code == 200 and r.json()["reporter"] is None
    _assert_nothing_identifies(db, body["id"], reporter_id, prefix)

    # A named report, by the same person, keeps the reporter.
    r = client.post(f"{API}/failures", headers=headers, json={"title": "Queue stuck", "kind": "incident"})
    assert r.status_code == 201, r.text
    assert r.json()["reporter"] == {"id": reporter_id, "name": NAME} and r.json()["anonymous"] is False
    row = _row(db, r.json()["id"])
    assert row["reporter_id"] == reporter_id and row["anonymous"] is False
    got = client.get(f"{API}/failures/{r.json()['id']}", headers=org.headers(Role.viewer)).json()
    assert got["reporter"] == {"id": reporter_id, "name": NAME}

    explicit = client.post(
        f"{API}/failures",
        headers=headers,
        json={"title": "Disk filling", "kind": "incident", "anonymous": False},
    )
    assert explicit.status_code == 201 and explicit.json()["reporter"]["id"] == reporter_id


def test_anonymous_report_through_the_service_layer(db: Database, org: Org) -> None:
    reporter_id, prefix, _ = _reporter(db)
    with db.session(write=False) as s:
        actor = people.actor_for(people.get_person(s, reporter_id))
    with db.session() as s:
        failure = failures.report_failure(
            s,
            actor,
            FailureIn(title="Certificate almost expired", kind=FailureKind.near_miss, anonymous=True),
        )
        failure_id = failure.id
        assert failures.failure_out(failure).reporter is None
    _assert_nothing_identifies(db, failure_id, reporter_id, prefix)
    with db.session() as s:
        named = failures.report_failure(s, actor, FailureIn(title="Named", kind=FailureKind.incident))
        assert named.reporter_id == reporter_id
