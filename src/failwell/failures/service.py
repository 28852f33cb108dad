"""Failures, their tags and the severity scale (their timelines: failures.timeline)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, SQLColumnExpression, Table, delete, false, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.catalogue.models import Service
from failwell.catalogue.service import services_by_names, services_named
from failwell.changes.models import Change, Deployment
from failwell.clock import refuse_future
from failwell.db import utcnow
from failwell.enums import FailureStatus, FailureStatusFilter, Role
from failwell.errors import InvalidInput, NotFound
from failwell.events import FAILURE_DELETED, FAILURE_REPORTED, FAILURE_UPDATED, DomainEvent, emit, emit_all
from failwell.failures.models import (
    Failure,
    SeverityLevel,
    Tag,
    failure_changes,
    failure_deployments,
    failure_tags,
)
from failwell.failures.schemas import (
    FailureFilter,
    FailureIn,
    FailureOut,
    FailureUpdate,
    PersonRef,
    SeverityLevelUpdate,
)
from failwell.failures.scope import scope_filters
from failwell.failures.search import matching
from failwell.listing import RankedLowFirst, apply_sort, capped_count, paginate
from failwell.search import Query, parse

_TIME_ORDER = ("started_at", "detected_at", "mitigated_at", "resolved_at")
_TEXT_FIELDS = ("description", "impact_partners", "impact_consumers")
_REQUIRED_FIELDS = ("title", "kind", "status", "started_at")
_PLAIN_FIELDS = ("title", "kind", "status", *_TEXT_FIELDS, *_TIME_ORDER)


def failure_out(failure: Failure) -> FailureOut:
    reporter = failure.reporter
    return FailureOut(
        id=failure.id,
        title=failure.title,
        description=failure.description,
        kind=failure.kind,
        severity=failure.severity,
        status=failure.status,
        started_at=failure.started_at,
        detected_at=failure.detected_at,
        mitigated_at=failure.mitigated_at,
        resolved_at=failure.resolved_at,
        services=[s.name for s in failure.services],
        impact_partners=failure.impact_partners,
        impact_consumers=failure.impact_consumers,
        deployment_ids=[d.id for d in failure.deployments],
        change_ids=[c.id for c in failure.changes],
        tags=[t.name for t in failure.tags],
        reporter=PersonRef(id=reporter.id, name=reporter.name) if reporter else None,
        anonymous=failure.anonymous,
        reported_via=failure.reported_via,
        created_at=failure.created_at,
        updated_at=failure.updated_at,
    )


def get_failure(session: Session, failure_id: int, field: str | None = None) -> Failure:
    failure = session.get(Failure, failure_id)
    if failure is None:
        if field:
            raise InvalidInput.on(field, f"unknown failure {failure_id}")
        raise NotFound(detail=f"No failure with id {failure_id}.")
    return failure


def _check_times(failure: Failure) -> None:
    """Known times must run started <= detected <= mitigated <= resolved."""
    previous_name, previous = "started_at", failure.started_at
    for name in _TIME_ORDER[1:]:
        value: datetime | None = getattr(failure, name)
        if value is None:
            continue
        if value < previous:
            raise InvalidInput.on(name, f"is before {previous_name}")
        previous_name, previous = name, value


def _latest_time(failure: Failure) -> datetime:
    known: list[datetime] = [t for t in (getattr(failure, name) for name in _TIME_ORDER) if t is not None]
    return max(known)


def _apply_status(failure: Failure, explicit: set[str]) -> None:
    """Keeps the status and the mitigated/resolved times in agreement.

    Moving to mitigated or resolved without saying when means "just now"; reopening
    forgets the times that no longer hold, unless the same update sets them."""
    status = failure.status
    later = {
        FailureStatus.open: ("mitigated_at", "resolved_at"),
        FailureStatus.mitigated: ("resolved_at",),
    }.get(status, ())
    for name in later:
        if getattr(failure, name) is not None:
            if name in explicit:
                raise InvalidInput.on("status", f"is {status.value} but {name} is set")
            setattr(failure, name, None)
    now = utcnow()
    if status == FailureStatus.mitigated and failure.mitigated_at is None:
        failure.mitigated_at = max(now, _latest_time(failure))
    if status in (FailureStatus.resolved, FailureStatus.closed) and failure.resolved_at is None:
        failure.resolved_at = max(now, _latest_time(failure))


def _severity(session: Session, level: int) -> int:
    if session.get(SeverityLevel, level) is None:
        raise InvalidInput.on("severity", f"unknown severity level {level}")
    return level


def _tags(session: Session, names: list[str]) -> list[Tag]:
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return []
    existing = {t.name: t for t in session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    tags = []
    for name in wanted:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
        tags.append(tag)
    return sorted(tags, key=lambda t: t.name)  # the order every read returns


R = TypeVar("R", Deployment, Change)


def _deployments(session: Session, ids: list[int]) -> list[Deployment]:
    return _by_ids(session, Deployment, ids, "deployment_ids", "deployment")


def _changes(session: Session, ids: list[int]) -> list[Change]:
    return _by_ids(session, Change, ids, "change_ids", "change")


def _by_ids(session: Session, model: type[R], ids: list[int], field: str, noun: str) -> list[R]:
    """The records with these ids, in the order given; every unknown id refused at its place."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:  # most reports name none: no statement
        return []
    found = {r.id: r for r in session.scalars(select(model).where(model.id.in_(wanted)))}
    unknown = [(f"{field}[{i}]", f"unknown {noun} {n}") for i, n in enumerate(wanted) if n not in found]
    if unknown:
        raise InvalidInput.each(unknown)
    return [found[i] for i in wanted]


def _supersede_unconfirmed(session: Session, table: Table, failure_id: int, ids: list[int]) -> None:
    """A person linking what was only suggested (or rejected) makes it a reported link: the
    old row goes, so the ORM can insert the confirmed one."""
    if ids:
        target = table.c.deployment_id if "deployment_id" in table.c else table.c.change_id
        unconfirmed = table.c.state != "confirmed"
        session.execute(delete(table).where(table.c.failure_id == failure_id, target.in_(ids), unconfirmed))


def report_failure(session: Session, actor: Actor, data: FailureIn) -> Failure:
    return report_failures(session, actor, [data])[0]


def report_failures(session: Session, actor: Actor, items: Sequence[FailureIn]) -> list[Failure]:
    """Reports each failure as ``report_failure`` does one, in one flush, with their events
    raised together (a CI batch or an alert storm opens tens at once): same checks, same rows,
    same consequences. Answers them in the order given."""
    # Reporting is open to every role, viewers included: nobody waits for permission.
    require(actor, Role.viewer, "Reporting a failure")
    if not items:
        return []
    services: dict[tuple[str, ...], list[Service]] = {}  # a batch names the same few again and again
    known = services_named(session, (name for data in items for name in data.services))
    # Checked once each: the session keeps no loaded level alive between two look-ups.
    levels = {level: _severity(session, level) for level in dict.fromkeys(d.severity for d in items)}
    failures = []
    for data in items:
        refuse_future({name: getattr(data, name) for name in _TIME_ORDER})
        names = tuple(data.services)
        if names not in services:
            services[names] = services_by_names(session, data.services, known=known)
        failure = Failure(
            title=data.title,
            description=data.description,
            kind=data.kind,
            severity=levels[data.severity],
            status=data.status,
            started_at=data.started_at or utcnow(),
            detected_at=data.detected_at,
            mitigated_at=data.mitigated_at,
            resolved_at=data.resolved_at,
            services=list(services[names]),
            impact_partners=data.impact_partners,
            impact_consumers=data.impact_consumers,
            deployments=_deployments(session, data.deployment_ids),
            changes=_changes(session, data.change_ids),
            tags=_tags(session, data.tags),
            reporter_id=None if data.anonymous else actor.person_id or None,
            anonymous=data.anonymous,
            reported_via=data.reported_via,
        )
        _check_times(failure)
        _apply_status(failure, {n for n in _TIME_ORDER if getattr(data, n) is not None})
        failures.append(failure)
    session.add_all(failures)
    session.flush()
    facts = [{"anonymous": f.anonymous, "reported_via": f.reported_via.value} for f in failures]
    emit_all(
        session, actor, [DomainEvent(FAILURE_REPORTED, f.id, x) for f, x in zip(failures, facts, strict=True)]
    )
    return failures


def update_failure(session: Session, actor: Actor, failure_id: int, data: FailureUpdate) -> Failure:
    require(actor, Role.practitioner, "Changing a failure")
    failure = get_failure(session, failure_id)
    fields = data.model_dump(exclude_unset=True)
    facts: dict[str, Any] = {}
    was_started, was_resolved = failure.started_at, failure.resolved_at
    refuse_future({name: fields[name] for name in _TIME_ORDER if name in fields})
    for name in _PLAIN_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if value is None:
            if name in _REQUIRED_FIELDS:
                raise InvalidInput.on(name, "cannot be cleared")
            value = "" if name in _TEXT_FIELDS else None
        setattr(failure, name, value)
    if data.severity is not None:
        failure.severity = _severity(session, data.severity)
    if data.services is not None:
        failure.services = services_by_names(session, data.services)
    if data.deployment_ids is not None:
        deployments = _deployments(session, data.deployment_ids)
        # The event names the deployments unlinked too: their metrics move.
        facts["deployment_ids"] = sorted({d.id for d in failure.deployments} | {d.id for d in deployments})
        _supersede_unconfirmed(session, failure_deployments, failure.id, [d.id for d in deployments])
        failure.deployments = deployments
    if data.change_ids is not None:
        changes = _changes(session, data.change_ids)
        _supersede_unconfirmed(session, failure_changes, failure.id, [c.id for c in changes])
        failure.changes = changes
    if data.tags is not None:
        failure.tags = _tags(session, data.tags)
    _apply_status(
        failure, {n for n in _TIME_ORDER if n in fields} if "status" in fields else set(_TIME_ORDER)
    )
    _check_times(failure)
    # Link and tag changes do not touch the row itself, so onupdate alone would miss them.
    failure.updated_at = utcnow()
    session.flush()
    # The read side's failure rollup moves it from the days it was on.
    if failure.started_at != was_started:
        facts["was_started_at"] = was_started.isoformat()
    if failure.resolved_at != was_resolved and was_resolved is not None:
        facts["was_resolved_at"] = was_resolved.isoformat()
    emit(session, actor, DomainEvent(FAILURE_UPDATED, failure.id, {"fields": sorted(fields), **facts}))
    return failure


def delete_failure(session: Session, actor: Actor, failure_id: int) -> None:
    """Removes a failure and everything that belongs to it (timeline, review, actions).

    Meant for reports made in error or spam; a real failure, however embarrassing, stays."""
    require(actor, Role.practice_owner, "Deleting a failure")
    failure = get_failure(session, failure_id)
    facts = {
        "title": failure.title,
        "services": [s.name for s in failure.services],
        "started_at": failure.started_at.isoformat(),
        "resolved_at": failure.resolved_at.isoformat() if failure.resolved_at else None,
    }
    linked = select(failure_deployments.c.deployment_id).where(failure_deployments.c.failure_id == failure_id)
    facts["deployment_ids"] = list(session.scalars(linked))
    # The database cascades to links, timeline, review and actions (foreign keys ON DELETE CASCADE).
    session.expunge(failure)
    session.execute(delete(Failure).where(Failure.id == failure_id))
    emit(session, actor, DomainEvent(FAILURE_DELETED, failure_id, facts))


SORTS: dict[str, SQLColumnExpression[Any] | RankedLowFirst] = {
    "started_at": Failure.started_at,
    "severity": RankedLowFirst(Failure.severity),  # -severity: SEV1 first
    "created_at": Failure.created_at,
    "updated_at": Failure.updated_at,
    "title": Failure.title,
}


def list_failures(session: Session, filters: FailureFilter) -> tuple[Sequence[Failure], int, bool]:
    if filters.since and filters.until and filters.until < filters.since:
        raise InvalidInput.on("until", "is before since")
    scope = scope_filters(session, Failure.id, service=filters.service, team=filters.team)
    stmt = select(Failure).where(*scope)
    if filters.kind:
        stmt = stmt.where(Failure.kind == filters.kind)
    if filters.status == FailureStatusFilter.unresolved:
        stmt = stmt.where(Failure.status.in_((FailureStatus.open, FailureStatus.mitigated)))
    elif filters.status:
        stmt = stmt.where(Failure.status == FailureStatus(filters.status.value))
    if filters.severity is not None:
        stmt = stmt.where(Failure.severity == filters.severity)
    if filters.severity_at_least is not None:
        stmt = stmt.where(Failure.severity <= filters.severity_at_least)
    if filters.tag:
        # The tag's id as a constant, not a join on its name: the planner can then use the
        # column statistics of that very tag (a rare tag is read by its index, a common one
        # in date order), which PostgreSQL cannot do through a join.
        tag_id = session.scalar(select(Tag.id).where(Tag.name == filters.tag))
        stmt = stmt.where(
            Failure.id.in_(select(failure_tags.c.failure_id).where(failure_tags.c.tag_id == (tag_id or 0)))
        )
    if filters.since:
        stmt = stmt.where(Failure.started_at >= filters.since)
    if filters.until:
        stmt = stmt.where(Failure.started_at < filters.until)
    query = parse(filters.q) if filters.q and filters.q.strip() else None
    if query is not None and query.empty:
        stmt = stmt.where(false())  # only punctuation or quotes: nothing to look for
    elif query is not None:
        if filters.sort in (None, "relevance"):
            return _most_relevant(session, stmt, query, filters)
        stmt = stmt.where(Failure.id.in_(select(matching(session, query, ranked=False).c.failure_id)))
    sort = None if filters.sort == "relevance" else filters.sort  # relevance without words: newest
    stmt = apply_sort(stmt, sort, SORTS, "-started_at", Failure.id)
    return paginate(session, stmt, filters)


def _most_relevant(
    session: Session, stmt: Select[Any], query: Query, filters: FailureFilter
) -> tuple[Sequence[Failure], int, bool]:
    """A page of the failures the query finds, most relevant first. Searched alone, the engine
    ranks and keeps only the page's worth (a heap over the matches: a common word matches
    thousands); with other filters every match is ranked, as the filters may leave few."""
    alone = stmt.whereclause is None
    ranked = matching(session, query, top=filters.offset + filters.limit if alone else None)
    page = stmt.join(ranked, ranked.c.failure_id == Failure.id).order_by(
        ranked.c.rank.desc(), Failure.id.desc()
    )
    rows = session.scalars(page.limit(filters.limit).offset(filters.offset)).unique().all()
    if filters.offset == 0 and len(rows) < filters.limit:
        return rows, len(rows), True
    every = stmt.where(Failure.id.in_(select(matching(session, query, ranked=False).c.failure_id)))
    total, exact = capped_count(session, every)
    return rows, total, exact


# ---- timeline ----------------------------------------------------------------


# ---- severity scale ----------------------------------------------------------


def list_severity_levels(session: Session) -> Sequence[SeverityLevel]:
    return session.scalars(select(SeverityLevel).order_by(SeverityLevel.level)).all()


def update_severity_level(
    session: Session, actor: Actor, level: int, data: SeverityLevelUpdate
) -> SeverityLevel:
    require(actor, Role.practice_owner, "Changing the severity scale")
    row = session.get(SeverityLevel, level)
    if row is None:
        raise NotFound(detail=f"No severity level {level}.")
    if data.name is not None:
        row.name = data.name
    if data.description is not None:
        row.description = data.description
    session.flush()
    return row


def update_severity_scale(
    session: Session, actor: Actor, changes: Mapping[int, SeverityLevelUpdate]
) -> list[SeverityLevel]:
    """Several levels in one go, lowest number first; an unknown level refuses the lot
    (the unit of work rolls back the levels already changed)."""
    return [update_severity_level(session, actor, level, changes[level]) for level in sorted(changes)]
