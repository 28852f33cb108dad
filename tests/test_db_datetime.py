"""UTCDateTime's own SQLite processors write and read exactly what SQLAlchemy's chain did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from failwell.db import UTCDateTime

_DIALECT = sqlite.dialect()
_OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_TIMES = st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.none() | st.just(UTC) | _OFFSETS,
)


def _chained(value: datetime | None) -> Any:
    """What SQLAlchemy did before: this type's step, then SQLite's DATETIME formatting."""
    sqlalchemy_format = DATETIME().bind_processor(_DIALECT)
    assert sqlalchemy_format is not None
    return sqlalchemy_format(UTCDateTime().process_bind_param(value, _DIALECT))


@given(_TIMES)
def test_sqlite_text_is_sqlalchemys_text(value: datetime) -> None:
    fast = UTCDateTime().bind_processor(_DIALECT)
    assert fast(value) == _chained(value)
    back = UTCDateTime().result_processor(_DIALECT, None)(fast(value))
    assert back.tzinfo is UTC
    assert back == (value if value.tzinfo else value.replace(tzinfo=UTC))


def test_none_and_other_spellings_read_back() -> None:
    read = UTCDateTime().result_processor(_DIALECT, None)
    assert UTCDateTime().bind_processor(_DIALECT)(None) is None
    assert read(None) is None
    assert read("2026-12-07 21:00:00") == datetime(2026, 12, 7, 21, tzinfo=UTC)  # SQLite's own
    assert read("2026-12-07T23:00:00+02:00") == datetime(2026, 12, 7, 21, tzinfo=UTC)


def test_a_round_trip_through_sqlite(tmp_path: Any) -> None:
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    engine = create_engine(f"sqlite:///{tmp_path / 'd.db'}")
    table.metadata.create_all(engine)
    at = datetime(2026, 3, 29, 1, 30, 5, 12, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": 1, "at": at}, {"id": 2, "at": None}])
        assert conn.scalar(text("SELECT at FROM t WHERE id = 1")) == "2026-03-28 23:30:05.000012"
        assert conn.execute(select(table.c.at).order_by(table.c.id)).scalars().all() == [at, None]
    engine.dispose()
