"""Benchmark 3: server response times of the web pages on the large organisation.

    python -m bench --only pages [--backend sqlite|postgresql|both] [--samples N] [--quick]

The browser's view of failwell: HTML pages rendered on the server, signed in with a
session cookie (made directly with people.sign_in.start_web_session, as the tests do:
argon2 sign-in is measured nowhere here). One keep-alive connection sends one request at
a time, pages interleaved in a shuffled order, each request with fresh parameters (another
failure, service, team or search word). Baseline: GET /healthz on the same server.
Target: p95 < 150 ms for every page. Results go into bench/RESULTS.md as a dated section
(quick or custom runs into bench/out/RESULTS-pages-<mode>.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from sqlalchemy import func, select

from bench.common import (
    HOST,
    OUT,
    RESULTS_MD,
    ScratchDir,
    background_cpu,
    chosen_backends,
    percentile,
)
from bench.generate import prepare_org
from bench.httpclient import Connection, run_async
from bench.org_shape import SCALES, OrgMeta
from bench.report import RUNS_MARKER, machine_info
from bench.server import Server

TARGET_P95_MS = 150.0
_TICKS = os.sysconf("SC_CLK_TCK")
HEALTHZ = "healthz"


@dataclass(frozen=True)
class Ids:
    """Real ids in the organisation to draw page parameters from."""

    failures: int
    services: list[int]
    teams: list[int]


@dataclass(frozen=True)
class PageKind:
    name: str
    make: Callable[[random.Random, OrgMeta, Ids], str]


def _word(rng: random.Random, meta: OrgMeta) -> str:
    return rng.choice(meta.rare_words) if rng.random() < 0.25 else rng.choice(meta.common_words)


PAGES: tuple[PageKind, ...] = (
    PageKind(HEALTHZ, lambda r, m, i: "/healthz"),
    PageKind("home", lambda r, m, i: "/"),
    PageKind("failures list", lambda r, m, i: "/failures"),
    PageKind("failure page", lambda r, m, i: f"/failures/{r.randint(1, i.failures)}"),
    PageKind("actions board", lambda r, m, i: "/actions"),
    PageKind("actions ?overdue&team", lambda r, m, i: f"/actions?overdue=true&team={r.choice(m.teams)}"),
    PageKind("services list", lambda r, m, i: "/services"),
    PageKind("service page", lambda r, m, i: f"/services/{r.choice(i.services)}"),
    PageKind("teams list", lambda r, m, i: "/teams"),
    PageKind("team page", lambda r, m, i: f"/teams/{r.choice(i.teams)}"),
    PageKind("lessons", lambda r, m, i: "/lessons"),
    PageKind("lessons ?q=word", lambda r, m, i: f"/lessons?q={_word(r, m)}"),
    PageKind("lessons ?service", lambda r, m, i: f"/lessons?service={r.choice(m.services)}"),
)


@dataclass
class PageStats:
    name: str
    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    kb: float
    cpu_ms: float  # server CPU per request (uvicorn process; PostgreSQL's own CPU not included)
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class PagesResult:
    backend: str
    pages: list[PageStats]
    wall_s: float
    busy_before: float
    first_error: str | None = None


def _request(path: str, port: int, cookie: str) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Accept: text/html",
        f"Cookie: fw_session={cookie}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def _sign_in(url: str) -> tuple[str, Ids, Callable[[], None]]:
    """A web session for a person in a team (so home has 'your teams' to put first)."""
    from failwell.catalogue.models import Service
    from failwell.db import Database
    from failwell.failures.models import Failure
    from failwell.people import sign_in
    from failwell.people.models import Person, Team, team_members

    db = Database(url, pool_size=1)
    try:
        with db.session() as s:
            person_id = s.scalar(select(team_members.c.person_id).order_by(team_members.c.person_id).limit(1))
            person = s.get(Person, person_id)
            assert person is not None, "the organisation has no team members"
            _, secret = sign_in.start_web_session(s, person, days=1)
            ids = Ids(
                failures=int(s.scalar(select(func.max(Failure.id))) or 1),
                services=list(s.scalars(select(Service.id))),
                teams=list(s.scalars(select(Team.id))),
            )
    finally:
        db.dispose()

    def sign_out() -> None:  # the cached organisation keeps no stray sessions
        cleanup = Database(url, pool_size=1)
        try:
            with cleanup.session() as s:
                sign_in.end_web_session(s, secret)
        finally:
            cleanup.dispose()

    return secret, ids, sign_out


def _cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (the single uvicorn process serves)."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        raw = fh.read()
    fields = raw[raw.rfind(b")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


async def _measure(
    port: int, pid: int, meta: OrgMeta, ids: Ids, cookie: str, samples: int, warmup: int, seed: int
) -> tuple[dict[str, list[float]], dict[str, list[int]], dict[str, Counter[str]], dict[str, int], str | None]:
    rng = random.Random(seed)
    conn = Connection(HOST, port)
    latencies: dict[str, list[float]] = {p.name: [] for p in PAGES}
    sizes: dict[str, list[int]] = {p.name: [] for p in PAGES}
    errors: dict[str, Counter[str]] = {p.name: Counter() for p in PAGES}
    ticks: dict[str, int] = dict.fromkeys(latencies, 0)
    first_error: str | None = None

    async def one(kind: PageKind, record: bool) -> None:
        nonlocal first_error
        path = kind.make(rng, meta, ids)
        raw = _request(path, port, cookie)
        cpu0 = _cpu_ticks(pid)
        t0 = time.perf_counter()
        try:
            status, body = await conn.request(raw)
        except Exception as exc:  # counted, never fatal
            errors[kind.name][type(exc).__name__] += 1
            first_error = first_error or f"{kind.name} {path}: {exc!r}"
            return
        elapsed = time.perf_counter() - t0
        if not record:
            return
        # Whole clock ticks (10 ms) per request: unbiased summed over many requests, and
        # unlike latency it does not grow when other processes share the cores.
        ticks[kind.name] += _cpu_ticks(pid) - cpu0
        if status != 200:
            errors[kind.name][str(status)] += 1
            first_error = first_error or f"{kind.name} {path}: HTTP {status} {body[:200]!r}"
            return
        latencies[kind.name].append(elapsed)
        sizes[kind.name].append(len(body))

    for kind in PAGES:
        for _ in range(warmup):
            await one(kind, record=False)
    order = list(PAGES)
    for _ in range(samples):
        rng.shuffle(order)
        for kind in order:
            await one(kind, record=True)
    await conn.close()
    return latencies, sizes, errors, ticks, first_error


def run_pages(
    meta: OrgMeta, samples: int, warmup: int, log_file: Path, log: Callable[[str], None]
) -> PagesResult:
    log(f"  [{meta.backend}] page latency: {len(PAGES)} pages x {samples} requests, 1 connection")
    busy = background_cpu()
    cookie, ids, sign_out = _sign_in(meta.url)
    t0 = time.perf_counter()
    try:
        with Server(meta.url, workers=1, log=log_file) as srv:
            assert srv._proc is not None  # bench.server keeps the uvicorn process here
            pid = srv._proc.pid
            latencies, sizes, errors, ticks, first_error = run_async(
                lambda: _measure(srv.port, pid, meta, ids, cookie, samples, warmup, seed=7)
            )
    finally:
        sign_out()
    stats = []
    for kind in PAGES:
        ms = [1000 * x for x in latencies[kind.name]]
        stats.append(
            PageStats(
                name=kind.name,
                n=len(ms),
                p50_ms=percentile(ms, 50),
                p95_ms=percentile(ms, 95),
                p99_ms=percentile(ms, 99),
                max_ms=max(ms, default=float("nan")),
                kb=sum(sizes[kind.name]) / len(sizes[kind.name]) / 1024 if sizes[kind.name] else float("nan"),
                cpu_ms=1000 * ticks[kind.name] / _TICKS / len(ms) if ms else float("nan"),
                errors=dict(errors[kind.name]),
            )
        )
    slow = [s.name for s in stats if s.name != HEALTHZ and not s.p95_ms < TARGET_P95_MS]
    log(f"    p95 >= {TARGET_P95_MS:.0f} ms or failing: {', '.join(slow) or 'none'}")
    return PagesResult(meta.backend, stats, time.perf_counter() - t0, busy, first_error)


# ---- report ------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.1f}"  # NaN: no successful sample


def render(started: str, mode: str, command: str, results: list[PagesResult], meta: list[OrgMeta]) -> str:
    machine = machine_info()
    backends = ",".join(r.backend for r in results)
    out = [
        f"<!-- run: {started[:10]}|pages {mode}|{backends} -->",
        f"## {started} — web pages, {mode} run ({backends.replace(',', ', ')})",
        "",
        f"Command: `{command}`",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in machine.items()),
        "",
        "Server response time of each page as a browser gets it: signed in with a session cookie, "
        "HTML rendered on the server, one request at a time on one keep-alive connection "
        "(uvicorn, 1 worker, same machine). Pages interleaved in random order with fresh "
        "parameters per request. Ratios are to `GET /healthz` on the same server. "
        f"Target: p95 < {TARGET_P95_MS:.0f} ms on every page. Server CPU is the uvicorn process's "
        "CPU time per request (from /proc, 10 ms ticks summed over the samples; PostgreSQL's own "
        "CPU is not in it): unlike latency, it does not grow when other processes share the cores.",
        "",
    ]
    for res, m in zip(results, meta, strict=True):
        health = next(p for p in res.pages if p.name == HEALTHZ)
        counts = ", ".join(
            f"{v:,} {k}"
            for k, v in m.row_counts.items()
            if k in ("deployments", "failures", "reviews", "corrective_actions")
        )
        met = all(p.p95_ms < TARGET_P95_MS and not p.errors for p in res.pages if p.name != HEALTHZ)
        out += [
            f"### {res.backend}: {'all pages under target' if met else '**not all pages under target**'}",
            "",
            f"Organisation: {counts}. Other processes' CPU just before: {res.busy_before:.2f} cores.",
            "",
            "| page | n | p50 ms | p95 ms | p99 ms | max ms | p50 / healthz | p95 / healthz "
            "| server CPU ms | KiB | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for p in res.pages:
            flag = " ⚠" if p.name != HEALTHZ and not p.p95_ms < TARGET_P95_MS else ""
            errs = ", ".join(f"{k}: {v}" for k, v in p.errors.items()) or "none"
            out.append(
                f"| `{p.name}`{flag} | {p.n} | {_ms(p.p50_ms)} | {_ms(p.p95_ms)} | {_ms(p.p99_ms)} | "
                f"{_ms(p.max_ms)} | {p.p50_ms / health.p50_ms:.1f} | {p.p95_ms / health.p95_ms:.1f} | "
                f"{_ms(p.cpu_ms)} | {_ms(p.kb)} | {errs} |"
            )
        if res.first_error:
            out += ["", f"First error: `{res.first_error[:300]}`"]
        out.append("")
    out.append("<!-- /run -->")
    return "\n".join(out) + "\n"


def write_section(path: Path, section: str) -> None:
    """Puts the section first under the runs marker, replacing one with the same run key."""
    existing = path.read_text() if path.exists() else "# Benchmark results\n"
    if RUNS_MARKER not in existing:
        existing = existing.rstrip() + "\n\n" + RUNS_MARKER + "\n"
    head, _, runs = existing.partition(RUNS_MARKER)
    key = section.split("\n", 1)[0]
    pattern = re.compile(re.escape(key) + r".*?<!-- /run -->\n*", re.S)
    runs = pattern.sub("", runs).strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + RUNS_MARKER + "\n\n" + section + ("\n" + runs + "\n" if runs else ""))


# ---- command line ------------------------------------------------------------------


def wants_pages(argv: list[str]) -> bool:
    """`--only pages` (or `--only=pages`) selects this benchmark in `python -m bench`."""
    return "--only=pages" in argv or any(a == "--only" and b == "pages" for a, b in pairwise(argv))


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(prog="python -m bench --only pages", description=__doc__)
    p.add_argument("--only", choices=("pages",), default="pages")
    p.add_argument("--quick", action="store_true", help="the quick organisation, few samples")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--scale", choices=sorted(SCALES), help="default: large (quick with --quick)")
    p.add_argument("--samples", type=int, help="timed requests per page (default 100; 15 with --quick)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--results", type=Path, help="markdown file to write the section into")
    p.add_argument("--no-results", action="store_true", help="print the section, write no markdown")
    args = p.parse_args(args_in)
    scale = SCALES[args.scale or ("quick" if args.quick else "large")]
    samples = args.samples or (15 if args.quick else 100)
    full = scale.name == "large" and samples == 100 and not args.quick
    mode = "full" if full else ("quick" if args.quick else "custom")
    backends = chosen_backends(args.backend)
    if not backends:
        return 2
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"3. page latency on the {scale.name} organisation", flush=True)
    scratch = ScratchDir.create()
    results, metas = [], []
    try:
        for backend in backends:
            meta = prepare_org(backend, scale, lambda m: print(m, flush=True))
            metas.append(meta)
            results.append(
                run_pages(meta, samples, args.warmup, scratch.path / f"uvicorn-pages-{backend}.log", print)
            )
    finally:
        scratch.remove()
    command = "python -m bench " + shlex.join(args_in)
    section = render(started, mode, command.strip(), results, metas)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"last-run-pages-{mode}.json").write_text(json.dumps([asdict(r) for r in results], indent=1))
    if args.no_results:
        print(section)
    else:
        path = args.results or (RESULTS_MD if full else OUT / f"RESULTS-pages-{mode}.md")
        write_section(path, section)
        print(f"results written to {path}", flush=True)
    ok = all(p.p95_ms < TARGET_P95_MS and not p.errors for r in results for p in r.pages if p.name != HEALTHZ)
    print(f"  {'MET    ' if ok else 'NOT MET'} every page p95 < {TARGET_P95_MS:.0f} ms", flush=True)
    return 0
