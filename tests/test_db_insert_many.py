"""failwell.db.insert_many_ids: rows in, their ids out in the same order, on both databases."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, select

from failwell.db import Database, insert_many_ids

_METADATA = MetaData()
_NOTES = Table(
    "scratch_insert_many",
    _METADATA,
    Column("id", Integer, primary_key=True),
    Column("label", String(40), nullable=False),
)


def test_ids_come_back_in_the_order_of_the_rows(db: Database) -> None:
    _METADATA.create_all(db.engine)
    try:
        with db.session() as s:
            assert insert_many_ids(s.connection(), _NOTES, []) == []
            first = insert_many_ids(s.connection(), _NOTES, [{"label": f"a{i}"} for i in range(5)])
        with db.session() as s:
            # The largest id gone: SQLite would reuse it, and so do the chosen ids; PostgreSQL's
            # sequence does not. Either way, each id is the row given at its place.
            s.execute(delete(_NOTES).where(_NOTES.c.id == first[-1]))
            rows = [{"label": f"b{i}"} for i in range(1_200)]  # over one page of parameters
            second = insert_many_ids(s.connection(), _NOTES, rows)
        with db.session(write=False) as s:
            stored = {row.id: row.label for row in s.execute(select(_NOTES.c.id, _NOTES.c.label))}
        assert [stored[i] for i in first[:-1]] == [f"a{i}" for i in range(4)]
        assert [stored[i] for i in second] == [f"b{i}" for i in range(1_200)]
        assert len(set(first[:-1]) | set(second)) == 1_204
        assert min(second) > max(first[:-1])
    finally:
        _METADATA.drop_all(db.engine)
