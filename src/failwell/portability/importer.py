"""Restores an archive into an empty database of either kind, in one transaction.

Refuses before writing anything: an archive of an unknown format, of another schema revision,
with a member whose checksum or row count is not the manifest's, or a database that holds
data. Rows go in parents first; a column referring to its own table is filled in a second pass
(its row may point at a later one). Then PostgreSQL's id sequences move past the restored ids
and the derived data (failure search text, deployment rollup) is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Integer, Table, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from failwell.db import Base, Database
from failwell.errors import Conflict
from failwell.failures.models import Failure
from failwell.insights.failure_rollup import rebuild_failure_rollup
from failwell.insights.rollup import rebuild_rollup
from failwell.migrate import current_revision, head_revision, upgrade
from failwell.portability.export import exported_tables
from failwell.portability.format import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SEEDED_TABLES,
    ArchiveError,
    decode_row,
    member_name,
)
from failwell.recurrence.index import reindex_all
from failwell.recurrence.models import FailureEmbedding

BATCH = 1_000


@dataclass(frozen=True)
class ImportSummary:
    tables: int
    rows: int
    failures_without_embedding: int


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise ArchiveError("no manifest.json: not a failwell export") from None
    except ValueError:
        raise ArchiveError("manifest.json is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("not a failwell export")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArchiveError(f"format version {version} is not one this failwell reads ({FORMAT_VERSION})")
    revision, head = manifest.get("schema_revision"), head_revision()
    if revision != head:
        raise ArchiveError(
            f"exported at schema revision {revision}, this failwell is at {head}: "
            "restore it with the failwell version that wrote it, then upgrade"
        )
    return manifest


def _verify(archive: zipfile.ZipFile, manifest: dict[str, Any], tables: list[Table]) -> None:
    """Checks every member against the manifest's row count and checksum."""
    listed = {
        str(entry.get("name")): entry for entry in manifest.get("tables", []) if isinstance(entry, dict)
    }
    expected = {t.name for t in tables}
    if set(listed) != expected:
        extra = sorted(set(listed) - expected) or sorted(expected - set(listed))
        raise ArchiveError(f"its tables do not match this schema (e.g. {extra[0]})")
    for table in tables:
        entry = listed[table.name]
        digest = hashlib.sha256()
        rows = 0
        try:
            with archive.open(member_name(table.name)) as member:
                for line in member:
                    digest.update(line)
                    rows += 1
        except KeyError:
            raise ArchiveError(f"{member_name(table.name)} is missing") from None
        if digest.hexdigest() != entry.get("sha256") or rows != entry.get("rows"):
            raise ArchiveError(f"{member_name(table.name)} does not match its checksum in the manifest")


def _holds_data(conn: Connection, tables: list[Table]) -> str | None:
    for table in tables:
        if table.name not in SEEDED_TABLES and conn.execute(select(1).select_from(table).limit(1)).first():
            return table.name
    return None


def _rows(archive: zipfile.ZipFile, table: Table) -> Iterator[dict[str, Any]]:
    with archive.open(member_name(table.name)) as member:
        for line in member:
            yield decode_row(table, line)


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _load_table(conn: Connection, archive: zipfile.ZipFile, table: Table) -> int:
    later = _self_references(table)
    key = [c.name for c in table.primary_key.columns]
    pending: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    count = 0
    for row in _rows(archive, table):
        if later and any(row.get(name) is not None for name in later):
            pending.append({name: row[name] for name in key + later})
            row = {**row, **dict.fromkeys(later)}
        batch.append(row)
        count += 1
        if len(batch) >= BATCH:
            conn.execute(insert(table), batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
    for values in pending:
        where = [table.c[name] == values[name] for name in key]
        conn.execute(update(table).where(*where).values({name: values[name] for name in later}))
    return count


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer) or keys[0].autoincrement is False:
            continue
        name = keys[0].name
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": name})
        if sequence:
            top = conn.scalar(select(func.max(keys[0])))
            conn.execute(
                text("SELECT setval(:s, :v, :called)"),
                {"s": sequence, "v": top or 1, "called": top is not None},
            )


def _rebuild_derived(session: Session) -> int:
    """Search text and rollups from the restored rows; answers failures still lacking an embedding.

    Embeddings travel in the archive (costly to compute); the ones missing are left to
    `failwell recurrence reindex`, so a restore never depends on the model being present."""
    ids = list(session.scalars(select(Failure.id).order_by(Failure.id)))
    reindex_all(lambda: [session], ids, semantic=False)
    rebuild_rollup(session)
    rebuild_failure_rollup(session)
    embedded = session.scalar(select(func.count()).select_from(FailureEmbedding)) or 0
    return len(ids) - embedded


def import_from(db: Database, source: Path) -> ImportSummary:
    """Restores the archive at source into db's empty database (migrated to head first)."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"cannot read {source}: {exc}") from None
    with archive:
        manifest = read_manifest(archive)
        tables = exported_tables()
        _verify(archive, manifest, tables)
        if current_revision(db.engine) != head_revision():
            upgrade(db.url)
        with db.session() as session:
            conn = session.connection()
            full = _holds_data(conn, tables)
            if full:
                raise Conflict(
                    detail=f"the database holds data (table {full}); import restores into an empty one"
                )
            for name in sorted(SEEDED_TABLES):
                conn.execute(delete(Base.metadata.tables[name]))
            rows = sum(_load_table(conn, archive, table) for table in tables)
            _reset_sequences(conn, tables)
            missing = _rebuild_derived(session)
    return ImportSummary(tables=len(tables), rows=rows, failures_without_embedding=missing)
