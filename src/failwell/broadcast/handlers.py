"""Handlers of domain events (see failwell.events), run in the unit of work that raised them.

Each one renders the message and writes the outbox row and its deliveries in the same
transaction as the change: the transactional outbox. No network I/O happens here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.authz import Actor
from failwell.broadcast import render
from failwell.broadcast.models import Topic
from failwell.broadcast.outbox import Target, enqueue, enqueue_all
from failwell.events import (
    ACTION_DONE,
    FAILURE_REPORTED,
    PROBLEM_UPDATED,
    RECURRENCE_DETECTED,
    REVIEW_COMMENTED,
    REVIEW_PUBLISHED,
    BulkForms,
    DomainEvent,
    HandlerTable,
)
from failwell.failures.models import Failure
from failwell.reviews.models import Review, ReviewComment


def on_failure_reported(session: Session, actor: Actor, event: DomainEvent) -> None:
    failure = session.get(Failure, event.subject_id)
    if failure is None:
        return
    # The system actor (CLI, demo, CI without a person) has no name worth telling.
    reporter = actor.name if actor.person_id else None
    enqueue(session, render.failure_reported(session, failure, reporter, None))  # see FAILURE_REPORTED


def on_failures_reported(session: Session, actor: Actor, events: Sequence[DomainEvent]) -> None:
    """Many reports at once (a CI batch): one message each, written together."""
    failures = [f for f in (session.get(Failure, e.subject_id) for e in events) if f is not None]
    reporter = actor.name if actor.person_id else None
    # No review to look for (see FAILURE_REPORTED).
    messages = [render.failure_reported(session, f, reporter, None) for f in failures]
    enqueue_all(session, messages)


def on_review_published(session: Session, actor: Actor, event: DomainEvent) -> None:
    review = session.get(Review, event.subject_id)
    if review is None:
        return
    enqueue(session, render.review_published(session, review))


def on_review_commented(session: Session, actor: Actor, event: DomainEvent) -> None:
    review, comment = (
        session.get(Review, event.subject_id),
        session.get(ReviewComment, event.data["comment_id"]),
    )
    if review is None or comment is None:
        return
    mentioned = [Target(person_id=p, reason="mentioned in a review comment") for p in event.data["mentioned"]]
    author = actor.name if actor.person_id else None
    enqueue(session, render.review_commented(session, review, comment, author), extra_targets=mentioned)


def on_action_done(session: Session, actor: Actor, event: DomainEvent) -> None:
    action = session.get(CorrectiveAction, event.subject_id)
    if action is None:
        return
    enqueue(session, render.action_message(session, Topic.action_done, action, "Corrective action done"))


def on_recurrence_detected(session: Session, actor: Actor, event: DomainEvent) -> None:
    enqueue(session, render.recurrence_detected(session, event.subject_id, dict(event.data)))


def on_problem_updated(session: Session, actor: Actor, event: DomainEvent) -> None:
    enqueue(session, render.problem_updated(event.subject_id, dict(event.data)))


# What this slice does when each event is raised; failwell.bootstrap wires it.
HANDLERS: HandlerTable = (
    (FAILURE_REPORTED, on_failure_reported),
    (REVIEW_PUBLISHED, on_review_published),
    (REVIEW_COMMENTED, on_review_commented),
    (ACTION_DONE, on_action_done),
    (RECURRENCE_DETECTED, on_recurrence_detected),
    (PROBLEM_UPDATED, on_problem_updated),
)
BULK_FORMS: BulkForms = ((on_failure_reported, on_failures_reported),)
