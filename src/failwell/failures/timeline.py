"""A failure's timeline: what happened when, as the people handling it recorded it. Adding a
detection, mitigation or resolution event can set the failure's matching time in the same unit
of work."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.clock import refuse_future
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import InvalidInput, NotFound
from failwell.failures.milestones import update_for_event
from failwell.failures.models import TimelineEvent
from failwell.failures.schemas import PersonRef, TimelineEventIn, TimelineEventOut, TimelineEventUpdate
from failwell.failures.service import get_failure, update_failure


def event_out(event: TimelineEvent) -> TimelineEventOut:
    author = event.author
    return TimelineEventOut(
        id=event.id,
        failure_id=event.failure_id,
        occurred_at=event.occurred_at,
        kind=event.kind,
        description=event.description,
        author=PersonRef(id=author.id, name=author.name) if author else None,
        created_at=event.created_at,
    )


def add_event(session: Session, actor: Actor, failure_id: int, data: TimelineEventIn) -> TimelineEvent:
    require(actor, Role.practitioner, "Adding to a timeline")
    refuse_future({"occurred_at": data.occurred_at})
    failure = get_failure(session, failure_id)
    event = TimelineEvent(
        failure=failure,
        occurred_at=data.occurred_at or utcnow(),
        kind=data.kind,
        description=data.description,
        author_id=actor.person_id or None,
    )
    session.add(event)
    session.flush()
    update = update_for_event(failure, event.kind, event.occurred_at) if data.set_failure_time else None
    if update is not None:  # the same unit of work: both are saved, or neither
        try:
            update_failure(session, actor, failure_id, update)
        except InvalidInput as exc:
            why = "; ".join(f"{e.field} {e.reason}" for e in exc.errors) or exc.detail
            raise InvalidInput.on("occurred_at", f"cannot be the failure's time: {why}") from exc
    return event


def list_events(session: Session, failure_id: int) -> Sequence[TimelineEvent]:
    get_failure(session, failure_id)
    return session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.failure_id == failure_id)
        .order_by(TimelineEvent.occurred_at, TimelineEvent.id)
    ).all()


def get_event(session: Session, failure_id: int, event_id: int) -> TimelineEvent:
    """One event of the failure's timeline (an event of another failure is not found)."""
    event = session.get(TimelineEvent, event_id)
    if event is None or event.failure_id != failure_id:
        raise NotFound(detail=f"No timeline event {event_id} on failure {failure_id}.")
    return event


def update_event(
    session: Session, actor: Actor, failure_id: int, event_id: int, data: TimelineEventUpdate
) -> TimelineEvent:
    require(actor, Role.practitioner, "Changing a timeline")
    event = get_event(session, failure_id, event_id)
    refuse_future({"occurred_at": data.occurred_at})
    if data.occurred_at is not None:
        event.occurred_at = data.occurred_at
    if data.kind is not None:
        event.kind = data.kind
    if data.description is not None:
        if not data.description.strip():
            raise InvalidInput.on("description", "cannot be empty")
        event.description = data.description
    session.flush()
    return event
