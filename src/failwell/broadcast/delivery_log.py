"""The delivery log: reading deliveries and their counts, and retrying parked ones."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast.channel_admin import channel_by_name
from failwell.broadcast.models import Delivery, DeliveryStatus, OutboxEvent
from failwell.broadcast.schemas import DeliveryCounts, DeliveryFilter, DeliveryOut
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import Conflict, NotFound
from failwell.listing import apply_sort, paginate


def _destination_label(d: Delivery) -> str:
    if d.destination.startswith("email:"):
        return d.destination.removeprefix("email:")
    return f"channel:{d.channel.name}" if d.channel else d.destination


def delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        event_id=d.outbox_id,
        topic=d.event.topic,
        title=d.event.title,
        destination=_destination_label(d),
        reason=d.reason,
        idempotency_key=d.idempotency_key,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if d.status == DeliveryStatus.pending else None,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
    )


DELIVERY_SORTS = {"created_at": Delivery.created_at, "next_attempt_at": Delivery.next_attempt_at}


def list_deliveries(
    session: Session, actor: Actor, filters: DeliveryFilter
) -> tuple[Sequence[Delivery], int, bool]:
    require(actor, Role.practice_manager, "Reading the delivery log")
    stmt = select(Delivery)
    if filters.status:
        stmt = stmt.where(Delivery.status == filters.status)
    if filters.channel:
        stmt = stmt.where(Delivery.channel_id == channel_by_name(session, filters.channel).id)
    if filters.event_id:
        stmt = stmt.where(Delivery.outbox_id == filters.event_id)
    if filters.topic:
        stmt = stmt.where(
            Delivery.outbox_id.in_(select(OutboxEvent.id).where(OutboxEvent.topic == filters.topic.value))
        )
    stmt = apply_sort(stmt, filters.sort, DELIVERY_SORTS, "-created_at", Delivery.id)
    return paginate(session, stmt, filters)


def delivery_counts(session: Session, actor: Actor) -> DeliveryCounts:
    require(actor, Role.practice_manager, "Reading the delivery log")
    rows = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    return DeliveryCounts(**{s.value: int(rows.get(s, 0)) for s in DeliveryStatus})


def get_delivery(session: Session, delivery_id: int) -> Delivery:
    d = session.get(Delivery, delivery_id)
    if d is None:
        raise NotFound(detail=f"No delivery with id {delivery_id}.")
    return d


def retry_delivery(session: Session, actor: Actor, delivery_id: int) -> Delivery:
    """Sends a parked delivery again, with a fresh set of attempts and the same idempotency key."""
    require(actor, Role.practice_owner, "Retrying a delivery")
    d = get_delivery(session, delivery_id)
    if d.status != DeliveryStatus.failed:
        raise Conflict.on(
            "status", f"only a parked (failed) delivery can be retried; this one is {d.status.value}"
        )
    _requeue(d)
    session.flush()
    session.info["broadcast_queued"] = True
    return d


def retry_all_failed(session: Session, actor: Actor) -> int:
    require(actor, Role.practice_owner, "Retrying deliveries")
    rows = session.scalars(select(Delivery).where(Delivery.status == DeliveryStatus.failed)).all()
    for d in rows:
        _requeue(d)
    session.flush()
    if rows:
        session.info["broadcast_queued"] = True
    return len(rows)


def _requeue(d: Delivery) -> None:
    d.status = DeliveryStatus.pending
    d.attempts = 0
    d.next_attempt_at = utcnow()
    d.lease_until = None
    d.claimed_by = None
