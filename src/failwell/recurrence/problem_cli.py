"""CLI commands of this slice for problems and known errors: `failwell problem ...`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text

from failwell.cli_support import JsonOption, UrlOption, api, console, print_json, print_table
from failwell.recurrence.enums import ProblemStatus

problem_app = typer.Typer(
    help="Problems (the causes behind failures) and known errors.", no_args_is_help=True
)


def _show_problem(p: dict[str, Any]) -> None:
    console.print(
        Text.assemble((f"Problem {p['id']}: {p['title']}", "bold"), f" ({p['status']})"), highlight=False
    )
    if p["root_cause"]:
        console.print(f"Root cause: {p['root_cause']}", highlight=False)
    stopped = "yes" if p["recurrences_stopped"] else "no"
    console.print(f"{len(p['occurrences'])} occurrences; recurrences stopped: {stopped}", highlight=False)
    for o in p["occurrences"]:
        console.print(f"  {o['started_at'][:16]}  failure {o['failure_id']}: {o['title']}", highlight=False)
    for k in p["known_errors"]:
        console.print(
            f"Known error {k['id']}: {k['title']}. Workaround: {k['workaround'] or '-'}", highlight=False
        )


@problem_app.command("create")
def problem_create(
    title: Annotated[str, typer.Option(help="The cause, or what is shared, in a line.")],
    description: Annotated[str, typer.Option()] = "",
    root_cause: Annotated[str, typer.Option()] = "",
    owner_team: Annotated[str | None, typer.Option()] = None,
    failure: Annotated[list[int] | None, typer.Option(help="A failure it explains; repeatable.")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a problem."""
    payload = {
        "title": title,
        "description": description,
        "root_cause": root_cause,
        "failure_ids": failure or [],
    }
    if owner_team:
        payload["owner_team"] = owner_team
    with api(url) as client:
        body = client.request("POST", "/problems", json=payload)
    print_json(body) if as_json else _show_problem(body)


@problem_app.command("list")
def problem_list(
    status: Annotated[ProblemStatus | None, typer.Option()] = None,
    q: Annotated[str | None, typer.Option("--search", "-q")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List problems, most recently changed first."""
    with api(url) as client:
        params = {"status": status.value if status else None, "q": q, "limit": limit}
        page = client.request("GET", "/problems", params=params)
    if as_json:
        print_json(page)
        return
    print_table(
        "Problems",
        ["id", "status", "occurrences", "last seen", "title"],
        [
            (p["id"], p["status"], p["occurrences"], (p["last_seen"] or "-")[:10], p["title"])
            for p in page["items"]
        ],
        page["total"],
        page["total_exact"],
    )


@problem_app.command("show")
def problem_show(problem_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Show a problem with its occurrences and known errors."""
    with api(url) as client:
        body = client.request("GET", f"/problems/{problem_id}")
    print_json(body) if as_json else _show_problem(body)


@problem_app.command("link")
def problem_link(problem_id: int, failure_id: int, url: UrlOption = None) -> None:
    """Add a failure to a problem."""
    with api(url) as client:
        body = client.request("POST", f"/problems/{problem_id}/failures", json={"failure_id": failure_id})
    console.print(
        f"Failure {failure_id} added to problem {problem_id} ({len(body['occurrences'])} occurrences)."
    )


@problem_app.command("unlink")
def problem_unlink(problem_id: int, failure_id: int, url: UrlOption = None) -> None:
    """Take a failure out of a problem."""
    with api(url) as client:
        client.request("DELETE", f"/problems/{problem_id}/failures/{failure_id}")
    console.print(f"Failure {failure_id} taken out of problem {problem_id}.")


@problem_app.command("known-error")
def problem_known_error(
    problem_id: int,
    title: Annotated[str, typer.Option()],
    workaround: Annotated[str, typer.Option(help="How to restore service until the fix.")] = "",
    symptoms: Annotated[str, typer.Option()] = "",
    url: UrlOption = None,
) -> None:
    """Record a known error (with its workaround) of a problem."""
    with api(url) as client:
        body = client.request(
            "POST",
            f"/problems/{problem_id}/known-errors",
            json={"title": title, "workaround": workaround, "symptoms": symptoms},
        )
    console.print(f"Known error {body['id']} recorded for problem {problem_id}.")
