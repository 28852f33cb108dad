"""The PostgreSQL test databases used again (tests/pg_reuse.py) are what a fresh copy would be."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from pg_reuse import Pool, Snapshot, _conninfo


@pytest.fixture
def pool(pg_template: str) -> Iterator[Pool]:
    made = Pool(f"failwell_reuse_{uuid.uuid4().hex[:8]}")
    yield made
    made.close()


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_used_database_comes_back_as_a_fresh_copy(pool: Pool, pg_template: str) -> None:
    with pool.database(pg_template) as url:
        first = _name(url)
        fresh = Snapshot.of(first)
        with psycopg.connect(_conninfo(first), autocommit=True) as conn:
            # Rows in tables the template leaves empty and in those it fills, sequences moved,
            # and a row of the append-only audit log, which only the reset may remove.
            conn.execute("INSERT INTO teams (name, description, created_at) VALUES ('payments', '', now())")
            conn.execute("DELETE FROM factor_categories")
            conn.execute("UPDATE severity_levels SET description = 'changed'")
            conn.execute("SELECT nextval(pg_get_serial_sequence('failures', 'id'))")
            conn.execute(
                "INSERT INTO audit_entries (at, actor_kind, actor_name, action, subject_type, subject_id,"
                " summary, changes) VALUES (now(), 'system', 'test', 'created', 'team', '1', '', '{}')"
            )
        assert Snapshot.of(first) != fresh
    with pool.database(pg_template) as url:
        assert _name(url) == first  # used again, not copied anew
        assert Snapshot.of(first) == fresh


def test_a_database_whose_schema_changed_is_not_used_again(pool: Pool, pg_template: str) -> None:
    with pool.database(pg_template) as url:
        first = _name(url)
        with psycopg.connect(_conninfo(first), autocommit=True) as conn:
            conn.execute("CREATE INDEX ix_extra ON teams (created_at)")
    with pool.database(pg_template) as url:
        assert _name(url) != first


def test_connections_left_open_do_not_stop_the_reset(pool: Pool, pg_template: str) -> None:
    with pool.database(pg_template) as url:
        first = _name(url)
        left_open = psycopg.connect(_conninfo(first))
        # Not committed: the connection holds its transaction (and its locks) open.
        left_open.execute("INSERT INTO teams (name, description, created_at) VALUES ('search', '', now())")
    with pool.database(pg_template) as url:
        assert _name(url) == first
        with psycopg.connect(_conninfo(first)) as conn:
            assert conn.execute("SELECT count(*) FROM teams").fetchone() == (0,)
    left_open.close()
