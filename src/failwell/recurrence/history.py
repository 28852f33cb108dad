"""What corrective actions say about a failure's history: still open, overdue, or a fix that did not hold.

Judgements are pure functions of the actions and failures given (no database), so the
similar-failure suggestions and the problem pages read them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import OPEN_STATUSES, is_overdue
from failwell.enums import ActionStatus
from failwell.failures.models import Failure
from failwell.recurrence.schemas import OccurrenceOut


def corrective_actions(session: Session, failure_ids: Sequence[int]) -> Sequence[CorrectiveAction]:
    """The actions of these failures, oldest first."""
    if not failure_ids:
        return []
    return session.scalars(
        select(CorrectiveAction)
        .where(CorrectiveAction.failure_id.in_(failure_ids))
        .order_by(CorrectiveAction.id)
    ).all()


def done_at(actions: Sequence[CorrectiveAction]) -> list[datetime]:
    """When each action marked done was completed (those with a completion time)."""
    return [a.completed_at for a in actions if a.status == ActionStatus.done and a.completed_at]


def open_fix(actions: Sequence[CorrectiveAction]) -> bool:
    return any(a.status in OPEN_STATUSES for a in actions)


def overdue_fix(actions: Sequence[CorrectiveAction]) -> bool:
    return any(is_overdue(a) for a in actions)


def fix_did_not_hold(actions: Sequence[CorrectiveAction], reference: datetime) -> bool:
    """An action was marked done before ``reference`` (when the failure at hand started)."""
    return any(
        a.status == ActionStatus.done and a.completed_at is not None and a.completed_at < reference
        for a in actions
    )


def recurred_after_fix(failures: Sequence[Failure], actions: Sequence[CorrectiveAction]) -> bool:
    """A failure started after a fix (of another of these failures) was marked done."""
    return any(
        f.id != a.failure_id and f.started_at > a.completed_at
        for a in actions
        if a.status == ActionStatus.done and a.completed_at is not None
        for f in failures
    )


def recurrences_stopped(failures: Sequence[Failure], actions: Sequence[CorrectiveAction]) -> bool:
    """Nothing is left open, and every failure started before the last fix was marked done."""
    if not failures or open_fix(actions):
        return False
    finished = done_at(actions)
    last_fix = max(finished) if finished else None
    return last_fix is not None and all(f.started_at <= last_fix for f in failures)


def occurrence_out(failure: Failure) -> OccurrenceOut:
    return OccurrenceOut(
        failure_id=failure.id,
        title=failure.title,
        started_at=failure.started_at,
        status=failure.status,
        severity=failure.severity,
        services=[s.name for s in failure.services],
    )
