"""PostgreSQL test databases used again: reset to their template's rows after a test, not dropped.

A test's database used to be a CREATE DATABASE from a template and a DROP DATABASE after it.
Each copy writes the whole template to the WAL and each drop waits for a checkpoint, about
650 times a run on a machine where the suite is CPU-bound; with the reuse the suite took
441-489 s here against 549-612 s before (2026-12-07, 2 cores). Here each test process keeps
the databases its tests are done with and, before handing one out again, makes it what a fresh
copy would be:

- every table emptied and the template's rows written back (COPY, as the template holds them),
  every sequence set where the template's stands, in one transaction with triggers and foreign
  keys off (``session_replication_role = replica``: the audit log's append-only trigger too);
- the schema compared with the template's (a fingerprint of tables, columns, indexes,
  constraints, triggers, functions and database settings): a test that changed it, or a reset
  that failed, hands the database to the background drop instead, and a new copy is made.

Other connections to it (a server a test left running) are ended first, as DROP ... WITH
(FORCE) would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from support import PG_ADMIN_URL, create_pg_database, drop_database_later

_FINGERPRINT = """
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
  SELECT concat_ws(' ', 'c', c.relname, c.relkind::text, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attnotnull::text, pg_get_expr(d.adbin, d.adrelid)) AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  UNION ALL SELECT 'i ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT concat_ws(' ', 'k', conname, pg_get_constraintdef(oid)) FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT concat_ws(' ', 't', tgname, tgenabled::text, pg_get_triggerdef(oid)) FROM pg_trigger
    WHERE NOT tgisinternal
  UNION ALL SELECT concat_ws(' ', 'f', proname, md5(prosrc)) FROM pg_proc
    WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 's ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL SELECT concat_ws(' ', 'x', extname, extversion) FROM pg_extension
) AS schema_items
"""
_END_OTHERS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
_SEQUENCES = (
    "SELECT sequencename, coalesce(last_value, start_value), last_value IS NOT NULL"
    " FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename"
)


def _conninfo(database: str) -> str:
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Snapshot:
    """What a database copied from the template holds: its rows, sequences and schema."""

    fingerprint: str
    tables: list[str]
    rows: dict[str, bytes]  # COPY text of each table that has rows
    sequences: list[tuple[str, int, bool]]  # name, value, is_called

    @classmethod
    def of(cls, database: str) -> Snapshot:
        with psycopg.connect(_conninfo(database), autocommit=True) as conn:
            fingerprint = conn.execute(_FINGERPRINT).fetchone()[0]  # type: ignore[index]
            tables = [name for (name,) in conn.execute(_TABLES)]
            rows: dict[str, bytes] = {}
            for table in tables:
                data = bytearray()
                with conn.cursor().copy(sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(table))) as copy:
                    for chunk in copy:
                        data += chunk
                if data:
                    rows[table] = bytes(data)
            sequences = [(name, int(value), bool(called)) for name, value, called in conn.execute(_SEQUENCES)]
        return cls(fingerprint, tables, rows, sequences)

    def restore(self, database: str) -> bool:
        """Makes the database hold what the template holds; False if its schema is not the
        template's (then it must not be used again). Other connections to it (a server a test
        left running) are ended first, as DROP ... WITH (FORCE) would."""
        with psycopg.connect(_conninfo(database), autocommit=True) as conn:
            conn.execute(_END_OTHERS)
            if conn.execute(_FINGERPRINT).fetchone()[0] != self.fingerprint:  # type: ignore[index]
                return False
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")
                deletes = "; ".join(f"DELETE FROM {sql.Identifier(t).as_string(conn)}" for t in self.tables)
                conn.execute(deletes.encode())
                for table, data in self.rows.items():
                    with conn.cursor().copy(
                        sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
                    ) as copy:
                        copy.write(data)
                for name, value, called in self.sequences:
                    conn.execute(
                        "SELECT setval(%s::regclass, %s, %s)",
                        (sql.Identifier(name).as_string(conn), value, called),
                    )
        return True


class Pool:
    """This process's databases per template: ``with pool.database(template) as url``."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._names = count()
        self._lock = threading.Lock()
        self._idle: dict[str, list[str]] = {}
        self._snapshots: dict[str, Snapshot] = {}

    def _take(self, template: str) -> str:
        with self._lock:
            idle = self._idle.setdefault(template, [])
            if idle:
                return idle.pop()
            name = f"{self._prefix}_{next(self._names)}"
        create_pg_database(name, template)
        if template not in self._snapshots:
            try:
                self._snapshots[template] = Snapshot.of(name)
            except BaseException:
                drop_database_later(name)
                raise
        return name

    def _give_back(self, template: str, name: str) -> None:
        try:
            reusable = self._snapshots[template].restore(name)
        except psycopg.Error:
            reusable = False
        if not reusable:
            drop_database_later(name)
            return
        with self._lock:
            self._idle[template].append(name)

    @contextmanager
    def database(self, template: str) -> Iterator[str]:
        name = self._take(template)
        try:
            yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            self._give_back(template, name)

    def close(self) -> None:
        """Hands every idle database to the background drop (the end of the session)."""
        with self._lock:
            for names in self._idle.values():
                for name in names:
                    drop_database_later(name)
            self._idle.clear()
