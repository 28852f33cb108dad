"""Single sign-on without HTTP: pending sign-ins, accounts made or updated from verified claims,
and the rules that map claims to roles and teams."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import ROLE_RANK, Role
from failwell.errors import Conflict, NotFound
from failwell.people import service as people
from failwell.people import teams as people_teams
from failwell.people.models import Person, Team
from failwell.sso.models import SsoClaimRule, SsoIdentity, SsoPendingSignIn
from failwell.sso.oidc import SsoError
from failwell.sso.schemas import ClaimRuleIn, ClaimRuleOut

# Time allowed between leaving for the provider and coming back with the code.
PENDING_MINUTES = 10


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


# ---- pending sign-ins ---------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    nonce: str
    code_verifier: str
    return_to: str


def start_pending(session: Session, state: str, nonce: str, code_verifier: str, return_to: str) -> None:
    session.execute(delete(SsoPendingSignIn).where(SsoPendingSignIn.expires_at <= utcnow()))
    session.add(
        SsoPendingSignIn(
            state_hash=_hash(state),
            nonce=nonce,
            code_verifier=code_verifier,
            return_to=return_to,
            expires_at=utcnow() + timedelta(minutes=PENDING_MINUTES),
        )
    )
    session.flush()


def take_pending(session: Session, state: str) -> Pending:
    """The pending sign-in of this state, used up: a second callback with it is refused."""
    row = session.scalar(select(SsoPendingSignIn).where(SsoPendingSignIn.state_hash == _hash(state)))
    if row is None:
        raise SsoError("This sign-in was already finished, or never started here. Please sign in again.")
    session.delete(row)
    session.flush()
    if row.expires_at <= utcnow():
        raise SsoError(
            f"This sign-in took longer than {PENDING_MINUTES} minutes and has expired. Please sign in again."
        )
    return Pending(row.nonce, row.code_verifier, row.return_to)


# ---- accounts from claims ------------------------------------------------------------------


@dataclass(frozen=True)
class AccountPolicy:
    issuer: str
    default_role: Role = Role.viewer
    trust_unverified_email: bool = False


def _claim_values(claims: Mapping[str, Any], name: str) -> set[str]:
    value = claims.get(name)
    if isinstance(value, list):
        return {str(v) for v in value if isinstance(v, (str, int))}
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return {str(value)}
    return set()


def mapped_role_and_teams(session: Session, claims: Mapping[str, Any]) -> tuple[Role | None, list[Team]]:
    """The highest role and every team the rules give for these claims."""
    role: Role | None = None
    teams: dict[int, Team] = {}
    rules = session.scalars(select(SsoClaimRule).order_by(SsoClaimRule.id)).all()
    for rule in rules:
        if rule.value not in _claim_values(claims, rule.claim):
            continue
        if rule.role is not None and (role is None or ROLE_RANK[rule.role] > ROLE_RANK[role]):
            role = rule.role
        if rule.team_id is not None:
            team = session.get(Team, rule.team_id)
            if team is not None:
                teams[team.id] = team
    return role, sorted(teams.values(), key=lambda t: t.name)


def _name_of(claims: Mapping[str, Any], email: str) -> str:
    for key in ("name", "preferred_username"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return email.split("@")[0][:200]


def sign_in_from_claims(session: Session, claims: Mapping[str, Any], policy: AccountPolicy) -> Person:
    """The person these verified claims stand for: found by issuer + sub, else linked by e-mail,
    else made just in time. With any rule in place, role and teams follow the rules at every
    sign-in; the last active practice owner is never demoted by it."""
    subject = str(claims["sub"])
    identity = session.scalar(
        select(SsoIdentity).where(SsoIdentity.issuer == policy.issuer, SsoIdentity.subject == subject)
    )
    raw_email = claims.get("email")
    email = raw_email.strip().lower() if isinstance(raw_email, str) else ""
    role, teams = mapped_role_and_teams(session, claims)
    has_rules = session.scalar(select(SsoClaimRule.id).limit(1)) is not None
    if identity is not None:
        person = people.get_person(session, identity.person_id)
    else:
        if not email or "@" not in email:
            raise SsoError(
                "The sign-in service sent no e-mail address, which failwell needs for a new account."
            )
        person_or_none = session.scalar(select(Person).where(Person.email == email))
        if person_or_none is not None:
            if claims.get("email_verified") is not True and not policy.trust_unverified_email:
                raise SsoError(
                    f"An account with the e-mail {email} already exists, and the sign-in service does "
                    "not say that address is verified. A practice owner can allow linking (docs/sso.md)."
                )
            person = person_or_none
        else:
            person = Person(name=_name_of(claims, email), email=email, role=role or policy.default_role)
            person.teams = teams
            session.add(person)
            session.flush()
        session.add(SsoIdentity(issuer=policy.issuer, subject=subject, person_id=person.id))
    if not person.is_active:
        raise SsoError("This account is deactivated in failwell. Ask a practice owner to reactivate it.")
    if identity is not None:
        identity.last_sign_in_at = utcnow()
        if (
            email
            and email != person.email
            and session.scalar(select(Person.id).where(Person.email == email)) is None
        ):
            person.email = email  # the provider is the source of the address
    if has_rules:
        _apply_mapping(session, person, role or policy.default_role, teams)
    session.flush()
    return person


def _apply_mapping(session: Session, person: Person, role: Role, teams: list[Team]) -> None:
    demoted = person.role == Role.practice_owner and role != Role.practice_owner
    if demoted and people.count_active_owners(session) <= 1:
        role = Role.practice_owner  # demoting the last owner would lock everyone out of /admin
    person.role = role
    person.teams = teams


# ---- claim rules ---------------------------------------------------------------------------


def rule_out(rule: SsoClaimRule, team_names: Mapping[int, str]) -> ClaimRuleOut:
    return ClaimRuleOut(
        id=rule.id,
        claim=rule.claim,
        value=rule.value,
        role=rule.role,
        team=team_names.get(rule.team_id) if rule.team_id is not None else None,
        created_at=rule.created_at,
    )


def list_rules(session: Session, actor: Actor) -> list[ClaimRuleOut]:
    require(actor, Role.practice_owner, "Reading the sign-on mapping rules")
    rules: Sequence[SsoClaimRule] = session.scalars(
        select(SsoClaimRule).order_by(SsoClaimRule.claim, SsoClaimRule.value)
    ).all()
    names: dict[int, str] = {row.id: row.name for row in session.execute(select(Team.id, Team.name))}
    return [rule_out(r, names) for r in rules]


def create_rule(session: Session, actor: Actor, data: ClaimRuleIn) -> ClaimRuleOut:
    require(actor, Role.practice_owner, "Changing the sign-on mapping rules")
    team = people_teams.team_by_name(session, data.team) if data.team else None
    clash = select(SsoClaimRule.id).where(SsoClaimRule.claim == data.claim, SsoClaimRule.value == data.value)
    if session.scalar(clash) is not None:
        raise Conflict.on("value", f"a rule for {data.claim} = '{data.value}' already exists")
    rule = SsoClaimRule(claim=data.claim, value=data.value, role=data.role, team_id=team.id if team else None)
    session.add(rule)
    session.flush()
    return rule_out(rule, {team.id: team.name} if team else {})


def delete_rule(session: Session, actor: Actor, rule_id: int) -> None:
    require(actor, Role.practice_owner, "Changing the sign-on mapping rules")
    rule = session.get(SsoClaimRule, rule_id)
    if rule is None:
        raise NotFound(detail=f"No sign-on mapping rule with id {rule_id}.")
    session.delete(rule)
    session.flush()
