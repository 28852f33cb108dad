"""Corrective actions from a terminal (through the server)."""

from __future__ import annotations

from typing import Annotated

import typer

from failwell.cli_support import JsonOption, UrlOption, api, console, print_json, show_page
from failwell.enums import ActionStatus, ActionType

action_app = typer.Typer(help="Corrective actions, tracked to closure.", no_args_is_help=True)


@action_app.command("list")
def list_actions(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only actions past their due date.")] = False,
    team: Annotated[str | None, typer.Option(help="Owner team.")] = None,
    service: Annotated[str | None, typer.Option()] = None,
    status: Annotated[ActionStatus | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List corrective actions, soonest due first."""
    params = {
        "overdue": True if overdue else None,
        "team": team,
        "service": service,
        "status": status.value if status else None,
        "limit": limit,
        "offset": offset,
    }
    show_page(
        url,
        "/actions",
        params,
        as_json,
        "Corrective actions",
        ["id", "due", "status", "priority", "team", "failure", "title"],
        lambda a: (
            a["id"],
            (a["due_date"] or "-") + (" OVERDUE" if a["overdue"] else ""),
            a["status"],
            a["priority"],
            a["owner_team"],
            a["failure_id"],
            a["title"],
        ),
    )


@action_app.command("done")
def done(action_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Mark a corrective action done."""
    with api(url) as client:
        action = client.request("POST", f"/actions/{action_id}/done")
    if as_json:
        print_json(action)
    else:
        console.print(f"Action {action['id']} is done: {action['title']}", highlight=False)


def _said(action: dict[str, object], as_json: bool, verb: str) -> None:
    if as_json:
        print_json(action)
    else:
        console.print(f"Action {action['id']} {verb}: {action['title']}", highlight=False)


@action_app.command("propose")
def propose(
    failure_id: Annotated[int, typer.Option("--failure", help="The failure's id.")],
    title: Annotated[str, typer.Option()],
    action_type: Annotated[ActionType, typer.Option("--type")],
    description: Annotated[str, typer.Option()] = "",
    owner_team: Annotated[str | None, typer.Option(help="Suggested owner team.")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Propose a corrective action on a failure (a practice manager accepts or declines it)."""
    body = {
        "failure_id": failure_id,
        "title": title,
        "action_type": action_type.value,
        "description": description,
        "owner_team": owner_team,
    }
    with api(url) as client:
        action = client.request("POST", "/actions/proposals", json={k: v for k, v in body.items() if v})
    _said(action, as_json, "is proposed")


@action_app.command("accept")
def accept(action_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Accept a proposed corrective action: it becomes open work."""
    with api(url) as client:
        action = client.request("POST", f"/actions/{action_id}/accept")
    _said(action, as_json, "is accepted")


@action_app.command("decline")
def decline(
    action_id: int,
    reason: Annotated[str, typer.Option(help="Why; the proposer reads it.")],
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Decline a proposed corrective action, saying why."""
    with api(url) as client:
        action = client.request("POST", f"/actions/{action_id}/decline", json={"reason": reason})
    _said(action, as_json, "is declined")
