"""The capture itself, through the services: collections by name, passwords masked, the
system as the actor when nobody said, and the registry's one-line registration."""

from __future__ import annotations

import json

import pytest

from audit.helpers import entries, last
from failwell.audit.capture import MASK
from failwell.audit.registry import register, subject_types
from failwell.authz import SYSTEM, act_as
from failwell.db import Database
from failwell.enums import Role
from failwell.people import service as people
from failwell.people.models import WebSession
from failwell.people.schemas import PersonIn, PersonUpdate
from support import Org


def test_teams_by_name_and_password_masked(db: Database, org: Org) -> None:
    owner = org.actors[Role.practice_owner]
    with db.session() as s:
        act_as(s, owner)
        person = people.create_person(
            s,
            owner,
            PersonIn(name="Grace", email="grace@example.com", password="a long passphrase", teams=[]),
        )
        grace = person.id
    created = last(db, subject_type="person", action="created")
    assert created["changes"]["password_hash"] == [None, MASK]
    assert created["actor_kind"] == "person" and created["actor_person_id"] == owner.person_id
    with db.session() as s:
        act_as(s, owner)
        people.update_person(
            s, owner, grace, PersonUpdate(teams=["platform", "payments-team"], password="another passphrase")
        )
    # One save may be flushed in two steps (a query in between flushes what came before).
    changes: dict[str, object] = {}
    for e in entries(db, subject_type="person", action="updated", subject_id=str(grace)):
        changes.update(e["changes"])
    assert changes["teams"] == [[], ["payments-team", "platform"]]
    assert changes["password_hash"] == [MASK, "changed"]
    assert "argon2" not in json.dumps(entries(db))


def test_nobody_said_who_means_the_system(db: Database, org: Org) -> None:
    with db.session() as s:
        people.update_person(s, SYSTEM, org.actors[Role.viewer].person_id, PersonUpdate(is_active=False))
    entry = last(db, subject_type="person", action="updated")
    assert entry["actor_kind"] == "system" and entry["actor_person_id"] is None
    assert entry["changes"] == {"is_active": [True, False]}


def test_an_unchanged_save_writes_nothing(db: Database, org: Org) -> None:
    before = len(entries(db))
    with db.session() as s:
        people.update_person(s, SYSTEM, org.actors[Role.viewer].person_id, PersonUpdate(role=Role.viewer))
    assert len(entries(db)) == before


def test_registration_is_one_line_and_checked() -> None:
    with pytest.raises(ValueError, match="unknown audit actions"):
        register(WebSession, "web_session", actions=["signed_in"])
    assert {"person", "api_token", "channel", "integration", "subscription", "permission"} <= set(
        subject_types()
    )
