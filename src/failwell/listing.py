"""Pagination and sorting shared by every list: whitelisted sort keys, capped counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, SQLColumnExpression, case, func, literal, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from failwell.errors import InvalidInput
from failwell.fields import InputModel

T = TypeVar("T")

# Counting every match of a broad filter over a million rows costs more than the page
# itself; beyond this many (20 pages of 50), lists report "at least" instead.
COUNT_CAP = 1_000


class PageParams(InputModel):
    limit: int = Field(50, ge=1, le=500, description="Items per page (1-500).")
    offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip.")
    sort: str | None = Field(
        None, max_length=64, description="Sort key; prefix with '-' for descending, e.g. -started_at."
    )


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Number of matches, exact unless total_exact is false.")
    total_exact: bool = Field(description=f"False when there are more than {COUNT_CAP} matches.")
    limit: int
    offset: int


@dataclass(frozen=True)
class RankedLowFirst:
    """A sort key on a scale whose smallest value ranks highest (severity 1 is the most severe).
    Keys read the way people mean them: '-severity' lists the most severe first."""

    column: SQLColumnExpression[Any]


def apply_sort(
    stmt: Select[Any],
    sort: str | None,
    allowed: Mapping[str, SQLColumnExpression[Any] | RankedLowFirst],
    default: str,
    tiebreak: QueryableAttribute[Any],
) -> Select[Any]:
    key = sort or default
    descending = key.startswith("-")
    name = key.lstrip("-")
    entry = allowed.get(name)
    if entry is None:
        choices = ", ".join(sorted(allowed))
        raise InvalidInput.on(
            "sort", f"unknown sort key '{name}'; use one of: {choices} (prefix '-' to reverse)"
        )
    if isinstance(entry, RankedLowFirst):
        # Read the column the other way; an index on it serves either direction.
        column, descending = entry.column, not descending
    else:
        column = entry
    ordered = column.desc() if descending else column.asc()
    # Empty values go last on both databases (their defaults disagree). Only for columns
    # that can be empty: NULLS LAST on a NOT NULL column would stop PostgreSQL from
    # reading a descending index backwards, and it would sort the whole table instead.
    if _nullable(column):
        ordered = ordered.nulls_last()
    return stmt.order_by(ordered, tiebreak.desc() if descending else tiebreak.asc())


def _nullable(column: SQLColumnExpression[Any]) -> bool:
    table_column = getattr(column, "expression", column)
    return bool(getattr(table_column, "nullable", False))


def paginate(session: Session, stmt: Select[Any], params: PageParams) -> tuple[Sequence[Any], int, bool]:
    """Returns the page's rows, the (possibly capped) total, and whether it is exact."""
    rows = session.scalars(stmt.limit(params.limit).offset(params.offset)).unique().all()
    if params.offset == 0 and len(rows) < params.limit:
        return rows, len(rows), True
    total, exact = capped_count(session, stmt)
    return rows, total, exact


def capped_count(session: Session, stmt: Select[*tuple[Any, ...]]) -> tuple[int, bool]:
    """How many rows the statement selects, counted up to COUNT_CAP; and whether that is exact."""
    # Count a constant, not the page's columns: SQLite can then count index entries
    # without reading table rows. maintain_column_froms keeps the FROM of an unfiltered list.
    narrow = stmt.with_only_columns(literal(1), maintain_column_froms=True)
    capped = narrow.order_by(None).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(capped)) or 0
    return min(total, COUNT_CAP), total <= COUNT_CAP


def page_of(items: list[T], total: int, exact: bool, params: PageParams) -> Page[T]:
    return Page[T](items=items, total=total, total_exact=exact, limit=params.limit, offset=params.offset)


def text_match(text: str, *columns: QueryableAttribute[Any]) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of the columns; '%' and '_' match themselves."""
    needle = text.strip()
    return or_(*(column.icontains(needle, autoescape=True) for column in columns))


def rank_of(column: QueryableAttribute[Any], scale: Sequence[Any]) -> ColumnElement[int]:
    """Orders an enum column by its place on a scale (e.g. low < medium < high), not alphabetically."""
    return case({value: position for position, value in enumerate(scale)}, value=column, else_=len(scale))
