"""The broadcast bench's results: what one run measured, as a dated section of bench/RESULTS.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Backend
from bench.report import RUNS_MARKER, machine_info

LATENCY_TARGET_S = 2.0


@dataclass
class Throughput:
    workers: int
    deliveries: int
    delivered: int
    seconds: float
    per_s: float
    repeats: int


@dataclass
class Latency:
    samples: int
    lost: int
    p50_s: float
    p95_s: float
    max_s: float
    mean_s: float


@dataclass
class BackendResult:
    backend: Backend
    throughput: list[Throughput] = field(default_factory=list)
    latency: Latency | None = None
    background_cpu: float = 0.0


def render(results: list[BackendResult], started: str, mode: str, command: str) -> str:
    machine = machine_info()
    backends = ",".join(r.backend for r in results)
    key = f"broadcast|{started[:10]}|{mode}|{backends}"
    lines = [
        f"<!-- run: {key} -->",
        f"## {started} — broadcast delivery, {mode} run ({', '.join(r.backend for r in results)})",
        "",
        f"`{command}` on {machine['cores (nproc)']} cores ({machine['CPU']}), Python {machine['Python']}, "
        f"SQLite {machine['SQLite']}, PostgreSQL {machine['PostgreSQL']}; code {machine['code']}.",
        "",
        "| backend | workers | deliveries | seconds | deliveries/s | repeats | busy before (cores) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for t in r.throughput:
            lines.append(
                f"| {r.backend} | {t.workers} | {t.delivered:,} / {t.deliveries:,} | {t.seconds:.2f} | "
                f"{t.per_s:,.0f} | {t.repeats} | {r.background_cpu:.2f} |"
            )
    lines += [
        "",
        f"Publishing a review to its webhook delivery (one worker process, default 0.5 s idle poll; "
        f"target p95 < {LATENCY_TARGET_S:.0f} s):",
        "",
        "| backend | samples | lost | p50 ms | p95 ms | max ms | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        lat = r.latency
        if lat is None:
            continue
        met = "MET" if lat.p95_s < LATENCY_TARGET_S and not lat.lost else "NOT MET"
        lines.append(
            f"| {r.backend} | {lat.samples} | {lat.lost} | {lat.p50_s * 1000:.0f} | {lat.p95_s * 1000:.0f} | "
            f"{lat.max_s * 1000:.0f} | {met} |"
        )
    busy = max((r.background_cpu for r in results), default=0.0)
    if busy > 0.5:
        lines += [
            "",
            f"Other processes kept {busy:.1f} of {machine['cores (nproc)']} cores busy when the run started: "
            "absolute numbers are pessimistic; compare worker counts within the run.",
        ]
    lines += ["", "<!-- /run -->", ""]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Puts the section first under the runs marker, replacing an earlier one with the same key."""
    existing = path.read_text() if path.exists() else "# Benchmark results\n"
    if RUNS_MARKER not in existing:
        existing = existing.rstrip() + "\n\n" + RUNS_MARKER + "\n"
    head, _, runs = existing.partition(RUNS_MARKER)
    key = section.splitlines()[0]
    pattern = re.compile(rf"{re.escape(key)}.*?<!-- /run -->\n*", re.S)
    runs = pattern.sub("", runs).strip()
    path.write_text(head + RUNS_MARKER + "\n\n" + section + ("\n" + runs + "\n" if runs else ""))
