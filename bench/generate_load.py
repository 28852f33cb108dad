"""Loads a generated organisation in bulk: SQLite through executemany, PostgreSQL through COPY.

Values are converted by SQLAlchemy's own bind processors (SQLite), so they are stored exactly
as the ORM would store them. Secondary indexes are dropped first and rebuilt from their own
saved DDL after the load, then the search rows and the rollups are built as the services keep
them.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import psycopg
from sqlalchemy import TypeDecorator, create_engine, select
from sqlalchemy.engine import Dialect, make_url

from bench.common import sqlite_url
from bench.generate_rows import generate
from bench.org_shape import Row, Scale, TableLoad
from failwell.changes.commit_index import rebuild_commit_index
from failwell.db import Base, Database
from failwell.failures.models import Failure
from failwell.insights.failure_rollup import rebuild_failure_rollup
from failwell.insights.rollup import rebuild_rollup
from failwell.migrate import upgrade
from failwell.recurrence.index import reindex_all

CHUNK = 10_000


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---- SQLite loading ----------------------------------------------------------


def _sqlite_converters(dialect: Dialect, load: TableLoad) -> list[tuple[int, Callable[[Any], Any]]]:
    """SQLAlchemy's own bind processors per column, so stored values match the ORM's exactly.

    UTCDateTime's own step (normalise to UTC) is skipped: every generated time is UTC already.
    """
    table = Base.metadata.tables[load.table]
    out: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(load.columns):
        col_type = table.c[name].type
        if isinstance(col_type, TypeDecorator):
            col_type = col_type.impl_instance
        proc = col_type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            out.append((index, proc))
    return out


def load_sqlite(
    path: Path, scale: Scale, log: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, int]]:
    url = sqlite_url(path)
    upgrade(url)
    engine = create_engine(url)
    dialect = engine.dialect
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # A throwaway file being filled: no crash safety needed until it is complete.
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "foreign_keys=OFF",
            "cache_size=-1000000",
            "temp_store=MEMORY",
        ):
            conn.execute(f"PRAGMA {pragma}")
        category_ids = [r[0] for r in conn.execute("SELECT id FROM factor_categories ORDER BY position, id")]
        loads, facts = generate(scale, category_ids)
        saved = conn.execute(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE '%UNIQUE%'"
        ).fetchall()
        for name, _sql in saved:
            conn.execute(f'DROP INDEX "{name}"')
        counts: dict[str, int] = {}
        for load in loads:
            t0 = time.perf_counter()
            converters = _sqlite_converters(dialect, load)
            sql = (
                f"INSERT INTO {load.table} ({', '.join(load.columns)}) "
                f"VALUES ({', '.join('?' * len(load.columns))})"
            )
            n = 0
            conn.execute("BEGIN")
            for chunk in _chunks(load.rows, CHUNK):
                if converters:
                    converted = []
                    for row in chunk:
                        values = list(row)
                        for index, proc in converters:
                            if values[index] is not None:
                                values[index] = proc(values[index])
                        converted.append(values)
                    conn.executemany(sql, converted)
                else:
                    conn.executemany(sql, chunk)
                n += len(chunk)
            conn.execute("COMMIT")
            counts[load.table] = n
            if n >= 50_000:
                log(f"      {load.table}: {n:,} rows in {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        for _name, sql in saved:
            conn.execute(sql)
        conn.execute("COMMIT")
        log(f"      {len(saved)} indexes rebuilt in {time.perf_counter() - t0:.1f}s")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    _index_text(url, log)
    _roll_up(url, log)
    return facts, counts


def _index_text(url: str, log: Callable[[str], None]) -> None:
    """Every failure's search row, as the event handlers keep them in production: ?q= reads them
    (the full-text index follows: FTS5's triggers, PostgreSQL's tsvector)."""
    db = Database(url, pool_size=1)
    try:
        with db.session(write=False) as session:
            ids = list(session.scalars(select(Failure.id).order_by(Failure.id)))

        def sessions() -> Iterator[Any]:
            with db.session() as session:
                yield session

        t0 = time.perf_counter()
        reindex_all(sessions, ids, batch=2000, semantic=False)
        log(f"      search rows for {len(ids):,} failures in {time.perf_counter() - t0:.1f}s")
    finally:
        db.dispose()


def _index_commits(url: str, log: Callable[[str], None]) -> None:
    """The commit index, whose triggers the replica mode of a COPY load skips (PostgreSQL)."""
    db = Database(url, pool_size=1)
    try:
        t0 = time.perf_counter()
        with db.session() as session:
            rebuild_commit_index(session.connection())
        log(f"      commit index rebuilt in {time.perf_counter() - t0:.1f}s")
    finally:
        db.dispose()


def _roll_up(url: str, log: Callable[[str], None]) -> None:
    """The deployment and failure rollups the metrics read, which the services keep on every write."""
    db = Database(url, pool_size=1)
    try:
        t0 = time.perf_counter()
        with db.session() as session:
            rows = rebuild_rollup(session)
            days = rebuild_failure_rollup(session)
        took = time.perf_counter() - t0
        log(f"      deployment and failure rollups: {rows:,} + {days:,} rows in {took:.1f}s")
    finally:
        db.dispose()


# ---- PostgreSQL loading ------------------------------------------------------


def _pg_conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_value(value: Any) -> Any:
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    return value


def load_postgres(
    url: str, scale: Scale, log: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, int]]:
    upgrade(url)
    counts: dict[str, int] = {}
    with psycopg.connect(_pg_conninfo(url), autocommit=True) as conn:
        category_ids = [r[0] for r in conn.execute("SELECT id FROM factor_categories ORDER BY position, id")]
        loads, facts = generate(scale, category_ids)
        saved = conn.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = 'public' AND NOT x.indisprimary AND NOT x.indisunique"""
        ).fetchall()
        for name, _ddl in saved:
            conn.execute(f'DROP INDEX "{name}"')
        # Foreign keys are enforced by triggers; the generator keeps them consistent by
        # construction, so skip the per-row checks while loading.
        conn.execute("SET session_replication_role = replica")
        for load in loads:
            t0 = time.perf_counter()
            n = 0
            has_json = "commit_shas" in load.columns
            sql = f"COPY {load.table} ({', '.join(load.columns)}) FROM STDIN"
            with conn.transaction(), conn.cursor() as cur, cur.copy(sql) as copy:
                for row in load.rows:
                    copy.write_row(tuple(_pg_value(v) for v in row) if has_json else row)
                    n += 1
            counts[load.table] = n
            if n >= 50_000:
                log(f"      {load.table}: {n:,} rows in {time.perf_counter() - t0:.1f}s")
        conn.execute("SET session_replication_role = DEFAULT")
        t0 = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _name, ddl in saved:
            conn.execute(ddl)
        log(f"      {len(saved)} indexes rebuilt in {time.perf_counter() - t0:.1f}s")
        # Explicit ids were loaded: move each sequence past them for later inserts.
        for load in loads:
            if "id" in load.columns:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{load.table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {load.table}), false)"
                )
        _index_commits(url, log)
        _index_text(url, log)
        _roll_up(url, log)
        t0 = time.perf_counter()
        # Autovacuum would get here on its own soon after a real load; do it now so
        # plans and index-only scans reflect a settled database.
        conn.execute("VACUUM ANALYZE")
        log(f"      VACUUM ANALYZE in {time.perf_counter() - t0:.1f}s")
    return facts, counts
