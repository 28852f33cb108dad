"""GitLab webhooks: deployment events end a deployment, pipeline events count as deployments
when the integration names the deploying job or pipeline, push keeps commit times."""

from __future__ import annotations

import re
from typing import Any

from failwell.enums import DeploymentOutcome
from failwell.integrations.commits import store_commits
from failwell.integrations.context import Context
from failwell.integrations.ingest import record
from failwell.integrations.mapping import matches
from failwell.integrations.payload import dig, http_url, parse_time
from failwell.integrations.schemas import GenericDeployment

# running and created are not over yet; canceled and skipped are no deployment at all.
OUTCOMES = {"success": DeploymentOutcome.succeeded, "failed": DeploymentOutcome.failed}
_SHA_AT_END = re.compile(r"/commit/([0-9a-f]{7,64})$")


def _repository(payload: Any) -> str | None:
    value = dig(payload, "project", "path_with_namespace")
    return str(value) if value else None


def _push(ctx: Context, payload: Any) -> None:
    repository = _repository(payload)
    commits = [
        (c["id"], at)
        for c in payload.get("commits") or []
        if isinstance(c, dict) and c.get("id") and (at := parse_time(c.get("timestamp")))
    ]
    new = store_commits(ctx, repository, commits) if repository else 0
    ctx.outcome.detail = f"{new} new commits of {repository}"
    ctx.outcome.result["commits"] = new


def _deployment(ctx: Context, payload: Any) -> None:
    status = str(payload.get("status") or "")
    outcome = OUTCOMES.get(status)
    if outcome is None:
        ctx.outcome.detail = f"deployment {status}: not a finished deployment"
        return
    # The event names its commit only in commit_url (and short_sha).
    found = _SHA_AT_END.search(str(payload.get("commit_url") or ""))
    sha = found.group(1) if found else str(payload.get("short_sha") or "").lower()
    ref = payload.get("ref")
    version = f"{ref}@{sha[:8]}" if ref else sha[:12] or f"deployment-{payload.get('deployment_id')}"
    at = parse_time(payload.get("status_changed_at"))
    dep_id = record(
        ctx,
        GenericDeployment.model_validate(
            {
                "repository": _repository(payload),
                "environment": str(payload.get("environment") or "").lower() or None,
                "version": version[:128],
                "commit_shas": [sha] if len(sha) >= 7 else [],
                "started_at": at,
                "finished_at": at,
                "outcome": outcome,
                "pipeline_url": http_url(payload.get("deployable_url")),
                "external_id": f"deployment:{payload.get('deployment_id')}",
            }
        ),
    )
    ctx.outcome.detail = f"deployment {dep_id} {outcome.value}"


def _deploy_job(ctx: Context, payload: Any) -> dict[str, Any] | None:
    """The pipeline's deploying job: one that starts an environment and that the integration's
    deploy_workflows names (by job name, environment or pipeline name)."""
    pipeline_name = str(dig(payload, "object_attributes", "name") or "")
    for build in payload.get("builds") or []:
        environment = build.get("environment") if isinstance(build, dict) else None
        if not isinstance(environment, dict) or environment.get("action", "start") != "start":
            continue
        names = [str(build.get("name") or ""), str(environment.get("name") or ""), pipeline_name]
        if any(matches(p, n) for p in ctx.options.deploy_workflows for n in names if n):
            job: dict[str, Any] = build
            return job
    return None


def _pipeline(ctx: Context, payload: Any) -> None:
    job = _deploy_job(ctx, payload)
    if job is None:
        ctx.outcome.detail = "no deploying job (see the integration's deploy_workflows)"
        return
    attributes = payload.get("object_attributes") or {}
    outcome = OUTCOMES.get(str(attributes.get("status")))
    if outcome is None:
        ctx.outcome.detail = f"pipeline {attributes.get('status')}: not a finished deployment"
        return
    sha = str(attributes.get("sha") or "").lower()
    commit = payload.get("commit") or {}
    commits = [{"sha": sha, "committed_at": commit["timestamp"]}] if sha and commit.get("timestamp") else []
    environment = job["environment"]
    dep_id = record(
        ctx,
        GenericDeployment.model_validate(
            {
                "repository": _repository(payload),
                "environment": str(environment.get("name") or "").lower() or None,
                "version": f"{attributes.get('ref')}@{sha[:8]}"[:128],
                "commit_shas": [sha] if sha else [],
                "commits": commits,
                "started_at": parse_time(attributes.get("created_at")),
                "finished_at": parse_time(attributes.get("finished_at")),
                "outcome": outcome,
                "pipeline_url": http_url(attributes.get("url")),
                "external_id": f"pipeline:{attributes.get('id')}",
            }
        ),
    )
    ctx.outcome.detail = f"deployment {dep_id} {outcome.value}"


EVENTS = {"push": _push, "deployment": _deployment, "pipeline": _pipeline}


def handle(ctx: Context, event: str, payload: Any) -> None:
    handler = EVENTS.get(event)
    if handler is None:
        ctx.outcome.detail = f"event '{event}' is not used"
        return
    handler(ctx, payload)
