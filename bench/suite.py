"""The command line: which benchmarks, on which backends, at which scale; writes the results."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import signal
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.common import BACKENDS, OUT, RESULTS_MD, Backend, ScratchDir, background_cpu, pg_unavailable
from bench.generate import drop_cached_pg, prepare_org
from bench.ingest import IngestConfig, run_ingest
from bench.listing import ListingConfig, run_listing
from bench.org_shape import SCALES
from bench.report import RunRecord, machine_info, render, targets, write_results

# Mode defaults: a full run stays within ~15 minutes on a 2-core machine (the large
# organisation is generated once, ~1.5 minutes per backend, then cached); --quick is
# a one-to-two-minute smoke run of every piece.
MODES = {
    "full": {
        "requests": 6_000,
        "concurrency": 32,
        "workers": "1,2",
        "scale": "large",
        "samples": 200,
        "warmup": 5,
        "kind_budget": 20.0,
    },
    "quick": {
        "requests": 600,
        "concurrency": 16,
        "workers": "1,2",
        "scale": "quick",
        "samples": 25,
        "warmup": 2,
        "kind_budget": 5.0,
    },
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small smoke run (small org, few requests)")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--only", choices=("ingest", "listing", "all"), default="all", help="which benchmark")
    p.add_argument("--requests", type=int, help="deployments POSTed per API configuration")
    p.add_argument("--concurrency", type=int, help="concurrent keep-alive connections for ingestion")
    p.add_argument("--ingest-warmup", type=int, default=200, help="untimed POSTs before each API run")
    p.add_argument("--workers", help="comma-separated uvicorn worker counts to try for ingestion, e.g. 1,2")
    p.add_argument("--scale", choices=sorted(SCALES), help="size of the generated organisation")
    p.add_argument("--samples", type=int, help="timed requests per list query kind")
    p.add_argument("--warmup", type=int, help="untimed requests per list query kind first")
    p.add_argument("--kind-budget", type=float, help="seconds at most per list query kind")
    p.add_argument("--regenerate", action="store_true", help="rebuild the cached organisation")
    p.add_argument(
        "--sqlite-analyze",
        action="store_true",
        help="run ANALYZE on the SQLite org first (failwell itself never does)",
    )
    p.add_argument(
        "--drop-pg-cache",
        action="store_true",
        help="drop the cached PostgreSQL organisation database at the end",
    )
    p.add_argument(
        "--results",
        type=Path,
        help="markdown file to record the run in (default: bench/RESULTS.md for full runs, "
        "bench/out/RESULTS-<mode>.md for quick or custom ones)",
    )
    p.add_argument("--no-results", action="store_true", help="print the section, write no markdown")
    args = p.parse_args(argv)
    mode = MODES["quick" if args.quick else "full"]
    for name, default in mode.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    args.mode = "quick" if args.quick else "full"
    if args.scale != mode["scale"] or args.requests != mode["requests"] or args.samples != mode["samples"]:
        args.mode += " (custom)"
    return args


def log(message: str) -> None:
    print(message, flush=True)


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    # SystemExit unwinds through every `finally`: servers stop, scratch databases are dropped.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parse_args(argv)
    record = run(args, argv)
    if record is None:
        return 2
    for target, backend, measured, ok in targets(record):
        log(f"  {'MET    ' if ok else 'NOT MET'} {target} [{backend}]: {measured}")
    log(f"done in {record.wall_s:.0f}s")
    return 0


def run(args: argparse.Namespace, argv: list[str] | None = None) -> RunRecord | None:
    """Runs the benchmarks `args` ask for, records them, and returns the record (None: cannot run)."""
    t0 = time.perf_counter()
    backends: list[Backend] = list(BACKENDS) if args.backend == "both" else [args.backend]
    skipped = []
    if "postgresql" in backends and (reason := pg_unavailable()):
        if args.backend == "postgresql":
            log(reason)
            return None
        backends.remove("postgresql")
        skipped.append(reason)
        log(f"skipping PostgreSQL: {reason}")
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    record = RunRecord(
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        mode=args.mode,
        command=command.strip(),
        backends=list(backends),
        machine=machine_info(),
        skipped=skipped,
    )
    scratch = ScratchDir.create()
    try:
        if args.only in ("ingest", "all"):
            cfg = IngestConfig(
                requests=args.requests,
                concurrency=args.concurrency,
                workers=tuple(int(w) for w in str(args.workers).split(",")),
                warmup=args.ingest_warmup,
            )
            log(f"1. deployment ingestion: {cfg.requests:,} records per configuration")
            for backend in backends:
                record.load.append((f"ingest/{backend}", background_cpu()))
                record.ingest.append(run_ingest(backend, cfg, scratch, log))
        if args.only in ("listing", "all"):
            scale = SCALES[args.scale]
            lcfg = ListingConfig(
                samples=args.samples,
                warmup=args.warmup,
                kind_budget_s=args.kind_budget,
            )
            log(f"2. list latency on the {scale.name} organisation")
            for backend in backends:
                meta = prepare_org(
                    backend, scale, log, sqlite_analyze=args.sqlite_analyze, fresh=args.regenerate
                )
                record.generation.append(
                    {
                        "backend": backend,
                        "cached": meta.cached,
                        "generation_s": meta.generation_s,
                        "row_counts": meta.row_counts,
                        "services": len(meta.services),
                        "teams": len(meta.teams),
                    }
                )
                log_file = scratch.path / f"uvicorn-list-{backend}.log"
                record.load.append((f"listing/{backend}", background_cpu()))
                record.listing.append(run_listing(meta, lcfg, log_file, log))
                # Only the large organisation is worth keeping between runs (failwell_bench_large);
                # smaller ones take seconds to rebuild, so they do not linger on the server.
                if backend == "postgresql" and (args.drop_pg_cache or scale.name != "large"):
                    drop_cached_pg(scale)
    finally:
        scratch.remove()
    record.wall_s = time.perf_counter() - t0

    OUT.mkdir(parents=True, exist_ok=True)
    slug = "-".join(re.findall(r"[a-z0-9]+", args.mode))
    (OUT / f"last-run-{slug}.json").write_text(json.dumps(asdict(record), indent=1, default=str))
    if args.no_results:
        print(render(record))
    else:
        path = args.results or (RESULTS_MD if args.mode == "full" else OUT / f"RESULTS-{slug}.md")
        write_results(path, record)
        log(f"results written to {path}")
    return record
