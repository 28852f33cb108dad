"""Acknowledged data is never lost: concurrent writers, and a server killed mid-stream.

(a) Threads record deployments through the service layer at once; every call that
    returned is stored, and none fails with "database is locked" (SQLite write
    sessions begin IMMEDIATE and wait out the busy timeout).
(b) The real server runs in a subprocess; deployments are POSTed until it is killed
    with SIGKILL mid-stream. After a restart every deployment that got a 201 is there. The
    same for signed webhook deliveries sent on many connections at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from failwell.authz import SYSTEM
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceIn
from failwell.changes.models import Deployment
from failwell.changes.schemas import DeploymentIn
from failwell.changes.service import record_deployment
from failwell.db import Database
from failwell.enums import DeploymentOutcome, Role
from failwell.integrations import service as integrations
from failwell.integrations.models import IntegrationDelivery, IntegrationKind
from failwell.integrations.schemas import IntegrationIn, RuleIn
from failwell.people import service as people
from failwell.people import teams, tokens
from failwell.people.schemas import PersonIn, TeamIn, TokenIn

THREADS = 8
PER_THREAD = 50


def _seed_service(db: Database) -> None:
    with db.session() as s:
        teams.create_team(s, SYSTEM, TeamIn(name="deployers"))
        catalogue.create_service(s, SYSTEM, ServiceIn(name="checkout", owner_team="deployers"))


# ---- (a) concurrent writers through the service layer ---------------------------


@dataclass
class Outcome:
    acknowledged: dict[int, str] = field(default_factory=dict)  # deployment id -> version
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _writer(db: Database, worker: int, start: threading.Barrier, outcome: Outcome) -> None:
    start.wait()
    for i in range(PER_THREAD):
        version = f"w{worker}-{i}"
        data = DeploymentIn(service="checkout", version=version, outcome=DeploymentOutcome.succeeded)
        try:
            with db.session() as s:
                dep = record_deployment(s, SYSTEM, data)
            dep_id = dep.id  # only now, after the commit, is it acknowledged
        except BaseException as exc:  # collected and asserted on in the main thread
            with outcome.lock:
                outcome.errors.append(exc)
            continue
        with outcome.lock:
            outcome.acknowledged[dep_id] = version


def test_concurrent_writers_lose_nothing(database_url: str) -> None:
    db = Database(database_url, pool_size=THREADS)
    try:
        _seed_service(db)
        outcome = Outcome()
        start = threading.Barrier(THREADS)
        threads = [
            threading.Thread(target=_writer, args=(db, n, start, outcome), daemon=True)
            for n in range(THREADS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "writers did not finish in time"

        locked = [e for e in outcome.errors if "locked" in str(e).lower()]
        assert not locked, f"{len(locked)} 'database is locked' errors, first: {locked[0]!r}"
        assert not outcome.errors, f"{len(outcome.errors)} writes failed, first: {outcome.errors[0]!r}"
        assert len(outcome.acknowledged) == THREADS * PER_THREAD

        with db.session(write=False) as s:
            stored = {
                dep_id: version for dep_id, version in s.execute(select(Deployment.id, Deployment.version))
            }
            count = s.scalar(select(func.count()).select_from(Deployment))
        assert count == THREADS * PER_THREAD
        assert stored == outcome.acknowledged
    finally:
        db.dispose()


def test_sqlite_write_sessions_take_the_write_lock_up_front(tmp_path: Path, sqlite_template: Path) -> None:
    """A write session holds the write lock from its first statement, even a read, so it
    never has to upgrade a read transaction (which fails at once with SQLITE_BUSY)."""
    path = tmp_path / "lock.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}", pool_size=2)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with db.session() as s:
            s.execute(text("SELECT count(*) FROM teams")).scalar()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released on commit
        other.execute("ROLLBACK")

        with db.session(write=False) as s:
            s.execute(text("SELECT count(*) FROM teams")).scalar()
            other.execute("BEGIN IMMEDIATE")  # a read session does not block writers
            other.execute("ROLLBACK")
    finally:
        other.close()
        db.dispose()


def test_sqlite_writer_waits_for_the_lock_instead_of_failing(tmp_path: Path, sqlite_template: Path) -> None:
    """While another process holds the write lock, a write session waits (busy timeout)
    and then succeeds once the lock is released."""
    path = tmp_path / "wait.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}", pool_size=2, busy_timeout_ms=10_000)
    _seed_service(db)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    try:
        release.start()
        started = time.monotonic()
        with db.session() as s:
            dep = record_deployment(
                s, SYSTEM, DeploymentIn(service="checkout", version="1", outcome=DeploymentOutcome.succeeded)
            )
        waited = time.monotonic() - started
        assert dep.id is not None
        assert waited >= 0.3, "the write did not wait for the lock"
    finally:
        release.join()
        holder.close()
        db.dispose()


def test_sqlite_busy_timeout_expiry_is_an_error_not_a_silent_loss(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "busy.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}", pool_size=2, busy_timeout_ms=200)
    _seed_service(db)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"), db.session() as s:
            record_deployment(
                s, SYSTEM, DeploymentIn(service="checkout", version="x", outcome=DeploymentOutcome.failed)
            )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    try:
        with db.session(write=False) as s:
            assert s.scalar(select(func.count()).select_from(Deployment)) == 0
    finally:
        db.dispose()


# ---- (b) the real server, killed mid-stream ------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]


def _start_server(database_url: str, workdir: Path, log: Path, attempts: int = 3) -> Server:
    """Starts uvicorn on a free loopback port and waits until /healthz answers.

    Retries on a new port if the process exits early (the free port was taken meanwhile)."""
    env = {**os.environ, "FAILWELL_DATABASE_URL": database_url, "FAILWELL_LOG_LEVEL": "warning"}
    for _ in range(attempts):
        port = _free_port()
        cmd = [
            sys.executable, "-m", "uvicorn", "--factory", "failwell.app:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip
        with log.open("ab") as out:
            proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
        server = Server(f"http://127.0.0.1:{port}", proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        _stop(server)
    raise AssertionError(f"the server did not come up: {log.read_text()[-2000:]}")


def _stop(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.kill()
    server.proc.wait(timeout=10)


def _token_for_a_practitioner(database_url: str) -> str:
    db = Database(database_url, pool_size=1)
    try:
        _seed_service(db)
        with db.session() as s:
            person = people.create_person(
                s, SYSTEM, PersonIn(name="Deploy Bot", email="bot@example.com", role=Role.practitioner)
            )
            _, secret = tokens.create_token(s, people.actor_for(person), TokenIn(name="crash-test"))
        return secret
    finally:
        db.dispose()


@dataclass
class Stream:
    acknowledged: dict[int, str] = field(default_factory=dict)
    in_doubt: int = 0
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def _poster(server: Server, token: str, worker: int, stream: Stream) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
        for i in range(100_000):
            if stream.stop.is_set():
                return
            version = f"c{worker}-{i}"
            body = {"service": "checkout", "version": version, "outcome": "succeeded"}
            try:
                resp = client.post("/api/v1/deployments", json=body)
            except httpx.TransportError:
                with stream.lock:
                    stream.in_doubt += 1  # sent, never answered: may or may not be stored
                return
            with stream.lock:
                if resp.status_code == 201:
                    stream.acknowledged[int(resp.json()["id"])] = version
                else:
                    stream.unexpected.append(f"{resp.status_code}: {resp.text[:200]}")


def _kill_mid_stream(
    server: Server, senders: list[threading.Thread], stream: Stream, acknowledged: int
) -> None:
    """Starts the senders, SIGKILLs the server once `acknowledged` writes were answered (or 30 s
    passed) while they are still sending, then stops them."""
    try:
        for t in senders:
            t.start()
        deadline = time.monotonic() + 30
        while len(stream.acknowledged) < acknowledged and time.monotonic() < deadline:
            time.sleep(0.02)
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=10)
    finally:
        stream.stop.set()
        _stop(server)
        for t in senders:
            t.join(timeout=15)


def test_acknowledged_deployments_survive_a_server_kill(database_url: str, tmp_path: Path) -> None:
    """database_url is a fresh migrated database (a copy of the migrated template)."""
    token = _token_for_a_practitioner(database_url)
    log = tmp_path / "server.log"
    server = _start_server(database_url, tmp_path, log)
    stream = Stream()
    posters = [
        threading.Thread(target=_poster, args=(server, token, n, stream), daemon=True) for n in range(4)
    ]
    _kill_mid_stream(server, posters, stream, acknowledged=150)
    assert not stream.unexpected, stream.unexpected[:3]
    assert len(stream.acknowledged) >= 20, f"too few writes before the kill: {log.read_text()[-2000:]}"

    restarted = _start_server(database_url, tmp_path, log)
    try:
        missing: list[int] = []
        wrong: list[int] = []
        with httpx.Client(base_url=restarted.url, headers={"Authorization": f"Bearer {token}"}) as client:
            for dep_id, version in stream.acknowledged.items():
                resp = client.get(f"/api/v1/deployments/{dep_id}")
                if resp.status_code == 404:
                    missing.append(dep_id)
                elif resp.status_code != 200 or resp.json()["version"] != version:
                    wrong.append(dep_id)
            total = client.get("/api/v1/deployments", params={"limit": 1}).json()["total"]
        assert not missing, f"{len(missing)} of {len(stream.acknowledged)} acknowledged deployments lost"
        assert not wrong, f"deployments with the wrong content: {wrong[:10]}"
        # Nothing beyond what was acknowledged or in flight at the kill.
        assert len(stream.acknowledged) <= total <= len(stream.acknowledged) + stream.in_doubt
    finally:
        _stop(restarted)


def _github_hook(database_url: str, secret: str) -> int:
    db = Database(database_url, pool_size=1)
    try:
        _seed_service(db)
        with db.session() as s:
            made, _ = integrations.create_integration(
                s, SYSTEM, IntegrationIn(kind=IntegrationKind.github, name="gh", secret=secret)
            )
            rule = RuleIn(match_field="repository", pattern="acme/checkout", service="checkout")
            integrations.create_rule(s, SYSTEM, made.id, rule)
            return made.id
    finally:
        db.dispose()


def _deliverer(server: Server, hook: int, secret: str, worker: int, stream: Stream) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for i in range(100_000):
            if stream.stop.is_set():
                return
            payload = {
                "deployment_status": {"state": "success", "environment": "production"},
                "deployment": {"id": worker * 1_000_000 + i, "sha": f"{worker:08x}{i:032x}"},
                "repository": {"full_name": "acme/checkout"},
            }
            body = json.dumps(payload).encode()
            headers = {
                "x-github-event": "deployment_status",
                "x-github-delivery": f"kill-{worker}-{i}",
                "x-hub-signature-256": "sha256="
                + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            }
            try:
                resp = client.post(f"/api/v1/hooks/{hook}/github", headers=headers, content=body)
            except httpx.TransportError:
                with stream.lock:
                    stream.in_doubt += 1
                return
            with stream.lock:
                if resp.status_code == 200 and resp.json()["verdict"] == "accepted":
                    stream.acknowledged[int(resp.json()["delivery_id"])] = headers["x-github-delivery"]
                else:
                    stream.unexpected.append(f"{resp.status_code}: {resp.text[:200]}")


def test_acknowledged_webhook_deliveries_survive_a_server_kill(database_url: str, tmp_path: Path) -> None:
    """Many connections at once, so that on SQLite deliveries are recorded together (one commit
    for several): every delivery answered "accepted" is stored, with its deployment."""
    secret = "kill-test-secret-0123456789"
    hook = _github_hook(database_url, secret)
    log = tmp_path / "server.log"
    server = _start_server(database_url, tmp_path, log)
    stream = Stream()
    senders = [
        threading.Thread(target=_deliverer, args=(server, hook, secret, n, stream), daemon=True)
        for n in range(12)
    ]
    _kill_mid_stream(server, senders, stream, acknowledged=200)
    assert not stream.unexpected, stream.unexpected[:3]
    assert len(stream.acknowledged) >= 20, f"too few deliveries before the kill: {log.read_text()[-2000:]}"

    db = Database(database_url, pool_size=1)
    try:
        with db.session(write=False) as s:
            rows = {
                i: k for i, k in s.execute(select(IntegrationDelivery.id, IntegrationDelivery.delivery_key))
            }
            deployments = s.scalar(select(func.count()).select_from(Deployment)) or 0
    finally:
        db.dispose()
    for delivery_id, key in stream.acknowledged.items():
        assert rows.get(delivery_id) == f"x-github-delivery:{key}", f"acknowledged delivery {key} lost"
    # Nothing beyond what was acknowledged or in flight at the kill, and one deployment each.
    assert len(stream.acknowledged) <= len(rows) <= len(stream.acknowledged) + stream.in_doubt
    assert deployments == len(rows)
