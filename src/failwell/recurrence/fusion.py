"""How one candidate's signals add up to its score, and the reasons that say why.

Pure functions, no database: ``ranking`` reads the candidates and what they share with the
query (``Evidence``), then ``fuse`` scores each one. A score is its two lexical relevances
(each relative to the best match), its cosine similarity above a floor, fixed bonuses for
shared structure (a recorded recurrence, service, contributing factor, deployment, change,
error message, exception) and a small bonus for recency; every part is kept as a ``Reason``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from failwell.recurrence import confidence, embedding
from failwell.recurrence.lexical import WORD

Mode = Literal["lexical", "semantic", "fused"]


@dataclass(frozen=True)
class Weights:
    # Chosen on GitBugs' train pairs and half of k8s-failure-stories at a time (docs/recurrence.md).
    lexical: float = 0.3  # full text against full text
    title: float = 0.2  # the query's title against titles
    semantic: float = 0.8
    semantic_floor: float = 0.3  # cosine below this adds nothing
    # A bonus for recent failures, decaying with recency_days. Off by default: the ranking is
    # measured without it. The setting FAILWELL_RECURRENCE_RECENCY turns it on
    # (ranking.configured_weights); with a time constant of months it misleads on histories
    # spread over years, with a day's (a burst of the same failure) it did not (2026-12-06).
    recency: float = 0.0
    recency_days: float = 1.0
    pool: int = 100
    service: float = 0.06
    factor: float = 0.04
    deployment: float = 0.15
    change: float = 0.10
    signature: float = 0.10
    exception: float = 0.03
    reference: float = 0.15  # the same CVE id or ticket key named in both
    linked: float = 0.30
    min_score: float = 0.04


WEIGHTS = Weights()


@dataclass
class Query:
    title: str
    body: str
    failure_id: int | None = None
    before: tuple[datetime, int] | None = None
    service_ids: set[int] = field(default_factory=set)
    factor_ids: set[int] = field(default_factory=set)
    deployment_ids: set[int] = field(default_factory=set)
    change_ids: set[int] = field(default_factory=set)
    signatures: set[str] = field(default_factory=set)
    vector: embedding.Vectors | None = None
    truncated: bool = False
    at: datetime | None = None
    linked: set[int] = field(default_factory=set)


@dataclass
class Reason:
    kind: str
    detail: str
    weight: float


@dataclass
class Scored:
    failure_id: int
    score: float = 0.0
    lexical: float | None = None
    title_lexical: float | None = None
    semantic: float | None = None
    reasons: list[Reason] = field(default_factory=list)
    # The calibrated probability that it is the same failure (``confidence``): first suggestion only.
    confidence: float | None = None


@dataclass
class Evidence:
    """What the candidates are linked to, read once per ranking (by failure id)."""

    services: dict[int, set[int]] = field(default_factory=dict)
    service_names: dict[int, str] = field(default_factory=dict)
    factors: dict[int, set[int]] = field(default_factory=dict)
    factor_names: dict[int, str] = field(default_factory=dict)
    deployments: dict[int, set[int]] = field(default_factory=dict)
    changes: dict[int, set[int]] = field(default_factory=dict)
    signatures: dict[int, str] = field(default_factory=dict)  # space-separated tokens
    starts: dict[int, datetime] = field(default_factory=dict)


# A suggestion is shown as the same failure ("This has happened before") when a person recorded it
# as an earlier occurrence, or when it is the first suggestion and its calibrated confidence is
# at least confidence.STRONG_CONFIDENCE (measured: docs/recurrence.md). No threshold on the fused
# score alone reached 90 % precision, so the score is not compared with one.

# Context a candidate shares with the query: it counts, but alone does not make a suggestion.
BOOSTS = frozenset({"same_service", "same_factor", "recent", "same_exception"})


def relative(hits: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """Engine scores (best first) as fractions of the best one."""
    best = hits[0][1] if hits else 1.0
    return [(fid, score / best if best > 0 else 0.0) for fid, score in hits]


def lexical_reason(s: Scored, mode: Mode, w: Weights) -> Reason | None:
    """The full-text part: both relevances weighted when fused, the full-text one alone else."""
    if mode == "semantic" or (s.lexical is None and s.title_lexical is None):
        return None
    lex, title_lex = s.lexical or 0.0, s.title_lexical or 0.0
    part = w.lexical * lex + w.title * title_lex if mode == "fused" else lex
    return Reason("shared_terms", "matches words of the description", part)


def semantic_part(cosine: float, mode: Mode, w: Weights) -> float:
    """The cosine itself alone; fused, only what lies above the floor, rescaled to the weight."""
    if mode == "semantic":
        return cosine
    return w.semantic * max(0.0, cosine - w.semantic_floor) / (1 - w.semantic_floor)


def semantic_reason(cosine: float, part: float) -> Reason | None:
    return Reason("semantic", f"described alike (cosine {cosine:.2f})", part) if part > 0 else None


def shared_reason(kind: str, label: str, names: Iterable[str], weight: float) -> Reason:
    return Reason(kind, f"{label}: " + ", ".join(names), weight)


def structure_reasons(query: Query, fid: int, ev: Evidence, w: Weights) -> list[Reason]:
    """The bonuses for what the candidate and the query have in common, in a fixed order."""
    reasons: list[Reason] = []
    if fid in query.linked:
        reasons.append(Reason("linked", "recorded as an earlier occurrence of this failure", w.linked))
    same = ev.services.get(fid, set()) & query.service_ids
    if same:
        names = sorted(ev.service_names.get(i, "?") for i in same)
        reasons.append(shared_reason("same_service", "same service", names, w.service))
    same = ev.factors.get(fid, set()) & query.factor_ids
    if same:
        names = sorted(ev.factor_names.get(i, "?") for i in same)
        reasons.append(shared_reason("same_factor", "same contributing factor", names, w.factor))
    same = ev.deployments.get(fid, set()) & query.deployment_ids
    if same:
        ids = [str(i) for i in sorted(same)]
        reasons.append(shared_reason("same_deployment", "same deployment", ids, w.deployment))
    same = ev.changes.get(fid, set()) & query.change_ids
    if same:
        reasons.append(shared_reason("same_change", "same change", [str(i) for i in sorted(same)], w.change))
    return reasons + signature_reasons(set(ev.signatures.get(fid, "").split()), query.signatures, w)


def signature_reasons(theirs: set[str], ours: set[str], w: Weights) -> list[Reason]:
    """Shared normalised error lines ("sig..." tokens) and exception names ("exc..." tokens)."""
    shared = theirs & ours
    messages = sorted(t for t in shared if t.startswith("sig"))
    exceptions = sorted(t[3:] for t in shared if t.startswith("exc"))
    reasons = []
    if messages:
        detail = f"the same error message ({len(messages)} normalised line(s))"
        reasons.append(Reason("same_signature", detail, w.signature))
    if exceptions:
        reasons.append(shared_reason("same_exception", "the same exception", exceptions[:3], w.exception))
    keys = sorted(re.sub(r"x(?=\d)", "-", t[3:]).upper() for t in shared if t.startswith("key"))
    if keys:
        reasons.append(shared_reason("same_reference", "names the same", keys[:3], w.reference))
    return reasons


NEGLIGIBLE = 0.001  # a recency bonus below this is left out


def recency_reason(at: datetime | None, started: datetime | None, w: Weights) -> Reason | None:
    """A bonus decaying with the time between the candidate's start and the query's."""
    if at is None or started is None or w.recency <= 0:
        return None
    days = max(0.0, (at - started).total_seconds() / 86_400)
    bonus = w.recency * math.exp(-days / w.recency_days)
    # Shown to people as a reason: a bonus that moves no ranking is noise ("30 days before, 0.0").
    return Reason("recent", f"{ago(days)} before", bonus) if bonus >= NEGLIGIBLE else None


def fuse(query: Query, s: Scored, mode: Mode, ev: Evidence, w: Weights) -> None:
    """Sets the candidate's score and its reasons, heaviest first."""
    reasons: list[Reason] = []
    total = 0.0
    lexical = lexical_reason(s, mode, w)
    if lexical is not None:
        reasons.append(lexical)
        total += lexical.weight
    if mode != "lexical" and s.semantic is not None:
        part = semantic_part(s.semantic, mode, w)
        semantic = semantic_reason(s.semantic, part)
        if semantic is not None:
            reasons.append(semantic)
        total += part  # even below zero: a pure semantic ranking keeps the cosine's sign
    if mode == "fused":
        structure = structure_reasons(query, s.failure_id, ev, w)
        reasons += structure
        total += _added(structure)
        recent = recency_reason(query.at, ev.starts.get(s.failure_id), w)
        if recent is not None:
            reasons.append(recent)
            total += recent.weight
    s.score = round(total, 6)
    s.reasons = sorted(reasons, key=lambda r: -r.weight)


def _added(reasons: Sequence[Reason]) -> float:
    # Left to right from 0.0, the order the weights have always been added in (same floats).
    total = 0.0
    for r in reasons:
        total += r.weight
    return total


def boosts(s: Scored) -> float:
    return sum(r.weight for r in s.reasons if r.kind in BOOSTS)


def suggestions(scored: Iterable[Scored], limit: int, w: Weights) -> list[Scored]:
    """The best candidates with something real in common with the query, best first.

    A far-off embedding is not a suggestion, nor is context alone (same service, same factor,
    recent), which would then list every failure."""
    kept = [s for s in scored if s.score - boosts(s) >= w.min_score]
    return sorted(kept, key=lambda s: (-s.score, -s.failure_id))[:limit]


def evidence_score(s: Scored) -> float:
    """The score without what the confidence model does not read (the recency prior)."""
    return s.score - sum(r.weight for r in s.reasons if r.kind in confidence.NOT_EVIDENCE)


def set_confidence(ordered: Sequence[Scored]) -> None:
    """The first suggestion's calibrated confidence, against the others (a fused ranking, best first)."""
    if ordered:
        ordered[0].confidence = confidence.first_confidence([evidence_score(s) for s in ordered])


def is_strong(s: Scored) -> bool:
    """Likely the same cause: a calibrated confidence, or a person said so (a recorded recurrence)."""
    calibrated = s.confidence is not None and s.confidence >= confidence.STRONG_CONFIDENCE
    return calibrated or any(r.kind == "linked" for r in s.reasons)


def ago(days: float) -> str:
    if days < 1:
        return "less than a day"
    if days < 60:
        return f"{days:.0f} day{'s' if round(days) != 1 else ''}"
    if days < 730:
        return f"{days / 30.4:.0f} months"
    return f"{days / 365.25:.0f} years"


def shared_terms(terms: set[str], text: str, limit: int = 6) -> list[str]:
    """The query's words that occur in this text, alphabetically, at most ``limit``."""
    words = {m.group(0).lower() for m in WORD.finditer(text)}
    return sorted(t for t in terms if t in words)[:limit]


def explain_terms(item: Scored, shared: Sequence[str]) -> None:
    """Names the shared words in the item's full-text reason (when there are any)."""
    if not shared:
        return
    for r in item.reasons:
        if r.kind == "shared_terms":
            r.detail = f"shares the words: {', '.join(shared)}"
