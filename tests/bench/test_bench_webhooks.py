"""`python -m bench --only webhooks` on a tiny scale, so the bench code cannot rot (real uvicorn,
so marked slow; well under a minute per backend)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# tests/ is on sys.path (pyproject), and tests/bench/ would shadow the real `bench` package.
if str(REPO) not in sys.path[:1]:
    sys.path.insert(0, str(REPO))

from bench.common import pg_unavailable  # noqa: E402
from bench.webhooks import BATCH, GENERIC, GITHUB, main  # noqa: E402

TINY = [
    "--requests", "20", "--warmup", "4", "--concurrency", "4", "--workers", "1",
    "--batches", "2", "--batch-size", "15",
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_tiny_webhook_run_records_itself(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql" and (reason := pg_unavailable()):
        pytest.skip(reason)
    results = tmp_path / "RESULTS.md"
    assert main([*TINY, "--backend", backend, "--results", str(results)]) == 0
    text = results.read_text()
    assert "<!-- run: webhooks|" in text and "<!-- /run -->" in text
    rows = [line for line in text.splitlines() if line.startswith(f"| {backend} |")]
    # receive() in-process for the two single-delivery paths, then HTTP for all three.
    assert len(rows) == 5, rows
    for path in (GITHUB, GENERIC, BATCH):
        assert any(f"| {path} |" in row for row in rows), path
    assert all(row.endswith("| none |") for row in rows), rows
    # Columns: backend, path, how, requests, deployments (recorded).
    http = {cells[1]: cells[3:5] for row in rows if "worker" in row for cells in [row.split(" | ")]}
    assert http == {GITHUB: ["20", "20"], GENERIC: ["20", "20"], BATCH: ["2", "30"]}
