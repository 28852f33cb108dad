"""Failures from deliveries (through the failures slice): one per failed production deployment,
and one per alert group, opened, updated, mitigated and resolved as their events say."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from failwell.changes.models import Deployment
from failwell.db import utcnow
from failwell.enums import FailureKind, FailureStatus, ReportChannel
from failwell.failures.models import Failure
from failwell.failures.schemas import FailureIn, FailureUpdate
from failwell.failures.service import report_failure, report_failures, update_failure
from failwell.integrations import links
from failwell.integrations.context import Context, Outcome
from failwell.integrations.models import FailureGroup


def failure_for_deployment(ctx: Context, dep: Deployment) -> Failure:
    """One failure per failed deployment (service, environment, version), however many retries
    or statuses report it."""
    return failures_for_deployments(ctx, [dep])[0]


def failures_for_deployments(
    ctx: Context, deps: Sequence[Deployment], outcomes: Sequence[Outcome] | None = None
) -> list[Failure]:
    """``failure_for_deployment`` for each, in order: the groups read at once, the new failures
    reported together (their events' handlers run once for all), the links written together.
    ``outcomes[i]``: where the i-th failure is told (deliveries recorded together); else
    ``ctx.outcome``."""
    session = ctx.session
    keys = [f"deployment:{dep.service_id}:{dep.environment}:{dep.version}" for dep in deps]
    groups = {
        g.group_key: g
        for g in session.scalars(
            select(FailureGroup).where(
                FailureGroup.integration_id == ctx.integration.id,
                FailureGroup.group_key.in_(list(dict.fromkeys(keys))),
            )
        )
    }
    found: dict[str, Failure] = {}
    for key, known in groups.items():
        failure = session.get(Failure, known.failure_id)
        if failure is not None and failure.status in (FailureStatus.open, FailureStatus.mitigated):
            known.updated_at = utcnow()
            found[key] = failure
    to_open: dict[str, Deployment] = {}
    for key, dep in zip(keys, deps, strict=True):
        if key not in found and key not in to_open:  # the first to report it names it
            to_open[key] = dep
    opened = report_failures(session, ctx.actor, [_failure_in(ctx, dep) for dep in to_open.values()])
    for key, failure in zip(to_open, opened, strict=True):
        found[key] = failure
        # A group whose failure was resolved opens a new one (recurrence ties it to the old).
        group = groups.get(key)
        if group is None:
            session.add(FailureGroup(integration_id=ctx.integration.id, group_key=key, failure_id=failure.id))
        else:
            group.failure_id, group.updated_at = failure.id, utcnow()
    session.flush()
    failures = [found[key] for key in keys]
    told = outcomes if outcomes is not None else [ctx.outcome] * len(failures)
    for failure, outcome in zip(failures, told, strict=True):
        outcome.add("failures", failure.id)
    links.link_all(
        session, "deployment", [(f.id, dep.id) for f, dep in zip(failures, deps, strict=True)], "webhook"
    )
    return failures


def _failure_in(ctx: Context, dep: Deployment) -> FailureIn:
    ended = dep.outcome.value.replace("_", " ")
    title = f"Deployment of {dep.service.name} {dep.version} to {dep.environment} {ended}"
    return FailureIn(
        title=title[:300],
        description=f"Reported by the integration '{ctx.integration.name}'."
        + (f"\n\nPipeline: {dep.pipeline_url}" if dep.pipeline_url else ""),
        kind=FailureKind.failed_deployment,
        severity=ctx.options.severity,
        started_at=dep.started_at,
        services=[dep.service.name],
        reported_via=ReportChannel.webhook,
    )


def _group(ctx: Context, key: str) -> FailureGroup | None:
    return ctx.session.scalar(
        select(FailureGroup).where(
            FailureGroup.integration_id == ctx.integration.id, FailureGroup.group_key == key
        )
    )


def group_failure(ctx: Context, key: str) -> Failure | None:
    group = _group(ctx, key)
    return ctx.session.get(Failure, group.failure_id) if group else None


def open_or_update(ctx: Context, key: str, data: FailureIn) -> Failure:
    """The failure of a group: the open one if there is, else a new one (a group firing again
    after it was resolved is a new failure, which recurrence detection will tie to the old)."""
    group = _group(ctx, key)
    failure = ctx.session.get(Failure, group.failure_id) if group else None
    if failure is not None and failure.status in (FailureStatus.open, FailureStatus.mitigated):
        if group is not None:
            group.updated_at = utcnow()
        ctx.outcome.add("failures", failure.id)
        return failure
    failure = report_failure(ctx.session, ctx.actor, data)
    if group is None:
        ctx.session.add(FailureGroup(integration_id=ctx.integration.id, group_key=key, failure_id=failure.id))
    else:
        group.failure_id = failure.id
        group.updated_at = utcnow()
    ctx.session.flush()
    ctx.outcome.add("failures", failure.id)
    return failure


def change_status(ctx: Context, key: str, status: FailureStatus, at: datetime | None) -> Failure | None:
    """Mitigates or resolves a group's failure (never moves it backwards, never reopens it)."""
    failure = group_failure(ctx, key)
    if failure is None:
        return None
    ctx.outcome.add("failures", failure.id)
    order = [FailureStatus.open, FailureStatus.mitigated, FailureStatus.resolved, FailureStatus.closed]
    if order.index(failure.status) >= order.index(status):
        return failure
    known = [t for t in (failure.started_at, failure.detected_at, failure.mitigated_at) if t is not None]
    when = max([at or utcnow(), *known])
    field_name = "resolved_at" if status == FailureStatus.resolved else "mitigated_at"
    update_failure(
        ctx.session, ctx.actor, failure.id, FailureUpdate.model_validate({"status": status, field_name: when})
    )
    return failure
