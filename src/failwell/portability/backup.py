"""A consistent copy of a live database, taken while the server keeps writing.

SQLite: the database file itself, copied with SQLite's online backup API in one step (a read
snapshot, so writers in WAL mode carry on and the copy holds exactly the transactions committed
when it began), then checked with ``PRAGMA integrity_check``. PostgreSQL: the export archive,
read in one REPEATABLE READ transaction (``pg_dump`` is the alternative; see
docs/backup-and-restore.md).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from failwell.db import Database, is_sqlite
from failwell.errors import Conflict
from failwell.portability.export import export_to


@dataclass(frozen=True)
class BackupSummary:
    kind: str  # "sqlite-file" or "export-archive"
    output: Path


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise Conflict(detail="backup needs a SQLite database file, not an in-memory database")
    path = Path(database)
    if not path.exists():
        raise Conflict(detail=f"no SQLite database at {path}")
    return path


def backup_sqlite(url: str, output: Path) -> None:
    """Copies the SQLite database at url to output through the online backup API."""
    source_path = _sqlite_path(url)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    try:
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(partial)
        try:
            # pages=-1: every page in one step, under one read snapshot. Stepwise copies restart
            # whenever another connection writes, which a busy server does all the time.
            source.backup(target, pages=-1)
            # The copy is one self-contained file, whatever the source's journal mode.
            target.execute("PRAGMA journal_mode=DELETE")
            verdict = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
            source.close()
        if not verdict or verdict[0] != "ok":
            raise Conflict(detail=f"the copy failed its integrity check: {verdict}")
        os.replace(partial, output)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def backup(db: Database, output: Path) -> BackupSummary:
    if is_sqlite(db.url):
        backup_sqlite(db.url, output)
        return BackupSummary(kind="sqlite-file", output=output)
    export_to(db, output)
    return BackupSummary(kind="export-archive", output=output)
