"""Schema migrations: from nothing to head and back, on SQLite and on PostgreSQL.

Each test gets an empty database of its own (a new SQLite file, or a PostgreSQL
database named failwell_mig_<random> that it creates and drops), not the migrated
template the other tests share.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

import failwell.models  # noqa: F401  (registers every table on Base.metadata)
from failwell.db import Base, make_engine
from failwell.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    is_unmanaged_table,
    only_this_dialect,
    upgrade,
)
from support import REQUIRE_PG, pg_available, scratch_pg_database

EXPECTED_CATEGORIES = {
    "change_or_configuration",
    "capacity",
    "dependency",
    "detection_gap",
    "process",
    "knowledge",
    "tooling",
    "hardware",
    "time",
    "security",
    "other",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nested' / 'dir' / 'empty.db'}"
        return
    reason = pg_available()
    if reason:
        if REQUIRE_PG:
            pytest.fail(reason + " (FAILWELL_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    with scratch_pg_database(f"failwell_mig_{uuid.uuid4().hex[:12]}") as url:
        yield url


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    eng = make_engine(empty_url, pool_size=2)
    yield eng
    eng.dispose()


def downgrade(url: str, revision: str = "base") -> None:
    eng = make_engine(url, pool_size=1)
    try:
        cfg = alembic_config(url)
        with eng.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        eng.dispose()


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        options = {"compare_type": True, "include_object": only_this_dialect(conn.dialect.name)}
        context = MigrationContext.configure(conn, opts=options)
        return list(compare_metadata(context, Base.metadata))


def app_tables(engine: Engine) -> set[str]:
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not is_unmanaged_table(name)}


def seeded(engine: Engine) -> tuple[list[str], list[tuple[int, str]]]:
    with engine.connect() as conn:
        keys = list(conn.scalars(text("SELECT key FROM factor_categories ORDER BY key")))
        rows = conn.execute(text("SELECT level, name FROM severity_levels"))
        levels = [(int(level), str(name)) for level, name in rows]
    return keys, sorted(levels)


def test_upgrade_from_empty_reaches_head(empty_url: str, engine: Engine) -> None:
    assert app_tables(engine) == set()
    upgrade(empty_url)
    assert head_revision() is not None
    assert current_revision(engine) == head_revision()
    assert app_tables(engine) == set(Base.metadata.tables)


def test_migrated_schema_matches_the_models(empty_url: str, engine: Engine) -> None:
    upgrade(empty_url)
    assert schema_differences(engine) == []


def test_downgrade_to_base_then_upgrade_again(empty_url: str, engine: Engine) -> None:
    upgrade(empty_url)
    downgrade(empty_url, "base")
    assert current_revision(engine) is None
    assert app_tables(engine) == set()
    upgrade(empty_url)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    keys, levels = seeded(engine)
    assert sorted(keys) == sorted(EXPECTED_CATEGORIES)
    assert len(levels) == 5


def test_seeded_taxonomy_and_severity_scale(empty_url: str, engine: Engine) -> None:
    upgrade(empty_url)
    keys, levels = seeded(engine)
    assert len(keys) == 11
    assert set(keys) == EXPECTED_CATEGORIES
    assert levels == [(1, "SEV1"), (2, "SEV2"), (3, "SEV3"), (4, "SEV4"), (5, "SEV5")]
    with engine.connect() as conn:
        active = conn.scalar(text("SELECT count(*) FROM factor_categories WHERE is_active"))
        described = conn.scalar(text("SELECT count(*) FROM severity_levels WHERE description <> ''"))
    assert active == 11
    assert described == 5


def test_upgrade_is_idempotent(empty_url: str, engine: Engine) -> None:
    upgrade(empty_url)
    before = seeded(engine)
    upgrade(empty_url)
    upgrade(empty_url, "head")
    assert current_revision(engine) == head_revision()
    assert seeded(engine) == before
    assert schema_differences(engine) == []


def test_foreign_keys_are_enforced(empty_url: str, engine: Engine) -> None:
    upgrade(empty_url)
    team_members = Base.metadata.tables["team_members"]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(team_members.insert().values(team_id=424242, person_id=434343))
    with engine.connect() as conn:
        assert conn.scalar(select(team_members.c.team_id)) is None


# ---- SQLite connection settings -------------------------------------------------


def _pragma(conn: object, name: str) -> object:
    return conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # type: ignore[attr-defined]


def test_sqlite_pragmas_hold_on_every_pooled_connection(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    upgrade(url)
    engine = make_engine(url, pool_size=3, busy_timeout_ms=4321)
    try:
        # Several connections open at once, so the pool must create each one.
        conns = [engine.connect() for _ in range(4)]
        try:
            for conn in conns:
                assert str(_pragma(conn, "journal_mode")).lower() == "wal"
                assert _pragma(conn, "foreign_keys") == 1
                assert _pragma(conn, "busy_timeout") == 4321
                assert _pragma(conn, "synchronous") == 1  # NORMAL
        finally:
            for conn in conns:
                conn.close()
    finally:
        engine.dispose()


def test_sqlite_default_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'default.db'}")
    try:
        with engine.connect() as conn:
            assert _pragma(conn, "busy_timeout") == 15_000
            assert str(_pragma(conn, "journal_mode")).lower() == "wal"
            assert _pragma(conn, "foreign_keys") == 1
    finally:
        engine.dispose()


def test_sqlite_file_is_left_in_wal_mode(tmp_path: Path) -> None:
    """WAL is persistent: a plain sqlite3 client opening the file sees it too."""
    path = tmp_path / "wal.db"
    upgrade(f"sqlite:///{path}")
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        raw.close()


def test_the_commit_index_is_filled_for_the_deployments_already_there(empty_url: str) -> None:
    """Migration 0020 (failwell.changes.commit_index) indexes what was recorded before it."""
    from failwell.authz import SYSTEM
    from failwell.catalogue import service as catalogue
    from failwell.catalogue.schemas import ServiceIn
    from failwell.changes.commit_index import DEPLOYMENT_COMMITS
    from failwell.changes.models import Deployment
    from failwell.changes.schemas import DeploymentIn
    from failwell.changes.service import record_deployment
    from failwell.db import Database
    from failwell.enums import DeploymentOutcome
    from failwell.people import teams
    from failwell.people.schemas import TeamIn

    a, b = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "b2c3d4e5f60718293a4b5c6d7e8f901234567890"

    def deployment(version: str, shas: list[str]) -> DeploymentIn:
        return DeploymentIn(
            service="ledger", environment="production", version=version, commit_shas=shas,
            outcome=DeploymentOutcome.succeeded,
        )  # fmt: skip

    upgrade(empty_url, "0019")
    db = Database(empty_url, pool_size=1)
    try:
        with db.session() as s:
            teams.create_team(s, SYSTEM, TeamIn(name="delivery"))
            catalogue.create_service(s, SYSTEM, ServiceIn(name="ledger", owner_team="delivery"))
            one = record_deployment(s, SYSTEM, deployment("1", [a, b])).id
            record_deployment(s, SYSTEM, deployment("2", []))
            three = record_deployment(s, SYSTEM, deployment("3", [b])).id
            # Written in upper case by a loader that went around the services.
            s.execute(
                Deployment.__table__.update().where(Deployment.id == three).values(commit_shas=[b.upper()])
            )
        upgrade(empty_url)
        with db.session(write=False) as s:
            rows = {(r.sha, r.deployment_id) for r in s.execute(select(DEPLOYMENT_COMMITS))}
        assert rows == {(a, one), (b, one), (b, three)}
        downgrade(empty_url, "0019")
        with db.session(write=False) as s:
            assert s.scalar(text("SELECT count(*) FROM deployments")) == 3
            assert "deployment_commits" not in inspect(s.get_bind()).get_table_names()
    finally:
        db.dispose()
