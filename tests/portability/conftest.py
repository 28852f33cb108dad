"""Fresh databases for the portability tests: a migrated SQLite copy or a PostgreSQL scratch one."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from failwell.db import Database
from support import scratch_pg_database

_names = itertools.count()


@contextmanager
def fresh_database(backend: str, request: pytest.FixtureRequest, where: Path) -> Iterator[Database]:
    """An empty, migrated database of this kind, disposed of (and dropped) afterwards."""
    if backend == "sqlite":
        path = where / f"fresh-{next(_names)}.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        db = Database(f"sqlite:///{path}", pool_size=2)
        try:
            yield db
        finally:
            db.dispose()
        return
    template = request.getfixturevalue("pg_template")
    with scratch_pg_database(f"failwell_px_{os.getpid()}_{next(_names)}", template) as url:
        db = Database(url, pool_size=2)
        try:
            yield db
        finally:
            db.dispose()


FreshDatabase = Callable[[str], AbstractContextManager[Database]]


@pytest.fixture
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> FreshDatabase:
    """fresh("sqlite") or fresh("postgresql"): a context manager giving an empty, migrated database."""
    return lambda backend: fresh_database(backend, request, tmp_path)
