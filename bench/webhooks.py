"""Benchmark: inbound webhook deliveries per second.

    python -m bench --only webhooks [--backend sqlite|postgresql|both] [--quick] [--requests N]

Three paths, each against uvicorn in a subprocess with 1 and 2 workers, on a fresh migrated
database holding the same small organisation (20 services, a GitHub integration with one mapping
rule per repository, a generic CI integration):

- **GitHub, signed**: `POST /api/v1/hooks/{id}/github`, `deployment_status` payloads shaped and
  sized like GitHub's (~9 KB: repository, sender and creator objects), each with its own
  `X-GitHub-Delivery` and deployment id, HMAC-SHA256 signed in `X-Hub-Signature-256`; 95 %
  succeed, 5 % fail (to production those open a failure, as the integration's default says).
- **Generic, unsigned**: `POST /api/v1/hooks/{id}/generic` with the secret as a bearer token and
  the same deployments as the CLI's `deploy record` fields; the in-run baseline for the signature
  check and GitHub's payload handling.
- **Batch**: `POST /api/v1/hooks/{id}/generic/batch`, 1,000 deployments a request, 2 connections.

Plus `receive()` in-process (one thread, no HTTP) for the first two, which is what the server adds
its overhead to. Targets: >= 1,000 signed deliveries/s on SQLite, >= 10,000 deployments/s through
the batch endpoint. A full run writes its section into bench/RESULTS.md; quick or custom runs into
bench/out/RESULTS-webhooks-<mode>.md.
"""

from __future__ import annotations

import argparse
import random
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.common import (
    HOST,
    OUT,
    RESULTS_MD,
    Backend,
    ScratchDir,
    background_cpu,
    chosen_backends,
    copy_sqlite,
    percentile,
    pg_create,
    pg_drop,
    sqlite_url,
    unique_suffix,
)
from bench.httpclient import closed_loop, run_async
from bench.pages import write_section
from bench.report import machine_info
from bench.server import Server
from bench.webhook_payloads import (
    Org,
    generic_deployment,
    generic_headers,
    github_headers,
    github_payloads,
    raw_request,
    setup_org,
)

TARGET_SIGNED = 1_000.0  # signed deliveries/s on SQLite
TARGET_BATCH = 10_000.0  # deployments/s through the batch endpoint
GITHUB, GENERIC, BATCH = "GitHub deployment_status, signed", "generic, unsigned (bearer)", "generic batch"


@dataclass(frozen=True)
class WebhookConfig:
    requests: int = 4_000
    warmup: int = 200
    concurrency: int = 32
    workers: tuple[int, ...] = (1, 2)
    batches: int = 12
    batch_size: int = 1_000
    batch_concurrency: int = 2
    services: int = 20
    time_limit_s: float = 120.0
    seed: int = 7


@dataclass
class Measurement:
    backend: Backend
    path: str
    how: str  # "in-process" or "N workers"
    requests: int
    deployments: int  # recorded (accepted) ones
    wall_s: float
    per_s: float  # deliveries/s, or deployments/s for the batch
    errors: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None
    server_cpu_ms: float | None = None  # per delivery (per deployment for the batch)
    p50_ms: float | None = None
    p95_ms: float | None = None
    busy: float = 0.0


@dataclass
class Work:
    """What one path sends: (headers, body) per request and how many deployments each holds."""

    path: str
    url: str
    requests: list[tuple[dict[str, str], bytes]]
    per_request: int


def make_work(org: Org, cfg: WebhookConfig) -> list[Work]:
    n = cfg.requests + cfg.warmup
    github = [(github_headers(d, b), b) for d, b in github_payloads(n, org.services, cfg.seed)]
    rng = random.Random(cfg.seed + 1)
    generic = [(generic_headers(), orjson.dumps(generic_deployment(rng, i, org.services))) for i in range(n)]
    batches = []
    for b in range(cfg.batches + 1):  # the first one warms up
        size = cfg.batch_size if b else max(1, cfg.batch_size // 10)
        items = [generic_deployment(rng, 100_000 + b * cfg.batch_size + i, org.services) for i in range(size)]
        batches.append((generic_headers(), orjson.dumps({"deployments": items})))
    hooks = "/api/v1/hooks"
    return [
        Work(GITHUB, f"{hooks}/{org.github_id}/github", github, 1),
        Work(GENERIC, f"{hooks}/{org.generic_id}/generic", generic, 1),
        Work(BATCH, f"{hooks}/{org.generic_id}/generic/batch", batches, cfg.batch_size),
    ]


# ---- measuring -------------------------------------------------------------------------------


def in_process(backend: Backend, url: str, org: Org, work: Work, cfg: WebhookConfig) -> Measurement:
    """receive() called in a loop on one thread: the same unit of work the endpoint runs."""
    from failwell.db import Database
    from failwell.integrations.models import IntegrationKind, Verdict
    from failwell.integrations.receive import receive

    kind = IntegrationKind.github if work.path == GITHUB else IntegrationKind.generic
    integration_id = org.github_id if work.path == GITHUB else org.generic_id
    db = Database(url, pool_size=2)
    errors: dict[str, int] = {}
    accepted = 0
    try:
        for headers, body in work.requests[: cfg.warmup]:
            receive(db, integration_id, kind, headers, body)
        timed = work.requests[cfg.warmup :]
        cpu0, t0 = time.process_time(), time.perf_counter()
        for headers, body in timed:
            got = receive(db, integration_id, kind, headers, body)
            if got.verdict == Verdict.accepted:
                accepted += 1
            else:
                errors[got.verdict.value] = errors.get(got.verdict.value, 0) + 1
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        db.dispose()
    return Measurement(
        backend, work.path, "in-process, 1 thread", len(timed), accepted, wall, accepted / wall, errors,
        server_cpu_ms=1000 * cpu / max(accepted, 1),
    )  # fmt: skip


def backlog_drained(url: str, stall_s: float = 8.0) -> None:
    """Waits until the server's worker has embedded the failures the warm-up opened: its first
    round loads the model (a second or two of CPU), which would otherwise fall in the timed part
    of a short run. Gives up when the backlog stops shrinking (no model here, say)."""
    from sqlalchemy import func, select

    from failwell.db import Database
    from failwell.recurrence.models import EmbeddingBacklog

    db = Database(url, pool_size=1)
    try:
        last, since = -1, time.monotonic()
        while time.monotonic() - since < stall_s:
            with db.session(write=False) as s:
                left = s.scalar(select(func.count()).select_from(EmbeddingBacklog)) or 0
            if not left:
                return
            if left != last:
                last, since = left, time.monotonic()
            time.sleep(0.1)
    finally:
        db.dispose()


def over_http(
    backend: Backend, url: str, work: Work, cfg: WebhookConfig, workers: int, log_file: Path
) -> Measurement:
    batch = work.path == BATCH
    warmup = 1 if batch else cfg.warmup
    concurrency = cfg.batch_concurrency if batch else cfg.concurrency
    busy = background_cpu(0.5)
    with Server(url, workers=workers, log=log_file) as srv:
        raws = [raw_request(work.url, srv.port, h, b) for h, b in work.requests]
        run_async(lambda: closed_loop(HOST, srv.port, raws[:warmup], concurrency, 60))
        backlog_drained(url)
        cpu0 = srv.cpu_seconds()
        result = run_async(lambda: closed_loop(HOST, srv.port, raws[warmup:], concurrency, cfg.time_limit_s))
        server_cpu = srv.cpu_seconds() - cpu0
    ok = result.count(200)
    deployments = ok * work.per_request
    lat_ms = [1000 * x for x in result.latencies_s]
    rate = (deployments if batch else ok) / result.wall_s if result.wall_s else 0.0
    return Measurement(
        backend, work.path, f"{workers} worker{'s' if workers > 1 else ''}, {concurrency} conns",
        result.sent, deployments, result.wall_s, rate,
        {k: v for k, v in result.statuses.items() if k != "200"}, result.first_error,
        1000 * server_cpu / max(deployments, 1), percentile(lat_ms, 50), percentile(lat_ms, 95), busy,
    )  # fmt: skip


def _fresh_databases(
    backend: Backend, scratch: ScratchDir, cfg: WebhookConfig, runs: list[str]
) -> tuple[Org, dict[str, str], list[str]]:
    """(org, url per run, PostgreSQL databases to drop): every run starts from the same template."""
    from failwell.migrate import upgrade

    if backend == "sqlite":
        template = scratch.path / "webhooks-template.db"
        upgrade(sqlite_url(template))
        org = setup_org(sqlite_url(template), cfg.services)
        urls = {}
        for run in runs:
            path = scratch.path / f"webhooks-{run}.db"
            copy_sqlite(template, path)
            urls[run] = sqlite_url(path)
        return org, urls, []
    suffix = unique_suffix()
    template_name = f"failwell_bench_hooks_{suffix}"
    template_url = pg_create(template_name)
    upgrade(template_url)
    org = setup_org(template_url, cfg.services)
    names = {run: f"failwell_bench_hooks_{run}_{suffix}" for run in runs}
    urls = {run: pg_create(name, template=template_name) for run, name in names.items()}
    return org, urls, [*names.values(), template_name]


def run_backend(
    backend: Backend, cfg: WebhookConfig, scratch: ScratchDir, log: Callable[[str], None]
) -> list[Measurement]:
    paths = {GITHUB: "gh", GENERIC: "gen", BATCH: "batch"}
    runs = [f"{p}_inproc" for p in ("gh", "gen")] + [f"{p}_{w}" for p in paths.values() for w in cfg.workers]
    org, urls, cleanup = _fresh_databases(backend, scratch, cfg, runs)
    out: list[Measurement] = []
    try:
        works = make_work(org, cfg)
        for work in works[:2]:
            log(f"  [{backend}] {work.path}: receive() in-process")
            out.append(in_process(backend, urls[f"{paths[work.path]}_inproc"], org, work, cfg))
            log(f"    {out[-1].per_s:,.0f}/s {out[-1].errors or ''}")
        for work in works:
            for workers in cfg.workers:
                log(f"  [{backend}] {work.path}: HTTP, {workers} worker(s)")
                m = over_http(
                    backend, urls[f"{paths[work.path]}_{workers}"], work, cfg, workers,
                    scratch.path / f"uvicorn-webhooks-{backend}.log",
                )  # fmt: skip
                log(f"    {m.per_s:,.0f}/s, errors {m.errors or 'none'}")
                out.append(m)
    finally:
        for name in cleanup:
            pg_drop(name)
    return out


# ---- reporting -------------------------------------------------------------------------------


def best(results: list[Measurement], backend: Backend, path: str) -> Measurement | None:
    over = [m for m in results if m.backend == backend and m.path == path and "worker" in m.how]
    return max(over, key=lambda m: m.per_s, default=None)


def targets(results: list[Measurement]) -> list[tuple[str, str, float, float, bool]]:
    rows: list[tuple[str, str, float, float, bool]] = []
    for backend in dict.fromkeys(m.backend for m in results):
        for path, target, what in (
            (GITHUB, TARGET_SIGNED, "signed deliveries"),
            (BATCH, TARGET_BATCH, "batch deployments"),
        ):
            if backend == "postgresql" and path == GITHUB:
                continue  # the signed target is set for SQLite; PostgreSQL is reported beside it
            m = best(results, backend, path)
            if m is not None:
                rows.append(
                    (
                        f"{what} >= {target:,.0f}/s",
                        backend,
                        m.per_s,
                        target,
                        m.per_s >= target and not m.errors,
                    )
                )
    return rows  # fmt: skip


def render(started: str, mode: str, command: str, cfg: WebhookConfig, results: list[Measurement]) -> str:
    backends = ",".join(dict.fromkeys(m.backend for m in results))
    out = [
        f"<!-- run: webhooks|{started[:10]}|{mode}|{backends} -->",
        f"## {started} — inbound webhooks, {mode} run ({backends.replace(',', ', ')})",
        "",
        f"Command: `{command}`",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in machine_info().items()),
        "",
        f"{cfg.requests:,} deliveries per single-delivery line (after {cfg.warmup} warm-up ones, and "
        "after the server's worker has embedded the failures they opened, which loads the model), "
        f"{cfg.concurrency} keep-alive connections; batch: {cfg.batches} requests of "
        f"{cfg.batch_size:,} deployments on {cfg.batch_concurrency} connections. Fresh migrated "
        "database for each line. Rate: accepted deliveries per second (deployments per second for "
        "the batch). Server CPU: uvicorn's CPU per delivery (per deployment for the batch), "
        "PostgreSQL's own backends not included.",
        "",
        "| target | backend | measured | met |",
        "| --- | --- | ---: | --- |",
        *(
            f"| {name} | {backend} | {value:,.0f}/s | {'met' if met else '**not met**'} |"
            for name, backend, value, _t, met in targets(results)
        ),
        "",
        "| backend | path | how | requests | deployments | wall s | rate/s | p50 / p95 ms "
        "| server CPU ms | busy before | errors |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]  # fmt: skip
    for m in results:
        lat = f"{m.p50_ms:.1f} / {m.p95_ms:.1f}" if m.p50_ms is not None and m.p95_ms is not None else "-"
        cpu = f"{m.server_cpu_ms:.2f}" if m.server_cpu_ms is not None else "-"
        errors = ", ".join(f"{k}: {v}" for k, v in m.errors.items()) or "none"
        out.append(
            f"| {m.backend} | {m.path} | {m.how} | {m.requests:,} | {m.deployments:,} | {m.wall_s:.1f} | "
            f"**{m.per_s:,.0f}** | {lat} | {cpu} | {m.busy:.2f} | {errors} |"
        )
    firsts = [f"{m.backend} {m.path} ({m.how}): `{m.first_error[:200]}`" for m in results if m.first_error]
    if firsts:
        out += ["", "First errors:", *(f"- {e}" for e in firsts)]
    out += ["", "<!-- /run -->"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(prog="python -m bench --only webhooks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="fewer deliveries and batches")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--requests", type=int, help="timed deliveries per line (default 4,000; 600 with --quick)")
    p.add_argument("--warmup", type=int, help="untimed deliveries first (default 200)")
    p.add_argument("--concurrency", type=int, help="connections (default 32)")
    p.add_argument("--workers", help="uvicorn workers to try, comma separated (default 1,2)")
    p.add_argument("--batches", type=int, help="timed batch requests (default 12; 3 with --quick)")
    p.add_argument("--batch-size", type=int, help="deployments per batch (default 1,000)")
    p.add_argument("--results", type=Path, help="markdown file to write the section into")
    p.add_argument("--no-results", action="store_true", help="print the section, write no markdown")
    args = p.parse_args(args_in)
    cfg = WebhookConfig()
    if args.quick:
        cfg = replace(cfg, requests=600, batches=3)
    overrides = {
        "requests": args.requests, "warmup": args.warmup, "concurrency": args.concurrency,
        "batches": args.batches, "batch_size": args.batch_size,
        "workers": tuple(int(w) for w in args.workers.split(",")) if args.workers else None,
    }  # fmt: skip
    cfg = replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
    full = cfg == WebhookConfig()
    mode = "full" if full else ("quick" if args.quick else "custom")
    backends = chosen_backends(args.backend)
    if not backends:
        return 2
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print("inbound webhooks: deliveries per second", flush=True)
    scratch = ScratchDir.create()
    results: list[Measurement] = []
    try:
        for backend in backends:
            results += run_backend(backend, cfg, scratch, lambda m: print(m, flush=True))
    finally:
        scratch.remove()
    section = render(started, mode, ("python -m bench " + shlex.join(args_in)).strip(), cfg, results)
    if args.no_results:
        print(section)
    else:
        path = args.results or (RESULTS_MD if full else OUT / f"RESULTS-webhooks-{mode}.md")
        write_section(path, section)
        print(f"results written to {path}", flush=True)
    for name, where, value, _target, met in targets(results):
        print(f"  {'MET    ' if met else 'NOT MET'} {name} ({where}): {value:,.0f}/s", flush=True)
    return 0
