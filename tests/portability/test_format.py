"""The archive's lists stay true to the schema as slices add tables."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, Boolean, Column, Date, LargeBinary

import failwell.models  # noqa: F401
from failwell.db import Base, UTCDateTime
from failwell.portability.export import exported_tables
from failwell.portability.format import (
    EXCLUDED_TABLES,
    SECRET_COLUMNS,
    SEEDED_TABLES,
    decode_value,
    encode_value,
)


def test_every_listed_table_and_column_exists() -> None:
    tables = Base.metadata.tables
    assert set(EXCLUDED_TABLES) <= set(tables)
    assert {t.name for t in exported_tables()} >= SEEDED_TABLES
    for table, columns in SECRET_COLUMNS.items():
        assert set(columns) <= set(tables[table].columns.keys()), table


def test_a_column_that_looks_secret_is_listed_as_one_or_is_a_hash() -> None:
    """A new sealed secret must be named in SECRET_COLUMNS so the docs and manifest say so."""
    for table in exported_tables():
        for column in table.columns:
            name = column.name
            if ("secret" in name or "sealed" in name) and not name.endswith(("_hash", "_hint")):
                assert name in SECRET_COLUMNS.get(table.name, ()), f"{table.name}.{name}"


def test_every_table_not_excluded_is_exported_parents_first() -> None:
    names = [t.name for t in exported_tables()]
    assert set(names) == set(Base.metadata.tables) - set(EXCLUDED_TABLES)
    seen: set[str] = set()
    for table in exported_tables():
        for fk in table.foreign_keys:
            assert fk.column.table.name in seen | {table.name}, (table.name, fk.column.table.name)
        seen.add(table.name)


def test_values_read_back_as_written() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    cases = [
        (Column("t", UTCDateTime), when, "2026-01-02T03:04:05.000006Z"),
        (Column("d", Date), date(2026, 1, 2), "2026-01-02"),
        (Column("b", LargeBinary), b"\x00\xff", "AP8="),
        (Column("f", Boolean), True, True),
        (Column("j", JSON), {"b": [1.5]}, {"b": [1.5]}),
    ]
    for column, value, encoded in cases:
        assert encode_value(column, value) == encoded
        assert decode_value(column, encoded) == value
    # SQLite hands back times without a zone: they are UTC.
    assert encode_value(Column("t", UTCDateTime), when.replace(tzinfo=None)) == "2026-01-02T03:04:05.000006Z"
