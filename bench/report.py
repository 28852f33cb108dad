"""Machine facts and the markdown that each run writes into bench/RESULTS.md."""

from __future__ import annotations

import math
import os
import platform
import re
import sqlite3
import subprocess
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.common import PG_ADMIN_URL, REPO
from bench.ingest import IngestResult, api_service_ratio
from bench.listing import HEALTHZ, ListingResult

RUNS_MARKER = (
    "<!-- Everything below is written by bench/run.py: newest run first, one section per run key. -->"
)
API_TARGET_PER_S = 1_000
LIST_P95_TARGET_MS = 100.0
# Above this many cores busy elsewhere at a phase's start, the machine was not quiet.
BUSY_LOAD = 0.25

DEFAULT_HEADER = f"""# Benchmark results

Written by `python -m bench` (see `bench/run.py --help`). Each run adds a dated
section below; a later run with the same date, mode and backends replaces it.

{RUNS_MARKER}
"""


def machine_info() -> dict[str, str]:
    info = {
        "cores (nproc)": str(os.cpu_count()),
        "CPU": _cpu_model(),
        "RAM": _ram(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": _pg_version(),
    }
    info["code"] = _code_version()
    info["packages"] = ", ".join(
        f"{p} {version(p)}" for p in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "pydantic", "psycopg")
    )
    return info


def _code_version() -> str:
    """The commit measured, and whether src/ had uncommitted changes (read-only git calls)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"{head}" + (" + uncommitted changes in src/" if dirty else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _pg_version() -> str:
    try:
        engine = create_engine(PG_ADMIN_URL, pool_size=1)
        with engine.connect() as conn:
            value = str(conn.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        return value
    except Exception as exc:  # the report says why instead of failing the run
        return f"not reachable ({type(exc).__name__})"


@dataclass
class RunRecord:
    started: str
    mode: str
    command: str
    backends: list[str]
    machine: dict[str, str]
    ingest: list[IngestResult] = field(default_factory=list)
    listing: list[ListingResult] = field(default_factory=list)
    generation: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    # Cores used by other processes just before each phase (see common.background_cpu).
    load: list[tuple[str, float]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.started[:10]}|{self.mode}|{','.join(self.backends)}"


def _f(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def targets(record: RunRecord) -> list[tuple[str, str, str, bool]]:
    rows: list[tuple[str, str, str, bool]] = []
    for ing in record.ingest:
        best = max(ing.api, key=lambda m: m.rate, default=None)
        if best is not None:
            rows.append(
                (
                    f"API >= {API_TARGET_PER_S:,} deployments/s",
                    ing.backend,
                    f"{best.rate:,.0f}/s (best: {best.label})",
                    best.rate >= API_TARGET_PER_S,
                )
            )
    for lst in record.listing:
        kinds = [k for k in lst.kinds if k.name != HEALTHZ]
        worst = max(kinds, key=lambda k: k.p95_ms)
        over = [k for k in kinds if not k.p95_ms < LIST_P95_TARGET_MS]
        rows.append(
            (
                f"filtered list pages p95 < {LIST_P95_TARGET_MS:.0f} ms",
                lst.backend,
                f"{len(kinds) - len(over)}/{len(kinds)} kinds under; "
                f"worst {worst.name} {worst.p95_ms:.0f} ms",
                not over,
            )
        )
    return rows


def render(record: RunRecord) -> str:
    out = [
        f"<!-- run: {record.key} -->",
        f"## {record.started} — {record.mode} run ({', '.join(record.backends)})",
        "",
    ]
    out += [f"Command: `{record.command}`  ", f"Total time: {record.wall_s:.0f} s", ""]
    out += ["| machine | |", "| --- | --- |"] + [f"| {k} | {v} |" for k, v in record.machine.items()] + [""]
    out += [
        "The load generator runs on the same machine as the server (and as PostgreSQL): on 2 cores it",
        "competes with them for CPU, so absolute numbers are pessimistic; the ratios to the in-run",
        "baselines are the steadier figures. CPU columns are CPU time per record or request.",
        "",
    ]
    if record.load:
        busy = [phase for phase, load in record.load if load > BUSY_LOAD]
        out.append(
            "Other processes' CPU use just before each phase (cores): "
            + ", ".join(f"{phase} {load:.2f}" for phase, load in record.load)
            + (
                f". **Other processes were busy during: {', '.join(busy)}; those numbers are pessimistic.**"
                if busy
                else "."
            )
        )
        out.append("")
    if record.skipped:
        out += [f"Skipped: {'; '.join(record.skipped)}", ""]
    rows = targets(record)
    if rows:
        out += ["### Targets", "", "| target | backend | measured | met |", "| --- | --- | --- | --- |"]
        out += [f"| {t} | {b} | {m} | {'met' if ok else '**not met**'} |" for t, b, m, ok in rows] + [""]
    if record.ingest:
        out += _render_ingest(record.ingest)
    if record.listing:
        out += _render_listing(record)
    out += ["<!-- /run -->", ""]
    return "\n".join(out)


def _render_ingest(results: list[IngestResult]) -> list[str]:
    first = results[0]
    out = [
        "### 1. Deployment records per second",
        "",
        f"{first.requests:,} `POST /api/v1/deployments` per configuration "
        f"(after {first.warmup} warm-up requests), "
        f"{first.concurrency} keep-alive connections from one asyncio client; baseline: the same records "
        "through `changes.service.record_deployment`, one unit of work (one commit) each, in-process, "
        "one thread. Fresh migrated database for each line.",
        "",
        "| backend | path | records | wall s | records/s | ratio to service layer | latency p50 / p95 ms "
        "| server CPU ms/record | client CPU ms/request | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        s = r.service
        out.append(
            f"| {r.backend} | {s.label} | {s.records:,} | {_f(s.wall_s)} | **{_f(s.rate, 0)}** | 1.00 | - "
            f"| {_f(s.server_cpu_ms_per_record, 2)} (in-process) | - | none |"
        )
        for m in r.api:
            errors = ", ".join(f"{k}: {v}" for k, v in m.errors.items()) or "none"
            out.append(
                f"| {r.backend} | {m.label} | {m.records:,} | {_f(m.wall_s)} | **{_f(m.rate, 0)}** "
                f"| {_f(api_service_ratio(r, m), 2)} | {_f(m.p50_ms)} / {_f(m.p95_ms)} "
                f"| {_f(m.server_cpu_ms_per_record, 2)} | {_f(m.client_cpu_ms_per_record, 2)} | {errors} |"
            )
    out.append("")
    for r in results:
        for m in r.api:
            if m.first_error:
                out.append(f"First error ({r.backend}, {m.label}): `{m.first_error[:200]}`  ")
    out += [
        "",
        "Server CPU is uvicorn and its workers only (from /proc); PostgreSQL's own backends are not in it.",
        "",
    ]
    return out


def _render_listing(record: RunRecord) -> list[str]:
    out = ["### 2. List latency on a large organisation", ""]
    for gen in record.generation:
        counts = gen.get("row_counts", {})
        shown = ", ".join(
            f"{counts[t]:,} {t}"
            for t in (
                "deployments",
                "failures",
                "failure_services",
                "failure_tags",
                "reviews",
                "corrective_actions",
            )
            if t in counts
        )
        how = "reused from cache" if gen["cached"] else "generated in this run"
        out.append(
            f"- {gen['backend']}: {shown}, {gen['services']} services, {gen['teams']} teams; "
            f"generation took {gen['generation_s']:.0f} s ({how})."
        )
    out += [
        "",
        "Sequential requests on one keep-alive connection (no queueing), uvicorn with 1 worker, token auth,",
        "default page size 50; kinds interleaved in random order with fresh parameters per request.",
        "Ratios are to `GET /healthz` on the same server: framework and transport cost alone.",
        "",
    ]
    for lst in record.listing:
        out += [
            f"#### {lst.backend}",
            "",
            "| query | n | p50 ms | p95 ms | p99 ms | max ms | p50 / healthz | p95 / healthz | items/page "
            "| mean total | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for k in lst.kinds:
            flag = " ⚠" if k.name != HEALTHZ and not k.p95_ms < LIST_P95_TARGET_MS else ""
            errors = ", ".join(f"{c}: {n}" for c, n in k.errors.items()) or "none"
            capped = " (time-capped)" if k.capped else ""
            out.append(
                f"| `{k.name}`{flag} | {k.n}{capped} | {_f(k.p50_ms)} | {_f(k.p95_ms)} | {_f(k.p99_ms)} "
                f"| {_f(k.max_ms)} | {_f(k.p50_ms / lst.healthz_p50_ms)} "
                f"| {_f(k.p95_ms / lst.healthz_p95_ms)} "
                f"| {_f(k.mean_items)} | {_f(k.mean_total, 0)} | {errors} |"
            )
        out.append(
            f"| **all list kinds** | | **{_f(lst.overall_p50_ms)}** | **{_f(lst.overall_p95_ms)}** | | "
            f"| {_f(lst.overall_p50_ms / lst.healthz_p50_ms)} "
            f"| {_f(lst.overall_p95_ms / lst.healthz_p95_ms)} "
            "| | | |"
        )
        out.append("")
        if lst.first_error:
            out += [f"First error: `{lst.first_error[:300]}`", ""]
    return out


def write_results(path: Path, record: RunRecord) -> None:
    """Puts this run's section first under the marker, replacing an earlier one with the same key;
    everything above the marker (the hand-written analysis) is kept as it is."""
    existing = path.read_text() if path.exists() else DEFAULT_HEADER
    if RUNS_MARKER not in existing:
        existing = existing.rstrip() + "\n\n" + RUNS_MARKER + "\n"
    head, _, runs = existing.partition(RUNS_MARKER)
    pattern = re.compile(rf"<!-- run: {re.escape(record.key)} -->.*?<!-- /run -->\n*", re.S)
    runs = pattern.sub("", runs).strip()
    body = render(record) + ("\n" + runs + "\n" if runs else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + RUNS_MARKER + "\n\n" + body)
