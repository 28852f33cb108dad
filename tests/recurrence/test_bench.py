"""The recurrence benchmark at a tiny scale, so its code cannot rot (SQLite only, about 20 s)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path[:1]:
    sys.path.insert(0, str(REPO))

from bench.recurrence import main  # noqa: E402


@pytest.mark.slow
def test_tiny_recurrence_bench_records_itself(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    argv = ["--backend", "sqlite", "--scale", "tiny", "--samples", "3", "--no-eval"]
    argv += ["--embed-sample", "40", "--throughput-sample", "40", "--results", str(results)]
    assert main(argv) == 0
    text = results.read_text()
    assert "recurrence detection (sqlite)" in text
    assert "| sqlite | similar to a failure | 3 |" in text
    assert main(argv) == 0  # the same run again replaces its section
    assert results.read_text().count("<!-- /run -->") == 1
