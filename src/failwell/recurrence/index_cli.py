"""CLI commands of this slice for the similar-failure index: `failwell recurrence reindex`, and
`failwell eval recurrence`, which measures it on labelled data.

`recurrence metrics` reads across slices: failwell.insights.cli adds it to recurrence_app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from failwell.cli_support import JsonOption, console, err_console, local_database, print_table, wire_local

recurrence_app = typer.Typer(help="The similar-failure index and recurrence metrics.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure failwell on labelled data.", no_args_is_help=True)


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
    recency_days: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            help="Its time constant in days (default: FAILWELL_RECURRENCE_RECENCY_DAYS, which is 1).",
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
    if recency_days is not None:
        weights = replace(weights, recency_days=recency_days)
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
