"""Recurrence links: a failure recorded as a recurrence of an earlier one, and the facts the
recurrence event carries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.authz import Actor, require
from failwell.enums import ActionStatus, Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.events import RECURRENCE_DETECTED, DomainEvent, emit
from failwell.failures.models import Failure
from failwell.failures.service import get_failure
from failwell.recurrence.models import RecurrenceLink
from failwell.recurrence.schemas import RecurrenceLinkIn, RecurrenceLinkOut


def link_out(session: Session, link: RecurrenceLink) -> RecurrenceLinkOut:
    earlier = get_failure(session, link.earlier_id)
    return RecurrenceLinkOut(
        failure_id=link.failure_id,
        earlier_failure_id=link.earlier_id,
        earlier_title=earlier.title,
        note=link.note,
        created_at=link.created_at,
    )


def link_recurrence(
    session: Session, actor: Actor, failure_id: int, data: RecurrenceLinkIn
) -> RecurrenceLink:
    """Records that a failure is a recurrence of an earlier one."""
    require(actor, Role.practitioner, "Linking a failure to an earlier one")
    failure = get_failure(session, failure_id)
    earlier = get_failure(session, data.earlier_failure_id, field="earlier_failure_id")
    if earlier.id == failure.id:
        raise InvalidInput.on("earlier_failure_id", "a failure cannot recur itself")
    if earlier.started_at > failure.started_at:
        raise InvalidInput.on(
            "earlier_failure_id", f"failure {earlier.id} started after failure {failure.id}"
        )
    if session.get(RecurrenceLink, (failure.id, earlier.id)) is not None:
        raise Conflict.on("earlier_failure_id", f"failure {failure.id} is already linked to {earlier.id}")
    link = RecurrenceLink(
        failure_id=failure.id, earlier_id=earlier.id, note=data.note, linked_by_id=actor.person_id or None
    )
    session.add(link)
    session.flush()
    emit(
        session,
        actor,
        DomainEvent(RECURRENCE_DETECTED, failure.id, recurrence_facts(session, failure, earlier)),
    )
    return link


def recurrence_facts(
    session: Session, failure: Failure, earlier: Failure, problem_id: int | None = None
) -> dict[str, object]:
    done = session.scalars(
        select(CorrectiveAction).where(
            CorrectiveAction.failure_id == earlier.id, CorrectiveAction.status == ActionStatus.done
        )
    ).all()
    return {
        "failure_id": failure.id,
        "title": failure.title,
        "earlier_failure_id": earlier.id,
        "earlier_title": earlier.title,
        "problem_id": problem_id,
        "services": [s.name for s in failure.services],
        "fix_did_not_hold": any(
            a.completed_at is not None and a.completed_at < failure.started_at for a in done
        ),
    }


def unlink_recurrence(session: Session, actor: Actor, failure_id: int, earlier_id: int) -> None:
    require(actor, Role.practitioner, "Unlinking a failure from an earlier one")
    link = session.get(RecurrenceLink, (failure_id, earlier_id))
    if link is None:
        raise NotFound(detail=f"Failure {failure_id} is not linked to failure {earlier_id}.")
    session.delete(link)
    session.flush()


def list_links(session: Session, failure_id: int) -> list[RecurrenceLinkOut]:
    get_failure(session, failure_id)
    links = session.scalars(
        select(RecurrenceLink)
        .where(RecurrenceLink.failure_id == failure_id)
        .order_by(RecurrenceLink.earlier_id)
    ).all()
    return [link_out(session, link) for link in links]
