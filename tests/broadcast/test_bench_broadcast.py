"""The broadcast benchmark at a tiny scale, so its code cannot rot (SQLite only, ~10 s)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# tests/ is on sys.path, and tests/bench/ would shadow the real `bench` package otherwise.
if str(REPO) not in sys.path[:1]:
    sys.path.insert(0, str(REPO))

from bench.report import RUNS_MARKER  # noqa: E402

from bench import broadcast  # noqa: E402

pytestmark = pytest.mark.slow


def test_tiny_broadcast_run_records_itself(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    argv = [
        "--backend",
        "sqlite",
        "--events",
        "40",
        "--samples",
        "3",
        "--workers",
        "1,2",
        "--results",
        str(results),
    ]
    assert broadcast.main(argv) == 0
    text = results.read_text()
    assert RUNS_MARKER in text and "broadcast delivery" in text
    assert "| sqlite | 1 | 40 / 40 |" in text and "| sqlite | 2 | 40 / 40 |" in text
    assert "| MET |" in text
    # A later run with the same key replaces its section rather than adding one.
    key = next(line for line in text.splitlines() if line.startswith("<!-- run: broadcast|"))
    broadcast.write_section(results, f"{key}\n## again — broadcast delivery\n\n<!-- /run -->\n")
    again = results.read_text()
    assert again.count("broadcast delivery") == 1 and "## again" in again
