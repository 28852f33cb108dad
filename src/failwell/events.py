"""Domain events, handled in the same unit of work as the change that raised them.

A service calls ``emit(session, actor, DomainEvent(...))`` after it has changed the database
(and flushed). Every handler registered for that event name runs at once, in the same session
and so in the same transaction: what a handler writes (a search index row, an outbox entry)
commits or rolls back together with the change. Nothing is queued in memory, so nothing can be
lost between the change and its consequences.

Handlers must be quick and must not do network I/O: slow work belongs in the outbox, which a
worker drains. A handler that raises aborts the whole unit of work, as any other error would.

Slices register their handlers at import time with ``@handles("failure.reported", ...)`` in a
module listed in HANDLER_MODULES; the first ``emit`` imports them all, so handlers run wherever
a service runs (API, pages, CLI, demo loader) without each entry point remembering to load them.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from failwell.authz import Actor

# The event names services emit. Keep this list the single source of truth.
FAILURE_REPORTED = "failure.reported"
FAILURE_UPDATED = "failure.updated"
FAILURE_DELETED = "failure.deleted"
REVIEW_STARTED = "review.started"
REVIEW_UPDATED = "review.updated"
REVIEW_PUBLISHED = "review.published"
ACTION_CREATED = "action.created"
ACTION_UPDATED = "action.updated"
ACTION_DONE = "action.done"
# Raised by the recurrence slice: a failure was linked to an earlier one / a problem changed.
RECURRENCE_DETECTED = "recurrence.detected"
PROBLEM_UPDATED = "problem.updated"

EVENT_NAMES = frozenset(
    {
        FAILURE_REPORTED,
        FAILURE_UPDATED,
        FAILURE_DELETED,
        REVIEW_STARTED,
        REVIEW_UPDATED,
        REVIEW_PUBLISHED,
        ACTION_CREATED,
        ACTION_UPDATED,
        ACTION_DONE,
        RECURRENCE_DETECTED,
        PROBLEM_UPDATED,
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

HANDLER_MODULES = ("failwell.recurrence.handlers", "failwell.broadcast.handlers")

_handlers: dict[str, list[Handler]] = defaultdict(list)
_loaded = False


def load_handlers() -> None:
    global _loaded
    if not _loaded:
        for module in HANDLER_MODULES:
            importlib.import_module(module)
        _loaded = True


def handles(*names: str) -> Callable[[Handler], Handler]:
    """Registers the decorated function for the named events (idempotent per function)."""
    unknown = set(names) - EVENT_NAMES
    if unknown:
        raise ValueError(f"unknown event names: {sorted(unknown)}")

    def register(handler: Handler) -> Handler:
        for name in names:
            if handler not in _handlers[name]:
                _handlers[name].append(handler)
        return handler

    return register


def emit(session: Session, actor: Actor, event: DomainEvent) -> None:
    """Runs every handler for the event now, inside the caller's transaction."""
    if event.name not in EVENT_NAMES:
        raise ValueError(f"unknown event name: {event.name}")
    load_handlers()
    for handler in tuple(_handlers.get(event.name, ())):
        handler(session, actor, event)
