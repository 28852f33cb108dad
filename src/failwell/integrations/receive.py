"""The inbound pipeline every webhook goes through: size, sender, idempotency, then the kind's
handler inside a savepoint, and the delivery stored with its verdict.

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
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from failwell.db import Database, utcnow
from failwell.errors import Conflict, DomainError, NotFound, PermissionDenied
from failwell.integrations import alertmanager, generic, github, gitlab, pagerduty
from failwell.integrations.config import get_integration_settings
from failwell.integrations.ingest import Context, Outcome, Unmapped
from failwell.integrations.models import Integration, IntegrationDelivery, IntegrationKind, Verdict
from failwell.integrations.service import unseal_secret
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


_INTEGRATIONS: Table = Integration.__table__  # type: ignore[assignment]  # declarative types it loosely
_DELIVERIES: Table = IntegrationDelivery.__table__  # type: ignore[assignment]
_INTEGRATION = select(
    _INTEGRATIONS.c.kind,
    _INTEGRATIONS.c.name,
    _INTEGRATIONS.c.active,
    _INTEGRATIONS.c.secret_sealed,
    _INTEGRATIONS.c.settings,
).where(_INTEGRATIONS.c.id == bindparam("id"))
_FIRST_WITH_KEY = select(_DELIVERIES.c.id).where(
    _DELIVERIES.c.integration_id == bindparam("integration_id"),
    _DELIVERIES.c.delivery_key == bindparam("key"),
)
_INSERT_DELIVERY = insert(_DELIVERIES).returning(_DELIVERIES.c.id)


def _load(db: Database, integration_id: int, kind: IntegrationKind) -> tuple[Integration, str]:
    """The integration (detached: handlers read its id, name and settings) and its secret;
    column-only, since every delivery asks before its write transaction starts."""
    with db.session(write=False) as session:
        row = session.connection().execute(_INTEGRATION, {"id": integration_id}).first()
    if row is None or row.kind != kind:
        raise NotFound(detail=f"No {kind.value} integration with id {integration_id}.")
    if not row.active:
        raise PermissionDenied(detail=f"The integration '{row.name}' is switched off.")
    integration = Integration(
        id=integration_id, kind=row.kind, name=row.name, active=True, settings=row.settings
    )
    return integration, unseal_secret(row.name, row.secret_sealed)


NOT_PARSED: Any = object()


def parse_body(body: bytes) -> Any:
    """JSON from the raw body; orjson first (several times faster on a 10 KB GitHub payload),
    the standard library for what orjson refuses but JSON allows (integers over 64 bits)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def process(
    session: Session, integration: Integration, event: str, body: bytes, payload: Any = NOT_PARSED
) -> Outcome:
    """Runs the kind's handler in a savepoint: whatever it did is undone unless it is accepted."""
    ctx = Context(session, integration)
    if payload is NOT_PARSED:
        try:
            payload = parse_body(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return Outcome(Verdict.refused, f"the body is not JSON: {exc}")
    savepoint = session.begin_nested()
    try:
        HANDLERS[integration.kind](ctx, event, payload)
        session.flush()
    except Unmapped as exc:
        savepoint.rollback()
        return Outcome(Verdict.unmapped, str(exc))
    except ValidationError as exc:
        savepoint.rollback()
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
        )
        return Outcome(Verdict.refused, problems)
    except DomainError as exc:
        savepoint.rollback()
        return Outcome(Verdict.refused, str(exc))
    except Exception as exc:  # kept for replay once fixed; the sender is not to blame
        savepoint.rollback()
        log.exception("integration %s: processing a delivery failed", integration.id)
        return Outcome(Verdict.error, f"{type(exc).__name__}: {exc}"[:2000])
    savepoint.commit()
    return ctx.outcome


def receive(
    db: Database,
    integration_id: int,
    kind: IntegrationKind,
    headers: Mapping[str, str],
    body: bytes,
    variant: str | None = None,
) -> Received:
    """Everything an inbound request goes through; ``headers`` has lower-case names."""
    limit = get_integration_settings().max_body_bytes
    if len(body) > limit:
        raise PayloadTooLarge(detail=f"The delivery is over the limit of {limit} bytes; nothing was stored.")
    integration, secret = _load(db, integration_id, kind)
    verify(kind, headers, body, secret)
    key = delivery_key(kind, headers, body)
    if variant == "batch":
        key = "batch:" + key
    try:
        payload: Any = parse_body(body)
    except (ValueError, UnicodeDecodeError):
        payload = NOT_PARSED  # process() answers why, and the delivery is kept as refused
    event = event_name(kind, headers, None if payload is NOT_PARSED else payload, variant)
    try:
        with db.session() as session:
            seen = _seen(session, integration_id, key)
            if seen is not None:
                return seen
            delivery_id = (
                session.connection()
                .execute(
                    _INSERT_DELIVERY,
                    {
                        "integration_id": integration_id,
                        "delivery_key": key,
                        "event": event,
                        "body": body,
                        "headers": {k: v[:300] for k, v in headers.items() if k in KEPT_HEADERS},
                        "verdict": Verdict.accepted,
                    },
                )
                .scalar_one()
            )  # takes the key: a concurrent twin waits here, then fails
            outcome = process(session, integration, event, body, payload)
            session.connection().execute(
                update(_DELIVERIES)
                .where(_DELIVERIES.c.id == delivery_id)
                .values(verdict=outcome.verdict, detail=outcome.detail, result=outcome.result)
            )
            return Received(delivery_id, outcome.verdict, outcome.detail, outcome.result)
    except IntegrityError:
        with db.session(write=False) as session:
            seen = _seen(session, integration_id, key)
        if seen is None:
            raise
        return seen


def _seen(session: Session, integration_id: int, key: str) -> Received | None:
    first = (
        session.connection().execute(_FIRST_WITH_KEY, {"integration_id": integration_id, "key": key}).scalar()
    )
    if first is None:
        return None
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
