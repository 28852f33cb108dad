"""Export → import → export gives the same archive, byte for byte, across both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from failwell.authz import SYSTEM
from failwell.db import Base, Database
from failwell.demo.loader import load_demo
from failwell.failures.models import Failure
from failwell.failures.search import FailureSearch, matching
from failwell.insights.models import DeploymentRollup
from failwell.people import teams
from failwell.people.models import Team
from failwell.people.schemas import TeamIn
from failwell.portability.export import export_to
from failwell.portability.importer import import_from
from failwell.search import parse
from portability.conftest import FreshDatabase

TODAY = date(2026, 11, 22)


def count(db: Database, model: type) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def found(db: Database, words: str) -> set[int]:
    with db.session(write=False) as s:
        return set(s.scalars(select(matching(s, parse(words), ranked=False).c.failure_id)))


def test_demo_organisation_survives_sqlite_postgresql_sqlite_byte_for_byte(
    fresh: FreshDatabase, tmp_path: Path
) -> None:
    archive_a, archive_b, archive_c = (tmp_path / f"{n}.zip" for n in "abc")
    with fresh("sqlite") as source:
        load_demo(source, today=TODAY)
        export_to(source, archive_a)
        rollup = count(source, DeploymentRollup)
        pool_failures = found(source, "connection pool")
    with fresh("postgresql") as middle:
        import_from(middle, archive_a)
        export_to(middle, archive_b)
        # Derived data is rebuilt, not carried: the search index is whole and answers.
        assert count(middle, FailureSearch) == count(middle, Failure) == 150
        assert found(middle, "connection pool")
        assert count(middle, DeploymentRollup) == rollup
        # The id sequences moved past the restored rows: new records get new ids.
        with middle.session() as s:
            team = teams.create_team(s, SYSTEM, TeamIn(name="after-the-move", description=""))
            assert team.id == s.scalar(select(func.max(Team.id)))
    with fresh("sqlite") as last:
        import_from(last, archive_b)
        export_to(last, archive_c)
        assert count(last, FailureSearch) == 150
        assert pool_failures and found(last, "connection pool") == pool_failures
    a, b, c = (p.read_bytes() for p in (archive_a, archive_b, archive_c))
    assert a == b == c


@pytest.mark.parametrize(("origin", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_values_of_every_kind_survive_the_trip(
    origin: str, target: str, fresh: FreshDatabase, tmp_path: Path
) -> None:
    """JSON (nested, unicode, floats), bytes (with NULs), microseconds, booleans, sealed secrets."""
    tables = Base.metadata.tables
    when = datetime(2026, 3, 1, 23, 59, 59, 123456, tzinfo=UTC)
    with fresh(origin) as source:
        with source.session() as s:
            s.execute(
                insert(tables["integrations"]),
                [
                    {
                        "id": 7,
                        "kind": "github",
                        "name": "Café ☕ hooks",
                        "secret_sealed": "enc:gAAAAABsealed-ciphertext-as-stored==",
                        "secret_hint": "…f00d",
                        "active": False,
                        "settings": {"z": [1, 2.5, None, True], "a": {"ü": "x\ny"}},
                        "created_at": when,
                    }
                ],
            )
            s.execute(
                insert(tables["integration_deliveries"]),
                [
                    {
                        "id": 3,
                        "integration_id": 7,
                        "delivery_key": "k-1",
                        "event": "push",
                        "received_at": when,
                        "body": b"\x00\x01binary\xff",
                        "headers": {"X-B": "2", "X-A": "1"},
                        "verdict": "unmapped",
                        "detail": "",
                        "result": {},
                        "replayed_at": None,
                    }
                ],
            )
            s.execute(
                insert(tables["org_settings"]),
                [{"key": "Zeta", "value": "1"}, {"key": "alpha", "value": "2"}],
            )
        first = tmp_path / "first.zip"
        export_to(source, first)
    with fresh(target) as copy:
        import_from(copy, first)
        second = tmp_path / "second.zip"
        export_to(copy, second)
        with copy.session(write=False) as s:
            row = s.execute(select(tables["integration_deliveries"])).one()
            integration = s.execute(select(tables["integrations"])).one()
    assert first.read_bytes() == second.read_bytes()
    assert row.body == b"\x00\x01binary\xff" and row.received_at == when
    assert integration.secret_sealed == "enc:gAAAAABsealed-ciphertext-as-stored=="
    assert integration.settings == {"z": [1, 2.5, None, True], "a": {"ü": "x\ny"}}
