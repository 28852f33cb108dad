"""Failure links with provenance: commit SHAs named in a failure's text, suggestions from
recent production deployments, a person's confirm or reject, and rework marking.

A link row says where it came from (``source``) and whether it holds (``state``). Only
confirmed links count (the ORM's ``Failure.deployments`` shows only those). A rejected
suggestion stays as a row, so it is never suggested again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import String, Table, and_, cast, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.changes.models import Deployment
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import InvalidInput, NotFound
from failwell.events import FAILURE_REPORTED, FAILURE_UPDATED, DomainEvent, HandlerTable, emit
from failwell.failures.models import Failure, failure_changes, failure_deployments, failure_services
from failwell.integrations.config import get_integration_settings

# Environments that count as production for suggestions (and for failures opened from CI).
PRODUCTION_ENVIRONMENTS = ("production", "prod")

LinkSource = Literal["reported", "webhook", "commit", "suggested"]
LinkKind = Literal["deployment", "change"]

# A SHA named in text: 7 to 40 hex characters standing alone. Short ones must mix letters and
# digits, so words like "defaced" and plain numbers are not taken for commits.
_SHA_TOKEN = re.compile(r"(?<![0-9a-z])[0-9a-f]{7,40}(?![0-9a-z])")
# How far back a named SHA may have been deployed.
SHA_HORIZON = timedelta(days=365)


def _tables(kind: LinkKind) -> tuple[Table, str]:
    if kind == "deployment":
        return failure_deployments, "deployment_id"
    return failure_changes, "change_id"


def shas_in(text: str) -> list[str]:
    found = []
    for token in _SHA_TOKEN.findall(text.lower()):
        mixed = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
        if mixed or len(token) >= 12:
            found.append(token)
    return list(dict.fromkeys(found))


def link(
    session: Session,
    failure_id: int,
    kind: LinkKind,
    target_id: int,
    source: LinkSource,
    *,
    state: Literal["confirmed", "suggested"] = "confirmed",
) -> bool:
    """Adds a link unless one is there; a confirmed link upgrades a suggestion. A rejected
    suggestion is left alone: a person said no. True when something changed."""
    table, column = _tables(kind)
    where = and_(table.c.failure_id == failure_id, table.c[column] == target_id)
    current = session.execute(select(table.c.state).where(where)).scalar_one_or_none()
    if current is None:
        session.execute(
            insert(table).values(
                {
                    "failure_id": failure_id,
                    column: target_id,
                    "source": source,
                    "state": state,
                    "created_at": utcnow(),
                }
            )
        )
    elif current == "suggested" and state == "confirmed":
        session.execute(update(table).where(where).values(source=source, state="confirmed"))
    else:
        return False
    _forget_loaded_links(session, failure_id)
    return True


def _forget_loaded_links(session: Session, failure_id: int) -> None:
    """Rows written here bypass the ORM: a loaded failure must read its links again."""
    failure = session.identity_map.get((Failure, (failure_id,), None))
    if failure is not None:
        session.expire(failure, ["deployments", "changes"])


def link_named_commits(session: Session, failure: Failure) -> list[int]:
    """Confirms links to the deployments that released a commit the failure's text names."""
    shas = shas_in(f"{failure.title}\n{failure.description}")
    if not shas:
        return []
    text = cast(Deployment.commit_shas, String)
    # SHAs are kept as a JSON list; in its text every SHA follows a double quote.
    named = or_(*(text.contains(f'"{sha}', autoescape=True) for sha in shas))
    ids = session.scalars(
        select(Deployment.id).where(
            named,
            Deployment.started_at >= failure.started_at - SHA_HORIZON,
            Deployment.started_at <= failure.started_at + timedelta(days=1),
        )
    ).all()
    return [dep_id for dep_id in ids if link(session, failure.id, "deployment", dep_id, "commit")]


def suggest_deployments(session: Session, failure: Failure) -> None:
    """Suggests the production deployments of the failure's services in the window before it
    started; withdraws suggestions that no longer fit (its start or services changed)."""
    window = timedelta(hours=get_integration_settings().suggestion_window_hours)
    services = select(failure_services.c.service_id).where(failure_services.c.failure_id == failure.id)
    candidates = set(
        session.scalars(
            select(Deployment.id).where(
                Deployment.service_id.in_(services),
                Deployment.environment.in_(PRODUCTION_ENVIRONMENTS),
                Deployment.started_at >= failure.started_at - window,
                Deployment.started_at <= failure.started_at,
            )
        )
    )
    rows = session.execute(
        select(failure_deployments.c.deployment_id, failure_deployments.c.state).where(
            failure_deployments.c.failure_id == failure.id
        )
    ).all()
    present = {dep_id for dep_id, _state in rows}
    stale = [dep_id for dep_id, state in rows if state == "suggested" and dep_id not in candidates]
    if stale:
        session.execute(
            delete(failure_deployments).where(
                failure_deployments.c.failure_id == failure.id,
                failure_deployments.c.deployment_id.in_(stale),
            )
        )
    new = sorted(candidates - present)
    if new:  # known to be absent: one multi-row insert (a busy service deploys many times an hour)
        now = utcnow()
        suggested = [
            {
                "failure_id": failure.id,
                "deployment_id": d,
                "source": "suggested",
                "state": "suggested",
                "created_at": now,
            }
            for d in new
        ]
        session.execute(insert(failure_deployments), suggested)
        _forget_loaded_links(session, failure.id)


def mark_rework(session: Session, failure: Failure) -> None:
    """A deployment confirmed as linked that started after the failure did was made because
    of it (a hotfix, a rollback): rework."""
    linked = select(failure_deployments.c.deployment_id).where(
        failure_deployments.c.failure_id == failure.id, failure_deployments.c.state == "confirmed"
    )
    session.execute(
        update(Deployment)
        .where(
            Deployment.id.in_(linked),
            Deployment.started_at > failure.started_at,
            Deployment.rework.is_(False),
        )
        .values(rework=True)
        .execution_options(synchronize_session=False)
    )


def refresh_links(session: Session, failure_id: int) -> None:
    failure = session.get(Failure, failure_id)
    if failure is None:
        return
    link_named_commits(session, failure)
    suggest_deployments(session, failure)
    mark_rework(session, failure)


def _failure_changed(session: Session, _actor: Actor, event: DomainEvent) -> None:
    if event.data.get("links_only"):
        return  # raised by decide() below: nothing the suggestions depend on moved
    refresh_links(session, event.subject_id)


HANDLERS: HandlerTable = [(FAILURE_REPORTED, _failure_changed), (FAILURE_UPDATED, _failure_changed)]


# ---- a person's decision ---------------------------------------------------------------


@dataclass(frozen=True)
class SuggestedLink:
    failure_id: int
    deployment: Deployment
    state: str
    source: str


def suggestions(session: Session, failure_id: int) -> Sequence[SuggestedLink]:
    """Links waiting for a person: suggested deployments, newest first."""
    rows = session.execute(
        select(Deployment, failure_deployments.c.state, failure_deployments.c.source)
        .join(failure_deployments, failure_deployments.c.deployment_id == Deployment.id)
        .where(failure_deployments.c.failure_id == failure_id, failure_deployments.c.state == "suggested")
        .order_by(Deployment.started_at.desc(), Deployment.id.desc())
    ).all()
    return [SuggestedLink(failure_id, dep, state, source) for dep, state, source in rows]


def decide(
    session: Session, actor: Actor, failure_id: int, kind: LinkKind, target_id: int, *, confirm: bool
) -> str:
    """Confirms or rejects a suggested link; answers the new state."""
    require(actor, Role.practitioner, "Confirming or rejecting a suggested link")
    table, column = _tables(kind)
    where = and_(table.c.failure_id == failure_id, table.c[column] == target_id)
    state = session.execute(select(table.c.state).where(where)).scalar_one_or_none()
    if state is None:
        raise NotFound(detail=f"No suggested {kind} {target_id} on failure {failure_id}.")
    if state != "suggested":
        raise InvalidInput.on("state", f"the link is already {state}")
    new_state = "confirmed" if confirm else "rejected"
    session.execute(update(table).where(where).values(state=new_state))
    _forget_loaded_links(session, failure_id)
    failure = session.get(Failure, failure_id)
    if failure is not None and confirm:
        mark_rework(session, failure)
    if failure is not None:
        failure.updated_at = utcnow()
        session.flush()
    field = "deployment_ids" if kind == "deployment" else "change_ids"
    emit(session, actor, DomainEvent(FAILURE_UPDATED, failure_id, {"fields": [field], "links_only": True}))
    return new_state
