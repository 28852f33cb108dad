"""The verbs: failwell export, import and backup, on FAILWELL_DATABASE_URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from failwell.cli import main
from failwell.settings import get_settings
from portability.conftest import FreshDatabase
from support import Org


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("FAILWELL_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        code = main(list(args))
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr()
    return code, out.out, out.err


def test_export_then_import_elsewhere_then_refuse_a_second_import(
    org: Org,
    database_url: str,
    fresh: FreshDatabase,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = tmp_path / "org.zip"
    code, out, _ = run(capsys, monkeypatch, database_url, "export", "--output", str(archive))
    assert code == 0 and "Exported" in out and archive.exists()
    other = "postgresql" if database_url.startswith("sqlite") else "sqlite"
    with fresh(other) as target:
        code, out, _ = run(capsys, monkeypatch, target.url, "import", str(archive))
        assert code == 0 and "Restored" in out
        code, _, err = run(capsys, monkeypatch, target.url, "import", str(archive))
        assert code == 1
        # The first table found holding rows is named (the audit trail's, once anything is recorded).
        (line,) = err.strip().splitlines()
        assert re.fullmatch(
            r"error: the database holds data \(table \w+\); import restores into an empty one", line
        )
        again = tmp_path / "again.zip"
        assert run(capsys, monkeypatch, target.url, "export", "-o", str(again))[0] == 0
    assert again.read_bytes() == archive.read_bytes()


def test_backup_verb(
    org: Org,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = tmp_path / "backup.out"
    code, out, _ = run(capsys, monkeypatch, database_url, "backup", "--output", str(output))
    assert code == 0 and output.exists()
    assert ("SQLite database file" if database_url.startswith("sqlite") else "export archive") in out


def test_import_of_a_damaged_file_is_one_line(
    fresh: FreshDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK junk")
    with fresh("sqlite") as target:
        code, _, err = run(capsys, monkeypatch, target.url, "import", str(junk))
    assert code == 1
    assert err.startswith("error: archive: cannot read") and len(err.strip().splitlines()) == 1
