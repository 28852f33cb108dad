"""Runs every piece of the benchmark suite on a tiny scale, so the bench code cannot rot.

It starts real uvicorn servers, so it is marked slow, but it stays well under 30 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# tests/ is on sys.path (pyproject), and tests/bench/ would then shadow the real
# top-level `bench` package unless the repository root comes first.
if str(REPO) not in sys.path[:1]:
    sys.path.insert(0, str(REPO))

from bench.common import Backend, percentile, pg_unavailable  # noqa: E402
from bench.generate import prepare_org  # noqa: E402
from bench.listing import HEALTHZ  # noqa: E402
from bench.metrics import PROBES, enrich, render, run_metrics  # noqa: E402
from bench.org_shape import SCALES  # noqa: E402
from bench.report import RUNS_MARKER, write_results  # noqa: E402
from bench.suite import parse_args, run  # noqa: E402

# Sizes that show the bench runs and what it writes, not how fast anything is.
REQUESTS, INGEST_WARMUP = 20, 4
TINY_ARGS = [
    "--scale", "tiny", "--requests", str(REQUESTS), "--ingest-warmup", str(INGEST_WARMUP),
    "--concurrency", "4", "--samples", "3", "--warmup", "1", "--kind-budget", "2",
]  # fmt: skip
# Two uvicorn workers are exercised once (SQLite); PostgreSQL keeps to one to stay fast.
WORKERS = {"sqlite": "1,2", "postgresql": "1"}


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
    assert percentile([7.0], 99) == 7.0


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_tiny_run_records_itself(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql" and (reason := pg_unavailable()):
        pytest.skip(reason)
    results = tmp_path / "RESULTS.md"
    argv = [*TINY_ARGS, "--workers", WORKERS[backend], "--backend", backend, "--results", str(results)]
    record = run(parse_args(argv), argv)
    assert record is not None

    (ingest,) = record.ingest
    assert ingest.service.records == REQUESTS
    for api in ingest.api:
        # The warm-up requests are sent first, then the timed ones, all answered 201.
        assert api.records == REQUESTS, (api.label, api.errors, api.first_error)
        assert api.errors == {}
        assert api.rate > 0

    (listing,) = record.listing
    assert listing.first_error is None
    for kind in listing.kinds:
        assert kind.n >= 3, kind
        assert kind.errors == {}, kind
    pages = [k for k in listing.kinds if k.name != HEALTHZ]
    assert sum(k.mean_items for k in pages) > 0

    text = results.read_text()
    assert RUNS_MARKER in text
    assert "### 1. Deployment records per second" in text
    assert "### 2. List latency" in text
    # Writing the same run again replaces its section instead of adding another.
    write_results(results, record)
    assert results.read_text().count("<!-- /run -->") == 1


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_metrics_bench_runs_on_a_tiny_organisation(backend: Backend, tmp_path: Path) -> None:
    """bench/metrics.py: every probe answers 200 on the tiny organisation, and its section renders."""
    if backend == "postgresql" and (reason := pg_unavailable()):
        pytest.skip(reason)
    meta = prepare_org(backend, SCALES["tiny"], print)
    enrich(meta.url, print)
    stats, busy, first_error = run_metrics(meta, 2, 1, tmp_path / "uvicorn.log", print)
    assert first_error is None
    assert [s.name for s in stats] == [p.name for p in PROBES]
    assert all(s.n == 2 and s.errors == 0 for s in stats), stats
    section = render(
        "2026-12-06 03:00 UTC", "custom", "python -m bench --only metrics", [(meta, stats, busy, None)]
    )
    assert "metrics page, organisation, year" in section
