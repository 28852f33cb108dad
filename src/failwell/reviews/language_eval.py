"""Measures the blameless-language coach on labelled sentences: precision, recall, misses.

A cases file has one JSON object a line, {"text": "...", "blame": true|false}; blank lines
are skipped. A case counts as marked when the coach marks any sentence of its text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from failwell.errors import InvalidInput, NotFound
from failwell.reviews.coach import coach


@dataclass(frozen=True)
class Case:
    line: int
    text: str
    blame: bool


def load_cases(path: Path) -> list[Case]:
    """The labelled cases of a file; a missing file or a bad line is one clear error."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(detail=f"{path}: no such cases file") from None
    except IsADirectoryError:
        raise InvalidInput(detail=f"{path}: is a directory, not a cases file") from None
    except UnicodeDecodeError:
        raise InvalidInput(detail=f"{path}: is not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(detail=f"{path}: cannot be read ({exc.strerror})") from None
    cases = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            cases.append(_case(path, number, line))
    if not cases:
        raise InvalidInput(detail=f"{path}: holds no cases (one JSON object a line)")
    return cases


def _case(path: Path, number: int, line: str) -> Case:
    where = f"{path} line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(detail=f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InvalidInput(detail=f'{where}: expected an object like {{"text": "...", "blame": true}}')
    text, blame = data.get("text"), data.get("blame")
    if "text" not in data or "blame" not in data:
        missing = "text" if "text" not in data else "blame"
        raise InvalidInput(detail=f'{where}: the field "{missing}" is missing')
    if not isinstance(text, str):
        raise InvalidInput(detail=f'{where}: "text" must be a string')
    if not isinstance(blame, bool):
        raise InvalidInput(detail=f'{where}: "blame" must be true or false')
    return Case(number, text, blame)


def _ratio(hits: int, total: int) -> float:
    # With nothing to find or nothing marked there is nothing to get wrong.
    return round(hits / total, 4) if total else 1.0


def evaluate(cases: list[Case]) -> dict[str, Any]:
    """Precision and recall of the coach over labelled cases, and every miss."""
    false_positives: list[dict[str, Any]] = []
    false_negatives: list[dict[str, Any]] = []
    true_positives = 0
    for case in cases:
        marks = coach(case.text)
        if marks and case.blame:
            true_positives += 1
        elif marks:
            first = marks[0]
            false_positives.append(
                {"line": case.line, "text": case.text, "rule": first.rule, "phrase": first.phrase}
            )
        elif case.blame:
            false_negatives.append({"line": case.line, "text": case.text})
    return {
        "precision": _ratio(true_positives, true_positives + len(false_positives)),
        "recall": _ratio(true_positives, true_positives + len(false_negatives)),
        "n": len(cases),
        "false_positives": false_positives,
        "false_negatives": false_negatives,
    }


def evaluate_file(path: Path) -> dict[str, Any]:
    return evaluate(load_cases(path))
