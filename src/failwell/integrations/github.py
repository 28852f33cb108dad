"""GitHub webhooks: deployment and deployment_status, workflow_run for pipelines that deploy,
push for commit times, ping. Other events are acknowledged and left alone."""

from __future__ import annotations

from typing import Any

from failwell.enums import DeploymentOutcome
from failwell.integrations.commits import store_commits
from failwell.integrations.context import Context, Unmapped
from failwell.integrations.ingest import record
from failwell.integrations.mapping import matches
from failwell.integrations.payload import dig, http_url, parse_time
from failwell.integrations.schemas import GenericDeployment

# deployment_status states that end a deployment; the others (pending, queued, in_progress,
# inactive) are acknowledged only.
FINAL_STATES = {
    "success": DeploymentOutcome.succeeded,
    "failure": DeploymentOutcome.failed,
    "error": DeploymentOutcome.failed,
}
RUN_CONCLUSIONS = {
    "success": DeploymentOutcome.succeeded,
    "failure": DeploymentOutcome.failed,
    "timed_out": DeploymentOutcome.failed,
}


def _version(ref: object, sha: str) -> str:
    name = str(ref or "").removeprefix("refs/heads/").removeprefix("refs/tags/")
    return f"{name}@{sha[:7]}"[:128] if name and name != sha else sha[:12]


def _push(ctx: Context, payload: Any) -> None:
    repository = dig(payload, "repository", "full_name")
    commits = [
        (c["id"], at)
        for c in payload.get("commits") or []
        if isinstance(c, dict) and c.get("id") and (at := parse_time(c.get("timestamp")))
    ]
    new = store_commits(ctx, repository, commits) if repository else 0
    ctx.outcome.detail = f"{new} new commits of {repository}"
    ctx.outcome.result["commits"] = new


def final_status(payload: Any) -> GenericDeployment | None:
    """The deployment a `deployment_status` event reports, when its state ends it (recording
    it is then all the event does); None while it is not over. Raises ValidationError."""
    outcome = FINAL_STATES.get(str(dig(payload, "deployment_status", "state") or ""))
    if outcome is None:
        return None
    deployment = payload.get("deployment") or {}
    sha = str(deployment.get("sha") or "").lower()
    payload_field = deployment.get("payload")
    custom: dict[str, Any] = payload_field if isinstance(payload_field, dict) else {}
    status = payload["deployment_status"]
    return GenericDeployment.model_validate(
        {
            "repository": dig(payload, "repository", "full_name"),
            "environment": str(status.get("environment") or deployment.get("environment") or "").lower()
            or None,
            "version": str(custom.get("version") or _version(deployment.get("ref"), sha)),
            "commit_shas": [sha] if sha else [],
            "started_at": deployment.get("created_at"),
            "finished_at": status.get("created_at"),
            "outcome": outcome,
            "pipeline_url": http_url(status.get("target_url")) or http_url(status.get("log_url")),
            "external_id": f"deployment:{deployment.get('id')}",
            "rework": bool(custom.get("rework")),
        }
    )


def recorded_status(item: GenericDeployment, dep_id: int) -> str:
    return f"deployment {dep_id} {item.outcome.value}"


def _deployment_status(ctx: Context, payload: Any) -> None:
    item = final_status(payload)
    if item is None:
        # Not over yet; still, an unmapped repository is worth a practice owner's attention.
        repository = dig(payload, "repository", "full_name")
        if not ctx.mapped({"repository": repository or ""}).service:
            raise Unmapped(f"no rule maps repository '{repository}' to a service", {"repository": repository})
        state = dig(payload, "deployment_status", "state") or ""
        ctx.outcome.detail = f"status '{state}' is not final; recorded when it is"
        return
    ctx.outcome.detail = recorded_status(item, record(ctx, item))


def one_deployment(event: str, payload: Any) -> GenericDeployment | None:
    """What the delivery records, when that is one deployment and nothing else (see
    integrations.grouped); None for any other event."""
    return final_status(payload) if event == "deployment_status" else None


def _deployment(ctx: Context, payload: Any) -> None:
    repository = dig(payload, "repository", "full_name") or ""
    if not ctx.mapped({"repository": repository}).service:
        raise Unmapped(f"no rule maps repository '{repository}' to a service", {"repository": repository})
    ctx.outcome.detail = "deployment created; recorded when its status is final"


def _deploys(ctx: Context, workflow: dict[str, Any], run: dict[str, Any]) -> bool:
    names = [
        str(v) for v in (run.get("name"), run.get("path"), workflow.get("name"), workflow.get("path")) if v
    ]
    return any(matches(p, n) for p in ctx.options.deploy_workflows for n in names)


def _workflow_run(ctx: Context, payload: Any) -> None:
    run = payload.get("workflow_run") or {}
    workflow = payload.get("workflow") or {}
    if not _deploys(ctx, workflow, run):
        ctx.outcome.detail = "not a deploying workflow (see the integration's deploy_workflows)"
        return
    outcome = RUN_CONCLUSIONS.get(str(run.get("conclusion")))
    if payload.get("action") != "completed" or outcome is None:
        ctx.outcome.detail = (
            f"run {payload.get('action')} ({run.get('conclusion')}): not a finished deployment"
        )
        return
    repository = dig(payload, "repository", "full_name")
    sha = str(run.get("head_sha") or "").lower()
    head = run.get("head_commit") or {}
    commits = [{"sha": sha, "committed_at": head["timestamp"]}] if sha and head.get("timestamp") else []
    dep_id = record(
        ctx,
        GenericDeployment.model_validate(
            {
                "repository": repository,
                "version": _version(run.get("head_branch"), sha),
                "commit_shas": [sha] if sha else [],
                "commits": commits,
                "started_at": run.get("run_started_at") or run.get("created_at"),
                "finished_at": run.get("updated_at"),
                "outcome": outcome,
                "pipeline_url": http_url(run.get("html_url")),
                "external_id": f"workflow_run:{run.get('id')}",
            }
        ),
    )
    ctx.outcome.detail = f"deployment {dep_id} {outcome.value}"


EVENTS = {
    "push": _push,
    "deployment_status": _deployment_status,
    "deployment": _deployment,
    "workflow_run": _workflow_run,
}


def handle(ctx: Context, event: str, payload: Any) -> None:
    if event == "ping":
        ctx.outcome.detail = "pong"
        return
    handler = EVENTS.get(event)
    if handler is None:
        ctx.outcome.detail = f"event '{event}' is not used"
        return
    handler(ctx, payload)
