"""Weekly or monthly trends of the delivery and learning metrics over a scope's window.

Each period is measured as its own scope (the same definitions and expressions; the deployment
rollup is read once for all of them, and each failure measure is one query grouped by period),
so a trend's points always agree with the figures of a window of that period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from failwell.failures.models import Failure
from failwell.insights.delivery import Recovery, dora_from, failure_scope, recovery_values
from failwell.insights.learning import kind_sums, recurs_case
from failwell.insights.measures import Scope, continuous_percentiles, share
from failwell.insights.rollup_read import measure_periods

PERIODS = ("week", "month")
MAX_POINTS = 60


@dataclass(frozen=True)
class TrendPoint:
    start: datetime
    end: datetime
    deployments: int
    change_fail_rate: float | None
    rework_rate: float | None
    change_lead_time: float | None
    recovery_time: float | None
    failures: int
    repeat_rate: float | None
    near_misses: int
    incidents: int

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m-%d")

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("start", "end")}
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), **out}


def _floor(moment: datetime, period: str) -> datetime:
    day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if period == "week":
        return day - timedelta(days=day.weekday())  # Mondays
    return day.replace(day=1)


def _next(start: datetime, period: str) -> datetime:
    if period == "week":
        return start + timedelta(days=7)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def period_bounds(since: datetime, until: datetime, period: str) -> list[tuple[datetime, datetime]]:
    """Calendar weeks (Monday to Monday, UTC) or months covering [since, until), the first and
    last clipped to the window; at most MAX_POINTS, the latest kept."""
    bounds: list[tuple[datetime, datetime]] = []
    start = _floor(since.astimezone(UTC), period)
    while start < until:
        end = _next(start, period)
        bounds.append((max(start, since), min(end, until)))
        start = end
    return bounds[-MAX_POINTS:]


def trend(session: Session, scope: Scope, period: str) -> list[TrendPoint]:
    points = []
    bounds = period_bounds(scope.since, scope.until, period)
    if not bounds:
        return []
    # One read of the deployment rollup for every period at once, and one grouped query per
    # failure measure (by each failure's period) instead of one per period.
    totals = measure_periods(session, scope, bounds)
    whole = replace(scope, since=bounds[0][0], until=bounds[-1][1])
    slot = period_of(Failure.started_at, bounds)
    recoveries = _recoveries(session, whole, slot, len(bounds))
    repeats = _grouped(session, whole, slot, func.count(), func.sum(recurs_case()))
    kinds = _grouped(session, whole, slot, *kind_sums())
    for i, ((start, end), deployed) in enumerate(zip(bounds, totals, strict=True)):
        part = replace(scope, since=start, until=end)
        d = dora_from(session, part, deployed, recoveries[i])
        failures, recurring = repeats.get(i, (0, 0))
        near, incidents = kinds.get(i, (0, 0))
        points.append(
            TrendPoint(
                start=start,
                end=end,
                deployments=d.deployments,
                change_fail_rate=d.change_fail_rate.value,
                rework_rate=d.rework_rate.value,
                change_lead_time=d.change_lead_time.value,
                recovery_time=d.failed_deployment_recovery_time.value,
                failures=failures,
                repeat_rate=share(recurring, failures),
                near_misses=near,
                incidents=incidents,
            )
        )
    return points


def period_of(
    column: ColumnElement[datetime] | InstrumentedAttribute[datetime], bounds: list[tuple[datetime, datetime]]
) -> ColumnElement[int]:
    """The index of the period a time falls in (the bounds are contiguous and in order)."""
    return case(*((column < end, i) for i, (_start, end) in enumerate(bounds)), else_=None)


def _grouped(
    session: Session, scope: Scope, slot: ColumnElement[int], *sums: ColumnElement[Any]
) -> dict[int, tuple[int, int]]:
    rows = session.execute(select(slot, *sums).where(*failure_scope(scope)).group_by(slot))
    return {int(i): (int(a or 0), int(b or 0)) for i, a, b in rows if i is not None}


def _recoveries(session: Session, scope: Scope, slot: ColumnElement[int], n: int) -> list[Recovery]:
    """Each period's (count, median, p90) of recovery hours, from one read of the values."""
    sub = recovery_values(session, scope, slot.label("slot")).subquery()
    hours = sub.c[0]
    values: list[list[float]] = [[] for _ in range(n)]
    for value, i in session.execute(select(hours, sub.c.slot).where(hours.is_not(None))):
        if i is not None:
            values[int(i)].append(float(value))
    out: list[Recovery] = []
    for found in values:
        median, p90 = continuous_percentiles(found, (0.5, 0.9))
        out.append((len(found), median, p90))
    return out
