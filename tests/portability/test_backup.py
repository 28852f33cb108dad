"""`failwell backup` takes a consistent copy while another writer keeps committing."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from failwell.db import Base, Database
from failwell.errors import Conflict
from failwell.portability.backup import backup, backup_sqlite
from failwell.portability.export import export_to
from failwell.portability.importer import import_from
from portability.conftest import FreshDatabase

SETTINGS = Base.metadata.tables["org_settings"]


class Writer(threading.Thread):
    """Commits one org_settings row per transaction until told to stop; counts its commits."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.db = Database(url, pool_size=1)
        self.committed = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with self.db.session() as s:
                    s.execute(insert(SETTINGS).values(key=f"k{self.committed:06d}", value="v" * 200))
                self.committed += 1
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.db.dispose()

    def wait_for(self, rows: int) -> None:
        while self.committed < rows and self.is_alive():
            self.stop.wait(0.01)


def test_sqlite_backup_while_writing_is_whole_and_holds_every_earlier_commit(
    fresh: FreshDatabase, tmp_path: Path
) -> None:
    with fresh("sqlite") as db:
        writer = Writer(db.url)
        writer.start()
        try:
            writer.wait_for(200)
            before = writer.committed
            output = tmp_path / "copy.db"
            summary = backup(db, output)
            writer.wait_for(before + 50)  # the writer was never blocked for long
        finally:
            writer.stop.set()
            writer.join(30)
        assert writer.error is None
        assert summary.kind == "sqlite-file"
        copy = sqlite3.connect(output)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            held = copy.execute("SELECT count(*) FROM org_settings").fetchone()[0]
            keys = [k for (k,) in copy.execute("SELECT key FROM org_settings ORDER BY key")]
        finally:
            copy.close()
        # Every commit made before the backup began, and no gap: a prefix of the writer's rows.
        assert before <= held <= writer.committed
        assert keys == [f"k{i:06d}" for i in range(held)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_export_while_writing_is_one_snapshot(backend: str, fresh: FreshDatabase, tmp_path: Path) -> None:
    """On PostgreSQL this is what `failwell backup` writes; on SQLite what `failwell export` does."""
    output = tmp_path / "export.zip"
    with fresh(backend) as db:
        writer = Writer(db.url)
        writer.start()
        try:
            writer.wait_for(100)
            before = writer.committed
            if backend == "postgresql":
                assert backup(db, output).kind == "export-archive"
            else:
                export_to(db, output)
        finally:
            writer.stop.set()
            writer.join(30)
        assert writer.error is None
    with fresh("sqlite") as restored:
        import_from(restored, output)
        with restored.session(write=False) as s:
            keys = list(s.scalars(select(SETTINGS.c.key).order_by(SETTINGS.c.key)))
    assert before <= len(keys) <= writer.committed
    assert keys == [f"k{i:06d}" for i in range(len(keys))]


def test_backup_of_an_in_memory_or_missing_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Conflict, match="SQLite database file"):
        backup_sqlite("sqlite://", tmp_path / "x.db")
    with pytest.raises(Conflict, match="no SQLite database at"):
        backup_sqlite(f"sqlite:///{tmp_path / 'absent.db'}", tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()
