"""Schema migrations (Alembic), callable from the CLI, the app and the tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from failwell.db import make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Tables the database engine manages itself: SQLite's FTS5 indexes of failures (migrations 0004
# and 0006) and their shadow tables, and the commit index that triggers keep (migration 0020,
# failwell.changes.commit_index). Migrations create them; no model describes them.
UNMANAGED_TABLES = re.compile(r"^(failure_fts(_[a-z]+)*|deployment_commits)$")


def is_unmanaged_table(name: str) -> bool:
    return UNMANAGED_TABLES.match(name) is not None


def only_this_dialect(dialect: str) -> Callable[..., bool]:
    """An Alembic include_object hook: leaves out schema items declared for another
    database with .ddl_if(dialect=...), e.g. PostgreSQL's trigram indexes on SQLite."""

    def include(obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object) -> bool:
        if type_ == "table" and name and is_unmanaged_table(name):
            return False
        condition = getattr(obj, "_ddl_if", None)
        wanted = getattr(condition, "dialect", None)
        if not wanted:
            return True
        return dialect in ([wanted] if isinstance(wanted, str) else wanted)

    return include


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    engine = make_engine(url, pool_size=1)
    cfg = alembic_config(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
