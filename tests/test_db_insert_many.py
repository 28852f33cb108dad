"""failwell.db.insert_many_ids: rows in, their ids out in the same order, every column's value
stored as the ORM would store it, on both databases."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Enum,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    select,
)

from failwell.db import Database, UTCDateTime, insert_many_ids

_METADATA = MetaData()


class Colour(enum.StrEnum):
    red = "red"
    green = "green"


_NOTES = Table(
    "scratch_insert_many",
    _METADATA,
    Column("id", Integer, primary_key=True),
    Column("label", String(40), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("at", UTCDateTime, nullable=True),
    Column("done", Boolean, nullable=False),
    Column("colour", Enum(Colour, native_enum=False, length=16), nullable=True),
    Column("kind", String(16), nullable=False, default="plain"),
    Column("noted_at", UTCDateTime, nullable=False, default=lambda: datetime(2026, 1, 2, tzinfo=UTC)),
    Column("body", LargeBinary, nullable=True),
)


def _row(label: str, i: int) -> dict[str, object]:
    at = datetime(2026, 12, 7, 9, tzinfo=timezone(timedelta(hours=2))) + timedelta(minutes=i)
    return {
        "label": label,
        "tags": [f"t{i}", {"n": i, 7: 'quote " and \\ slash'}] if i % 3 else [],
        "at": None if i % 4 == 0 else at,
        "done": i % 2 == 0,
        "colour": None if i % 5 == 0 else list(Colour)[i % 2],
        # Raw bytes of any value (a webhook's body), and JSON with number keys and text to escape.
        "body": None if i % 6 == 0 else bytes([i % 256, 0, 255, 92, 34]) + "é".encode(),
    }


def test_ids_come_back_in_the_order_of_the_rows(db: Database) -> None:
    _METADATA.create_all(db.engine)
    try:
        with db.session() as s:
            assert insert_many_ids(s.connection(), _NOTES, []) == []
            first = insert_many_ids(s.connection(), _NOTES, [_row(f"a{i}", i) for i in range(5)])
        with db.session() as s:
            # The largest id gone: SQLite would reuse it, and so do the chosen ids; PostgreSQL's
            # sequence does not. Either way, each id is the row given at its place.
            s.execute(delete(_NOTES).where(_NOTES.c.id == first[-1]))
            rows = [_row(f"b{i}", i) for i in range(4_000)]  # over one statement of parameters (SQLite)
            second = insert_many_ids(s.connection(), _NOTES, rows)
        with db.session(write=False) as s:
            stored = {row.id: row for row in s.execute(select(_NOTES))}
        assert [stored[i].label for i in first[:-1]] == [f"a{i}" for i in range(4)]
        assert [stored[i].label for i in second] == [f"b{i}" for i in range(4_000)]
        assert len(set(first[:-1]) | set(second)) == 4_004
        assert min(second) > max(first[:-1])
        for i, new_id in enumerate(second):
            want, got = _row(f"b{i}", i), stored[new_id]
            tags = want["tags"] and [f"t{i}", {"n": i, "7": 'quote " and \\ slash'}]  # JSON's keys are text
            assert (got.tags, got.done, got.colour) == (tags, want["done"], want["colour"])
            assert got.body == want["body"]
            assert got.at == want["at"] and (got.at is None or got.at.tzinfo == UTC)
            # Columns left out get their client-side defaults, as with an ORM insert.
            assert (got.kind, got.noted_at) == ("plain", datetime(2026, 1, 2, tzinfo=UTC))
    finally:
        _METADATA.drop_all(db.engine)
