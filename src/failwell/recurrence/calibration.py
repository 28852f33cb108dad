"""How far a suggestion's score can be trusted: precision above score thresholds on labelled data.

Pure functions over (score, is a labelled earlier occurrence) rows, from ``eval``: the top
suggestions of each labelled query. ``strong_threshold`` is the lowest score from which the
suggestions are true earlier occurrences with the target precision; applied to the first
suggestions' calibrated confidence it is what ``confidence.STRONG_CONFIDENCE`` was set from.
Labelled sets list only some of their duplicates, so the precision measured is a lower bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from failwell.recurrence.confidence import STRONG_CONFIDENCE

TARGET_PRECISION = 0.9
# Fewer suggestions than this above a threshold say nothing about its precision.
MIN_SUGGESTIONS = 5
THRESHOLDS = tuple(round(0.3 + 0.1 * i, 1) for i in range(13))  # 0.3 ... 1.5
CONFIDENCES = (0.5, 0.6, 0.7, 0.8, STRONG_CONFIDENCE, 0.9, 0.95)


@dataclass(frozen=True)
class Row:
    score: float
    true: bool
    rank: int
    confidence: float | None = None  # the first suggestion's (fusion.set_confidence)


def precision_above(rows: Sequence[Row], threshold: float) -> tuple[float | None, int]:
    """(precision, count) of the suggestions scoring at least ``threshold``; None when there are none."""
    above = [r.true for r in rows if r.score >= threshold]
    return (sum(above) / len(above) if above else None), len(above)


def strong_threshold(
    rows: Sequence[Row], target: float = TARGET_PRECISION, min_n: int = MIN_SUGGESTIONS
) -> float | None:
    """The lowest score from which precision stays at or above ``target`` (at every higher score
    with enough suggestions to tell), or None when no score gets there."""
    scores = sorted({r.score for r in rows})
    measured = [(t, *precision_above(rows, t)) for t in scores]
    enough = [(t, p) for t, p, n in measured if n >= min_n and p is not None]
    for i, (t, p) in enumerate(enough):
        if p >= target and all(q >= target for _, q in enough[i:]):
            return t
    return None


def table(rows: Sequence[Row], thresholds: Iterable[float] = THRESHOLDS) -> list[dict[str, float | None]]:
    out: list[dict[str, float | None]] = []
    for t in thresholds:
        precision, n = precision_above(rows, t)
        out.append({"threshold": t, "precision": None if precision is None else round(precision, 3), "n": n})
    return out


def confidence_summary(rows: Sequence[Row]) -> dict[str, object]:
    """The first suggestions by calibrated confidence: how many reach the strong threshold, and
    how many of those were labelled earlier occurrences."""
    first = [replace(r, score=r.confidence) for r in rows if r.rank == 1 and r.confidence is not None]
    precision, n = precision_above(first, STRONG_CONFIDENCE)
    return {
        "queries": len(first),
        "strong_threshold": STRONG_CONFIDENCE,
        "strong": n,
        "strong_true": sum(r.true for r in first if r.score >= STRONG_CONFIDENCE),
        "strong_precision": None if precision is None else round(precision, 3),
        "threshold_90": strong_threshold(first),
        "by_threshold": table(first, CONFIDENCES),
    }


def summary(rows: Sequence[Row]) -> dict[str, object]:
    top = [r for r in rows if r.rank == 1]
    best = max(
        (
            p
            for p, n in (precision_above(rows, t) for t in THRESHOLDS)
            if p is not None and n >= MIN_SUGGESTIONS
        ),
        default=None,
    )
    return {
        "suggestions": len(rows),
        "true": sum(r.true for r in rows),
        "threshold_90": strong_threshold(rows),
        "threshold_90_top1": strong_threshold(top),
        "best_precision": None if best is None else round(best, 3),
        "by_threshold": table(rows),
        "top1_by_threshold": table(top),
        "confidence": confidence_summary(rows),
    }
