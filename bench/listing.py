"""Benchmark 2: latency of filtered list pages on a large organisation, through the HTTP server.

One keep-alive connection sends one request at a time, so each latency is the
service time of that request alone (no queueing behind others). Query kinds are
interleaved in a shuffled order, and each request draws fresh parameters (another
service, team, word, window), so no kind runs hot on a single cached answer.
GET /healthz goes through the same server and client: it is the framework's own
cost, and the ratio to it shows what the database part of a list costs.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

from bench.common import HOST, mean, percentile
from bench.httpclient import Connection, build_request, run_async
from bench.org_shape import OrgMeta
from bench.server import Server

HEALTHZ = "healthz"


@dataclass(frozen=True)
class QueryKind:
    name: str
    make: Callable[[random.Random, OrgMeta], str]


def _q(path: str, **params: Any) -> str:
    return f"/api/v1/{path}?{urlencode(params)}" if params else f"/api/v1/{path}"


def _window(rng: random.Random, meta: OrgMeta, days: int) -> dict[str, str]:
    start, end = datetime.fromisoformat(meta.start), datetime.fromisoformat(meta.end)
    span = (end - start - timedelta(days=days)).total_seconds()
    since = start + timedelta(seconds=rng.random() * span)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return {"since": since.strftime(fmt), "until": (since + timedelta(days=days)).strftime(fmt)}


def _word(rng: random.Random, meta: OrgMeta) -> str:
    # Mostly words found in many failures, sometimes one found in very few (a long scan).
    return rng.choice(meta.rare_words) if rng.random() < 0.25 else rng.choice(meta.common_words)


KINDS: tuple[QueryKind, ...] = (
    QueryKind(HEALTHZ, lambda r, m: "/healthz"),
    QueryKind("deployments (no filter)", lambda r, m: _q("deployments")),
    QueryKind("deployments ?service", lambda r, m: _q("deployments", service=r.choice(m.services))),
    QueryKind(
        "deployments ?service&offset",
        lambda r, m: _q("deployments", service=r.choice(m.services), offset=50 * r.randint(1, 40)),
    ),
    QueryKind(
        "deployments ?team&outcome=failed",
        lambda r, m: _q("deployments", team=r.choice(m.teams), outcome="failed"),
    ),
    QueryKind("deployments ?since&until (1 day)", lambda r, m: _q("deployments", **_window(r, m, 1))),
    QueryKind("failures ?service", lambda r, m: _q("failures", service=r.choice(m.services))),
    QueryKind(
        "failures ?kind=incident&status=open", lambda r, m: _q("failures", kind="incident", status="open")
    ),
    QueryKind("failures ?severity_at_least=2", lambda r, m: _q("failures", severity_at_least=2)),
    QueryKind("failures ?team", lambda r, m: _q("failures", team=r.choice(m.teams))),
    QueryKind("failures ?q=word", lambda r, m: _q("failures", q=_word(r, m))),
    QueryKind("failures ?tag", lambda r, m: _q("failures", tag=r.choice(m.tags[:20]))),
    QueryKind("failures ?sort=-severity", lambda r, m: _q("failures", sort="-severity")),
    QueryKind(
        "failures ?kind&offset", lambda r, m: _q("failures", kind="incident", offset=50 * r.randint(1, 40))
    ),
    QueryKind("actions ?overdue=true", lambda r, m: _q("actions", overdue="true")),
    QueryKind("reviews ?status=published", lambda r, m: _q("reviews", status="published")),
)


@dataclass(frozen=True)
class ListingConfig:
    samples: int = 200
    warmup: int = 5
    # Per-kind cap on time spent, so one pathological query cannot blow the run's budget;
    # a capped kind still reports at least min_samples.
    kind_budget_s: float = 20.0
    min_samples: int = 20
    seed: int = 3


@dataclass
class KindStats:
    name: str
    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    mean_items: float
    mean_total: float
    errors: dict[str, int] = field(default_factory=dict)
    capped: bool = False


@dataclass
class ListingResult:
    backend: str
    kinds: list[KindStats]
    overall_p50_ms: float
    overall_p95_ms: float
    healthz_p50_ms: float
    healthz_p95_ms: float
    wall_s: float
    first_error: str | None = None


async def _measure(port: int, meta: OrgMeta, cfg: ListingConfig, log: Callable[[str], None]) -> ListingResult:
    rng = random.Random(cfg.seed)
    conn = Connection(HOST, port)
    latencies: dict[str, list[float]] = {k.name: [] for k in KINDS}
    items: dict[str, list[int]] = {k.name: [] for k in KINDS}
    totals: dict[str, list[int]] = {k.name: [] for k in KINDS}
    errors: dict[str, Counter[str]] = {k.name: Counter() for k in KINDS}
    spent = dict.fromkeys(latencies, 0.0)
    first_error: str | None = None

    async def one(kind: QueryKind, record: bool) -> None:
        nonlocal first_error
        raw = build_request("GET", kind.make(rng, meta), HOST, port, meta.token)
        t0 = time.perf_counter()
        try:
            status, body = await conn.request(raw)
        except Exception as exc:  # reported per kind, never fatal
            errors[kind.name][type(exc).__name__] += 1
            first_error = first_error or f"{kind.name}: {exc!r}"
            return
        elapsed = time.perf_counter() - t0
        if not record:
            return
        spent[kind.name] += elapsed
        if status != 200:
            errors[kind.name][str(status)] += 1
            first_error = first_error or f"{kind.name}: HTTP {status} {body[:300]!r}"
            return
        latencies[kind.name].append(elapsed)
        if kind.name != HEALTHZ:
            page = orjson.loads(body)
            items[kind.name].append(len(page["items"]))
            totals[kind.name].append(page["total"])

    t_start = time.perf_counter()
    for kind in KINDS:
        for _ in range(cfg.warmup):
            await one(kind, record=False)
    pending = list(KINDS)
    rounds = 0
    while pending:
        rng.shuffle(pending)
        for kind in pending:
            await one(kind, record=True)
        rounds += 1
        pending = [
            k
            for k in pending
            if len(latencies[k.name]) + sum(errors[k.name].values()) < cfg.samples
            and not (spent[k.name] > cfg.kind_budget_s and len(latencies[k.name]) >= cfg.min_samples)
        ]
        if rounds % 50 == 0:
            log(f"    {rounds} rounds, {len(pending)} kinds still sampling")
    await conn.close()
    wall = time.perf_counter() - t_start

    stats = []
    for kind in KINDS:
        ms = [1000 * x for x in latencies[kind.name]]
        stats.append(
            KindStats(
                name=kind.name,
                n=len(ms),
                p50_ms=percentile(ms, 50),
                p95_ms=percentile(ms, 95),
                p99_ms=percentile(ms, 99),
                max_ms=max(ms, default=float("nan")),
                mean_ms=mean(ms),
                mean_items=mean(items[kind.name]),
                mean_total=mean(totals[kind.name]),
                errors=dict(errors[kind.name]),
                capped=len(ms) < cfg.samples,
            )
        )
    list_ms = [1000 * x for k in KINDS if k.name != HEALTHZ for x in latencies[k.name]]
    health = next(s for s in stats if s.name == HEALTHZ)
    return ListingResult(
        backend=meta.backend,
        kinds=stats,
        overall_p50_ms=percentile(list_ms, 50),
        overall_p95_ms=percentile(list_ms, 95),
        healthz_p50_ms=health.p50_ms,
        healthz_p95_ms=health.p95_ms,
        wall_s=wall,
        first_error=first_error,
    )


def run_listing(
    meta: OrgMeta, cfg: ListingConfig, log_file: Path, log: Callable[[str], None]
) -> ListingResult:
    log(f"  [{meta.backend}] list latency: {len(KINDS)} query kinds x {cfg.samples} requests, 1 connection")
    with Server(meta.url, workers=1, log=log_file) as srv:
        result = run_async(lambda: _measure(srv.port, meta, cfg, log))
    slow = [k.name for k in result.kinds if k.p95_ms >= 100]
    log(
        f"    overall p50 {result.overall_p50_ms:.1f} ms, p95 {result.overall_p95_ms:.1f} ms; "
        f"p95 >= 100 ms: {', '.join(slow) or 'none'}"
    )
    return result
