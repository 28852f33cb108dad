"""A detection, mitigation or resolution on the timeline is also the failure's matching time."""

from __future__ import annotations

from datetime import datetime

from failwell.enums import FailureStatus, TimelineKind
from failwell.failures.models import Failure
from failwell.failures.schemas import FailureUpdate

MILESTONE_TIMES = {
    TimelineKind.detection: "detected_at",
    TimelineKind.mitigation: "mitigated_at",
    TimelineKind.resolution: "resolved_at",
}
# The status an event moves the failure on to, from the statuses it moves it from.
_STATUS_AFTER = {
    TimelineKind.mitigation: (FailureStatus.mitigated, {FailureStatus.open}),
    TimelineKind.resolution: (FailureStatus.resolved, {FailureStatus.open, FailureStatus.mitigated}),
}


def empty_milestones(failure: Failure) -> list[TimelineKind]:
    """The milestone kinds whose time the failure does not have yet."""
    return [kind for kind, name in MILESTONE_TIMES.items() if getattr(failure, name) is None]


def update_for_event(failure: Failure, kind: TimelineKind, at: datetime) -> FailureUpdate | None:
    """The change that makes the failure agree with a milestone event; None for other kinds."""
    name = MILESTONE_TIMES.get(kind)
    if name is None:
        return None
    changes: dict[str, object] = {name: at}
    status, moves_from = _STATUS_AFTER.get(kind, (None, set()))
    if status is not None and failure.status in moves_from:
        changes["status"] = status
    return FailureUpdate.model_validate(changes)
