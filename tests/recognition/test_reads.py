"""Recognition's reads across slices: suggestions for managers to confirm, and the digest's
section on awards announced and kudos given."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import assert_problem, make_action, make_failure
from failwell.actions.models import CorrectiveAction
from failwell.broadcast.digest import render_digest, week_of
from failwell.db import Database, utcnow
from failwell.enums import ActionStatus, Role
from failwell.insights.digest import build_digest
from failwell.people.models import Team
from failwell.recurrence.models import RecurrenceLink
from recognition.helpers import R, award_cycle, kudos, nominate, team_id
from support import Org


def test_suggestions_are_for_managers_and_go_once_thanked(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"], "Guard the wipe script")
    with db.session(write=True) as s:
        row = s.get(CorrectiveAction, action["id"])
        assert row is not None
        row.status, row.completed_at = ActionStatus.done, utcnow() - timedelta(days=45)
    assert_problem(client.get(f"{R}/suggestions", headers=org.headers(Role.practitioner)), 403)
    found = client.get(f"{R}/suggestions", headers=org.headers(Role.practice_manager)).json()
    held = [s for s in found if s["thanked_kind"] == "action"]
    assert [(s["thanked_id"], s["name"], s["recipient_kind"]) for s in held] == [
        (action["id"], org.team, "team")
    ]
    # The sentence says since when: not "no recurrence since" left hanging.
    reason = "Did a corrective action that held: no recurrence in the 45 days since it was done"
    assert held[0]["reason"] == reason
    # Confirming is giving the kudos: the suggestion goes.
    kudos(
        client,
        org,
        Role.practice_manager,
        recipient_kind="team",
        team_id=team_id(client, org),
        thanked_kind="action",
        thanked_id=action["id"],
    )
    found = client.get(f"{R}/suggestions", headers=org.headers(Role.practice_manager)).json()
    assert not [s for s in found if s["thanked_kind"] == "action"]


def test_a_recurrence_after_the_fix_means_it_did_not_hold(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"])
    later = make_failure(client, org, "Again")
    with db.session(write=True) as s:
        row = s.get(CorrectiveAction, action["id"])
        assert row is not None
        row.status, row.completed_at = ActionStatus.done, utcnow() - timedelta(days=45)
        # It happened again after the fix was done (its start time is now).
        s.add(RecurrenceLink(failure_id=later["id"], earlier_id=failure["id"]))
    found = client.get(f"{R}/suggestions", headers=org.headers(Role.practice_owner)).json()
    assert not [s for s in found if s["thanked_kind"] == "action"]


def test_the_digest_tells_of_awards_and_kudos(client: TestClient, org: Org, db: Database) -> None:
    failure = make_failure(client, org)
    kudos(
        client,
        org,
        recipient_kind="team",
        team_id=team_id(client, org),
        thanked_kind="failure",
        thanked_id=failure["id"],
    )
    cycle = award_cycle(client, org)
    nominate(client, org, cycle["id"], team_id=team_id(client, org))
    client.post(f"{R}/cycles/{cycle['id']}/voting", headers=org.headers())
    client.post(f"{R}/cycles/{cycle['id']}/announce", headers=org.headers(), json={})
    with db.session(write=False) as s:
        digest = build_digest(s, week_of(utcnow().date()))
        other = s.scalars(select(Team).where(Team.name == org.other_team)).one()
        team = build_digest(s, week_of(utcnow().date()), other)
    lines = [r.line for r in digest.recognition]
    assert lines == [f"Best near miss (November): {org.team}", "1 kudos given for contributions to learning"]
    _subject, text, html = render_digest(digest)
    assert "RECOGNISED FOR LEARNING (2)" in text and "Best near miss (November)" in html
    assert team.recognition == []
