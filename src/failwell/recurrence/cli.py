"""CLI commands of this slice: similar, lessons, problem, recurrence reindex, eval.

`recurrence metrics` reads across slices: failwell.insights.cli adds it to the group."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from failwell.cli_support import (
    JsonOption,
    UrlOption,
    api,
    console,
    err_console,
    local_database,
    print_json,
    print_table,
    wire_local,
)
from failwell.reviews.cli import eval_language

problem_app = typer.Typer(
    help="Problems (the causes behind failures) and known errors.", no_args_is_help=True
)
recurrence_app = typer.Typer(help="The similar-failure index and recurrence metrics.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure failwell on labelled data.", no_args_is_help=True)

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
        console.print("[bold red]An earlier fix did not hold: this has happened after its fix was done.[/]")
    elif strong in ("overdue_fix", "open_fix"):
        console.print("[bold yellow]An earlier failure like this still has an open corrective action.[/]")
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
            f"[bold]{body['service']}[/]: {body['failures']} failures on record, "
            f"{len(body['open_actions'])} corrective actions open ({body['open_critical']} critical, "
            f"{body['overdue']} overdue)."
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
            f"lessons gate: {closed_by[fail_on]} corrective action(s) of {body['service']} match "
            f"--fail-on {fail_on.value}; finish them before deploying.",
            highlight=False,
        )
        raise typer.Exit(GATE_CLOSED)


# ---- problems ------------------------------------------------------------------------------


def _show_problem(p: dict[str, Any]) -> None:
    console.print(f"[bold]Problem {p['id']}: {p['title']}[/] ({p['status']})", highlight=False)
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
    status: Annotated[str | None, typer.Option(help="open, known_error, resolved or closed.")] = None,
    q: Annotated[str | None, typer.Option("--search", "-q")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List problems, most recently changed first."""
    with api(url) as client:
        page = client.request("GET", "/problems", params={"status": status, "q": q, "limit": limit})
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


# ---- index ---------------------------------------------------------------------------------


@recurrence_app.command("reindex")
def reindex(
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Failures per transaction.")] = 256,
    threads: Annotated[int, typer.Option(min=1, max=64, help="CPU threads for the embedding model.")] = 2,
) -> None:
    """Rebuild the similar-failure index (search text and embeddings) of FAILWELL_DATABASE_URL.

    Only what changed is embedded again, so running it twice costs little the second time."""
    from sqlalchemy import select

    from failwell.failures.models import Failure
    from failwell.recurrence import embedding
    from failwell.recurrence.index import reindex_all

    db = local_database()
    try:
        with db.session(write=False) as session:
            ids = list(session.scalars(select(Failure.id).order_by(Failure.id)))
        reason = embedding.unavailable_reason()
        if reason:
            err_console.print(f"warning: {reason}; indexing text only.", highlight=False)

        def sessions() -> Any:
            with db.session() as session:
                yield session

        with Progress(
            TextColumn("indexing failures"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("index", total=len(ids))
            done, embedded = reindex_all(
                sessions, ids, batch=batch, threads=threads, progress=lambda n: progress.advance(task, n)
            )
    finally:
        db.dispose()
    console.print(f"Indexed {done} failures; {embedded} embeddings computed.")


@eval_app.command("recurrence")
def eval_recurrence(
    bugs: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Reports, one JSON object a line.")],
    pairs: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Labelled duplicate pairs (JSON lines).")
    ],
    database_url: Annotated[
        str | None, typer.Option(help="Scratch database to load into (default: a temporary SQLite file).")
    ] = None,
    recency: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Weight of the recency prior (default: FAILWELL_RECURRENCE_RECENCY, which is 0: off).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Score the similar-failure ranking on labelled duplicates: recall@1/5/10 and MRR.

    For each pair the later report is the query and only reports created before it are
    candidates; lexical only, semantic only and fused, for all pairs and for each split."""
    from dataclasses import replace

    from failwell.recurrence.eval import calibration_lines, run
    from failwell.recurrence.ranking import configured_weights

    wire_local()  # the evaluation reports failures into scratch databases of its own
    weights = configured_weights()
    if recency is not None:
        weights = replace(weights, recency=recency)
    with Progress(
        TextColumn("loading and indexing reports"), BarColumn(), MofNCompleteColumn(), console=err_console
    ) as progress:
        task = progress.add_task("load", total=None)
        result = run(
            bugs,
            pairs,
            database_url,
            weights,
            progress=lambda n: progress.advance(task, n),
            on_total=lambda n: progress.update(task, total=n),
        )
    if as_json:
        console.print_json(json.dumps(result))
        return
    if result["note"]:
        err_console.print(f"warning: {result['note']}", highlight=False)
    rows = []
    for mode, splits in result["scores"].items():
        for split in ["all", *[s for s in sorted(splits) if s != "all"]]:
            s = splits[split]
            rows.append(
                (
                    mode,
                    split,
                    int(s["n"]),
                    *(f"{s[k]:.3f}" for k in ("recall@1", "recall@5", "recall@10", "mrr")),
                )
            )
    print_table(
        f"{result['pairs']} pairs over {result['reports']} reports (model {result['model']})",
        ["ranking", "pairs", "n", "recall@1", "recall@5", "recall@10", "MRR"],
        rows,
    )
    for line in calibration_lines(result):
        console.print(line, highlight=False)
    console.print(f"loaded and indexed in {result['load_s']} s, scored in {result['eval_s']} s")


def register(app: typer.Typer) -> None:
    """Adds this slice's commands to the `failwell` command."""
    app.command("similar")(similar)
    app.command("lessons")(lessons)
    app.add_typer(problem_app, name="problem")
    app.add_typer(recurrence_app, name="recurrence")
    eval_app.command("language")(eval_language)
    app.add_typer(eval_app, name="eval")
