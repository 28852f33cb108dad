"""How likely the first suggestion is a true earlier occurrence: a calibrated confidence.

A fused score alone is not comparable across queries (its full-text parts are relative to the
best match), and no score threshold reached 90 % precision on the labelled sets. What tells a
true earlier occurrence apart is a high score *clearly ahead of the next suggestion*: a small
logistic model over the first suggestion's score and its margin over the second, fitted on the
61 distinct queries of GitBugs Hadoop's train split (docs/recurrence.md, "2026-12-06").

Only the first suggestion gets a confidence: the model was fitted on first suggestions, and a
"this has happened before" banner is about the one best match.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Reasons that are context, not evidence the two are the same: left out of the score the model
# reads (it was fitted with the recency prior off; turning it on must not make banners louder).
NOT_EVIDENCE = frozenset({"recent"})


@dataclass(frozen=True)
class Model:
    score: float = 1.77
    margin: float = 6.10
    intercept: float = -2.33
    # The second suggestion counts as scoring at least this. With few earlier failures there is
    # no close second, and the margin would say more than the evidence does; 0.4 is about the
    # lowest second-best score seen on GitBugs train (10th percentile 0.42).
    competitor_floor: float = 0.4


MODEL = Model()

# The lowest confidence from which first suggestions were labelled earlier occurrences with at
# least 90 % precision, cross-validated on GitBugs train (23 of 25). On data the model never saw,
# 2 of the 3 first suggestions above it were labelled (k8s-failure-stories 2 of 2, GitBugs test-only
# 0 of 1): too few to confirm the 90 %. Re-measure with `failwell eval recurrence` after changing
# the weights, the model or this.
STRONG_CONFIDENCE = 0.83


def confidence(first: float, second: float | None, model: Model = MODEL) -> float:
    """The model's probability that a first suggestion scoring ``first`` is the same failure,
    when the next one scores ``second`` (None: there is no other suggestion)."""
    rival = max(second if second is not None else 0.0, model.competitor_floor)
    logit = model.score * first + model.margin * (first - rival) + model.intercept
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))


def first_confidence(scores: Sequence[float]) -> float | None:
    """The confidence of the first suggestion, from the evidence scores of the suggestions in the
    order shown (the best of the others is its competitor); None when there is none."""
    if not scores:
        return None
    return confidence(scores[0], max(scores[1:]) if len(scores) > 1 else None)
