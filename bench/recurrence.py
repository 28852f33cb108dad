"""Recurrence detection at scale: indexing 100,000 failures and answering suggestions.

`python -m bench --only recurrence` uses the cached large organisation (bench/generate.py:
100,000 failures, 1,000,000 deployments) on a scratch copy, and measures

1. embedding throughput of the model (unique texts of the generated failures, batch and single);
2. time, CPU and memory to index every failure (`failwell recurrence reindex`'s code): search rows
   for the full-text engine and embeddings; on PostgreSQL the text index is built the same way
   and the vectors are copied from the SQLite run (same model, same texts, same vectors);
3. suggestion latency through the service layer, as the API runs it: similar failures for a
   recorded failure (the failure page) and for a short typed text (the report form), after one
   warm-up, with the vector cache loaded. Target: p95 < 50 ms.

The eval on the GitBugs set (`failwell eval recurrence`) runs too unless --no-eval, and both go
into bench/RESULTS.md with the data set's attribution.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from bench.common import (
    OUT,
    RESULTS_MD,
    Backend,
    ScratchDir,
    background_cpu,
    copy_sqlite,
    percentile,
    pg_admin,
    pg_drop,
    pg_unavailable,
    pg_url,
    unique_suffix,
)
from bench.generate import _pg_name, prepare_org
from bench.org_shape import SCALES, OrgMeta
from bench.recurrence_report import TARGET_P95_MS, WARMUP, BackendResult, Latency, render, write_section
from bench.report import machine_info
from failwell.db import Database
from failwell.failures.models import Failure
from failwell.recurrence import embedding
from failwell.recurrence.index import drop_caches, reindex_all, vector_cache
from failwell.recurrence.models import FailureEmbedding
from failwell.recurrence.schemas import SimilarTextQuery
from failwell.recurrence.service import similar_to_failure, similar_to_text

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "gitbugs-hadoop"
WORDS = ["errors", "again", "today", "in production", "for partners", "after the release", "spike"]
TYPED = [
    "checkout timeout",
    "payments latency after deploy",
    "certificate expired on the gateway",
    "deadlock in ledger db",
    "memory leak in search worker",
    "quota exceeded for notifications",
    "rollback of pricing-api",
    "kerberos ticket expired",
    "errors at checkout after a configuration change",
    "queue backed up for an hour",
]


def log(message: str) -> None:
    print(message, flush=True)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def embedding_throughput(sample: list[tuple[str, str]], threads: int = 2) -> dict[str, float]:
    """Failures per second embedded in batches (one text each), and one text's latency."""
    embedder = embedding.Embedder(threads=threads)
    texts = [f"{t}. {d}" for t, d in sample]
    embedding.failure_vectors(embedder, texts[:32])  # warm-up
    t0 = time.perf_counter()
    embedding.failure_vectors(embedder, texts)
    batch_s = time.perf_counter() - t0
    single = embedding.Embedder(threads=1)
    times = []
    for t in texts[:200]:
        s0 = time.perf_counter()
        single.embed_one(t)
        times.append((time.perf_counter() - s0) * 1000)
    return {
        "failures": len(sample),
        "failures_per_s": len(sample) / batch_s,
        "single_p50_ms": percentile(times, 50),
        "single_p95_ms": percentile(times, 95),
    }


def _sessions(db: Database) -> Callable[[], Iterator[Any]]:
    def factory() -> Iterator[Any]:
        with db.session() as session:
            yield session

    return factory


def index(
    db: Database, result: BackendResult, embed_sample: int | None, progress_every: int = 20_000
) -> None:
    """Indexes every failure's text; embeds the first ``embed_sample`` failures (all if None) and
    gives the rest copies of those vectors, so the suggestions run against a full matrix."""
    with db.session(write=False) as session:
        ids = list(session.scalars(select(Failure.id).order_by(Failure.id)))
    result.failures = len(ids)
    result.rss_before_mb = _rss_mb()
    t0 = time.perf_counter()
    done = 0
    next_report = progress_every

    def progress(n: int) -> None:
        nonlocal done, next_report
        done += n
        if done >= next_report:
            log(f"    {done:,} / {len(ids):,} ({time.perf_counter() - t0:.0f}s)")
            next_report += progress_every

    cpu0 = time.process_time()
    reindex_all(_sessions(db), ids, batch=1000, progress=progress, semantic=False)
    result.text_index_s = time.perf_counter() - t0
    log(f"    full-text rows for {len(ids):,} failures in {result.text_index_s:.0f}s")
    if embed_sample == 0:
        result.index_s = result.text_index_s
        result.index_cpu_s = time.process_time() - cpu0
        result.rss_peak_mb = _peak_mb()
        return
    sample = ids if embed_sample is None else ids[:embed_sample]
    t1 = time.perf_counter()
    _, embedded = reindex_all(_sessions(db), sample, batch=500, threads=2, semantic=True)
    result.embed_s = time.perf_counter() - t1
    result.embedded = embedded
    result.index_cpu_s = time.process_time() - cpu0
    rate = embedded / result.embed_s if result.embed_s else 0.0
    result.index_s = result.text_index_s + (len(ids) / rate if rate else 0.0)
    log(f"    {embedded:,} embeddings in {result.embed_s:.0f}s ({rate:.0f}/s)")
    rest = ids[len(sample) :]
    if rest:
        with db.session(write=False) as session:
            computed = [
                (r.vector, r.text_hash)
                for r in session.scalars(
                    select(FailureEmbedding).where(FailureEmbedding.failure_id.in_(sample))
                )
            ]
        now = datetime.now(UTC)
        with db.session() as session:
            for start in range(0, len(rest), 10_000):
                chunk = rest[start : start + 10_000]
                session.execute(
                    insert(FailureEmbedding),
                    [
                        {
                            "failure_id": fid,
                            "model": embedding.MODEL_ID,
                            "text_hash": computed[(start + k) % len(computed)][1],
                            "vector": computed[(start + k) % len(computed)][0],
                            "updated_at": now,
                        }
                        for k, fid in enumerate(chunk)
                    ],
                )
        log(f"    the other {len(rest):,} failures got copies of those vectors")
    result.rss_peak_mb = _peak_mb()


def copy_embeddings(source: Database, target: Database) -> float:
    t0 = time.perf_counter()
    with source.session(write=False) as src:
        rows = [
            {
                "failure_id": r.failure_id,
                "model": r.model,
                "text_hash": r.text_hash,
                "vector": r.vector,
                "updated_at": r.updated_at,
            }
            for r in src.scalars(select(FailureEmbedding))
        ]
    with target.session() as dst:
        for start in range(0, len(rows), 10_000):
            dst.execute(insert(FailureEmbedding), rows[start : start + 10_000])
    return time.perf_counter() - t0


def measure(db: Database, result: BackendResult, samples: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with db.session(write=False) as session:
        top = session.scalar(select(Failure.id).order_by(Failure.id.desc()).limit(1)) or 1
        t0 = time.perf_counter()
        cache = vector_cache(session)
        result.cache_load_s = time.perf_counter() - t0
        result.cache_mb = cache.vectors.nbytes / 2**20
    failure_ids = [rng.randint(1, top) for _ in range(samples + WARMUP)]

    def run(kind: str, calls: list[Callable[[Any], Any]]) -> None:
        times, items = [], []
        # Untimed first: loads the model and the vector cache, and the term frequencies that
        # decide which words are worth searching (remembered per process for ten minutes).
        for call in calls[:WARMUP]:
            with db.session(write=False) as session:
                call(session)
        for call in calls[WARMUP:]:
            with db.session(write=False) as session:
                s0 = time.perf_counter()
                out = call(session)
                elapsed = (time.perf_counter() - s0) * 1000
            times.append(elapsed)
            items.append(len(out.items))
        result.latencies.append(
            Latency(
                kind,
                len(times),
                percentile(times, 50),
                percentile(times, 95),
                percentile(times, 99),
                sum(items) / len(items),
            )
        )
        lat = result.latencies[-1]
        log(f"    {kind}: p50 {lat.p50:.1f} ms, p95 {lat.p95:.1f} ms, {lat.n} calls")

    run("similar to a failure", [lambda s, f=f: similar_to_failure(s, f, 10) for f in failure_ids])
    texts = [TYPED[i % len(TYPED)] + f" {rng.choice(WORDS)}" for i in range(samples + WARMUP)]
    run(
        "similar to typed text",
        [lambda s, t=t: similar_to_text(s, SimilarTextQuery(text=t, limit=10)) for t in texts],
    )


def _copy_pg(template: str, name: str) -> str:
    engine = pg_admin()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for attempt in range(30):  # the template must have no other sessions
                try:
                    conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
                    break
                except Exception:
                    if attempt == 29:
                        raise
                    time.sleep(2)
    finally:
        engine.dispose()
    return pg_url(name)


def run_backend(
    backend: Backend,
    meta: OrgMeta,
    scratch: ScratchDir,
    samples: int,
    sqlite_db: Database | None,
    embed_sample: int | None,
) -> tuple[BackendResult, Database, Callable[[], None]]:
    result = BackendResult(backend)
    result.busy_before = background_cpu()
    if backend == "sqlite":
        path = scratch.path / "recurrence.db"
        log("  [sqlite] copying the cached organisation")
        copy_sqlite(Path(meta.url.removeprefix("sqlite:///")), path)
        db = Database(f"sqlite:///{path}", pool_size=2)
        cleanup = db.dispose
    else:
        name = f"failwell_bench_rec_{unique_suffix()}"
        log(f"  [postgresql] copying the cached organisation into {name}")
        db = Database(
            _copy_pg(
                _pg_name(SCALES["large"]) if meta.scale["name"] == "large" else meta.url.rsplit("/", 1)[1],
                name,
            ),
            pool_size=2,
        )

        def cleanup() -> None:
            db.dispose()
            pg_drop(name)

    log(f"  [{backend}] indexing every failure")
    if backend == "postgresql" and sqlite_db is not None:
        index(db, result, embed_sample=0)
        result.embed_copy_s = copy_embeddings(sqlite_db, db)
        log(f"    text index {result.index_s:.0f}s; vectors copied from SQLite in {result.embed_copy_s:.0f}s")
    else:
        index(db, result, embed_sample)
        log(f"    all {result.failures:,}: about {result.index_s:.0f}s; peak RSS {result.rss_peak_mb:.0f} MB")
    if backend == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    drop_caches()
    measure(db, result, samples)
    return result, db, cleanup


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench --only recurrence",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--scale", choices=sorted(SCALES), default="large")
    p.add_argument("--samples", type=int, default=200, help="timed suggestions per query kind")
    p.add_argument("--throughput-sample", type=int, default=2000, help="failures embedded for throughput")
    p.add_argument("--no-eval", action="store_true", help="skip the GitBugs eval")
    p.add_argument(
        "--embed-sample",
        type=int,
        default=10_000,
        help="failures embedded for real (0: all); the rest get copies of their vectors and the "
        "time for all is extrapolated from this sample's rate",
    )
    p.add_argument(
        "--results", type=Path, help="markdown file (default bench/RESULTS.md for the large scale)"
    )
    p.add_argument("--no-results", action="store_true")
    p.add_argument("--render-only", action="store_true", help="write the last run's section again")
    return p.parse_args(argv)


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through `finally`: scratch databases are dropped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parse_args(argv)
    if args.render_only:
        record = json.loads((OUT / f"last-run-recurrence-{args.scale}.json").read_text())
        path = args.results or (
            RESULTS_MD if args.scale == "large" else OUT / f"RESULTS-recurrence-{args.scale}.md"
        )
        write_section(path, record["key"], render(record))
        log(f"results written to {path}")
        return 0
    started = datetime.now(UTC)
    backends: list[Backend] = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and (reason := pg_unavailable()):
        log(f"skipping PostgreSQL: {reason}")
        backends.remove("postgresql")
    if "postgresql" in backends and "sqlite" not in backends:
        log("PostgreSQL reuses the vectors of the SQLite run: running SQLite too")
        backends.insert(0, "sqlite")
    scale = SCALES[args.scale]
    record: dict[str, Any] = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "key": f"recurrence|{started:%Y-%m-%d}|{scale.name}|{','.join(backends)}",
        "command": "python -m bench --only recurrence"
        + (f" --scale {scale.name}" if scale.name != "large" else ""),
        "machine": machine_info(),
        "backends": [],
    }
    if embedding.get_embedder() is None:
        log(f"the embedding model is unavailable: {embedding.unavailable_reason()}")
        return 2
    scratch = ScratchDir.create()
    cleanups: list[Callable[[], None]] = []
    try:
        sqlite_db: Database | None = None
        for backend in backends:
            meta = prepare_org(backend, scale, log)
            if backend == "sqlite":
                con = sqlite3.connect(f"file:{meta.url.removeprefix('sqlite:///')}?mode=ro", uri=True)
                sample = con.execute(
                    "SELECT title, description FROM failures GROUP BY title, description LIMIT ?",
                    (args.throughput_sample,),
                ).fetchall()
                con.close()
                log(f"1. embedding throughput over {len(sample):,} unique generated failures")
                record["throughput"] = embedding_throughput(sample)
                log(f"    {record['throughput']['failures_per_s']:.0f} failures/s")
            log(f"2-3. index and suggestions on {backend}")
            embed_sample = None if args.embed_sample <= 0 else args.embed_sample
            result, db, cleanup = run_backend(backend, meta, scratch, args.samples, sqlite_db, embed_sample)
            cleanups.append(cleanup)
            if backend == "sqlite":
                sqlite_db = db
            record["backends"].append(
                result.__dict__ | {"latencies": [lat.__dict__ for lat in result.latencies]}
            )
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
        scratch.remove()
        drop_caches()
    if not args.no_eval and (DATA / "bugs.jsonl").exists():
        from failwell.recurrence.eval import run as run_eval

        log("4. eval on GitBugs Hadoop")
        record["eval"] = run_eval(DATA / "bugs.jsonl", DATA / "duplicate_pairs.jsonl")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"last-run-recurrence-{scale.name}.json").write_text(json.dumps(record, indent=1, default=str))
    section = render(record)
    if args.no_results:
        print(section)
    else:
        path = args.results or (
            RESULTS_MD if scale.name == "large" else OUT / f"RESULTS-recurrence-{scale.name}.md"
        )
        write_section(path, record["key"], section)
        log(f"results written to {path}")
    for r in record["backends"]:
        for lat in r["latencies"]:
            ok = "MET    " if lat["p95"] < TARGET_P95_MS else "NOT MET"
            where = f"[{r['backend']}, {lat['kind']}]"
            log(f"  {ok} suggestions p95 < {TARGET_P95_MS:.0f} ms {where}: {lat['p95']:.1f} ms")
    return 0
