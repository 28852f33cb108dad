"""Everyday verbs for CI jobs: record deployments and changes (through the server)."""

from __future__ import annotations

from typing import Annotated

import typer

from failwell.cli_support import JsonOption, UrlOption, api, console, parse_time, print_json, show_page
from failwell.enums import ChangeType, DeploymentOutcome, Risk

deploy_app = typer.Typer(help="Deployments (a release of a service to an environment).", no_args_is_help=True)
change_app = typer.Typer(help="Changes (what is released by deployments).", no_args_is_help=True)


@deploy_app.command("record")
def record(
    service: Annotated[str, typer.Option(help="Service name from the catalogue.")],
    version: Annotated[str, typer.Option(help="The version deployed, e.g. 1.4.2.")],
    outcome: Annotated[DeploymentOutcome, typer.Option(help="How it ended.")],
    environment: Annotated[str, typer.Option(help="Target environment.")] = "production",
    commit: Annotated[list[str] | None, typer.Option(help="Commit SHA; repeat for several.")] = None,
    started_at: Annotated[str | None, typer.Option(help="ISO 8601; default now.")] = None,
    finished_at: Annotated[str | None, typer.Option(help="ISO 8601.")] = None,
    change_id: Annotated[int | None, typer.Option(help="The change this deployment releases.")] = None,
    pipeline_url: Annotated[str | None, typer.Option(help="Link to the CI run.")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a deployment, e.g. from the last step of a CI pipeline."""
    payload = {
        "service": service,
        "version": version,
        "outcome": outcome.value,
        "environment": environment,
        "commit_shas": commit or [],
        "started_at": parse_time(started_at, "--started-at"),
        "finished_at": parse_time(finished_at, "--finished-at"),
        "change_id": change_id,
        "pipeline_url": pipeline_url,
    }
    with api(url) as client:
        dep = client.request("POST", "/deployments", json={k: v for k, v in payload.items() if v is not None})
    if as_json:
        print_json(dep)
    else:
        console.print(
            f"Recorded deployment {dep['id']}: {dep['service']} {dep['version']} to "
            f"{dep['environment']}, {dep['outcome']}.",
            highlight=False,
        )


@deploy_app.command("list")
def list_deployments(
    service: Annotated[str | None, typer.Option()] = None,
    team: Annotated[str | None, typer.Option()] = None,
    outcome: Annotated[DeploymentOutcome | None, typer.Option()] = None,
    environment: Annotated[str | None, typer.Option()] = None,
    since: Annotated[str | None, typer.Option(help="Started at or after (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Started before (ISO 8601).")] = None,
    q: Annotated[
        str | None, typer.Option("--search", "-q", help="A version, or a commit SHA's start.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List deployments, newest first."""
    params = {
        "service": service,
        "team": team,
        "outcome": outcome.value if outcome else None,
        "environment": environment,
        "since": parse_time(since, "--since"),
        "until": parse_time(until, "--until"),
        "q": q,
        "limit": limit,
        "offset": offset,
    }
    show_page(
        url,
        "/deployments",
        params,
        as_json,
        "Deployments",
        ["id", "service", "env", "version", "started", "outcome"],
        lambda d: (d["id"], d["service"], d["environment"], d["version"], d["started_at"], d["outcome"]),
    )


@change_app.command("record")
def record_change(
    service: Annotated[str, typer.Option(help="Service name.")],
    title: Annotated[str, typer.Option(help="What changes.")],
    change_type: Annotated[ChangeType, typer.Option("--type", help="ITIL change type.")] = ChangeType.normal,
    risk: Annotated[Risk, typer.Option()] = Risk.low,
    description: Annotated[str, typer.Option()] = "",
    external_ref: Annotated[str | None, typer.Option(help="Change ticket id.")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a change; pass its id to 'deploy record --change-id'."""
    payload = {
        "service": service,
        "title": title,
        "change_type": change_type.value,
        "risk": risk.value,
        "description": description,
        "external_ref": external_ref,
    }
    with api(url) as client:
        change = client.request("POST", "/changes", json=payload)
    if as_json:
        print_json(change)
    else:
        console.print(f"Recorded change {change['id']}: {change['title']}.", highlight=False)
