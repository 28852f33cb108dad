"""What every kind of delivery turns into: deployments (through the changes slice), commit
times, and failures opened, updated and resolved (through the failures slice), so events fire
as they would for a person.

This module records deployments; commit times are kept by failwell.integrations.commits and
failures by failwell.integrations.failure_groups.
"""

from __future__ import annotations

from sqlalchemy import Table, bindparam, select

from failwell.changes.models import Deployment
from failwell.changes.schemas import DeploymentIn
from failwell.changes.service import Provenance, record_deployment
from failwell.enums import DeploymentOutcome
from failwell.events import DEPLOYMENT_UPDATED, DomainEvent, emit
from failwell.integrations import links
from failwell.integrations.commits import first_commit_time, set_first_commit, store_commits
from failwell.integrations.context import Context, Unmapped
from failwell.integrations.failure_groups import failure_for_deployment
from failwell.integrations.mapping import Mapped
from failwell.integrations.schemas import GenericDeployment

_DEPLOYMENTS: Table = Deployment.__table__  # type: ignore[assignment]  # declarative types it loosely
_BY_EXTERNAL_ID = select(_DEPLOYMENTS.c.id).where(
    _DEPLOYMENTS.c.integration_id == bindparam("integration_id"),
    _DEPLOYMENTS.c.external_id == bindparam("external_id"),
)


def record(ctx: Context, data: GenericDeployment) -> int:
    """Records (or, for an external id seen before, updates) one deployment and answers its id;
    a failed production deployment opens its failure when the integration says so.

    A delivery is one deployment most of the time and CI sends many: a new one costs one insert
    (the integration's columns with it) and column-only look-ups; the ORM object is loaded only
    for an update or a failure to open."""
    session = ctx.session
    facts = {k: v for k, v in (("repository", data.repository), ("environment", data.environment)) if v}
    mapped = ctx.mapped(facts) if (data.service is None or data.environment is None) else Mapped(None, None)
    service = data.service or mapped.service
    if service is None:
        raise Unmapped(f"no rule maps repository '{data.repository or '-'}' to a service", facts)
    environment = mapped.environment or data.environment or ctx.options.default_environment
    if data.repository and data.commits:
        store_commits(ctx, data.repository, [(c.sha, c.committed_at) for c in data.commits])
    shas = list(dict.fromkeys([*data.commit_shas, *(c.sha for c in data.commits)]))[:100]
    existing = None
    if data.external_id:
        params = {"integration_id": ctx.integration.id, "external_id": data.external_id}
        existing = session.connection().execute(_BY_EXTERNAL_ID, params).scalar()
    if existing is not None:
        dep = session.get_one(Deployment, existing)
        dep.outcome = data.outcome
        dep.finished_at = data.finished_at or dep.finished_at
        dep.commit_shas = list(dict.fromkeys([*(dep.commit_shas or []), *shas]))[:100]
        if data.pipeline_url:
            dep.pipeline_url = str(data.pipeline_url)
        dep.rework = dep.rework or data.rework
        if dep.first_commit_at is None:
            dep.first_commit_at = data.first_commit_at or first_commit_time(
                session, data.repository, shas, dep.service_id, dep.environment, dep.started_at
            )
        session.flush()
        emit(session, ctx.actor, DomainEvent(DEPLOYMENT_UPDATED, dep.id))
        dep_id, outcome, environment = dep.id, dep.outcome, dep.environment
    else:
        out = record_deployment(
            session,
            ctx.actor,
            DeploymentIn(
                service=service,
                environment=environment,
                version=data.version,
                commit_shas=shas,
                started_at=data.started_at,
                finished_at=data.finished_at,
                outcome=data.outcome,
                pipeline_url=data.pipeline_url,
            ),
            Provenance(ctx.integration.id, data.external_id, data.rework, data.first_commit_at),
            service_id=mapped.service_id if data.service is None else None,
        )
        dep_id, outcome, environment = out.id, out.outcome, out.environment
        if data.first_commit_at is None and data.repository and shas:
            set_first_commit(session, dep_id, data.repository, shas, environment, out.started_at)
    ctx.outcome.add("deployments", dep_id)
    failed = outcome != DeploymentOutcome.succeeded
    if failed and environment in links.PRODUCTION_ENVIRONMENTS and ctx.options.open_failures:
        # Loaded as it is now: the statements above went around the ORM.
        failure_for_deployment(ctx, session.get_one(Deployment, dep_id, populate_existing=True))
    return dep_id
