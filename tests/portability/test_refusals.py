"""An import refuses, and changes nothing, unless the archive is intact, of this schema and the
database empty; an export refuses a database at another schema revision."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from failwell.db import Database
from failwell.errors import Conflict
from failwell.people.models import Person, Team
from failwell.portability.export import export_to
from failwell.portability.format import MANIFEST, ArchiveError, zip_info
from failwell.portability.importer import import_from
from portability.conftest import FreshDatabase
from support import Org


def people(db: Database) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(Person)) or 0)


def rewritten(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    """A copy of the archive with some members' bytes replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(zip_info(info.filename), change.get(info.filename, old.read(info.filename)))
    return target


@pytest.fixture
def archive(db: Database, org: Org, tmp_path: Path) -> Path:
    path = tmp_path / "org.zip"
    export_to(db, path)
    return path


def test_a_database_holding_data_is_refused_and_left_alone(db: Database, archive: Path) -> None:
    before = people(db)
    with pytest.raises(Conflict, match="holds data"):
        import_from(db, archive)
    assert people(db) == before


def test_a_tampered_member_is_refused_before_anything_is_written(
    archive: Path, fresh: FreshDatabase, tmp_path: Path
) -> None:
    with zipfile.ZipFile(archive) as z:
        teams = z.read("tables/teams.jsonl").replace(b"payments-team", b"pwned-team!!!")
    tampered = rewritten(archive, tmp_path / "tampered.zip", {"tables/teams.jsonl": teams})
    with fresh("sqlite") as target:
        with pytest.raises(ArchiveError, match="checksum"):
            import_from(target, tampered)
        assert people(target) == 0


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("schema_revision", "9999", "schema revision 9999"),
        ("schema_revision", "0001", "schema revision 0001"),
        ("format_version", 2, "format version 2"),
        ("format", "something-else", "not a failwell export"),
    ],
)
def test_another_schema_or_format_is_refused(
    archive: Path, fresh: FreshDatabase, tmp_path: Path, field: str, value: object, reason: str
) -> None:
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read(MANIFEST))
    manifest[field] = value
    other = rewritten(archive, tmp_path / "other.zip", {MANIFEST: json.dumps(manifest).encode()})
    with fresh("sqlite") as target:
        with pytest.raises(ArchiveError, match=reason):
            import_from(target, other)
        assert people(target) == 0


def test_a_file_that_is_not_an_archive_is_refused(fresh: FreshDatabase, tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    with fresh("sqlite") as target, pytest.raises(ArchiveError, match="cannot read"):
        import_from(target, junk)


def test_rows_the_database_refuses_roll_the_whole_import_back(
    archive: Path, fresh: FreshDatabase, tmp_path: Path
) -> None:
    """An archive whose checksums match but whose rows break a constraint (a person twice)."""
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read(MANIFEST))
        lines = z.read("tables/people.jsonl").splitlines(keepends=True)
    doubled = b"".join([*lines, lines[0]])
    entry = next(t for t in manifest["tables"] if t["name"] == "people")
    entry["rows"], entry["sha256"] = len(lines) + 1, hashlib.sha256(doubled).hexdigest()
    broken = rewritten(
        archive,
        tmp_path / "broken.zip",
        {"tables/people.jsonl": doubled, MANIFEST: json.dumps(manifest).encode()},
    )
    with fresh("sqlite") as target:
        with pytest.raises(IntegrityError):
            import_from(target, broken)
        assert people(target) == 0
        with target.session(write=False) as s:
            assert s.scalar(select(func.count()).select_from(Team)) == 0


def test_per_installation_tables_do_not_count_as_data(archive: Path, fresh: FreshDatabase) -> None:
    with fresh("sqlite") as target:
        with target.session() as s:
            s.execute(
                text(
                    "INSERT INTO sign_in_throttle (key, failures, window_started_at) "
                    "VALUES ('x', 1, '2026-01-01 00:00:00')"
                )
            )
        import_from(target, archive)
        assert people(target) == 4


def test_an_export_refuses_a_database_at_another_revision(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0010'"))
    with pytest.raises(Conflict, match="schema revision 0010"):
        export_to(db, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_a_row_that_is_not_json_is_refused_even_with_a_matching_checksum(
    archive: Path, fresh: FreshDatabase, tmp_path: Path
) -> None:
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read(MANIFEST))
    garbage = b"{not json\n"
    entry = next(t for t in manifest["tables"] if t["name"] == "teams")
    entry["rows"], entry["sha256"] = 1, hashlib.sha256(garbage).hexdigest()
    broken = rewritten(
        archive,
        tmp_path / "garbage.zip",
        {"tables/teams.jsonl": garbage, MANIFEST: json.dumps(manifest).encode()},
    )
    with fresh("sqlite") as target:
        with pytest.raises(ArchiveError, match="a row of teams is not JSON"):
            import_from(target, broken)
        assert people(target) == 0
