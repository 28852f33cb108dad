"""Handlers of domain events (see failwell.events), run in the unit of work that raised them.

Each change to a failure or its review refreshes that failure's search row (the full-text
index follows) and, when the embedded text changed, its embedding: a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.enums import ReportChannel
from failwell.events import (
    FAILURE_DELETED,
    FAILURE_REPORTED,
    FAILURE_UPDATED,
    REVIEW_STARTED,
    REVIEW_UPDATED,
    BulkForms,
    DomainEvent,
    HandlerTable,
)
from failwell.recurrence.backlog import queue as queue_embeddings
from failwell.recurrence.index import forget_failure, index_failures
from failwell.reviews.models import Review


def _failure_changed(session: Session, actor: Actor, event: DomainEvent) -> None:
    _failures_changed(session, actor, [event])


def _failures_changed(session: Session, _actor: Actor, events: Sequence[DomainEvent]) -> None:
    """The search rows of these failures, in one pass per kind of change."""
    passes: dict[tuple[bool, bool, bool], list[int]] = {}
    for event in events:
        moved = "started_at" in event.data.get("fields", ())
        reported = event.name == FAILURE_REPORTED
        # Nobody waits on a webhook's report: its embedding goes to the worker (recurrence.backlog).
        by_webhook = reported and event.data.get("reported_via") == ReportChannel.webhook.value
        passes.setdefault((moved, by_webhook, reported), []).append(event.subject_id)
    for (moved, by_webhook, reported), ids in passes.items():
        index_failures(session, ids, moved=moved, embed=not by_webhook, new=reported)
        if by_webhook:
            queue_embeddings(session, ids)


# Publishing also raises review.updated, which has already refreshed the row.
def _review_changed(session: Session, _actor: Actor, event: DomainEvent) -> None:
    failure_id = event.data.get("failure_id")
    if failure_id is None:
        failure_id = session.scalar(select(Review.failure_id).where(Review.id == event.subject_id))
    if failure_id is not None:
        index_failures(session, [int(failure_id)])


def _failure_deleted(session: Session, _actor: Actor, event: DomainEvent) -> None:
    forget_failure(session, event.subject_id)


# What this slice does when each event is raised; failwell.bootstrap wires it.
HANDLERS: HandlerTable = (
    (FAILURE_REPORTED, _failure_changed),
    (FAILURE_UPDATED, _failure_changed),
    (REVIEW_STARTED, _review_changed),
    (REVIEW_UPDATED, _review_changed),
    (FAILURE_DELETED, _failure_deleted),
)
BULK_FORMS: BulkForms = ((_failure_changed, _failures_changed),)
