"""Generates a large, realistic organisation fast, and caches it.

Rows are made in Python as plain values (aware UTC datetimes, lists, dates) by
bench/generate_rows.py and bench/generate_reviews.py, and loaded in bulk by
bench/generate_load.py: SQLite through the driver's executemany in 10k-row chunks (values
converted by SQLAlchemy's own bind processors, so they are stored exactly as the
ORM would store them), PostgreSQL through COPY. Secondary indexes are dropped
first and rebuilt from their own saved DDL after the load, which is several times
faster than maintaining them row by row and leaves exactly the migrated schema.
This module keeps the cache: the generated SQLite file and the PostgreSQL database
are reused by later runs while the scale, the generator and the schema (Alembic head)
are unchanged.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import failwell.models  # noqa: F401  (registers every table on Base.metadata)
from bench.common import OUT, Backend, pg_admin, pg_create, pg_drop, pg_url, sqlite_url
from bench.generate_load import load_postgres, load_sqlite
from bench.org_shape import OrgMeta, Scale
from bench.vocabulary import COMMON_WORDS, RARE_WORDS
from failwell.people.security import hash_token, new_token

PG_LARGE_PREFIX = "failwell_bench_large"


# ---- cache -------------------------------------------------------------------


def _meta_path(backend: Backend, scale: Scale) -> Path:
    return OUT / f"org-{backend}-{scale.name}-{scale.key()}.json"


def _pg_name(scale: Scale) -> str:
    return PG_LARGE_PREFIX if scale.name == "large" else f"{PG_LARGE_PREFIX}_{scale.name}"


def _pg_comment(name: str) -> str | None:
    engine = pg_admin()
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                {"n": name},
            ).scalar()
    finally:
        engine.dispose()


def prepare_org(
    backend: Backend,
    scale: Scale,
    log: Callable[[str], None],
    *,
    sqlite_analyze: bool = False,
    fresh: bool = False,
) -> OrgMeta:
    """The generated organisation for this backend and scale, from the cache when it is current."""
    OUT.mkdir(parents=True, exist_ok=True)
    key = scale.key()
    meta_path = _meta_path(backend, scale)
    if backend == "sqlite":
        path = OUT / f"org-{scale.name}-{key}.db"
        target_url = sqlite_url(path)
        cached = not fresh and path.exists() and meta_path.exists()
    else:
        name = _pg_name(scale)
        target_url = pg_url(name)
        cached = not fresh and meta_path.exists() and _pg_comment(name) == key
    if cached:
        meta = OrgMeta(**json.loads(meta_path.read_text()))
        meta.cached = True
        meta.url = target_url
        log(f"  [{backend}] reusing cached {scale.name} organisation ({meta.generation_s:.0f}s to generate)")
        if backend == "postgresql" and not _token_known(target_url, meta.token):
            # The PostgreSQL cache is shared by every checkout on this machine, the token file is
            # not: another checkout rebuilt the database since. A new token, not a rebuild.
            meta.token = _mint_token(target_url)
            meta_path.write_text(json.dumps(asdict(meta), indent=1))
            log("    (rebuilt by another checkout: a new API token for this one)")
    else:
        log(
            f"  [{backend}] generating the {scale.name} organisation "
            f"({scale.deployments:,} deployments, {scale.failures:,} failures)"
        )
        t0 = time.perf_counter()
        if backend == "sqlite":
            for old in OUT.glob(f"org-{scale.name}-*.db*"):
                old.unlink()
            tmp = OUT / f"org-{scale.name}-{key}.db.tmp"
            tmp.unlink(missing_ok=True)
            facts, counts = load_sqlite(tmp, scale, log)
            os.replace(tmp, OUT / f"org-{scale.name}-{key}.db")
        else:
            building = f"{name}_new"
            facts, counts = load_postgres(pg_create(building), scale, log)
            pg_drop(name)
            engine = pg_admin()
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
                    # The comment marks the database complete and says what it holds.
                    conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{key}'"))
            finally:
                engine.dispose()
        for old in OUT.glob(f"org-{backend}-{scale.name}-*.json"):
            old.unlink()
        meta = OrgMeta(
            backend=backend,
            url=target_url,
            key=key,
            scale=asdict(scale),
            token=facts["token"],
            services=facts["services"],
            teams=facts["teams"],
            tags=facts["tags"],
            common_words=list(COMMON_WORDS),
            rare_words=list(RARE_WORDS),
            start=facts["start"],
            end=facts["end"],
            row_counts=counts,
            generation_s=time.perf_counter() - t0,
        )
        meta_path.write_text(json.dumps(asdict(meta), indent=1))
        log(f"    generated in {meta.generation_s:.1f}s")
    if backend == "sqlite":
        _set_sqlite_stats(Path(make_url(meta.url).database or ""), sqlite_analyze)
    return meta


def _token_known(url: str, token: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM api_tokens WHERE token_hash = :h AND revoked_at IS NULL"),
                {"h": hash_token(token)},
            ).first()
        return found is not None
    finally:
        engine.dispose()


def _mint_token(url: str) -> str:
    """A new API token for the generated organisation's bench user (the one of its first token)."""
    token = new_token()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            person_id, next_id = conn.execute(
                text("SELECT (SELECT person_id FROM api_tokens WHERE id = 1), MAX(id) + 1 FROM api_tokens")
            ).one()
            conn.execute(
                text(
                    "INSERT INTO api_tokens (id, person_id, name, token_hash, prefix, created_at) "
                    "VALUES (:id, :person_id, 'bench', :hash, :prefix, :now)"
                ),
                {
                    "id": next_id,
                    "person_id": person_id,
                    "hash": hash_token(token),
                    "prefix": token[:10],
                    "now": datetime.now(UTC),
                },
            )
    finally:
        engine.dispose()
    return token


def _set_sqlite_stats(path: Path, analyze: bool) -> None:
    """failwell never runs ANALYZE on SQLite, so by default the benchmark plans without
    statistics, as production would; --sqlite-analyze measures the difference."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if analyze:
            conn.execute("ANALYZE")
        else:
            has_stats = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
            if has_stats:
                conn.execute("DELETE FROM sqlite_stat1")
    finally:
        conn.close()


def drop_cached_pg(scale: Scale) -> None:
    pg_drop(_pg_name(scale))
