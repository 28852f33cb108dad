"""Report and browse failures from a terminal or a CI job (through the server)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text

from failwell.cli_support import JsonOption, UrlOption, api, console, parse_time, print_json, show_page
from failwell.enums import FailureKind, FailureStatusFilter, ReportChannel

failure_app = typer.Typer(
    help="Failures: failed deployments, incidents and near misses.", no_args_is_help=True
)


@failure_app.command("report")
def report(
    title: Annotated[str, typer.Option(help="What happened, in a line.")],
    kind: Annotated[FailureKind, typer.Option(help="failed_deployment, incident or near_miss.")],
    severity: Annotated[int, typer.Option(min=1, max=5, help="1 (worst) to 5.")] = 3,
    service: Annotated[list[str] | None, typer.Option(help="Affected service; repeat for several.")] = None,
    description: Annotated[str, typer.Option()] = "",
    started_at: Annotated[str | None, typer.Option(help="ISO 8601; default now.")] = None,
    deployment_id: Annotated[list[int] | None, typer.Option(help="Deployment involved; repeatable.")] = None,
    change_id: Annotated[list[int] | None, typer.Option(help="Change involved; repeatable.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Tag; repeatable.")] = None,
    impact_partners: Annotated[str, typer.Option(help="How partners were affected.")] = "",
    impact_consumers: Annotated[str, typer.Option(help="How consumers were affected.")] = "",
    anonymous: Annotated[bool, typer.Option(help="Store nothing that identifies you.")] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Report a failure. Anyone may; --anonymous keeps your name off it."""
    payload = {
        "title": title,
        "kind": kind.value,
        "severity": severity,
        "services": service or [],
        "description": description,
        "started_at": parse_time(started_at, "--started-at"),
        "deployment_ids": deployment_id or [],
        "change_ids": change_id or [],
        "tags": tag or [],
        "impact_partners": impact_partners,
        "impact_consumers": impact_consumers,
        "anonymous": anonymous,
        "reported_via": ReportChannel.cli.value,
    }
    with api(url) as client:
        failure = client.request(
            "POST", "/failures", json={k: v for k, v in payload.items() if v is not None}
        )
    if as_json:
        print_json(failure)
    else:
        who = "anonymously" if failure["anonymous"] else f"by {failure['reporter']['name']}"
        console.print(f"Reported failure {failure['id']} {who}: {failure['title']}", highlight=False)


@failure_app.command("list")
def list_failures(
    service: Annotated[str | None, typer.Option()] = None,
    team: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[FailureKind | None, typer.Option()] = None,
    status: Annotated[
        FailureStatusFilter | None, typer.Option(help="A status, or unresolved (open or mitigated).")
    ] = None,
    severity: Annotated[int | None, typer.Option(min=1, max=5, help="Exactly this severity.")] = None,
    severity_at_least: Annotated[
        int | None, typer.Option(min=1, max=5, help="This severity or worse.")
    ] = None,
    tag: Annotated[str | None, typer.Option(help="Tagged with this.")] = None,
    since: Annotated[str | None, typer.Option(help="Started at or after (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Started before (ISO 8601).")] = None,
    q: Annotated[
        str | None,
        typer.Option(
            "--search",
            "-q",
            help='Words in any order (title, description, review, tags, services); "a phrase", -word.',
        ),
    ] = None,
    sort: Annotated[
        str | None, typer.Option(help="relevance (default with --search), -started_at, -severity, title...")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List failures, most recent first."""
    params = {
        "service": service,
        "team": team,
        "kind": kind.value if kind else None,
        "status": status.value if status else None,
        "severity": severity,
        "severity_at_least": severity_at_least,
        "tag": tag,
        "since": parse_time(since, "--since"),
        "until": parse_time(until, "--until"),
        "q": q,
        "sort": sort,
        "limit": limit,
        "offset": offset,
    }
    columns = ["id", "started", "sev", "kind", "status", "services", "title"]
    show_page(
        url,
        "/failures",
        params,
        as_json,
        "Failures",
        [*columns, "matched"] if q else columns,
        lambda f: (
            f["id"],
            f["started_at"][:16],
            f["severity"],
            f["kind"],
            f["status"],
            ", ".join(f["services"]),
            f["title"],
            *([_matched(f.get("snippet"))] if q else []),
        ),
    )


def _matched(snippet: dict[str, Any] | None) -> str:
    """Where a search matched, as 'field: excerpt' with the matched words in *stars*."""
    if not snippet:
        return ""
    text, out, at = snippet["text"], [], 0
    for start, end in snippet["highlights"]:
        out += [text[at:start], "*", text[start:end], "*"]
        at = end
    return f"{snippet['field']}: {''.join(out)}{text[at:]}"


@failure_app.command("show")
def show(failure_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Show one failure with its timeline."""
    with api(url) as client:
        failure = client.request("GET", f"/failures/{failure_id}")
        timeline = client.request("GET", f"/failures/{failure_id}/timeline")
    if as_json:
        print_json({**failure, "timeline": timeline})
        return
    console.print(Text.assemble((failure["title"], "bold"), f"  (failure {failure['id']})"))
    console.print(
        f"{failure['kind']}, severity {failure['severity']}, {failure['status']}; "
        f"services: {', '.join(failure['services']) or '-'}",
        highlight=False,
    )
    if failure["description"]:
        console.print(failure["description"], highlight=False)
    for event in timeline:
        console.print(
            f"  {event['occurred_at'][:16]}  {event['kind']:<11} {event['description']}", highlight=False
        )
