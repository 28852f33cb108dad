"""What every kind of delivery turns into: deployments (through the changes slice), commit
times, and failures opened, updated and resolved (through the failures slice), so events fire
as they would for a person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.changes.models import Deployment
from failwell.changes.schemas import DeploymentIn
from failwell.changes.service import Provenance, record_deployment
from failwell.db import utcnow
from failwell.enums import DeploymentOutcome, FailureKind, FailureStatus, ReportChannel, Role
from failwell.events import DEPLOYMENT_UPDATED, DomainEvent, emit
from failwell.failures.models import Failure
from failwell.failures.schemas import FailureIn, FailureUpdate
from failwell.failures.service import report_failure, report_failures, update_failure
from failwell.integrations import links
from failwell.integrations.mapping import Mapped, Rule, load_rules, pick
from failwell.integrations.models import Commit, FailureGroup, Integration, Verdict
from failwell.integrations.schemas import GenericDeployment, IntegrationOptions


class Unmapped(Exception):
    """No rule maps the event to a service: kept for a practice owner to map, then replay."""


@dataclass
class Outcome:
    verdict: Verdict = Verdict.accepted
    detail: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    _added: set[tuple[str, int]] = field(default_factory=set, repr=False)
    error: Exception | None = field(default=None, repr=False)  # what failed, for the log

    def add(self, key: str, value: int) -> None:
        # A set beside the lists: a batch adds a thousand ids, each checked once.
        self.result.setdefault(key, [])
        if (key, value) not in self._added:
            self._added.add((key, value))
            self.result[key].append(value)


@dataclass
class Context:
    session: Session
    integration: Integration
    outcome: Outcome = field(default_factory=Outcome)
    # What the process already holds (integrations.cache, checked against its stamp in this
    # transaction); read from the database when not given.
    known_options: IntegrationOptions | None = None
    known_rules: Sequence[Rule] | None = None

    @property
    def actor(self) -> Actor:
        # Acts as a practitioner named after the integration; no person is the reporter.
        return Actor(person_id=0, name=f"integration {self.integration.name}", role=Role.practitioner)

    @cached_property
    def options(self) -> IntegrationOptions:
        if self.known_options is not None:
            return self.known_options
        return IntegrationOptions.model_validate(self.integration.settings or {})

    @cached_property
    def rules(self) -> Sequence[Rule]:
        # Read once per delivery: a batch maps every deployment with the same rules.
        if self.known_rules is not None:
            return self.known_rules
        return load_rules(self.session, self.integration.id)

    def mapped(self, facts: Mapping[str, str], labels: Mapping[str, str] | None = None) -> Mapped:
        return pick(self.rules, facts, labels)


def store_commits(ctx: Context, repository: str, commits: Iterable[tuple[str, datetime]]) -> int:
    """Keeps commit times (first seen wins); answers how many were new."""
    wanted = {sha.lower(): at for sha, at in commits}
    if not wanted:
        return 0
    known = set(
        ctx.session.scalars(
            select(Commit.sha).where(Commit.repository == repository, Commit.sha.in_(list(wanted)))
        )
    )
    now = utcnow()
    new = [
        Commit(repository=repository, sha=s, committed_at=at, pushed_at=now)
        for s, at in wanted.items()
        if s not in known
    ]
    ctx.session.add_all(new)
    ctx.session.flush()
    return len(new)


def first_commit_time(
    session: Session,
    repository: str | None,
    shas: list[str],
    service_id: int,
    environment: str,
    started: datetime,
) -> datetime | None:
    """The earliest commit this deployment released: the commits of the repository made after
    the head of the previous deployment of the service to that environment, up to this head."""
    if not repository or not shas:
        return None
    params = {"repository": repository, "shas": shas}
    times: list[datetime] = list(session.connection().execute(_COMMIT_TIMES, params).scalars())
    if not times:
        return None
    head = max(times)
    previous = session.scalars(
        select(Deployment.commit_shas)
        .where(
            Deployment.service_id == service_id,
            Deployment.environment == environment,
            Deployment.started_at < started,
            Deployment.outcome == DeploymentOutcome.succeeded,
        )
        .order_by(Deployment.started_at.desc())
        .limit(1)
    ).first()
    since = None
    if previous:
        since = session.scalar(
            select(func.max(Commit.committed_at)).where(
                Commit.repository == repository, Commit.sha.in_(previous)
            )
        )
    if since is None:
        return min(times)
    earliest = session.scalar(
        select(func.min(Commit.committed_at)).where(
            Commit.repository == repository, Commit.committed_at > since, Commit.committed_at <= head
        )
    )
    return earliest or min(times)


_COMMITS: Table = Commit.__table__  # type: ignore[assignment]  # declarative types it loosely
_COMMIT_TIMES = select(_COMMITS.c.committed_at).where(
    _COMMITS.c.repository == bindparam("repository"), _COMMITS.c.sha.in_(bindparam("shas", expanding=True))
)
_ANY_COMMIT = _COMMIT_TIMES.limit(1)
# A deployment names one commit most of the time: no list to expand.
_THE_COMMIT = select(_COMMITS.c.id).where(
    _COMMITS.c.repository == bindparam("repository"), _COMMITS.c.sha == bindparam("sha")
)
_DEPLOYMENTS: Table = Deployment.__table__  # type: ignore[assignment]  # declarative types it loosely
_BY_EXTERNAL_ID = select(_DEPLOYMENTS.c.id).where(
    _DEPLOYMENTS.c.integration_id == bindparam("integration_id"),
    _DEPLOYMENTS.c.external_id == bindparam("external_id"),
)
_SERVICE_ID = select(_DEPLOYMENTS.c.service_id).where(_DEPLOYMENTS.c.id == bindparam("id"))
# Most deployments name no commit failwell knows; for those that do, the first commit's time is
# found once the row is in (it reads the service's previous deployments).
_SET_FIRST_COMMIT = (
    update(_DEPLOYMENTS)
    .where(_DEPLOYMENTS.c.id == bindparam("deployment_id"))
    .values(first_commit_at=bindparam("first_commit_at"))
)


def known_commit(session: Session, repository: str, shas: list[str]) -> bool:
    if len(shas) == 1:
        params: dict[str, Any] = {"repository": repository, "sha": shas[0]}
        return session.connection().execute(_THE_COMMIT, params).first() is not None
    params = {"repository": repository, "shas": shas}
    return session.connection().execute(_ANY_COMMIT, params).first() is not None


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
        raise Unmapped(f"no rule maps repository '{data.repository or '-'}' to a service")
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


def set_first_commit(
    session: Session, dep_id: int, repository: str, shas: list[str], environment: str, started: datetime
) -> None:
    """The first commit time of a new deployment that names a commit failwell knows (one
    look-up settles that most name none)."""
    if not known_commit(session, repository, shas):
        return
    service_id = session.connection().execute(_SERVICE_ID, {"id": dep_id}).scalar_one()
    first = first_commit_time(session, repository, shas, service_id, environment, started)
    if first is not None:
        session.connection().execute(_SET_FIRST_COMMIT, {"deployment_id": dep_id, "first_commit_at": first})


def failure_for_deployment(ctx: Context, dep: Deployment) -> Failure:
    """One failure per failed deployment (service, environment, version), however many retries
    or statuses report it."""
    return failures_for_deployments(ctx, [dep])[0]


def failures_for_deployments(ctx: Context, deps: Sequence[Deployment]) -> list[Failure]:
    """``failure_for_deployment`` for each, in order: the groups read at once, the new failures
    reported together (their events' handlers run once for all), the links written together."""
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
    for failure in failures:
        ctx.outcome.add("failures", failure.id)
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


def parse_time(value: object) -> datetime | None:
    """ISO 8601 as GitHub sends it, or GitLab's '2021-04-28 21:50:00 +0200' / '... UTC'."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def http_url(value: object) -> str | None:
    return (
        value
        if isinstance(value, str) and value.startswith(("http://", "https://")) and len(value) <= 2000
        else None
    )


def dig(payload: object, *path: str) -> Any:
    """payload[a][b]... or None where a step is missing."""
    for step in path:
        if not isinstance(payload, dict):
            return None
        payload = payload.get(step)
    return payload
