"""Domain events, handled in the same unit of work as the change that raised them.

A service calls ``emit(session, actor, DomainEvent(...))`` after it has changed the database
(and flushed). Every handler registered for that event name runs at once, in the same session
and so in the same transaction: what a handler writes (a search index row, an outbox entry)
commits or rolls back together with the change. Nothing is queued in memory, so nothing can be
lost between the change and its consequences.

Handlers must be quick and must not do network I/O: slow work belongs in the outbox, which a
worker drains. A handler that raises aborts the whole unit of work, as any other error would.

This module names no consumer. The composition root (``failwell.bootstrap``) wires each
slice's handler table with ``wire`` at start-up, in the app, the worker and the CLI alike.
Until it has, ``emit`` refuses: an event raised with nobody wired would silently skip its
search-index row or outbox entry, and that loss must not be possible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from failwell.authz import Actor

# The event names services emit. Keep this list the single source of truth.
# Raised only by failures.service.report_failures, right after the flush: its handlers may take the
# failures from the session (tags and services loaded) and know that none has a review yet.
FAILURE_REPORTED = "failure.reported"
FAILURE_UPDATED = "failure.updated"
FAILURE_DELETED = "failure.deleted"
REVIEW_STARTED = "review.started"
REVIEW_UPDATED = "review.updated"
REVIEW_PUBLISHED = "review.published"
REVIEW_COMMENTED = "review.commented"
ACTION_CREATED = "action.created"
ACTION_UPDATED = "action.updated"
ACTION_DONE = "action.done"
# Raised by the recurrence slice: a failure was linked to an earlier one / a problem changed.
RECURRENCE_DETECTED = "recurrence.detected"
PROBLEM_UPDATED = "problem.updated"
# Raised by the changes slice (and the integrations recording through it): a deployment was
# recorded, or its outcome, times or marks changed.
DEPLOYMENT_RECORDED = "deployment.recorded"
DEPLOYMENT_UPDATED = "deployment.updated"
# Raised by the ideas slice: someone proposed an idea / a practice manager made one an action.
IDEA_PROPOSED = "idea.proposed"
IDEA_ACCEPTED = "idea.accepted"
# Raised by the recognition slice: a practice owner announced an award's winner / someone
# thanked a person or a team.
AWARD_ANNOUNCED = "award.announced"
KUDOS_GIVEN = "kudos.given"

EVENT_NAMES = frozenset(
    {
        FAILURE_REPORTED,
        FAILURE_UPDATED,
        FAILURE_DELETED,
        REVIEW_STARTED,
        REVIEW_UPDATED,
        REVIEW_PUBLISHED,
        REVIEW_COMMENTED,
        ACTION_CREATED,
        ACTION_UPDATED,
        ACTION_DONE,
        RECURRENCE_DETECTED,
        PROBLEM_UPDATED,
        DEPLOYMENT_RECORDED,
        DEPLOYMENT_UPDATED,
        IDEA_PROPOSED,
        IDEA_ACCEPTED,
        AWARD_ANNOUNCED,
        KUDOS_GIVEN,
    }
)


@dataclass(frozen=True)
class DomainEvent:
    """What happened, to which record. ``data`` carries facts a handler cannot re-read
    (for a deletion, the deleted record's fields)."""

    name: str
    subject_id: int
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Session, Actor, DomainEvent], None]

HandlerTable = Sequence[tuple[str, Handler]]

# The form of a handler that takes many events of one name at once: the same effect as the
# handler called for each, in order, in fewer statements (a CI batch opens tens of failures).
BulkHandler = Callable[[Session, Actor, Sequence[DomainEvent]], None]

BulkForms = Sequence[tuple[Handler, BulkHandler]]

_handlers: dict[str, list[Handler]] = defaultdict(list)
_bulk_forms: dict[Handler, BulkHandler] = {}
_wired = False


class NotWired(RuntimeError):
    """An event was raised before the composition root wired the handlers."""


def subscribe(name: str, handler: Handler) -> None:
    """Registers one handler for one event name (idempotent per pair)."""
    if name not in EVENT_NAMES:
        raise ValueError(f"unknown event name: {name}")
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def wire(table: HandlerTable) -> None:
    """Registers a whole handler table and marks the events as wired (idempotent)."""
    global _wired
    for name, handler in table:
        subscribe(name, handler)
    _wired = True


def wire_bulk_forms(forms: BulkForms) -> None:
    """Registers the bulk forms of handlers (idempotent); ``emit_all`` uses them."""
    for handler, bulk in forms:
        _bulk_forms[handler] = bulk


def handles(*names: str) -> Callable[[Handler], Handler]:
    """Subscribes the decorated function to the named events (for tests and one-off spies)."""
    unknown = set(names) - EVENT_NAMES
    if unknown:
        raise ValueError(f"unknown event names: {sorted(unknown)}")

    def register(handler: Handler) -> Handler:
        for name in names:
            subscribe(name, handler)
        return handler

    return register


def _check(name: str) -> None:
    if name not in EVENT_NAMES:
        raise ValueError(f"unknown event name: {name}")
    if not _wired:
        raise NotWired("domain events raised before failwell.bootstrap.bootstrap() wired their handlers")


def emit(session: Session, actor: Actor, event: DomainEvent) -> None:
    """Runs every handler for the event now, inside the caller's transaction."""
    _check(event.name)
    for handler in tuple(_handlers.get(event.name, ())):
        handler(session, actor, event)


def emit_all(session: Session, actor: Actor, events: Sequence[DomainEvent]) -> None:
    """Runs every handler for these events of one name now, inside the caller's transaction:
    handlers in their usual order, each once for all the events when it has a bulk form, else
    once per event in order. Nothing is left to later, as with ``emit``."""
    if not events:
        return
    names = {e.name for e in events}
    if len(names) != 1:
        raise ValueError(f"emit_all takes events of one name, not {sorted(names)}")
    _check(events[0].name)
    for handler in tuple(_handlers.get(events[0].name, ())):
        bulk = _bulk_forms.get(handler)
        if bulk is not None:
            bulk(session, actor, events)
        else:
            for event in events:
                handler(session, actor, event)
