"""Test helpers importable from any test module (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import queue
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from failwell.authz import Actor
from failwell.db import Database
from failwell.enums import Role

PG_ADMIN_URL = os.environ.get(
    "FAILWELL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


REQUIRE_PG = os.environ.get("FAILWELL_REQUIRE_POSTGRES") == "1"

# For tests of presentation only (browser behaviour, layout) that the database changes nothing
# in: the backend fixture's parameters cut to SQLite. What their pages read and write runs on
# both databases in the page and API tests of the same package.
ON_SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])


def pg_admin_engine() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)


def pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = pg_admin_engine()
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any connection failure means "not available"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"


class _Dropper:
    """Drops finished test databases in the background, several at a time.

    DROP DATABASE waits for a checkpoint (about a second here, whatever the database's size),
    and concurrent drops share one: dropped one by one after each test, they cost a PostgreSQL
    test more than its own work. Here a thread drops whatever has queued up, in parallel."""

    # Drops started together share one checkpoint: 16 at a time keep up with two xdist workers
    # (8 left a backlog of over a minute at the session's end), within max_connections (100).
    PARALLEL = 16

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._errors: list[str] = []

    def drop(self, name: str) -> None:
        with self._idle:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="drop-test-databases", daemon=True)
                self._thread.start()
        self._queue.put(name)

    def _run(self) -> None:
        engine = create_engine(
            PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=self.PARALLEL, max_overflow=0
        )
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.PARALLEL:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            workers = [threading.Thread(target=self._drop_one, args=(engine, name)) for name in batch]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()

    def _drop_one(self, engine: Engine, name: str) -> None:
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:  # reported by wait(), at the end of the session
            self._errors.append(f"{name}: {type(exc).__name__}: {exc}")

    def wait(self) -> None:
        """Returns once every database handed over so far is dropped; raises if one was not."""
        with self._idle:
            self._idle.wait_for(lambda: self._pending == 0)
        if self._errors:
            errors, self._errors[:] = list(self._errors), []
            raise RuntimeError("test databases not dropped: " + "; ".join(errors))


_dropper = _Dropper()


def drop_database_later(name: str) -> None:
    """Drops this PostgreSQL database in the background (see wait_for_dropped_databases)."""
    _dropper.drop(name)


def create_pg_database(name: str, template: str | None = None) -> str:
    """Creates a PostgreSQL database (empty, or a copy of a template); returns its URL."""
    admin = pg_admin_engine()
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def wait_for_dropped_databases() -> None:
    """Waits for the background drops of scratch databases (the end of a session)."""
    _dropper.wait()


@contextmanager
def scratch_pg_database(name: str, template: str | None = None, drop_later: bool = True) -> Iterator[str]:
    """Creates a PostgreSQL database (empty, or a copy of a template), yields its URL, drops it:
    in the background unless `drop_later` is False (see wait_for_dropped_databases)."""
    url = create_pg_database(name, template)
    try:
        yield url
    finally:
        if drop_later:
            _dropper.drop(name)
        else:
            admin = pg_admin_engine()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Org:
    """A small organisation every API test can use: one person and token per role."""

    team: str
    other_team: str
    service: str
    actors: dict[Role, Actor]
    tokens: dict[Role, str]
    emails: dict[Role, str]

    def headers(self, role: Role = Role.practice_owner) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


class PageClient:
    """A browser-like client signed in as one person: session cookie set, CSRF token at hand."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.http = client
        self.csrf = csrf

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """Posts a form with the CSRF token, as the page's own form would."""
        return self.http.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


@contextmanager
def serving(database_url: str, db: Database, settings: Any = None, port: int | None = None) -> Iterator[str]:
    """The real app under uvicorn on a loopback port (free, unless given), in a thread; yields its
    base URL. `settings` (a failwell Settings) replaces the defaults, e.g. to set up sign-on."""
    import threading
    import time

    import uvicorn

    from failwell.app import create_app
    from failwell.settings import Settings

    port = port or free_port()
    config = uvicorn.Config(
        create_app(settings or Settings(database_url=database_url), db),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
