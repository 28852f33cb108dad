"""Writing entries: from every flush (watched models), from domain events (reports, deletions,
publications) and from refusals (in a transaction of their own).

Who acted comes from the session (failwell.authz.act_as, set where a request's or a command's
unit of work opens) or, for domain events, from the event's actor. An anonymous failure report
is written with nothing about who sent it: no person, no token, no name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from failwell.audit.enums import AuditAction
from failwell.audit.models import ActorKind, AuditEntry
from failwell.audit.registry import Audited, audited
from failwell.authz import Actor, acting
from failwell.db import Database, utcnow
from failwell.events import (
    FAILURE_DELETED,
    FAILURE_REPORTED,
    REVIEW_PUBLISHED,
    REVIEW_UPDATED,
    BulkForms,
    DomainEvent,
    HandlerTable,
)

MASK = "••••"
CHANGED = "changed"
# Long texts (a review template) are kept to their start: the trail says that they changed.
LONGEST = 2000
_ENTRIES: Table = AuditEntry.__table__  # type: ignore[assignment]  # declarative types it loosely


def plain(value: Any) -> Any:
    """A JSON-safe copy of a column value."""
    if isinstance(value, str) and len(value) > LONGEST:
        return value[:LONGEST] + "…"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def who(actor: Actor | None) -> dict[str, Any]:
    """The actor columns of an entry. The system's actor has no person (person_id 0)."""
    if actor is None:
        return {"actor_kind": ActorKind.system.value, "actor_person_id": None, "actor_name": "failwell"}
    if not actor.person_id:
        return {"actor_kind": ActorKind.system.value, "actor_person_id": None, "actor_name": actor.name}
    kind = ActorKind.token if actor.token_id is not None else ActorKind.person
    return {
        "actor_kind": kind.value,
        "actor_person_id": actor.person_id,
        "actor_name": actor.name,
        "token_id": actor.token_id,
    }


ANONYMOUS: dict[str, Any] = {
    "actor_kind": ActorKind.anonymous.value,
    "actor_person_id": None,
    "actor_name": "",
}


def entry(
    actor_columns: dict[str, Any],
    action: str,
    subject_type: str,
    subject_id: object,
    summary: str,
    changes: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor_kind": actor_columns["actor_kind"],
        "actor_person_id": actor_columns.get("actor_person_id"),
        "actor_name": actor_columns.get("actor_name", "")[:200],
        "token_id": actor_columns.get("token_id"),
        "action": action,
        "subject_type": subject_type,
        "subject_id": "" if subject_id is None else str(subject_id)[:64],
        "summary": summary[:500],
        "changes": changes or {},
        "request_method": extra.get("request_method"),
        "request_path": extra.get("request_path"),
    }


def write(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(_ENTRIES), rows)


# ---- watched models, from each flush ---------------------------------------------------------


def _mask(value: Any) -> Any:
    return MASK if value not in (None, "") else None


def _label(spec: Audited, obj: object) -> str:
    value = getattr(obj, spec.label, None) if spec.label else None
    return f" '{value}'" if value not in (None, "") else ""


def _members(items: Iterable[Any]) -> list[str]:
    return sorted(str(getattr(item, "name", item)) for item in items)


def _created(spec: Audited, obj: object) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    state = inspect(obj)
    keys = {c.key for c in state.mapper.primary_key}
    for attr in state.mapper.column_attrs:
        if attr.key in spec.ignore or attr.key in keys:
            continue
        # What was written, without loading anything more (a server default stays unshown).
        value = state.dict.get(attr.key)
        if value is None:
            continue
        changes[attr.key] = [None, _mask(value) if attr.key in spec.secret else plain(value)]
    for name in spec.collections:
        members = _members(state.dict.get(name, ()))
        if members:
            changes[name] = [[], members]
    return changes


def _updated(spec: Audited, obj: object) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in spec.ignore:
            continue
        history = state.attrs[attr.key].history
        if not history.added and not history.deleted:
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if plain(before) == plain(after):
            continue
        if attr.key in spec.secret:
            changes[attr.key] = [_mask(before), CHANGED if after not in (None, "") else None]
        else:
            changes[attr.key] = [plain(before), plain(after)]
    for name in spec.collections:
        history = state.attrs[name].history
        if history.added or history.deleted:
            kept = list(history.unchanged or ())
            changes[name] = [_members(kept + list(history.deleted)), _members(kept + list(history.added))]
    return changes


def _deleted(spec: Audited, obj: object) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in spec.ignore or attr.key in spec.secret:
            continue
        # What is loaded, without loading anything (the row is gone by now).
        value = state.dict.get(attr.key)
        if value is not None:
            changes[attr.key] = [plain(value), None]
    return changes


def _subject_id(obj: object) -> str:
    values = inspect(obj).mapper.primary_key_from_instance(obj)
    return "/".join(str(v) for v in values)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    actor_columns = who(acting(session))
    rows: list[dict[str, Any]] = []
    for action, objects in (
        ("created", session.new),
        ("updated", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objects:
            spec = audited(type(obj))
            if spec is None or action not in spec.actions:
                continue
            if action == "created":
                changes = _created(spec, obj)
            elif action == "updated":
                changes = _updated(spec, obj)
                if not changes:
                    continue
            else:
                changes = _deleted(spec, obj)
            subject = _subject_id(obj)
            summary = f"{subject_words(spec.subject_type)}{_label(spec, obj)} {action}"
            rows.append(entry(actor_columns, action, spec.subject_type, subject, summary, changes))
    write(session, rows)


# Initialisms a subject type's words keep in capitals ("API token", not "Api token").
_INITIALISMS = {"api": "API", "sso": "SSO"}


def subject_words(subject_type: str) -> str:
    """A subject type as the start of a sentence: "api_token" -> "API token"."""
    words = [_INITIALISMS.get(word, word) for word in subject_type.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


_installed = False


def install() -> None:
    """Watches every session's flushes (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True


# ---- domain events -------------------------------------------------------------------------


def _failure_reported(session: Session, actor: Actor, happened: DomainEvent) -> None:
    _failures_reported(session, actor, [happened])


def _failures_reported(session: Session, actor: Actor, events: Sequence[DomainEvent]) -> None:
    rows = []
    for happened in events:
        # Private by default: a report whose event does not say it was named is written as anonymous.
        named = happened.data.get("anonymous") is False
        actor_columns = who(actor) if named else ANONYMOUS
        summary = f"Failure #{happened.subject_id} reported" + ("" if named else " anonymously")
        rows.append(entry(actor_columns, AuditAction.reported, "failure", happened.subject_id, summary))
    write(session, rows)


def _failure_deleted(session: Session, actor: Actor, happened: DomainEvent) -> None:
    title = str(happened.data.get("title", ""))
    changes = {"title": [title, None]} if title else {}
    summary = f"Failure #{happened.subject_id} deleted" + (f": {title}" if title else "")
    write(session, [entry(who(actor), AuditAction.deleted, "failure", happened.subject_id, summary, changes)])


def _review_published(session: Session, actor: Actor, happened: DomainEvent) -> None:
    failure = happened.data.get("failure_id")
    changes = {"status": [happened.data.get("from"), happened.data.get("to")]}
    summary = f"Review #{happened.subject_id}" + (f" of failure #{failure}" if failure else "") + " published"
    write(
        session, [entry(who(actor), AuditAction.published, "review", happened.subject_id, summary, changes)]
    )


def _review_unpublished(session: Session, actor: Actor, happened: DomainEvent) -> None:
    # Taking a published review back to work withdraws it from everyone who read it.
    if happened.data.get("from") != "published" or happened.data.get("to") in (None, "published"):
        return
    failure = happened.data.get("failure_id")
    changes = {"status": ["published", happened.data.get("to")]}
    summary = (
        f"Review #{happened.subject_id}" + (f" of failure #{failure}" if failure else "") + " unpublished"
    )
    write(
        session, [entry(who(actor), AuditAction.unpublished, "review", happened.subject_id, summary, changes)]
    )


HANDLERS: HandlerTable = (
    (FAILURE_REPORTED, _failure_reported),
    (FAILURE_DELETED, _failure_deleted),
    (REVIEW_PUBLISHED, _review_published),
    (REVIEW_UPDATED, _review_unpublished),
)
BULK_FORMS: BulkForms = ((_failure_reported, _failures_reported),)


# ---- refusals ------------------------------------------------------------------------------


def record_refusal(db: Database, actor: Actor, method: str, path: str, detail: str) -> None:
    """Writes a refusal in a transaction of its own: the refused request's work rolls back."""
    row = entry(
        who(actor),
        AuditAction.refused,
        "permission",
        "",
        detail,
        request_method=method,
        request_path=path[:2000],
    )
    with db.session() as session:
        write(session, [row])
