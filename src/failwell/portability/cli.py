"""`failwell export`, `failwell import` and `failwell backup`, on FAILWELL_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from failwell.cli_support import console, local_database

if TYPE_CHECKING:
    from failwell.db import Database


def _database() -> Database:
    return local_database()


def export(
    output: Annotated[
        Path, typer.Option("--output", "-o", dir_okay=False, help="Archive to write (a .zip).")
    ],
) -> None:
    """Write the whole organisation to a portable archive (restore it with `failwell import`)."""
    from failwell.portability.export import export_to

    db = _database()
    try:
        summary = export_to(db, output)
    finally:
        db.dispose()
    console.print(
        f"Exported {summary.rows} rows of {summary.tables} tables (schema {summary.revision}) to {output}.",
        highlight=False,
        soft_wrap=True,
    )


def import_archive(
    archive: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="An archive from `failwell export`.")
    ],
) -> None:
    """Restore an export into an empty database (SQLite or PostgreSQL), then rebuild the search index."""
    from failwell.portability.importer import import_from

    db = _database()
    try:
        summary = import_from(db, archive)
    finally:
        db.dispose()
    console.print(f"Restored {summary.rows} rows of {summary.tables} tables from {archive}.", highlight=False)
    if summary.failures_without_embedding:
        console.print(
            f"{summary.failures_without_embedding} failures have no embedding yet: "
            "run `failwell recurrence reindex` for similar-failure suggestions on them.",
            highlight=False,
        )


def backup(
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False, help="File to write.")],
) -> None:
    """Take a consistent copy while the server runs: a SQLite file, or an export archive on PostgreSQL."""
    from failwell.portability.backup import backup as take_backup

    db = _database()
    try:
        summary = take_backup(db, output)
    finally:
        db.dispose()
    what = "SQLite database file" if summary.kind == "sqlite-file" else "export archive"
    console.print(f"Backed up to {output} ({what}).", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Adds these commands to the `failwell` command."""
    app.command("export")(export)
    app.command("import")(import_archive)
    app.command("backup")(backup)
