"""Weekly or monthly trends of the delivery and learning metrics over a scope's window.

Each period is measured as its own scope (the same definitions, the same queries; the
deployment rollup is read once for all of them), so a trend's points always agree with the
figures of a window of that period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from failwell.insights.delivery import dora_from
from failwell.insights.learning import kind_counts, repeat_counts
from failwell.insights.measures import Scope, share
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
    # One read of the deployment rollup for every period at once.
    totals = measure_periods(session, scope, bounds)
    for (start, end), deployed in zip(bounds, totals, strict=True):
        part = replace(scope, since=start, until=end)
        d = dora_from(session, part, deployed)
        failures, recurring = repeat_counts(session, part)
        near, incidents = kind_counts(session, part)
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
