"""Engine, sessions and the ORM base shared by every slice.

SQLite is the embedded default: WAL journal, foreign keys on, a busy timeout, and
write transactions opened with BEGIN IMMEDIATE so concurrent writers queue on the
lock instead of failing with SQLITE_BUSY when a read transaction upgrades.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Table,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.schema import ColumnDefault
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores every timestamp as UTC and always hands back an aware UTC datetime.

    SQLite keeps no zone, so values are normalised to UTC on the way in and
    tagged as UTC on the way out; PostgreSQL stores timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    # SQLite: one function each way instead of this type's step chained to SQLAlchemy's (which
    # formats through a dict): a CI batch binds four timestamps a deployment and the read side
    # parses thousands. Same text as SQLAlchemy's format (tests/test_db_datetime.py holds it).
    def bind_processor(self, dialect: Any) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_text

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return _sqlite_datetime


def _sqlite_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    zone = value.tzinfo
    if zone is not None and zone is not UTC:
        value = value.astimezone(UTC)
    # Without the zone: "+00:00" after the 26 characters of a UTC time (years have 4 digits).
    return value.isoformat(" ", "microseconds")[:26]


def _sqlite_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # NORMAL is durable across application crashes in WAL mode; only an OS
        # crash or power loss can roll back the last transactions.
        cur.execute("PRAGMA synchronous=NORMAL")
        # A checkpoint every 10,000 WAL pages (about 40 MB), not SQLite's 1,000: a CI batch of
        # 1,000 deployments writes a few hundred, and its hot pages (indexes, rollups) are then
        # copied to the database once in ten batches instead of in every other one (about 4 %
        # of a batch, measured 2026-12-08). The file is cut back to 64 MiB after a checkpoint.
        cur.execute("PRAGMA wal_autocheckpoint=10000")
        cur.execute("PRAGMA journal_size_limit=67108864")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, pool_size: int = 10, busy_timeout_ms: int = 15_000) -> Engine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=2 * pool_size,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            json_serializer=_json_text,
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, json_serializer=_json_text
    )


def _json_text(value: Any) -> str:
    """JSON columns' text, by orjson: a webhook delivery writes three, and the standard library's
    encoder cost 3-4 % of it (measured 2026-12-07). As json.dumps would: keys that are numbers
    become strings, and what neither writes natively (a set, a datetime) is refused."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME).decode()


def insert_many_ids(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Inserts ``rows`` (all with the same keys; scalar and JSON columns) into ``table``, whose
    primary key is an integer ``id`` without AUTOINCREMENT, and returns their ids in the order
    given. For a CI batch: a statement per row costs more than the rows themselves.

    SQLite does not say in which order RETURNING hands rows back, so SQLAlchemy falls back to
    one statement a row there, and a row trigger makes each statement dear (1,000 deployments:
    24 ms, against 8 ms in multi-row statements, measured 2026-12-07). Instead the ids are
    chosen here, after the largest one, as SQLite itself would: a write transaction on SQLite
    is the only writer, and one whose read is stale cannot write at all (SQLITE_BUSY_SNAPSHOT).
    The rows go in as multi-row statements (`_insert_values`).

    PostgreSQL: the ids are taken from the table's sequence at once, and the rows sent as one
    statement (`_insert_recordset`)."""
    if not rows:
        return []
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        first = (connection.scalar(select(func.max(table.c.id))) or 0) + 1
        ids = list(range(first, first + len(rows)))
    else:
        ids = list(connection.execute(_NEXT_IDS, {"table": table.name, "n": len(rows)}).scalars())
    with_ids = [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)]
    if sqlite:
        _insert_values(connection, table, with_ids)
    else:
        _insert_recordset(connection, table, with_ids)
    return ids


# PostgreSQL: the ids the table's own sequence would have given, taken at once.
_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) AS id FROM generate_series(1, :n) ORDER BY id"
)


def _with_defaults(table: Table, rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The column names and rows with what an ORM or Core insert would fill in on the client
    (a created_at's utcnow, say)."""
    names = list(rows[0])
    defaults = {
        str(c.name): c.default.arg(None) if c.default.is_callable else c.default.arg  # str: orjson keys
        for c in table.c
        if c.name not in names and isinstance(c.default, ColumnDefault) and not c.default.is_sequence
    }
    if defaults:
        rows = [{**row, **defaults} for row in rows]
        names += list(defaults)
    return names, rows


# SQLite binds at most 32,766 values a statement (since 3.32); pages of rows well under it.
_SQLITE_VALUES_PER_STATEMENT = 30_000


def _insert_values(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """SQLite: the rows as multi-row INSERT ... VALUES statements, each column's values
    converted by its type in one pass. SQLAlchemy's own multi-row path converts row by row
    through a dict per row: half of a 1,000-deployment insert's time (measured 2026-12-08)."""
    dialect = connection.dialect
    names, rows = _with_defaults(table, rows)
    columns = []
    for name in names:
        values = [row.get(name) for row in rows]
        process = table.c[name].type.bind_processor(dialect)
        columns.append(values if process is None else [process(v) for v in values])
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    head = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({quoted}) VALUES "
    one = "(" + ", ".join("?" * len(names)) + ")"
    per_page = max(1, _SQLITE_VALUES_PER_STATEMENT // len(names))
    flat_rows = list(zip(*columns, strict=True))
    for start in range(0, len(flat_rows), per_page):
        page = flat_rows[start : start + per_page]
        flat = tuple(v for row in page for v in row)
        connection.exec_driver_sql(head + ", ".join([one] * len(page)), flat)


def _json_fragment(value: Any) -> orjson.Fragment | None:
    return None if value is None else orjson.Fragment(_json_text(value))


def _bytea_text(value: bytes | None) -> str | None:
    return None if value is None else "\\x" + value.hex()  # bytea's hex input format


def _insert_recordset(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: the rows as one INSERT ... SELECT FROM json_to_recordset(one JSON text). A
    short statement that psycopg parses once (a 1,000-row VALUES list was parsed again each
    time), and one statement, so a statement trigger (the commit index's) runs once, not per
    row. One JSON text written by orjson in C, not an array a column: psycopg writes arrays
    element by element in Python (a sixth of a 1,000-deployment batch, measured 2026-12-08)."""
    dialect = connection.dialect
    names, rows = _with_defaults(table, rows)
    processors: dict[str, Callable[[Any], Any]] = {}
    definitions = []
    for name in names:
        column = table.c[name]
        if isinstance(column.type, JSON):  # as the column's own text, written once
            processors[name] = _json_fragment
        elif isinstance(column.type, LargeBinary):
            processors[name] = _bytea_text
        elif (process := column.type.bind_processor(dialect)) is not None:
            processors[name] = process
        definitions.append(f"{dialect.identifier_preparer.quote(name)} {column.type.compile(dialect)}")
    if processors:
        rows = [{**row, **{n: p(row.get(n)) for n, p in processors.items()}} for row in rows]
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    statement = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({quoted}) "
        f"SELECT {quoted} FROM json_to_recordset(CAST(:rows AS json)) AS r({', '.join(definitions)})"
    )
    connection.execute(text(statement), {"rows": orjson.dumps(rows).decode()})


class SqliteWriteGate:
    """Admits one writer at a time to a SQLite database, across threads and processes.

    SQLite allows one writer; the others poll its busy handler, which sleeps 1, 2, 5 ...
    ms between tries, so under load most of the time goes to sleeping. Here writers queue
    on a thread lock and then on an flock of a file beside the database: the kernel wakes
    the next writer the moment the lock is free. Other programs writing the same file
    still meet SQLite's own busy timeout."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        self._fd: int | None = None
        if database and database != ":memory:" and not database.startswith("file:"):
            self._fd = os.open(f"{database}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> SqliteWriteGate:
        self._threads.acquire()
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Database:
    """One engine plus session factories for reading and for writing."""

    def __init__(self, url: str, *, pool_size: int = 10, busy_timeout_ms: int = 15_000) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, busy_timeout_ms=busy_timeout_ms)
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write = sessionmaker(bind=writer, expire_on_commit=False)
        # SQLite takes one writer at a time. Threads of this process queue here, in order,
        # instead of polling SQLite's busy handler (which sleeps in growing steps and burns
        # CPU under contention); other processes still wait on the busy timeout.
        # Embedded SQLite: a write (one at a time anyway) or a one-row indexed read is a few
        # hundred microseconds of local CPU work, cheaper on the event loop than handed to a
        # thread (each hand-off wakes the loop through a pipe). Longer reads still go to
        # threads, where they overlap; PostgreSQL waits on the network, so it always does.
        self.embedded = is_sqlite(url)
        self._write_gate: AbstractContextManager[object] = (
            SqliteWriteGate(make_url(url).database) if is_sqlite(url) else nullcontext()
        )

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: commits when the block ends cleanly, rolls back otherwise."""
        if not write:
            with self._read() as session:
                try:
                    yield session
                except BaseException:
                    session.rollback()
                    raise
            return
        with self._write_gate, self._write() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
        if isinstance(self._write_gate, SqliteWriteGate):
            self._write_gate.close()
