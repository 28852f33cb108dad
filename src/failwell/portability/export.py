"""Writes the whole organisation to a portable archive (see format.py), from one snapshot.

Tables come from the app's metadata, parents before children and rows in primary-key order,
so tables added by later slices travel without a change here. The read is one transaction
(REPEATABLE READ on PostgreSQL, a WAL read snapshot on SQLite): the server may keep writing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, String, Table, select
from sqlalchemy.sql.elements import ColumnElement

import failwell.models  # noqa: F401  (every slice's tables in the metadata)
from failwell import __version__
from failwell.db import Base, Database
from failwell.errors import Conflict
from failwell.migrate import current_revision, head_revision
from failwell.portability.format import (
    EXCLUDED_TABLES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SECRET_COLUMNS,
    canonical,
    encode_row,
    member_name,
    zip_info,
)

BATCH = 2_000


@dataclass(frozen=True)
class ExportSummary:
    tables: int
    rows: int
    revision: str


def exported_tables() -> list[Table]:
    """Every table the app owns that travels, parents first (ties by name, for a fixed order)."""
    return [t for t in Base.metadata.sorted_tables if t.name not in EXCLUDED_TABLES]


def _order(conn: Connection, table: Table) -> list[ColumnElement[Any]]:
    # Text keys sort by code point on both databases: PostgreSQL's default collation may not.
    postgres = conn.dialect.name == "postgresql"
    out: list[ColumnElement[Any]] = []
    for column in table.primary_key.columns:
        out.append(column.collate("C") if postgres and isinstance(column.type, String) else column)
    return out


def _snapshot(db: Database) -> Connection:
    if db.engine.dialect.name == "postgresql":
        return db.engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    return db.engine.connect()


def check_revision(db: Database) -> str:
    """The database's schema revision, which must be this code's: its tables are read by it."""
    revision = current_revision(db.engine)
    head = head_revision()
    if revision is None or revision != head:
        raise Conflict(
            detail=f"the database is at schema revision {revision or 'none'}, this failwell expects {head}: "
            "run `failwell db upgrade` first"
        )
    return revision


def _write_table(archive: zipfile.ZipFile, conn: Connection, table: Table) -> dict[str, Any]:
    name = member_name(table.name)
    digest = hashlib.sha256()
    rows = 0
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*_order(conn, table)))
    with archive.open(zip_info(name), "w", force_zip64=True) as member:
        for row in result:
            line = encode_row(table, row)
            digest.update(line)
            member.write(line)
            rows += 1
    return {
        "name": table.name,
        "file": name,
        "rows": rows,
        "sha256": digest.hexdigest(),
        "columns": [c.name for c in table.columns],
    }


def export_to(db: Database, output: Path) -> ExportSummary:
    """Writes the archive to output (atomically: a failed export leaves no half file)."""
    revision = check_revision(db)
    tables = exported_tables()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive, _snapshot(db) as conn:
            with conn.begin():
                listed = [_write_table(archive, conn, table) for table in tables]
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_revision": revision,
                "exported_by": f"failwell {__version__}",
                "tables": listed,
                "excluded_tables": dict(sorted(EXCLUDED_TABLES.items())),
                "secret_columns": {t: list(c) for t, c in sorted(SECRET_COLUMNS.items())},
                "secrets": "sealed as stored; restoring needs the same FAILWELL_BROADCAST_SECRET_KEYS",
            }
            archive.writestr(zip_info(MANIFEST), canonical(manifest) + b"\n")
        os.replace(partial, output)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return ExportSummary(tables=len(tables), rows=sum(t["rows"] for t in listed), revision=revision)
