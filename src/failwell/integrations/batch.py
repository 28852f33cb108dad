"""A batch of deployments from CI, recorded in a few statements instead of a few per deployment.

What `ingest.record` does per deployment, done once for the whole batch where it can be: the
rules are read once, the known external ids and the known commits are each looked up in one
query. The changes slice inserts them all, with what only integrations record (external id,
rework, first commit), in one multi-row statement and raises each one's event. Deployments
that need more (an external id already recorded or repeated in the batch, commit times to
store, a commit failwell knows) then go through `ingest.record` in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from pydantic import AnyHttpUrl
from sqlalchemy import select, text

from failwell.changes.models import Deployment
from failwell.changes.service import Provenance, record_deployments
from failwell.enums import DeploymentOutcome
from failwell.integrations import links
from failwell.integrations.context import Context, Unmapped
from failwell.integrations.failure_groups import failures_for_deployments
from failwell.integrations.ingest import record
from failwell.integrations.schemas import GenericDeployment

# The wanted ids as one parameter (an array, a JSON list), each looked up through the unique
# index. As an IN list of a thousand placeholders, SQLite's statement was rendered afresh each
# time (3 % of a batch), and on PostgreSQL psycopg's prepared statement soon ran on a generic
# plan that read every deployment of the integration and compared each with the whole list:
# 4 ms a batch at first, 300 ms once the integration had 20,000 deployments (measured 2026-12-07).
_KNOWN_EXTERNAL_IDS = {
    "postgresql": text(
        "SELECT d.external_id FROM unnest(CAST(:external_ids AS varchar[])) AS wanted(external_id)"
        " JOIN deployments AS d ON d.integration_id = :integration_id AND d.external_id = wanted.external_id"
    ),
    # Written as IN (subquery): as a join, SQLite read the integration's deployments instead.
    "sqlite": text(
        "SELECT external_id FROM deployments WHERE integration_id = :integration_id"
        " AND external_id IN (SELECT value FROM json_each(:external_ids))"
    ),
}
_KNOWN_COMMITS = {
    "postgresql": text(
        "SELECT c.repository, c.sha"
        " FROM unnest(CAST(:repositories AS varchar[]), CAST(:shas AS varchar[])) AS wanted(repository, sha)"
        " JOIN commits AS c ON c.repository = wanted.repository AND c.sha = wanted.sha"
    ),
    "sqlite": text(
        "SELECT c.repository, c.sha FROM json_each(:pairs) AS wanted JOIN commits AS c"
        " ON c.repository = json_extract(wanted.value, '$[0]') AND c.sha = json_extract(wanted.value, '$[1]')"
    ),
}


class Planned(NamedTuple):
    """An item of the batch with its service and environment as the rules map them: what
    `record_deployments` reads (changes.schemas.DeploymentFields), as a tuple, a thousand of
    which cost a fraction of as many models (measured 2026-12-08)."""

    position: int  # in the batch
    item: GenericDeployment
    service: str
    environment: str
    commit_shas: list[str]
    version: str
    started_at: datetime | None
    finished_at: datetime | None
    outcome: DeploymentOutcome
    pipeline_url: AnyHttpUrl | None
    change_id: None = None


def _facts(item: GenericDeployment) -> dict[str, str]:
    return {k: v for k, v in (("repository", item.repository), ("environment", item.environment)) if v}


def _plan(ctx: Context, items: Sequence[GenericDeployment]) -> list[Planned]:
    planned = []
    for index, item in enumerate(items):
        # Only an item without a service or an environment asks the rules.
        mapped = ctx.mapped(_facts(item)) if item.service is None or item.environment is None else None
        service = item.service or (mapped.service if mapped else None)
        if service is None:
            raise Unmapped(
                f"deployments[{index}]: no rule maps repository '{item.repository or '-'}' to a service",
                _facts(item),
            )
        environment = (
            (mapped.environment if mapped else None) or item.environment or ctx.options.default_environment
        )
        shas = list(dict.fromkeys([*item.commit_shas, *(c.sha for c in item.commits)]))[:100]
        times = (item.started_at, item.finished_at)
        planned.append(
            Planned(
                index, item, service, environment, shas, item.version, *times, item.outcome, item.pipeline_url
            )
        )
    return planned


def _one_by_one(ctx: Context, planned: Sequence[Planned]) -> set[int]:
    """Indexes of the deployments the bulk insert must leave to `record`."""
    conn = ctx.session.connection()
    pg = conn.dialect.name == "postgresql"
    external_ids = list(dict.fromkeys(p.item.external_id for p in planned if p.item.external_id))
    pairs = list(
        dict.fromkeys((p.item.repository, sha) for p in planned if p.item.repository for sha in p.commit_shas)
    )
    known: set[str] = set()
    known_commits: set[tuple[str, str]] = set()
    if pg:
        params: dict[str, Any] = {"integration_id": ctx.integration.id, "external_ids": external_ids}
        known.update(conn.execute(_KNOWN_EXTERNAL_IDS["postgresql"], params).scalars())
        params = {"repositories": [r for r, _s in pairs], "shas": [s for _r, s in pairs]}
        known_commits.update((r, s) for r, s in conn.execute(_KNOWN_COMMITS["postgresql"], params))
    else:
        params = {"integration_id": ctx.integration.id, "external_ids": orjson.dumps(external_ids).decode()}
        known.update(conn.execute(_KNOWN_EXTERNAL_IDS["sqlite"], params).scalars())
        params = {"pairs": orjson.dumps(pairs).decode()}
        known_commits.update((r, s) for r, s in conn.execute(_KNOWN_COMMITS["sqlite"], params))
    seen: set[str] = set()
    slow = set()
    for p in planned:
        ext = p.item.external_id
        repeated = ext is not None and (ext in known or ext in seen)
        if ext is not None:
            seen.add(ext)
        commits_known = p.item.repository is not None and any(
            (p.item.repository, sha) in known_commits for sha in p.commit_shas
        )
        if repeated or p.item.commits or (commits_known and p.item.first_commit_at is None):
            slow.add(p.position)
    return slow


def _insert_all(ctx: Context, fast: Sequence[Planned]) -> list[int]:
    """Through the changes slice, in one multi-row insert with what only integrations record
    (external id, rework, first commit): it raises the events the read side keeps its rollups
    by, and refuses an unknown service or a finish before the start."""
    # Not validated again (a quarter of a batch's time once): each field is a GenericDeployment's,
    # validated as the same type as DeploymentIn's (tests/integrations/test_batch_fields.py holds
    # them equal), or a stored rule's or option's, validated when it was saved.
    return record_deployments(
        ctx.session,
        ctx.actor,
        fast,
        labels=[f"deployments[{p.position}]" for p in fast],
        provenance=[
            Provenance(ctx.integration.id, p.item.external_id, p.item.rework, p.item.first_commit_at)
            for p in fast
        ],
    )


def record_batch(ctx: Context, items: Sequence[GenericDeployment]) -> None:
    """Records every deployment of the batch, or raises (the caller undoes them all)."""
    record_each([ctx] * len(items), items)


def record_each(contexts: Sequence[Context], items: Sequence[GenericDeployment]) -> list[int]:
    """Records ``items[i]`` as `ingest.record` would in ``contexts[i]`` (all of one session and
    integration; each item's ids go to its own context's outcome), together where it can: a
    batch's items share one context, deliveries recorded together have one each. Answers the
    deployment ids in order, or raises (the caller undoes them all)."""
    ctx = contexts[0]
    planned = _plan(ctx, items)
    slow = _one_by_one(ctx, planned)
    fast = [p for p in planned if p.position not in slow]
    ids: dict[int, int] = dict(zip((p.position for p in fast), _insert_all(ctx, fast), strict=True))
    failed: list[int] = []
    for p in fast:
        contexts[p.position].outcome.add("deployments", ids[p.position])
        if p.item.outcome != DeploymentOutcome.succeeded and p.environment in links.PRODUCTION_ENVIRONMENTS:
            failed.append(p.position)
    if failed and ctx.options.open_failures:
        wanted = [ids[i] for i in failed]
        loaded = {d.id: d for d in ctx.session.scalars(select(Deployment).where(Deployment.id.in_(wanted)))}
        outcomes = [contexts[i].outcome for i in failed]
        failures_for_deployments(ctx, [loaded[dep_id] for dep_id in wanted], outcomes)
    for p in planned:
        if p.position in slow:
            try:
                ids[p.position] = record(contexts[p.position], p.item)
            except Unmapped as exc:
                raise Unmapped(f"deployments[{p.position}]: {exc}", exc.facts) from None
    return [ids[p.position] for p in planned]
