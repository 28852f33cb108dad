"""CLI commands of this slice: `failwell eval language` (registered on the eval group)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from failwell.cli_support import JsonOption, console, print_json


def eval_language(
    cases: Annotated[
        Path,
        typer.Option(
            "--cases",
            help='Labelled sentences, one JSON object a line: {"text": "...", "blame": true}.',
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Score the blameless-language coach on labelled sentences: precision, recall and misses."""
    from failwell.reviews.language_eval import evaluate_file

    result = evaluate_file(cases)
    if as_json:
        print_json(result)
        return
    console.print(
        f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  n {result['n']}",
        highlight=False,
    )
    _misses("False positives (marked, labelled not blaming)", result["false_positives"], marked=True)
    _misses("False negatives (labelled blaming, not marked)", result["false_negatives"], marked=False)


def _misses(title: str, rows: list[dict[str, Any]], marked: bool) -> None:
    console.print(f"\n{title}: {len(rows)}", highlight=False)
    for row in rows:
        why = f"  [{row['rule']}: “{row['phrase']}”]" if marked else ""
        console.print(f"  line {row['line']}: {row['text']}{why}", highlight=False, markup=False)
