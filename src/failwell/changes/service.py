"""Changes and deployments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, Table, bindparam, insert, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from failwell.authz import Actor, require
from failwell.catalogue.models import Service
from failwell.catalogue.service import service_by_name
from failwell.changes.commit_index import naming_commits
from failwell.changes.models import Change, Deployment
from failwell.changes.schemas import (
    ChangeFilter,
    ChangeIn,
    ChangeOut,
    ChangeUpdate,
    DeploymentFields,
    DeploymentFilter,
    DeploymentIn,
    DeploymentOut,
    DeploymentUpdate,
)
from failwell.clock import CLOCK_SKEW, refuse_future
from failwell.db import insert_many_ids, utcnow
from failwell.enums import Risk, Role
from failwell.errors import InvalidInput, NotFound
from failwell.events import DEPLOYMENT_RECORDED, DEPLOYMENT_UPDATED, DomainEvent, emit, emit_all
from failwell.listing import apply_sort, paginate, rank_of, text_match
from failwell.people.teams import team_by_name


def _check_range(since: datetime | None, until: datetime | None) -> None:
    if since and until and until < since:
        raise InvalidInput.on("until", "is before since")


def _service_scope(
    session: Session,
    stmt: Select[Any],
    column: InstrumentedAttribute[int],
    service: str | None,
    team: str | None,
) -> Select[Any]:
    if service:
        stmt = stmt.where(column == service_by_name(session, service).id)
    if team:
        owned = select(Service.id).where(Service.owner_team_id == team_by_name(session, team).id)
        stmt = stmt.where(column.in_(owned))
    return stmt


# ---- changes -----------------------------------------------------------------


def change_out(change: Change) -> ChangeOut:
    return ChangeOut(
        id=change.id,
        title=change.title,
        description=change.description,
        change_type=change.change_type,
        risk=change.risk,
        service=change.service.name,
        external_ref=change.external_ref,
        created_at=change.created_at,
    )


def get_change(session: Session, change_id: int, field: str | None = None) -> Change:
    change = session.get(Change, change_id)
    if change is None:
        if field:
            raise InvalidInput.on(field, f"unknown change {change_id}")
        raise NotFound(detail=f"No change with id {change_id}.")
    return change


def create_change(session: Session, actor: Actor, data: ChangeIn) -> Change:
    require(actor, Role.practitioner, "Recording a change")
    change = Change(
        title=data.title,
        description=data.description,
        change_type=data.change_type,
        risk=data.risk,
        service=service_by_name(session, data.service),
        external_ref=data.external_ref,
    )
    session.add(change)
    session.flush()
    return change


def update_change(session: Session, actor: Actor, change_id: int, data: ChangeUpdate) -> Change:
    require(actor, Role.practitioner, "Changing a change record")
    change = get_change(session, change_id)
    for field in ("title", "description", "change_type", "risk", "external_ref"):
        value = getattr(data, field)
        if value is not None:
            setattr(change, field, value)
    session.flush()
    return change


CHANGE_SORTS = {
    "created_at": Change.created_at,
    "title": Change.title,
    "risk": rank_of(Change.risk, [Risk.low, Risk.medium, Risk.high]),
}


def list_changes(session: Session, filters: ChangeFilter) -> tuple[Sequence[Change], int, bool]:
    _check_range(filters.since, filters.until)
    stmt: Select[Any] = select(Change)
    stmt = _service_scope(session, stmt, Change.service_id, filters.service, filters.team)
    if filters.change_type:
        stmt = stmt.where(Change.change_type == filters.change_type)
    if filters.risk:
        stmt = stmt.where(Change.risk == filters.risk)
    if filters.since:
        stmt = stmt.where(Change.created_at >= filters.since)
    if filters.until:
        stmt = stmt.where(Change.created_at < filters.until)
    if filters.q:
        stmt = stmt.where(text_match(filters.q, Change.title, Change.external_ref))
    stmt = apply_sort(stmt, filters.sort, CHANGE_SORTS, "-created_at", Change.id)
    return paginate(session, stmt, filters)


# ---- deployments -------------------------------------------------------------


def deployment_out(dep: Deployment) -> DeploymentOut:
    return DeploymentOut(
        id=dep.id,
        service=dep.service.name,
        environment=dep.environment,
        version=dep.version,
        commit_shas=list(dep.commit_shas or []),
        started_at=dep.started_at,
        finished_at=dep.finished_at,
        outcome=dep.outcome,
        change_id=dep.change_id,
        pipeline_url=dep.pipeline_url,
        created_at=dep.created_at,
    )


def get_deployment(session: Session, deployment_id: int) -> Deployment:
    dep = session.get(Deployment, deployment_id)
    if dep is None:
        raise NotFound(detail=f"No deployment with id {deployment_id}.")
    return dep


class Provenance(NamedTuple):
    """What an integration keeps on a deployment it reports, written with its row: the
    integration, its own id for the deployment, rework, and the first commit's time if known.
    (A tuple: a CI batch makes one a deployment.)"""

    integration_id: int | None = None
    external_id: str | None = None
    rework: bool = False
    first_commit_at: datetime | None = None


def record_deployment(
    session: Session,
    actor: Actor,
    data: DeploymentIn,
    provenance: Provenance | None = None,
    service_id: int | None = None,
) -> DeploymentOut:
    """Records one deployment. CI pipelines call this at a high rate, so it runs as a
    Core INSERT ... RETURNING with column-only look-ups: a fraction of an ORM flush.
    ``service_id``: the id of ``data.service`` when the caller holds it (an integration's mapping
    rule), which saves the look-up by name."""
    require(actor, Role.practitioner, "Recording a deployment")
    # Core statements on the session's connection: the ORM execute path adds nothing here.
    connection = session.connection()
    if service_id is None:
        service_id = connection.scalar(_SERVICE_ID, {"name": data.service})
    if service_id is None:
        raise InvalidInput.on("service", f"unknown service '{data.service}'")
    now = utcnow()
    _check(session, data, now)
    values = _row(data, service_id, now)
    new_id = connection.execute(_INSERT_DEPLOYMENT, _with(values, provenance)).scalar_one()
    where = {"service_id": service_id, "environment": data.environment, "started_at": values["started_at"]}
    emit(session, actor, DomainEvent(DEPLOYMENT_RECORDED, new_id, where))
    del values["service_id"]
    return DeploymentOut(id=new_id, service=data.service, **values)


def _with(values: dict[str, Any], provenance: Provenance | None) -> dict[str, Any]:
    if provenance is None:
        return values
    return {
        **values,
        "integration_id": provenance.integration_id,
        "external_id": provenance.external_id,
        "rework": provenance.rework,
        "first_commit_at": provenance.first_commit_at,
    }


def record_deployments(
    session: Session,
    actor: Actor,
    items: Sequence[DeploymentFields],
    labels: Sequence[str] | None = None,
    provenance: Sequence[Provenance] | None = None,
) -> list[int]:
    """Records many deployments (a CI batch) with one multi-row INSERT: the checks of
    ``record_deployment`` for each, one event each, the ids in the order given. An error names
    the item by its label (default ``deployments[i]``), e.g. ``deployments[3].service``; the
    caller's transaction then records none of them."""
    require(actor, Role.practitioner, "Recording a deployment")
    if not items:
        return []
    connection = session.connection()
    names = sorted({d.service for d in items})
    service_ids: dict[str, int] = {}
    for start in range(0, len(names), 5_000):  # well under SQLite's bound-parameter limit
        chunk = names[start : start + 5_000]
        service_ids.update((n, i) for n, i in connection.execute(_SERVICE_IDS, {"names": chunk}))
    now = utcnow()
    limit = now + CLOCK_SKEW
    rows: list[dict[str, Any]] = []
    for index, data in enumerate(items):
        service_id = service_ids.get(data.service)
        started, finished = data.started_at or now, data.finished_at
        # The checks in full, with the item's name, only for an item that may fail one: a
        # thousand labels and messages built for nothing were a tenth of a batch's time.
        if (
            service_id is None
            or data.change_id is not None
            or started > limit
            or (finished is not None and (finished > limit or finished < started))
        ):
            where = labels[index] if labels is not None else f"deployments[{index}]"
            if service_id is None:
                raise InvalidInput.on(f"{where}.service", f"unknown service '{data.service}'")
            _check(session, data, now, prefix=f"{where}.")
        row = _row(data, service_id, now)
        rows.append(row if provenance is None else _with(row, provenance[index]))
    new_ids = insert_many_ids(connection, _DEPLOYMENTS, rows)
    facts = ("service_id", "environment", "started_at")
    events = [
        DomainEvent(DEPLOYMENT_RECORDED, new_id, {k: row[k] for k in facts})
        for new_id, row in zip(new_ids, rows, strict=True)
    ]
    emit_all(session, actor, events)
    return new_ids


def _check(session: Session, data: DeploymentFields, now: datetime, prefix: str = "") -> None:
    """The checks a new deployment must pass (an error names the field under ``prefix``, e.g.
    ``deployments[3].``)."""
    if data.change_id is not None:
        get_change(session, data.change_id, field=f"{prefix}change_id")
    refuse_future({f"{prefix}started_at": data.started_at, f"{prefix}finished_at": data.finished_at}, now)
    started = data.started_at or now
    if data.finished_at is not None and data.finished_at < started:
        raise InvalidInput.on(f"{prefix}finished_at", "is before started_at")


def _row(data: DeploymentFields, service_id: int, now: datetime) -> dict[str, Any]:
    """The deployments row of a checked item."""
    return {
        "service_id": service_id,
        "environment": data.environment,
        "version": data.version,
        "commit_shas": list(dict.fromkeys(data.commit_shas)),
        "started_at": data.started_at or now,
        "finished_at": data.finished_at,
        "outcome": data.outcome,
        "change_id": data.change_id,
        "pipeline_url": str(data.pipeline_url) if data.pipeline_url else None,
        "created_at": now,
    }


_SERVICE_ID = select(Service.__table__.c.id).where(Service.__table__.c.name == bindparam("name"))
_DEPLOYMENTS: Table = Deployment.__table__  # type: ignore[assignment]  # declarative types it loosely
_INSERT_DEPLOYMENT = insert(_DEPLOYMENTS).returning(_DEPLOYMENTS.c.id)
_SERVICE_IDS = select(Service.__table__.c.name, Service.__table__.c.id).where(
    Service.__table__.c.name.in_(bindparam("names", expanding=True))
)


def update_deployment(
    session: Session, actor: Actor, deployment_id: int, data: DeploymentUpdate
) -> Deployment:
    require(actor, Role.practitioner, "Changing a deployment record")
    dep = get_deployment(session, deployment_id)
    if data.finished_at is not None:
        refuse_future({"finished_at": data.finished_at})
        if data.finished_at < dep.started_at:
            raise InvalidInput.on("finished_at", "is before started_at")
        dep.finished_at = data.finished_at
    if data.outcome is not None:
        dep.outcome = data.outcome
    if data.change_id is not None:
        dep.change_id = get_change(session, data.change_id, field="change_id").id
    if data.pipeline_url is not None:
        dep.pipeline_url = str(data.pipeline_url)
    session.flush()
    emit(session, actor, DomainEvent(DEPLOYMENT_UPDATED, dep.id))
    return dep


SHA_PREFIX = re.compile(r"[0-9a-f]{4,64}")

DEPLOYMENT_SORTS = {
    "started_at": Deployment.started_at,
    "finished_at": Deployment.finished_at,
    "version": Deployment.version,
}


def list_deployments(session: Session, filters: DeploymentFilter) -> tuple[Sequence[Deployment], int, bool]:
    _check_range(filters.since, filters.until)
    stmt: Select[Any] = select(Deployment)
    stmt = _service_scope(session, stmt, Deployment.service_id, filters.service, filters.team)
    if filters.environment:
        stmt = stmt.where(Deployment.environment == filters.environment)
    if filters.outcome:
        stmt = stmt.where(Deployment.outcome == filters.outcome)
    if filters.change_id is not None:
        stmt = stmt.where(Deployment.change_id == filters.change_id)
    if filters.since:
        stmt = stmt.where(Deployment.started_at >= filters.since)
    if filters.until:
        stmt = stmt.where(Deployment.started_at < filters.until)
    if filters.q:
        needle = filters.q.strip()
        matches = [Deployment.version.startswith(needle, autoescape=True)]
        if SHA_PREFIX.fullmatch(needle.lower()):
            matches.append(naming_commits([needle.lower()]))
        stmt = stmt.where(or_(*matches))
    stmt = apply_sort(stmt, filters.sort, DEPLOYMENT_SORTS, "-started_at", Deployment.id)
    return paginate(session, stmt, filters)
