"""Accounts made and updated from verified claims, the claim rules, and pending sign-ins kept in
the database (so the callback may reach another app process)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from failwell.authz import SYSTEM
from failwell.db import Database, utcnow
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, PermissionDenied
from failwell.people import service as people
from failwell.sso import service
from failwell.sso.models import SsoPendingSignIn
from failwell.sso.oidc import SsoError
from failwell.sso.schemas import ClaimRuleIn
from support import Org

ISSUER = "https://id.example.com"
POLICY = service.AccountPolicy(issuer=ISSUER)


def claims(sub: str = "sub-1", **more: Any) -> dict[str, Any]:
    return {"sub": sub, "email": "new.person@example.com", "name": "New Person", "groups": [], **more}


def test_first_sign_in_makes_a_viewer_and_later_ones_find_them_by_sub(db: Database, org: Org) -> None:
    with db.session() as s:
        person = service.sign_in_from_claims(s, claims(), POLICY)
        assert (person.name, person.email, person.role, person.teams) == (
            "New Person",
            "new.person@example.com",
            Role.viewer,
            [],
        )
        first_id = person.id
    with db.session() as s:
        # The address changed at the provider: the sub still finds the same person.
        again = service.sign_in_from_claims(s, claims(email="renamed@example.com"), POLICY)
        assert (again.id, again.email) == (first_id, "renamed@example.com")


def test_rules_give_the_highest_role_and_every_team(db: Database, org: Org) -> None:
    with db.session() as s:
        for rule in (
            ClaimRuleIn(claim="groups", value="sre", role=Role.practitioner, team=org.team),
            ClaimRuleIn(claim="groups", value="sre-leads", role=Role.practice_manager),
            ClaimRuleIn(claim="department", value="Platform", team=org.other_team),
            ClaimRuleIn(claim="groups", value="auditors", role=Role.viewer),
        ):
            service.create_rule(s, SYSTEM, rule)
    with db.session() as s:
        person = service.sign_in_from_claims(
            s, claims(groups=["sre", "sre-leads", "auditors"], department="Platform"), POLICY
        )
        assert person.role == Role.practice_manager
        assert [t.name for t in person.teams] == sorted([org.team, org.other_team])
    with db.session() as s:
        # Left the leads group at the provider: the next sign-in follows.
        person = service.sign_in_from_claims(s, claims(groups=["sre"]), POLICY)
        assert person.role == Role.practitioner
        assert [t.name for t in person.teams] == [org.team]


def test_without_rules_an_existing_persons_role_and_teams_are_left_alone(db: Database, org: Org) -> None:
    with db.session() as s:
        person = service.sign_in_from_claims(
            s, claims(email=org.emails[Role.practice_manager], email_verified=True), POLICY
        )
        assert person.email == org.emails[Role.practice_manager]
        assert person.role == Role.practice_manager
        assert [t.name for t in person.teams] == [org.team]


def test_an_existing_account_is_linked_only_by_a_verified_address(db: Database, org: Org) -> None:
    unverified = claims(email=org.emails[Role.practitioner])
    with db.session() as s, pytest.raises(SsoError, match="not say that address is verified"):
        service.sign_in_from_claims(s, unverified, POLICY)
    trusting = service.AccountPolicy(issuer=ISSUER, trust_unverified_email=True)
    with db.session() as s:
        assert service.sign_in_from_claims(s, unverified, trusting).email == org.emails[Role.practitioner]


def test_a_deactivated_person_cannot_sign_in(db: Database, org: Org) -> None:
    with db.session() as s:
        person = people.person_by_email(s, org.emails[Role.viewer])
        person.is_active = False
    with db.session() as s, pytest.raises(SsoError, match="deactivated"):
        service.sign_in_from_claims(s, claims(email=org.emails[Role.viewer], email_verified=True), POLICY)


def test_a_new_account_needs_an_email(db: Database, org: Org) -> None:
    with db.session() as s, pytest.raises(SsoError, match="no e-mail"):
        service.sign_in_from_claims(s, {"sub": "x"}, POLICY)


def test_the_last_owner_is_not_demoted_by_the_rules(db: Database, org: Org) -> None:
    with db.session() as s:
        service.create_rule(s, SYSTEM, ClaimRuleIn(claim="groups", value="staff", role=Role.viewer))
    owner_claims = claims(email=org.emails[Role.practice_owner], email_verified=True, groups=["staff"])
    with db.session() as s:
        assert service.sign_in_from_claims(s, owner_claims, POLICY).role == Role.practice_owner


def test_rules_are_for_practice_owners_and_refuse_clashes_and_unknown_teams(db: Database, org: Org) -> None:
    rule = ClaimRuleIn(claim="groups", value="sre", role=Role.practitioner)
    with db.session() as s, pytest.raises(PermissionDenied):
        service.create_rule(s, org.actors[Role.practice_manager], rule)
    with db.session() as s:
        made = service.create_rule(s, org.actors[Role.practice_owner], rule)
    with db.session() as s, pytest.raises(Conflict):
        service.create_rule(s, org.actors[Role.practice_owner], rule)
    with db.session() as s, pytest.raises(InvalidInput):
        service.create_rule(s, SYSTEM, ClaimRuleIn(claim="groups", value="x", team="no-such-team"))
    with db.session() as s:
        service.delete_rule(s, org.actors[Role.practice_owner], made.id)
        assert service.list_rules(s, org.actors[Role.practice_owner]) == []


def test_a_rule_gives_something(org: Org) -> None:
    with pytest.raises(ValueError, match="a role, a team or both"):
        ClaimRuleIn(claim="groups", value="sre")


def test_a_pending_sign_in_started_in_one_process_is_finished_in_another_once(
    db: Database, database_url: str
) -> None:
    with db.session() as s:
        service.start_pending(s, "state-1", "nonce-1", "verifier-1", "/failures")
    other_process = Database(database_url, pool_size=1)
    try:
        with other_process.session() as s:
            assert service.take_pending(s, "state-1") == service.Pending("nonce-1", "verifier-1", "/failures")
        with other_process.session() as s, pytest.raises(SsoError, match="already finished"):
            service.take_pending(s, "state-1")
    finally:
        other_process.dispose()


def test_an_expired_pending_sign_in_is_refused(db: Database) -> None:
    with db.session() as s:
        service.start_pending(s, "state-2", "nonce", "verifier", "/")
        s.execute(update(SsoPendingSignIn).values(expires_at=utcnow() - timedelta(seconds=1)))
    with db.session() as s, pytest.raises(SsoError, match="expired"):
        service.take_pending(s, "state-2")
