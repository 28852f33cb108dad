"""Changing a failure the way people do on its page: a status with the time it happened, and
details edited from the version a person saw, merged field by field with what others changed
in the meantime. Both end in service.update_failure, which keeps its own rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.enums import FailureStatus, Role
from failwell.errors import Conflict, FieldError
from failwell.failures.models import Failure, TimelineEvent
from failwell.failures.schemas import FailureUpdate, TimelineEventUpdate
from failwell.failures.service import failure_out, get_failure, update_failure
from failwell.failures.timeline import get_event, update_event

# The time a status records.
STATUS_TIME = {
    FailureStatus.mitigated: "mitigated_at",
    FailureStatus.resolved: "resolved_at",
    FailureStatus.closed: "resolved_at",
}
EDITABLE_FIELDS = (
    "title",
    "description",
    "kind",
    "severity",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "services",
    "impact_partners",
    "impact_consumers",
    "tags",
    "deployment_ids",
    "change_ids",
)
CHANGED_MEANWHILE = "was changed by someone else while you were editing"


def change_status(
    session: Session, actor: Actor, failure_id: int, status: FailureStatus, at: datetime | None = None
) -> Failure:
    """Moves the failure to `status`, with `at` as the time it was mitigated or resolved
    (reopening takes no time). Closing keeps the time it was resolved, if it was."""
    failure = get_failure(session, failure_id)
    fields: dict[str, Any] = {"status": status}
    time_field = STATUS_TIME.get(status)
    if time_field and at is not None and not (status == FailureStatus.closed and failure.resolved_at):
        fields[time_field] = at
    return update_failure(session, actor, failure_id, FailureUpdate.model_validate(fields))


def _comparable(value: Any) -> Any:
    """A value as the merge compares it. Times count to the minute (what people see and type,
    so seconds stored by the API are kept when the minute is left alone); text ignores line
    endings and surrounding space; lists ignore order and repeats (every read sorts them)."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, list | tuple | set):
        return sorted(set(value))
    return value


def _same(a: Any, b: Any) -> bool:
    return bool(_comparable(a) == _comparable(b))


def changed_since(shown: Mapping[str, Any], submitted: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted fields whose value differs from the one shown (a field not shown counts
    as unchanged)."""
    return {name: new for name, new in submitted.items() if name in shown and not _same(new, shown[name])}


def edited_fields(
    shown: Mapping[str, Any], submitted: Mapping[str, Any], current: Mapping[str, Any]
) -> dict[str, Any]:
    """The changes to apply: each submitted field whose value differs from the one the person
    was shown (the current one where `shown` lacks it). A field they left as shown is not
    written back, so a change someone else made there meanwhile stands; a field both they and
    someone else changed, to different values, is refused (Conflict) rather than overwritten."""
    seen = {name: shown.get(name, current[name]) for name in submitted}
    changed = changed_since(seen, submitted)
    clashes = [
        FieldError(name, CHANGED_MEANWHILE)
        for name, new in changed.items()
        if not _same(current[name], seen[name]) and not _same(current[name], new)
    ]
    if clashes:
        names = ", ".join(e.field for e in clashes)
        raise Conflict(detail=f"Changed by someone else meanwhile: {names}.", errors=clashes)
    return changed


def failure_to_edit(session: Session, actor: Actor, failure_id: int) -> Failure:
    """The failure, for someone about to change it: refused before any form is shown."""
    require(actor, Role.practitioner, "Changing a failure")
    return get_failure(session, failure_id)


def edit_failure(
    session: Session,
    actor: Actor,
    failure_id: int,
    shown: Mapping[str, Any],
    submitted: Mapping[str, Any],
) -> Failure | None:
    """Saves what the person changed since the version they were shown (see edited_fields);
    None when they changed nothing. Values are typed as FailureUpdate takes them."""
    failure = failure_to_edit(session, actor, failure_id)
    out = failure_out(failure)
    current = {name: getattr(out, name) for name in EDITABLE_FIELDS}
    changed = edited_fields(shown, submitted, current)
    if not changed:
        return None
    return update_failure(session, actor, failure_id, FailureUpdate.model_validate(changed))


def event_to_edit(session: Session, actor: Actor, failure_id: int, event_id: int) -> TimelineEvent:
    require(actor, Role.practitioner, "Changing a timeline")
    return get_event(session, failure_id, event_id)


def edit_event(
    session: Session, actor: Actor, failure_id: int, event_id: int, submitted: Mapping[str, Any]
) -> TimelineEvent:
    """Saves the fields of a timeline event the person changed (an event is edited in place,
    so what they were shown is what is stored)."""
    event = event_to_edit(session, actor, failure_id, event_id)
    current = {"kind": event.kind, "occurred_at": event.occurred_at, "description": event.description}
    changed = edited_fields(current, submitted, current)
    if changed:
        update_event(session, actor, failure_id, event_id, TimelineEventUpdate.model_validate(changed))
    return event
