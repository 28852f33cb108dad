"""Benchmark 1: deployment records per second, through the HTTP API and through the service layer.

Both paths do the same work per record (look up the service, insert, commit: one
unit of work per deployment), so API / service is the cost of HTTP, routing,
validation, token authentication and serialisation.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from bench.common import (
    HOST,
    Backend,
    ScratchDir,
    copy_sqlite,
    percentile,
    pg_create,
    pg_drop,
    sqlite_url,
    unique_suffix,
)
from bench.httpclient import LoadResult, build_request, closed_loop, run_async
from bench.server import Server
from failwell.authz import SYSTEM, Actor
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceIn
from failwell.changes import service as changes
from failwell.changes.schemas import DeploymentIn
from failwell.db import Database
from failwell.enums import Role, Tier
from failwell.migrate import upgrade
from failwell.people import service as people
from failwell.people import teams, tokens
from failwell.people.schemas import PersonIn, TeamIn, TokenIn


@dataclass(frozen=True)
class IngestConfig:
    requests: int = 8_000
    concurrency: int = 32
    workers: tuple[int, ...] = (1, 2)
    time_limit_s: float = 120.0
    services: int = 20
    seed: int = 1
    # Untimed requests first, so imports, pools and caches are hot when the clock starts.
    warmup: int = 200


@dataclass
class IngestOrg:
    token: str
    actor: Actor
    services: list[str]


@dataclass
class Measurement:
    """One way of recording the same deployments; `rate` counts successful records only."""

    label: str
    records: int
    wall_s: float
    rate: float
    errors: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None
    server_cpu_ms_per_record: float | None = None
    client_cpu_ms_per_record: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None


@dataclass
class IngestResult:
    backend: Backend
    requests: int
    concurrency: int
    service: Measurement
    api: list[Measurement]
    warmup: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def setup_org(url: str, n_services: int) -> IngestOrg:
    """A team, its services and one practitioner with an API token, as a CI pipeline would use."""
    db = Database(url, pool_size=1)
    try:
        with db.session() as s:
            teams.create_team(s, SYSTEM, TeamIn(name="delivery", description="Ships things"))
            person = people.create_person(
                s, SYSTEM, PersonIn(name="CI pipeline", email="ci@example.com", role=Role.practitioner)
            )
            actor = people.actor_for(person)
            _, token = tokens.create_token(s, actor, TokenIn(name="bench"))
            names = [f"svc-{i:02d}" for i in range(n_services)]
            for i, name in enumerate(names):
                catalogue.create_service(
                    s, SYSTEM, ServiceIn(name=name, owner_team="delivery", tier=list(Tier)[i % len(Tier)])
                )
    finally:
        db.dispose()
    return IngestOrg(token=token, actor=actor, services=names)


def deployment_payloads(n: int, services: list[str], seed: int) -> list[dict[str, Any]]:
    """Realistic deployment records: semver, 1-3 commit SHAs, a pipeline URL, a mostly-good outcome."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    versions = dict.fromkeys(services, 0)
    payloads = []
    for i in range(n):
        svc = rng.choice(services)
        versions[svc] += 1
        v = versions[svc]
        started = base + timedelta(seconds=i * 7 + rng.randint(0, 5))
        payloads.append(
            {
                "service": svc,
                "environment": rng.choices(("production", "staging", "canary"), (6, 3, 1))[0],
                "version": f"{1 + v // 400}.{(v // 20) % 20}.{v % 20}",
                "commit_shas": [f"{rng.getrandbits(160):040x}" for _ in range(rng.randint(1, 3))],
                "started_at": started.isoformat().replace("+00:00", "Z"),
                "finished_at": (started + timedelta(seconds=rng.randint(30, 900)))
                .isoformat()
                .replace("+00:00", "Z"),
                "outcome": rng.choices(("succeeded", "failed", "rolled_back"), (88, 8, 4))[0],
                "pipeline_url": f"https://ci.example.com/{svc}/pipelines/{100_000 + i}",
            }
        )
    return payloads


def bench_service_layer(url: str, org: IngestOrg, payloads: list[dict[str, Any]]) -> Measurement:
    """The same records through failwell.changes.service, one unit of work (one commit) each.

    Input validation (DeploymentIn) happens before the clock starts: the baseline is
    the domain logic plus the database, which is what the API adds its overhead to.
    """
    items = [DeploymentIn.model_validate(p) for p in payloads]
    db = Database(url, pool_size=2)
    try:
        cpu0, t0 = time.process_time(), time.perf_counter()
        for item in items:
            with db.session() as s:
                changes.record_deployment(s, org.actor, item)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    finally:
        db.dispose()
    return Measurement(
        label="service layer, in-process, 1 thread",
        records=len(items),
        wall_s=wall,
        rate=len(items) / wall,
        server_cpu_ms_per_record=1000 * cpu / len(items),
    )


def bench_api(
    url: str, org: IngestOrg, payloads: list[dict[str, Any]], cfg: IngestConfig, workers: int, log: Path
) -> Measurement:
    with Server(url, workers=workers, log=log) as srv:
        requests = [
            build_request("POST", "/api/v1/deployments", HOST, srv.port, org.token, orjson.dumps(p))
            for p in payloads
        ]
        # The warm-up's records go to the same table but are not counted.
        run_async(lambda: closed_loop(HOST, srv.port, requests[: cfg.warmup], cfg.concurrency, 30))
        timed = requests[cfg.warmup :]
        cpu0 = srv.cpu_seconds()
        result: LoadResult = run_async(
            lambda: closed_loop(HOST, srv.port, timed, cfg.concurrency, cfg.time_limit_s)
        )
        server_cpu = srv.cpu_seconds() - cpu0
    created = result.count(201)
    lat_ms = [1000 * x for x in result.latencies_s]
    return Measurement(
        label=f"HTTP API, uvicorn {workers} worker{'s' if workers > 1 else ''}, {cfg.concurrency} conns",
        records=created,
        wall_s=result.wall_s,
        rate=created / result.wall_s if result.wall_s else 0.0,
        errors={k: v for k, v in result.statuses.items() if k != "201"},
        first_error=result.first_error,
        server_cpu_ms_per_record=1000 * server_cpu / max(created, 1),
        client_cpu_ms_per_record=1000 * result.client_cpu_s / max(result.sent, 1),
        p50_ms=percentile(lat_ms, 50),
        p95_ms=percentile(lat_ms, 95),
    )


def run_ingest(
    backend: Backend, cfg: IngestConfig, scratch: ScratchDir, log: Callable[[str], None]
) -> IngestResult:
    """Every measurement gets its own fresh, migrated database holding the same small org."""
    payloads = deployment_payloads(
        cfg.requests + cfg.warmup, [f"svc-{i:02d}" for i in range(cfg.services)], cfg.seed
    )
    runs = ["service", *(f"api{w}" for w in cfg.workers)]
    if backend == "sqlite":
        template = scratch.path / "ingest-template.db"
        upgrade(sqlite_url(template))
        org = setup_org(sqlite_url(template), cfg.services)
        urls = {}
        for run in runs:
            path = scratch.path / f"ingest-{run}.db"
            copy_sqlite(template, path)
            urls[run] = sqlite_url(path)
        cleanup: list[str] = []
    else:
        suffix = unique_suffix()
        template_name = f"failwell_bench_tmpl_{suffix}"
        template_url = pg_create(template_name)
        cleanup = [template_name]
        upgrade(template_url)
        org = setup_org(template_url, cfg.services)
        urls = {}
        for run in runs:
            name = f"failwell_bench_{run}_{suffix}"
            cleanup.append(name)
            urls[run] = pg_create(name, template=template_name)
    try:
        log(f"  [{backend}] service layer: {cfg.requests} records, one commit each")
        service = bench_service_layer(urls["service"], org, payloads[cfg.warmup :])
        log(f"    {service.rate:,.0f} records/s")
        api = []
        for workers in cfg.workers:
            log(f"  [{backend}] HTTP API, {workers} worker(s), {cfg.concurrency} connections")
            m = bench_api(
                urls[f"api{workers}"], org, payloads, cfg, workers, scratch.path / f"uvicorn-{backend}.log"
            )
            log(f"    {m.rate:,.0f} records/s, errors {m.errors or 'none'}")
            api.append(m)
    finally:
        for name in reversed(cleanup):
            pg_drop(name)
    return IngestResult(backend, cfg.requests, cfg.concurrency, service, api, cfg.warmup)


def api_service_ratio(result: IngestResult, m: Measurement) -> float:
    return m.rate / result.service.rate if result.service.rate else float("nan")
