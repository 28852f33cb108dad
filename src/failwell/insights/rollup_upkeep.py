"""Upkeep of the deployment rollup (failwell.insights.rollup): the deployment and failure events
mark the keys they touch, and the keys are recounted just before the transaction commits (or
before a metric is read in it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, event, or_, select
from sqlalchemy.orm import Session, SessionTransaction

from failwell.authz import Actor
from failwell.changes.models import Deployment
from failwell.enums import DeploymentOutcome
from failwell.events import (
    DEPLOYMENT_RECORDED,
    DEPLOYMENT_UPDATED,
    FAILURE_DELETED,
    FAILURE_REPORTED,
    FAILURE_UPDATED,
    BulkForms,
    DomainEvent,
    HandlerTable,
)
from failwell.failures.models import failure_deployments
from failwell.insights.rollup import NEW, PENDING, refresh_keys
from failwell.insights.rollup_tally import Key

_fd = failure_deployments


def refresh_pending(session: Session) -> None:
    """Brings the keys marked in this session so far up to date (before its commit, or a read)."""
    pending: set[Key] = session.info.pop(PENDING, None) or set()
    new: dict[Key, list[int]] = session.info.pop(NEW, None) or {}
    if pending or new:
        session.flush()
        refresh_keys(session, pending, new)


def _before_commit(session: Session) -> None:
    refresh_pending(session)


def mark(session: Session, keys: Iterable[Key]) -> None:
    """These keys are recounted before the commit."""
    pending: set[Key] = session.info.setdefault(PENDING, set())
    pending.update(keys)
    _listen(session)


def mark_new(session: Session, key: Key, deployment_id: int) -> None:
    """This deployment, inserted in this session, is added to its key before the commit (unless
    something else marked the key for a recount, which counts it anyway)."""
    new: dict[Key, list[int]] = session.info.setdefault(NEW, {})
    new.setdefault(key, []).append(deployment_id)
    _listen(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous: SessionTransaction) -> None:
    # The whole transaction is undone, and so are the writes that marked the keys (a delivery
    # that is not accepted is rolled back, then stored in the next transaction of the same
    # session). A savepoint's rollback keeps them: what was marked before it still stands.
    if previous.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(NEW, None)


def _listen(session: Session) -> None:
    if not session.info.get("deployment_rollup_listens"):
        event.listen(session, "before_commit", _before_commit)
        session.info["deployment_rollup_listens"] = True


def _keys_of(session: Session, condition: ColumnElement[bool]) -> list[Key]:
    rows = session.execute(
        select(Deployment.started_at, Deployment.service_id, Deployment.environment).where(condition)
    )
    return [(started.astimezone(UTC).date(), service_id, env) for started, service_id, env in rows]


def _deployment_changed(session: Session, _actor: Actor, ev: DomainEvent) -> None:
    if "started_at" in ev.data:  # a new deployment says where it goes: no read on the hot path
        started: datetime = ev.data["started_at"]
        day = (started if started.tzinfo else started.replace(tzinfo=UTC)).astimezone(UTC).date()
        key = (day, int(ev.data["service_id"]), str(ev.data["environment"]))
        if ev.name == DEPLOYMENT_RECORDED:
            mark_new(session, key, ev.subject_id)
        else:
            mark(session, [key])
    else:
        mark(session, _keys_of(session, Deployment.id == ev.subject_id))


def _failure_changed(session: Session, actor: Actor, ev: DomainEvent) -> None:
    """Its links, its kind (a near miss's links do not count) or its deletion can move the
    linked counts of the deployments it is, or was, linked to."""
    _failures_changed(session, actor, [ev])


def _failures_changed(session: Session, _actor: Actor, events: Sequence[DomainEvent]) -> None:
    linked = {int(i) for ev in events for i in ev.data.get("deployment_ids", ())}
    failure_ids = [ev.subject_id for ev in events]
    # Only confirmed links count: a new failure's tens of suggested ones move no figure.
    current = select(_fd.c.deployment_id).where(_fd.c.failure_id.in_(failure_ids), _fd.c.state == "confirmed")
    # The ids first, then their deployments by id: as one condition ("in these links or in
    # those"), PostgreSQL read every deployment to test it (seen 2026-12-08).
    linked.update(session.scalars(current))
    if not linked:
        return
    # A link moves a key's figures only through a deployment that counts as linked (a succeeded
    # one: rollup.deployment_facts, rollup_tally.Tally.add) or that the links made rework; a
    # failed deployment that opened its failure (every one CI reports) moves none.
    counted = or_(Deployment.outcome == DeploymentOutcome.succeeded, Deployment.rework.is_(True))
    mark(session, _keys_of(session, and_(Deployment.id.in_(sorted(linked)), counted)))


# What the read side does when each event is raised; failwell.bootstrap wires it after the
# integrations' handlers, so the links they add are already there.
HANDLERS: HandlerTable = (
    (DEPLOYMENT_RECORDED, _deployment_changed),
    (DEPLOYMENT_UPDATED, _deployment_changed),
    (FAILURE_REPORTED, _failure_changed),
    (FAILURE_UPDATED, _failure_changed),
    (FAILURE_DELETED, _failure_changed),
)
BULK_FORMS: BulkForms = ((_failure_changed, _failures_changed),)
