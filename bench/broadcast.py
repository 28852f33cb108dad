"""Broadcast delivery: deliveries per second to a loopback webhook with 1 and 2 worker processes,
and the time from publishing a review to its delivery (p50/p95; target p95 < 2 s).

    python -m bench --only broadcast [--backend sqlite|postgresql|both] [--quick]

Method. A scratch database per backend gets a team, a service, a JSON-webhook channel pointing at
a loopback receiver (raw HTTP/1.1 on asyncio in this process) and a subscription to failures and
published reviews.
1. Throughput: N outbox events (one delivery each) are queued first, then K `failwell worker`
   processes start; deliveries per second = N / (last arrival - first arrival), so process start-up
   is not counted. Each worker count gets fresh events.
2. Latency: one `failwell worker` process with the default settings (0.5 s idle poll) runs;
   reviews are published one at a time through the service layer, and each latency is the time
   from the publishing commit to the webhook call arriving.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bench.broadcast_report import LATENCY_TARGET_S, BackendResult, Latency, Throughput, render, write_section
from bench.common import (
    BACKENDS,
    HOST,
    OUT,
    RESULTS_MD,
    Backend,
    ScratchDir,
    background_cpu,
    mean,
    percentile,
    pg_create,
    pg_drop,
    pg_unavailable,
    sqlite_url,
    unique_suffix,
)
from bench.server import free_port

# ---- the receiver ----------------------------------------------------------------


class Receiver:
    """A minimal keep-alive HTTP/1.1 server that answers 200 and notes when each event arrived."""

    def __init__(self) -> None:
        self.port = free_port()
        self.arrivals: dict[str, float] = {}  # event id -> first arrival (time.time())
        self.calls = 0
        self.lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    @property
    def url(self) -> str:
        return f"json://{HOST}:{self.port}/hook"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, HOST, self.port))
        self._server = server
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                match = re.search(rb"(?i)content-length:\s*(\d+)", head)
                body = await reader.readexactly(int(match.group(1))) if match else b""
                now = time.time()
                try:
                    event = str(json.loads(body).get("event_id", ""))
                except ValueError:
                    event = ""
                with self.lock:
                    self.calls += 1
                    self.arrivals.setdefault(event, now)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    def snapshot(self) -> dict[str, float]:
        with self.lock:
            return dict(self.arrivals)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


# ---- the database ------------------------------------------------------------------


def _seed(url: str, receiver: Receiver) -> None:
    from failwell.authz import SYSTEM
    from failwell.broadcast import channel_admin, subscriptions
    from failwell.broadcast.models import ChannelKind, Topic
    from failwell.broadcast.options import set_options
    from failwell.broadcast.schemas import ChannelIn, SubscriptionIn
    from failwell.catalogue import service as catalogue
    from failwell.catalogue.schemas import ServiceIn
    from failwell.db import Database
    from failwell.people import teams
    from failwell.people.schemas import TeamIn

    db = Database(url, pool_size=1)
    try:
        with db.session() as s:
            teams.create_team(s, SYSTEM, TeamIn(name="core"))
            catalogue.create_service(s, SYSTEM, ServiceIn(name="ledger", owner_team="core"))
            set_options(s, hide_names=None, owner_team_default=False)
            channel_admin.create_channel(
                s, SYSTEM, ChannelIn(name="hook", kind=ChannelKind.webhook, url=receiver.url)
            )
            subscriptions.create_subscription(
                s,
                SYSTEM,
                SubscriptionIn(channel="hook", topics=[Topic.failure_reported, Topic.review_published]),
            )
    finally:
        db.dispose()


def _queue_events(url: str, count: int, label: str) -> list[str]:
    """Queues `count` outbox events (one delivery each), 500 per transaction; returns their ids."""
    from failwell.broadcast.models import Topic
    from failwell.broadcast.outbox import Message, enqueue
    from failwell.db import Database

    db = Database(url, pool_size=1)
    uids: list[str] = []
    try:
        for start in range(0, count, 500):
            with db.session() as s:
                for i in range(start, min(count, start + 500)):
                    text = f"bench {label} {i}"
                    msg = Message(
                        Topic.failure_reported, None, text, text, f"<p>{text}</p>", {"service_ids": []}
                    )
                    row = enqueue(s, msg)
                    assert row is not None
                    uids.append(row.uid)
    finally:
        db.dispose()
    return uids


def _start_workers(url: str, count: int, log: Path, poll_s: float | None) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "FAILWELL_DATABASE_URL": url, "FAILWELL_LOG_LEVEL": "warning"}
    if poll_s is not None:
        env["FAILWELL_BROADCAST_POLL_S"] = str(poll_s)
    procs = []
    for n in range(count):
        cmd = [
            sys.executable,
            "-c",
            "from failwell.cli import run; run()",
            "worker",
            "--no-schedule",
            "--name",
            f"b{n}",
        ]
        with log.open("ab") as out:
            procs.append(
                subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            )
    return procs


def _stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait(condition: Callable[[], bool], timeout_s: float, step_s: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return condition()


# ---- the measurements ----------------------------------------------------------------


def measure_throughput(url: str, receiver: Receiver, workers: int, events: int, log: Path) -> Throughput:
    uids = set(_queue_events(url, events, f"w{workers}"))
    before = receiver.calls
    procs = _start_workers(url, workers, log, poll_s=0.1)
    try:
        _wait(lambda: uids <= set(receiver.snapshot()), timeout_s=max(60.0, events / 20))
    finally:
        _stop_workers(procs)
    arrivals = receiver.snapshot()
    times = sorted(arrivals[u] for u in uids if u in arrivals)
    seconds = (times[-1] - times[0]) if len(times) > 1 else float("nan")
    delivered = len(times)
    return Throughput(
        workers=workers,
        deliveries=events,
        delivered=delivered,
        seconds=seconds,
        per_s=(delivered - 1) / seconds if seconds and seconds == seconds else 0.0,
        repeats=receiver.calls - before - delivered,
    )


def measure_latency(url: str, receiver: Receiver, samples: int, log: Path) -> Latency:
    from failwell.authz import SYSTEM
    from failwell.broadcast.models import OutboxEvent
    from failwell.db import Database
    from failwell.enums import FailureKind, ReviewStatus
    from failwell.failures import service as failures
    from failwell.failures.schemas import FailureIn
    from failwell.reviews import service as reviews
    from failwell.reviews.schemas import ReviewSections, ReviewUpdate

    db = Database(url, pool_size=2)
    review_ids = []
    with db.session() as s:
        for i in range(samples):
            failure = failures.report_failure(
                s, SYSTEM, FailureIn(title=f"latency {i}", kind=FailureKind.incident)
            )
            review = reviews.start_review(
                s,
                SYSTEM,
                failure.id,
                ReviewSections(summary="Pool exhausted.", lessons_learned="Alert on it."),
            )
            reviews.update_review(s, SYSTEM, review.id, ReviewUpdate(status=ReviewStatus.in_review))
            review_ids.append(review.id)
    procs = _start_workers(url, 1, log, poll_s=None)  # the default idle poll
    latencies: list[float] = []
    lost = 0
    try:
        # Wait until the worker is up (its first delivery arrives), then let it go idle.
        warm = _queue_events(url, 1, "warm-up")[0]
        if not _wait(lambda: warm in receiver.snapshot(), timeout_s=60):
            raise RuntimeError(f"the worker did not start; see {log}")
        time.sleep(0.6)
        for review_id in review_ids:
            with db.session() as s:
                reviews.update_review(s, SYSTEM, review_id, ReviewUpdate(status=ReviewStatus.published))
            committed = time.time()
            with db.session(write=False) as s:
                uid = s.scalar(
                    select(OutboxEvent.uid)
                    .where(OutboxEvent.topic == "review_published", OutboxEvent.subject_id == review_id)
                    .order_by(OutboxEvent.id.desc())
                )
            if not _wait(lambda uid=uid: uid in receiver.snapshot(), timeout_s=10):  # type: ignore[misc]
                lost += 1
                continue
            latencies.append(receiver.snapshot()[str(uid)] - committed)
            # A random pause: publishing right after each delivery would lock onto the worker's
            # poll cycle and measure one phase of it only.
            time.sleep(random.uniform(0.05, 0.6))
    finally:
        _stop_workers(procs)
        db.dispose()
    return Latency(
        samples=len(latencies),
        lost=lost,
        p50_s=percentile(latencies, 50),
        p95_s=percentile(latencies, 95),
        max_s=max(latencies) if latencies else float("nan"),
        mean_s=mean(latencies),
    )


def _database(backend: Backend, scratch: ScratchDir) -> tuple[str, str | None]:
    from failwell.migrate import upgrade

    if backend == "sqlite":
        url = sqlite_url(scratch.path / "broadcast.db")
        upgrade(url)
        return url, None
    name = f"failwell_bench_bc_{unique_suffix()}"
    url = pg_create(name)
    upgrade(url)
    return url, name


def run_backend(
    backend: Backend, args: argparse.Namespace, scratch: ScratchDir, log: Callable[[str], None]
) -> BackendResult:
    result = BackendResult(backend=backend, background_cpu=background_cpu())
    url, pg_name = _database(backend, scratch)
    receiver = Receiver()
    worker_log = scratch.path / f"workers-{backend}.log"
    try:
        _seed(url, receiver)
        for workers in args.workers:
            t = measure_throughput(url, receiver, workers, args.events, worker_log)
            log(
                f"  {backend}: {workers} worker(s): {t.per_s:,.0f} deliveries/s"
                f" ({t.delivered}/{t.deliveries})"
            )
            result.throughput.append(t)
        result.latency = measure_latency(url, receiver, args.samples, worker_log)
        lat = result.latency
        log(f"  {backend}: publish -> delivery p50 {lat.p50_s * 1000:.0f} ms, p95 {lat.p95_s * 1000:.0f} ms")
    finally:
        receiver.close()
        if pg_name:
            pg_drop(pg_name)
    return result


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench --only broadcast", description=__doc__)
    p.add_argument("--only", choices=("broadcast",), default="broadcast")
    p.add_argument("--quick", action="store_true", help="small smoke run, written to bench/out/")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--events", type=int, help="deliveries queued per worker count (default 3000; quick 200)")
    p.add_argument("--workers", default="1,2", help="worker process counts, e.g. 1,2")
    p.add_argument("--samples", type=int, help="reviews published for the latency (default 60; quick 10)")
    p.add_argument("--results", type=Path, help="markdown file (default bench/RESULTS.md; quick: bench/out/)")
    args = p.parse_args(argv)
    args.events = args.events or (200 if args.quick else 3000)
    args.samples = args.samples or (10 if args.quick else 60)
    args.workers = [int(w) for w in str(args.workers).split(",")]
    args.mode = "quick" if args.quick else "full"
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    backends: list[Backend] = list(BACKENDS) if args.backend == "both" else [args.backend]
    if "postgresql" in backends and (reason := pg_unavailable()):
        print(f"skipping PostgreSQL: {reason}", flush=True)
        backends.remove("postgresql")
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    scratch = ScratchDir.create()
    results = []
    try:
        print(
            f"broadcast: {args.events:,} deliveries per worker count, {args.samples} latency samples",
            flush=True,
        )
        for backend in backends:
            results.append(run_backend(backend, args, scratch, lambda m: print(m, flush=True)))
    finally:
        scratch.remove()
    section = render(results, started, args.mode, "python -m bench " + " ".join(argv))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"last-run-broadcast-{args.mode}.json").write_text(
        json.dumps([asdict(r) for r in results], indent=1, default=str)
    )
    path = args.results or (RESULTS_MD if args.mode == "full" else OUT / "RESULTS-broadcast-quick.md")
    write_section(path, section)
    print(f"results written to {path}", flush=True)
    ok = all(r.latency and r.latency.p95_s < LATENCY_TARGET_S and not r.latency.lost for r in results)
    return 0 if ok else 1
