"""Failures as the pages list them: the row shape, their services' names, and a service's
recent failures (the service page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import Select, exists, literal, select
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.enums import FailureKind, FailureStatus
from failwell.failures.models import Failure, failure_services
from failwell.listing import capped_count

# A select of any columns (SQLAlchemy 2.1 types a select by its column types).
Rows: TypeAlias = Select[*tuple[Any, ...]]


@dataclass
class FailureRow:
    id: int
    title: str
    kind: FailureKind
    severity: int
    status: FailureStatus
    started_at: datetime
    services: list[str] = field(default_factory=list)


FAILURE_COLUMNS = (
    Failure.id,
    Failure.title,
    Failure.kind,
    Failure.severity,
    Failure.status,
    Failure.started_at,
)


def failure_rows(session: Session, stmt: Rows) -> list[FailureRow]:
    """The rows of a select of FAILURE_COLUMNS, without their services yet."""
    return [
        FailureRow(r.id, r.title, r.kind, r.severity, r.status, r.started_at) for r in session.execute(stmt)
    ]


def service_names(session: Session, failure_ids: Iterable[int]) -> dict[int, list[str]]:
    """Failure id -> the names of the services it affected, alphabetically (one query)."""
    ids = sorted(set(failure_ids))
    out: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(failure_services.c.failure_id, Service.name)
        .join(Service, Service.id == failure_services.c.service_id)
        .where(failure_services.c.failure_id.in_(ids))
        .order_by(Service.name)
    )
    for failure_id, name in rows:
        out[failure_id].append(name)
    return out


def name_services(session: Session, rows: list[FailureRow]) -> None:
    """Fills each row's services."""
    names = service_names(session, (f.id for f in rows))
    for row in rows:
        row.services = names.get(row.id, [])


def recent_failures(session: Session, service_id: int, limit: int = 10) -> tuple[list[FailureRow], int, bool]:
    """A service's latest failures (newest first) and how many it has had (capped).

    The started_at index is walked newest first, probing each failure's link to the service
    by primary key, and stops after `limit`: at most a few milliseconds for the smallest
    service of the large organisation, where collecting a big service's 17,000 failures
    first and sorting them took 15 ms. The count reads the link index alone."""
    linked = exists(
        select(literal(1)).where(
            failure_services.c.failure_id == Failure.id, failure_services.c.service_id == service_id
        )
    )
    stmt = select(*FAILURE_COLUMNS).where(linked).order_by(Failure.started_at.desc(), Failure.id.desc())
    items = failure_rows(session, stmt.limit(limit))
    name_services(session, items)
    if len(items) < limit:
        return items, len(items), True
    links = select(failure_services.c.failure_id).where(failure_services.c.service_id == service_id)
    total, exact = capped_count(session, links)
    return items, total, exact
