"""Measures the ranking on a labelled set of duplicate bug reports (e.g. GitBugs Hadoop).

The reports are loaded as failures into a scratch database, indexed by the real indexing code,
and each labelled pair is asked of the real ranking code: the later report is the query, only
reports created before it are candidates, and the earlier one should come out on top.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from failwell.db import Database
from failwell.enums import FailureKind, FailureStatus, ReportChannel
from failwell.failures.models import Failure
from failwell.migrate import upgrade
from failwell.recurrence import calibration, embedding
from failwell.recurrence.index import drop_caches, reindex_all
from failwell.recurrence.ranking import Mode, Weights, configured_weights, query_for_failure, rank

MODES: tuple[Mode, ...] = ("lexical", "semantic", "fused")
CUTOFFS = (1, 5, 10)
DEPTH = 100


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    description: str
    created: datetime


@dataclass(frozen=True)
class Pair:
    query: str
    target: str
    split: str


@dataclass
class Scores:
    n: int = 0
    hits: dict[int, int] = field(default_factory=lambda: dict.fromkeys(CUTOFFS, 0))
    reciprocal: float = 0.0

    def add(self, position: int | None) -> None:
        self.n += 1
        if position is not None:
            for k in CUTOFFS:
                if position <= k:
                    self.hits[k] += 1
            self.reciprocal += 1 / position

    def as_dict(self) -> dict[str, float]:
        out = {f"recall@{k}": self.hits[k] / self.n if self.n else 0.0 for k in CUTOFFS}
        out["mrr"] = self.reciprocal / self.n if self.n else 0.0
        out["n"] = self.n
        return out


def _key_order(key: str) -> tuple[int, str]:
    """Ids sort by number when they are digits ("9" before "10"), else as text ("q01")."""
    return (int(key), "") if key.isdecimal() else (-1, key)


def chronological(report: Report) -> tuple[datetime, tuple[int, str]]:
    return (report.created, _key_order(report.key))


def _created(value: str) -> datetime:
    return datetime.strptime(value, "%d/%b/%y %H:%M").replace(tzinfo=UTC)


def read_reports(path: Path) -> list[Report]:
    reports = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            reports.append(
                Report(
                    key=str(raw["id"]),
                    title=(raw.get("summary") or "").strip()[:300] or f"Report {raw['id']}",
                    description=raw.get("description") or "",
                    created=_created(raw["created"]),
                )
            )
    return reports


def read_pairs(path: Path, reports: dict[str, Report]) -> list[Pair]:
    """Labelled pairs with both reports present, the later-created one as the query."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        a, b = str(raw["issue_id"]), str(raw["duplicate_id"])
        if a not in reports or b not in reports:
            continue
        first, later = sorted((reports[a], reports[b]), key=chronological)
        pairs.append(Pair(query=later.key, target=first.key, split=str(raw.get("split", "all"))))
    return pairs


def load(
    db: Database, reports: Sequence[Report], progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Loads the reports as failures (oldest first) and indexes them; returns key -> failure id."""
    ordered = sorted(reports, key=chronological)
    rows = [
        {
            "title": r.title,
            "description": r.description,
            "kind": FailureKind.incident,
            "severity": 3,
            "status": FailureStatus.resolved,
            "started_at": r.created,
            "impact_partners": "",
            "impact_consumers": "",
            "anonymous": True,
            "reported_via": ReportChannel.api,
            "created_at": r.created,
            "updated_at": r.created,
        }
        for r in ordered
    ]
    with db.session() as session:
        session.execute(insert(Failure), rows)
        ids = list(session.scalars(select(Failure.id).order_by(Failure.id)))
    keys = {r.key: fid for r, fid in zip(ordered, ids, strict=True)}

    def sessions() -> Iterator[Session]:
        with db.session() as session:
            yield session

    reindex_all(sessions, ids, progress=progress)
    return keys


def evaluate(
    db: Database, pairs: Sequence[Pair], ids: dict[str, int], weights: Weights | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """{mode: {split: scores}} with the splits "all", each labelled split, and each pair's rank."""
    return evaluate_with_calibration(db, pairs, ids, weights)[0]


def evaluate_with_calibration(
    db: Database, pairs: Sequence[Pair], ids: dict[str, int], weights: Weights | None = None
) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, list[calibration.Row]]]:
    """The scores, and by split the fused top-10 suggestions of each labelled query (once each),
    marked true when labelled as an earlier occurrence of it."""
    weights = weights or configured_weights()
    results: dict[str, dict[str, Scores]] = {m: {} for m in MODES}
    labelled: dict[str, set[int]] = defaultdict(set)
    splits: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        labelled[pair.query].add(ids[pair.target])
        splits[pair.query] |= {"all", pair.split}
    suggested: dict[str, list[calibration.Row]] = defaultdict(list)
    with db.session(write=False) as session:
        for mode in MODES:
            seen: set[str] = set()
            for pair in pairs:
                ranking = rank(session, query_for_failure(session, ids[pair.query]), DEPTH, mode, weights)
                found = [s.failure_id for s in ranking.items]
                target = ids[pair.target]
                position = found.index(target) + 1 if target in found else None
                for split in ("all", pair.split):
                    results[mode].setdefault(split, Scores()).add(position)
                if mode == "fused" and pair.query not in seen:
                    seen.add(pair.query)
                    rows = [
                        calibration.Row(s.score, s.failure_id in labelled[pair.query], n + 1, s.confidence)
                        for n, s in enumerate(ranking.items[:10])
                    ]
                    for split in splits[pair.query]:
                        suggested[split] += rows
    scores = {m: {s: v.as_dict() for s, v in by_split.items()} for m, by_split in results.items()}
    return scores, dict(suggested)


@contextmanager
def scratch_database(url: str | None = None) -> Iterator[Database]:
    """A new, migrated database: a temporary SQLite file unless a URL is given."""
    with tempfile.TemporaryDirectory(prefix="failwell-eval-") as tmp:
        target = url or f"sqlite:///{Path(tmp) / 'eval.db'}"
        upgrade(target)
        db = Database(target, pool_size=2)
        try:
            yield db
        finally:
            db.dispose()
            drop_caches()


def run(
    bugs: Path,
    pairs_path: Path,
    url: str | None = None,
    weights: Weights | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    weights = weights or configured_weights()
    started = time.perf_counter()
    reports = read_reports(bugs)
    by_key = {r.key: r for r in reports}
    pairs = read_pairs(pairs_path, by_key)
    if on_total:
        on_total(len(reports))
    with scratch_database(url) as db:
        ids = load(db, reports, progress)
        loaded = time.perf_counter()
        scores, suggested = evaluate_with_calibration(db, pairs, ids, weights)
    return {
        "reports": len(reports),
        "pairs": len(pairs),
        "splits": sorted({p.split for p in pairs}),
        "semantic": embedding.unavailable_reason() is None,
        "note": embedding.unavailable_reason(),
        "model": embedding.MODEL_ID,
        "load_s": round(loaded - started, 1),
        "eval_s": round(time.perf_counter() - loaded, 1),
        "weights": weights.__dict__,
        "scores": scores,
        "calibration": {split: calibration.summary(rows) for split, rows in suggested.items()},
    }


def calibration_lines(result: dict[str, Any]) -> list[str]:
    """One line a split: how many suggestions were labelled, and from which score 90 % were."""
    lines = []
    for split, c in sorted(result.get("calibration", {}).items()):
        threshold = c["threshold_90"]
        reached = (
            f"90 % precision from score {threshold:.2f}"
            if threshold is not None
            else "no score reaches 90 % precision"
        )
        lines.append(
            f"calibration, {split}: {c['true']} of {c['suggestions']} fused top-10 suggestions "
            f"labelled; {reached} (best {c['best_precision']})"
        )
        k = c["confidence"]
        lines.append(
            f"confidence, {split}: {k['strong']} of {k['queries']} first suggestions at or above "
            f"{k['strong_threshold']:.2f} (strong), {k['strong_true']} of them labelled "
            f"(precision {k['strong_precision']})"
        )
    return lines
