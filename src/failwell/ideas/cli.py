"""Ideas from a terminal (through the server): anyone proposes and supports; managers decide."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from failwell.cli_support import JsonOption, UrlOption, api, console, print_json, show_page
from failwell.enums import ActionType, IdeaStatus

ideas_app = typer.Typer(help="Ideas from anyone: propose, support, comment; managers accept or close.")


def _said(idea: dict[str, Any], as_json: bool, what: str) -> None:
    if as_json:
        print_json(idea)
    else:
        console.print(f"Idea {idea['id']} {what}: {idea['title']}", highlight=False)


@ideas_app.command("list")
def list_ideas(
    status: Annotated[IdeaStatus | None, typer.Option()] = None,
    sort: Annotated[str | None, typer.Option(help="-support (default) or -created_at.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List ideas, most supported first."""
    params = {"status": status.value if status else None, "sort": sort, "limit": limit, "offset": offset}
    show_page(
        url,
        "/ideas",
        params,
        as_json,
        "Ideas",
        ["id", "status", "support", "proposed by", "title"],
        lambda i: (
            i["id"],
            i["status"],
            i["supporters"],
            i["proposed_by"]["name"] if i["proposed_by"] else "anonymous" if i["anonymous"] else "-",
            i["title"],
        ),
    )


@ideas_app.command("propose")
def propose(
    title: Annotated[str, typer.Option()],
    body: Annotated[str, typer.Option(help="Markdown: what to improve, and why.")] = "",
    failure: Annotated[list[int] | None, typer.Option(help="A failure it is about (repeatable).")] = None,
    problem: Annotated[int | None, typer.Option(help="The problem it is about.")] = None,
    anonymous: Annotated[
        bool, typer.Option("--anonymous", help="Store nothing about who proposed it.")
    ] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Propose an idea (any role, viewers included)."""
    data = {
        "title": title,
        "body": body,
        "failure_ids": failure or [],
        "problem_id": problem,
        "anonymous": anonymous,
    }
    with api(url) as client:
        idea = client.request("POST", "/ideas", json=data)
    _said(idea, as_json, "is proposed")


@ideas_app.command("support")
def support(
    idea_id: int,
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Withdraw your support.")] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Support an idea (or withdraw your support)."""
    with api(url) as client:
        idea = client.request("DELETE" if withdraw else "PUT", f"/ideas/{idea_id}/support")
    _said(idea, as_json, f"has {idea['supporters']} supporter(s)")


@ideas_app.command("comment")
def comment(idea_id: int, body: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Comment on an idea."""
    with api(url) as client:
        added = client.request("POST", f"/ideas/{idea_id}/comments", json={"body": body})
    if as_json:
        print_json(added)
    else:
        console.print(f"Comment {added['id']} added to idea {idea_id}.", highlight=False)


@ideas_app.command("accept")
def accept(
    idea_id: int,
    failure: Annotated[int | None, typer.Option(help="The failure the action is for.")] = None,
    action_type: Annotated[ActionType, typer.Option("--type")] = ActionType.prevent,
    owner_team: Annotated[str | None, typer.Option()] = None,
    due: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Turn an idea into a corrective action crediting its proposer (practice managers)."""
    data = {
        "failure_id": failure,
        "action_type": action_type.value,
        "owner_team": owner_team,
        "due_date": due,
    }
    with api(url) as client:
        result = client.request("POST", f"/ideas/{idea_id}/accept", json={k: v for k, v in data.items() if v})
    if as_json:
        print_json(result)
    else:
        console.print(
            f"Idea {idea_id} is accepted: corrective action {result['action']['id']} "
            f"on failure {result['action']['failure_id']}.",
            highlight=False,
        )


@ideas_app.command("close")
def close(
    idea_id: int,
    reason: Annotated[str, typer.Option(help="Why; everyone reads it.")],
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close an idea with a reason (practice managers)."""
    with api(url) as client:
        idea = client.request("POST", f"/ideas/{idea_id}/close", json={"reason": reason})
    _said(idea, as_json, "is closed")


def register(app: typer.Typer) -> None:
    app.add_typer(ideas_app, name="ideas", no_args_is_help=True)
