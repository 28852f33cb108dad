"""The shape of a generated organisation: its scales, its fixed "now", what a run knows of it.

Kept apart from the generator and the loaders (bench/generate_rows.py, bench/generate_load.py)
so the benchmarks can name a scale without importing either.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import Backend
from failwell.migrate import head_revision

# Bump when the generated data change shape, so cached databases are rebuilt.
GENERATOR_VERSION = 4

# "Now" for the generated history: a fixed day, so runs on different dates see the same data.
# Failures and deployments span the two years before it.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
HISTORY = timedelta(days=730)


@dataclass(frozen=True)
class Scale:
    name: str
    deployments: int
    failures: int
    services: int = 100
    teams: int = 20
    people: int = 300
    changes: int = 20_000
    tags: int = 60

    def key(self) -> str:
        raw = json.dumps([asdict(self), GENERATOR_VERSION, head_revision()], sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:10]


LARGE = Scale("large", deployments=1_000_000, failures=100_000, changes=50_000)
QUICK = Scale("quick", deployments=50_000, failures=5_000, changes=2_500)
TINY = Scale("tiny", deployments=3_000, failures=300, services=12, teams=4, people=30, changes=200, tags=12)
SCALES = {s.name: s for s in (LARGE, QUICK, TINY)}


@dataclass
class OrgMeta:
    """What the list benchmark needs to know about a generated organisation."""

    backend: Backend
    url: str
    key: str
    scale: dict[str, Any]
    token: str
    services: list[str]
    teams: list[str]
    tags: list[str]
    common_words: list[str]
    rare_words: list[str]
    start: str
    end: str
    row_counts: dict[str, int] = field(default_factory=dict)
    generation_s: float = 0.0
    cached: bool = False


# One row of a table, as plain values in its columns' order.
Row = tuple[Any, ...]


@dataclass
class TableLoad:
    table: str
    columns: tuple[str, ...]
    rows: Iterable[Row]
