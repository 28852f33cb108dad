"""The inbound pipeline every webhook goes through: size, sender (against the process's copy of
the integration, see integrations.cache), then in one transaction the kind's handler and the
delivery stored with its verdict, which takes its idempotency key.

Nothing is stored for a delivery that fails authentication (a stranger must not fill the table,
nor take a real delivery's id); everything that passes is stored, mapped or not, and can be
replayed once a rule is fixed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from failwell.db import Database, utcnow
from failwell.errors import Conflict, DomainError, NotAuthenticated, NotFound, PermissionDenied
from failwell.fields import error_reason
from failwell.integrations import alertmanager, cache, generic, github, gitlab, pagerduty
from failwell.integrations.cache import Entry
from failwell.integrations.config import get_integration_settings
from failwell.integrations.context import Context, Outcome, Unmapped
from failwell.integrations.models import Integration, IntegrationDelivery, IntegrationKind, Verdict
from failwell.integrations.signatures import verify

log = logging.getLogger("failwell.integrations")

Handler = Callable[[Context, str, Any], None]
HANDLERS: dict[IntegrationKind, Handler] = {
    IntegrationKind.github: github.handle,
    IntegrationKind.gitlab: gitlab.handle,
    IntegrationKind.alertmanager: alertmanager.handle,
    IntegrationKind.pagerduty: pagerduty.handle,
    IntegrationKind.generic: generic.handle,
}
# Kinds whose body is validated as a model before the write transaction (the handler takes the
# model then): with several server processes, one validates while another writes.
VALIDATORS: dict[IntegrationKind, Callable[[str, Any], Any]] = {IntegrationKind.generic: generic.validated}

# Headers worth keeping with a delivery (never Authorization or a signature).
KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "x-github-event",
    "x-github-delivery",
    "x-github-hook-id",
    "x-gitlab-event",
    "x-gitlab-event-uuid",
    "idempotency-key",
    "x-webhook-id",
    "x-request-id",
)


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


@dataclass(frozen=True)
class Received:
    delivery_id: int | None
    verdict: Verdict
    detail: str
    result: dict[str, Any]


def delivery_key(kind: IntegrationKind, headers: Mapping[str, str], body: bytes) -> str:
    for name in ("x-github-delivery", "idempotency-key", "x-gitlab-event-uuid", "x-webhook-id"):
        value = headers.get(name)
        if value:
            return f"{name}:{value.strip()}"[:200]
    return "sha256:" + hashlib.sha256(body).hexdigest()


def event_name(kind: IntegrationKind, headers: Mapping[str, str], payload: Any, variant: str | None) -> str:
    if kind == IntegrationKind.github:
        return headers.get("x-github-event", "unknown")[:64]
    if kind == IntegrationKind.gitlab:
        if isinstance(payload, dict) and payload.get("object_kind"):
            return str(payload["object_kind"])[:64]
        return headers.get("x-gitlab-event", "unknown")[:64]
    if kind == IntegrationKind.pagerduty:
        event = payload.get("event", {}) if isinstance(payload, dict) else {}
        return str(event.get("event_type", "unknown"))[:64]
    if kind == IntegrationKind.alertmanager:
        return f"alerts:{payload.get('status', 'unknown')}"[:64] if isinstance(payload, dict) else "alerts"
    return variant or "deployment"


_DELIVERIES: Table = IntegrationDelivery.__table__  # type: ignore[assignment]  # declarative types it loosely
_FIRST_WITH_KEY = select(_DELIVERIES.c.id).where(
    _DELIVERIES.c.integration_id == bindparam("integration_id"),
    _DELIVERIES.c.delivery_key == bindparam("key"),
)
_ANY_WITH_KEYS = select(_DELIVERIES.c.id).where(
    _DELIVERIES.c.integration_id == bindparam("integration_id"),
    _DELIVERIES.c.delivery_key.in_(bindparam("keys", expanding=True)),
)
# Stored once the verdict is known, taking the key: a concurrent twin (PostgreSQL) waits here
# for the first one's transaction, then gets no row back and is answered as a duplicate.
_STORE_DELIVERY = {
    name: dialect.insert(_DELIVERIES)
    .on_conflict_do_nothing(index_elements=["integration_id", "delivery_key"])
    .returning(_DELIVERIES.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _checked(entry: Entry | None, integration_id: int, kind: IntegrationKind) -> Entry:
    if entry is None or entry.kind != kind:
        raise NotFound(detail=f"No {kind.value} integration with id {integration_id}.")
    if not entry.active:
        raise PermissionDenied(detail=f"The integration '{entry.integration.name}' is switched off.")
    return entry


def _authenticated(
    db: Database, integration_id: int, kind: IntegrationKind, headers: Mapping[str, str], body: bytes
) -> Entry:
    """The integration, once the delivery proved it knows its secret; before any write lock is
    taken, so strangers never queue for it. The process's copy first; refused against it, the
    database's (another process may have rotated the secret or switched it on)."""
    try:
        entry = _checked(cache.cached(db, integration_id), integration_id, kind)
        verify(kind, headers, body, entry.secret)
    except (NotAuthenticated, NotFound, PermissionDenied):
        entry = _checked(cache.fresh(db, integration_id), integration_id, kind)
        verify(kind, headers, body, entry.secret)
    return entry


NOT_PARSED: Any = object()


def parse_body(body: bytes) -> Any:
    """JSON from the raw body; orjson first (several times faster on a 10 KB GitHub payload),
    the standard library for what orjson refuses but JSON allows (integers over 64 bits)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def handled(ctx: Context, event: str, payload: Any) -> Outcome:
    """Runs the kind's handler; anything but an accepted outcome means its writes are to be
    undone by the caller (a savepoint, or the whole transaction)."""
    try:
        HANDLERS[ctx.integration.kind](ctx, event, payload)
        ctx.session.flush()
    except Unmapped as exc:
        return Outcome(Verdict.unmapped, str(exc), {"unmapped": exc.facts} if exc.facts else {})
    except ValidationError as exc:
        return Outcome(Verdict.refused, _refusal(exc))
    except DomainError as exc:
        return Outcome(Verdict.refused, str(exc))
    except Exception as exc:  # kept for replay once fixed; the sender is not to blame
        return Outcome(Verdict.error, f"{type(exc).__name__}: {exc}"[:2000], error=exc)
    return ctx.outcome


def _refusal(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {error_reason(e)}" for e in exc.errors()[:5])


def _log_error(outcome: Outcome, integration_id: int) -> None:
    if outcome.error is not None:
        log.error("integration %s: processing a delivery failed", integration_id, exc_info=outcome.error)


def process(
    session: Session, integration: Integration, event: str, body: bytes, payload: Any = NOT_PARSED
) -> Outcome:
    """Runs the kind's handler in a savepoint: whatever it did is undone unless it is accepted."""
    if payload is NOT_PARSED:
        try:
            payload = parse_body(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return Outcome(Verdict.refused, f"the body is not JSON: {exc}")
    savepoint = session.begin_nested()
    outcome = handled(Context(session, integration), event, payload)
    if outcome.verdict == Verdict.accepted:
        savepoint.commit()
    else:
        savepoint.rollback()
        _log_error(outcome, integration.id)
    return outcome


@dataclass(frozen=True)
class Inbound:
    """A delivery that passed the checks made before the write lock: its size and its sender."""

    integration_id: int
    kind: IntegrationKind
    headers: Mapping[str, str]
    body: bytes
    entry: Entry
    key: str
    event: str
    payload: Any
    problem: str  # why the body cannot be read or is refused, if it is


def admit(
    db: Database,
    integration_id: int,
    kind: IntegrationKind,
    headers: Mapping[str, str],
    body: bytes,
    variant: str | None = None,
) -> Inbound:
    """Refuses a delivery over the size limit or not signed with the integration's secret (it
    is then not stored at all); reads what the write transaction will need."""
    limit = get_integration_settings().max_body_bytes
    if len(body) > limit:
        raise PayloadTooLarge(detail=f"The delivery is over the limit of {limit} bytes; nothing was stored.")
    entry = _authenticated(db, integration_id, kind, headers, body)
    key = delivery_key(kind, headers, body)
    if variant == "batch":
        key = "batch:" + key
    payload: Any
    problem = ""
    try:
        payload = parse_body(body)
    except (ValueError, UnicodeDecodeError) as exc:
        payload, problem = NOT_PARSED, f"the body is not JSON: {exc}"
    event = event_name(kind, headers, None if payload is NOT_PARSED else payload, variant)
    validate = VALIDATORS.get(kind)
    if validate is not None and not problem:
        try:
            payload = validate(event, payload)
        except ValidationError as exc:
            problem = _refusal(exc)
    return Inbound(integration_id, kind, headers, body, entry, key, event, payload, problem)


def receive(
    db: Database,
    integration_id: int,
    kind: IntegrationKind,
    headers: Mapping[str, str],
    body: bytes,
    variant: str | None = None,
) -> Received:
    """Everything an inbound request goes through; ``headers`` has lower-case names.

    One write transaction: the stamp of the integrations (is the process's copy current?), the
    handler, and the delivery stored with its verdict, which takes the key. A delivery that is
    not accepted rolls the handler's writes back with the transaction and is stored, with its
    verdict, in a transaction of its own; a duplicate key rolls everything back."""
    return record(db, admit(db, integration_id, kind, headers, body, variant))


def record(db: Database, inbound: Inbound) -> Received:
    """The write transaction of `receive`, for an admitted delivery."""
    with db.session() as session:
        entry = _confirmed(db, session, inbound)
        ctx = Context(session, entry.integration, known_options=entry.options, known_rules=entry.rules)
        if inbound.problem:
            outcome = Outcome(Verdict.refused, inbound.problem)
        else:
            outcome = handled(ctx, inbound.event, inbound.payload)
        if outcome.verdict != Verdict.accepted:
            session.rollback()
        delivery_id = store_delivery(session, inbound, outcome)
        if delivery_id is None:  # a twin came first: whatever went wrong here is moot
            session.rollback()
            return _seen(session, inbound.integration_id, inbound.key)
        _log_error(outcome, inbound.integration_id)
        return Received(delivery_id, outcome.verdict, outcome.detail, outcome.result)


def _confirmed(db: Database, session: Session, inbound: Inbound) -> Entry:
    """The integration as of this transaction; the sender is checked again if it was edited
    since the process read it."""
    now = cache.current(db, session, inbound.integration_id, inbound.entry)
    if now is inbound.entry:
        return now
    entry = _checked(now, inbound.integration_id, inbound.kind)
    verify(inbound.kind, inbound.headers, inbound.body, entry.secret)
    return entry


def store_delivery(session: Session, inbound: Inbound, outcome: Outcome) -> int | None:
    """Stores the delivery with its verdict; None if its key is taken (a duplicate)."""
    dialect = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
    return session.connection().execute(_STORE_DELIVERY[dialect], delivery_row(inbound, outcome)).scalar()


def delivery_row(inbound: Inbound, outcome: Outcome) -> dict[str, Any]:
    """The delivery's row as stored, with its verdict (the database adds its id and time)."""
    return {
        "integration_id": inbound.integration_id,
        "delivery_key": inbound.key,
        "event": inbound.event,
        "body": inbound.body,
        "headers": {k: v[:300] for k, v in inbound.headers.items() if k in KEPT_HEADERS},
        "verdict": outcome.verdict,
        "detail": outcome.detail,
        "result": outcome.result,
    }


def any_taken(session: Session, integration_id: int, keys: list[str]) -> bool:
    """Whether a delivery of the integration already holds one of these keys."""
    params = {"integration_id": integration_id, "keys": keys}
    return session.connection().execute(_ANY_WITH_KEYS, params).first() is not None


def _seen(session: Session, integration_id: int, key: str) -> Received:
    params = {"integration_id": integration_id, "key": key}
    first = session.connection().execute(_FIRST_WITH_KEY, params).scalar()
    return Received(first, Verdict.duplicate, f"delivery {first} had the same key; nothing changed", {})


def replay(session: Session, delivery: IntegrationDelivery) -> Received:
    """Processes a stored delivery again (after a rule was fixed). Deployments with an external
    id and grouped failures are updated, not repeated; the delivery takes the new verdict."""
    if delivery.verdict == Verdict.accepted:
        raise Conflict.on(
            "verdict", "an accepted delivery is not replayed: it would record its deployments twice"
        )
    integration = session.get_one(Integration, delivery.integration_id)
    outcome = process(session, integration, delivery.event, delivery.body)
    delivery.verdict, delivery.detail, delivery.result = outcome.verdict, outcome.detail, outcome.result
    delivery.replayed_at = utcnow()
    session.flush()
    return Received(delivery.id, outcome.verdict, outcome.detail, outcome.result)
