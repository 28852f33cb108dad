"""CLI commands of this slice: similar and lessons here; problem (problem_cli.py), recurrence
reindex and eval (index_cli.py).

`recurrence metrics` reads across slices: failwell.insights.cli adds it to the group."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.text import Text

from failwell.cli_support import (
    JsonOption,
    UrlOption,
    api,
    console,
    err_console,
    print_json,
    print_table,
)
from failwell.numbers import counted
from failwell.recurrence.index_cli import eval_app, recurrence_app
from failwell.recurrence.problem_cli import problem_app
from failwell.reviews.cli import eval_language

# Exit code of `lessons --fail-on ...` while the gate is closed (1 and 2 mean errors).
GATE_CLOSED = 3


class FailOn(StrEnum):
    open_critical = "open-critical"
    overdue = "overdue"
    open = "open"


_FLAGS = {"fix_did_not_hold": "THE FIX DID NOT HOLD", "overdue_fix": "fix overdue", "open_fix": "fix open"}


def _flags(item: dict[str, Any]) -> str:
    flags = ", ".join(label for key, label in _FLAGS.items() if item.get(key))
    # Only a strong match is said to be the same failure (absent on older servers: as before).
    return flags if not flags or item.get("strong", True) else f"possibly related: {flags.lower()}"


def similar(
    text: Annotated[
        str | None, typer.Argument(help="What happened: a title, a description, an error.")
    ] = None,
    failure: Annotated[
        int | None, typer.Option("--failure", "-f", help="Ask about a recorded failure.")
    ] = None,
    service: Annotated[str | None, typer.Option(help="The affected service, if known.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=50)] = 10,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Has this happened before? Earlier failures like this one, why, and what they taught."""
    if (text is None) == (failure is None):
        raise typer.BadParameter("give either a TEXT or --failure ID", param_hint="TEXT")
    with api(url) as client:
        if failure is not None:
            body = client.request("GET", f"/failures/{failure}/similar", params={"limit": limit})
        else:
            body = client.request(
                "POST",
                "/similar",
                json={"text": text, "service": service, "limit": limit}
                if service
                else {"text": text, "limit": limit},
            )
    if as_json:
        print_json(body)
        return
    if body.get("note"):
        err_console.print(f"warning: {body['note']}; ranking is lexical only.", highlight=False)
    strong = body.get("strong_alert", body["alert"])  # a server older than the calibration
    if strong == "fix_did_not_hold":
        console.print(
            "An earlier fix did not hold: this has happened after its fix was done.", style="bold red"
        )
    elif strong in ("overdue_fix", "open_fix"):
        console.print(
            "An earlier failure like this still has an open corrective action.", style="bold yellow"
        )
    elif body["alert"] != "none":
        console.print("Possibly related: a less close earlier failure has a corrective action flagged below.")
    if body.get("suggested_problem"):
        p = body["suggested_problem"]
        console.print(
            f"Belongs to problem {p['id']}? {p['title']} ({p['matched']} of the top matches)", highlight=False
        )
    print_table(
        "Earlier failures like this",
        ["id", "started", "score", "title", "why", "fixes"],
        [
            (
                i["failure_id"],
                i["started_at"][:10],
                f"{i['score']:.2f}",
                i["title"],
                "; ".join(r["detail"] for r in i["reasons"][:3]),
                _flags(i),
            )
            for i in body["items"]
        ],
    )
    for item in body["items"]:
        for lesson in item["lessons"]:
            console.print(f"  lesson from {item['failure_id']}: {lesson}", highlight=False)


def lessons(
    service: Annotated[str, typer.Option(help="The service about to be deployed.")],
    fail_on: Annotated[
        FailOn | None,
        typer.Option(help=f"Exit with {GATE_CLOSED} while such corrective actions are open (for CI gates)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Past failures to take lessons from.")] = 20,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lessons from a service's past failures and its open corrective actions, before deploying it."""
    with api(url) as client:
        body = client.request("GET", f"/services/{service}/lessons", params={"limit": limit})
    if as_json:
        print_json(body)
    else:
        console.print(
            Text.assemble(
                (body["service"], "bold"),
                f": {counted(body['failures'], 'failure')} on record, "
                f"{counted(len(body['open_actions']), 'corrective action')} open ({body['open_critical']} "
                f"critical, {body['overdue']} overdue).",
            )
        )
        for lesson in body["lessons"]:
            console.print(
                f"- {lesson['title']} ({lesson['started_at'][:10]}): {lesson['lessons_learned']}",
                highlight=False,
            )
        for known in body["known_errors"]:
            console.print(
                f"Known error: {known['title']}. Workaround: {known['workaround'] or '-'}", highlight=False
            )
        if body["open_actions"]:
            print_table(
                "Open corrective actions",
                ["id", "priority", "due", "status", "title", "failure"],
                [
                    (
                        a["id"],
                        a["priority"],
                        (a["due_date"] or "-") + (" OVERDUE" if a["overdue"] else ""),
                        a["status"],
                        a["title"],
                        a["failure_id"],
                    )
                    for a in body["open_actions"]
                ],
            )
    closed_by = {
        FailOn.open_critical: body["open_critical"],
        FailOn.overdue: body["overdue"],
        FailOn.open: len(body["open_actions"]),
    }
    if fail_on is not None and closed_by[fail_on]:
        err_console.print(
            f"lessons gate: {counted(closed_by[fail_on], 'corrective action')} of {body['service']} "
            f"{'matches' if closed_by[fail_on] == 1 else 'match'} --fail-on {fail_on.value}; finish "
            f"{'it' if closed_by[fail_on] == 1 else 'them'} before deploying.",
            highlight=False,
        )
        raise typer.Exit(GATE_CLOSED)


def register(app: typer.Typer) -> None:
    """Adds this slice's commands to the `failwell` command."""
    app.command("similar")(similar)
    app.command("lessons")(lessons)
    app.add_typer(problem_app, name="problem")
    app.add_typer(recurrence_app, name="recurrence")
    eval_app.command("language")(eval_language)
    app.add_typer(eval_app, name="eval")
