"""Weekly or monthly trends of the delivery and learning metrics over a scope's window.

Each period is measured as its own scope (the same definitions and folds; the deployment and
failure rollups are read once for all of them), so a trend's points always agree with the
figures of a window of that period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from failwell.insights.delivery import Dora, dora, dora_from
from failwell.insights.failure_read import FailureTotals, measure_failures, merged
from failwell.insights.learning import Learning, learning
from failwell.insights.measures import Scope, share
from failwell.insights.rollup_read import Totals, measure_periods, merged_totals

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
    return measure_trend(session, scope, period)[0]


Measured = tuple[list[TrendPoint], list[Totals], list[FailureTotals]]


def measure_trend(session: Session, scope: Scope, period: str) -> Measured:
    """The trend's points, with the deployment and failure totals of each period they were
    made of (the page adds these up into the window's figures rather than reading them again)."""
    bounds = period_bounds(scope.since, scope.until, period)
    if not bounds:
        return [], [], []
    # One read of each rollup (and the part-days at the ends) for every period at once.
    deployed = measure_periods(session, scope, bounds)
    failed = measure_failures(session, scope, bounds)
    points = []
    for (start, end), deployments, failures in zip(bounds, deployed, failed, strict=True):
        part = replace(scope, since=start, until=end)
        d = dora_from(session, part, deployments, failures.recovery())
        points.append(
            TrendPoint(
                start=start,
                end=end,
                deployments=d.deployments,
                change_fail_rate=d.change_fail_rate.value,
                rework_rate=d.rework_rate.value,
                change_lead_time=d.change_lead_time.value,
                recovery_time=d.failed_deployment_recovery_time.value,
                failures=failures.failures,
                repeat_rate=share(failures.recurring, failures.failures),
                near_misses=failures.near_misses,
                incidents=failures.incidents,
            )
        )
    return points, deployed, failed


def overview(
    session: Session, scope: Scope, period: str, now: datetime
) -> tuple[Dora, Learning, list[TrendPoint]]:
    """DORA's keys, the learning figures and the trend of one scope, as the metrics page shows
    them: the rollups are read once, for the trend's periods, and the window's figures are the
    periods' totals added up (the periods cover the window exactly: the same counts, the same
    lead-time histogram, the same recovery values)."""
    points, deployed, failed = measure_trend(session, scope, period)
    covered = bool(points) and points[0].start == scope.since and points[-1].end == scope.until
    if not covered:  # a window longer than MAX_POINTS periods: the window is measured on its own
        return dora(session, scope), learning(session, scope, now), points
    totals = merged_totals(deployed)
    failures = merged(failed)
    return (
        dora_from(session, scope, totals, failures.recovery()),
        learning(session, scope, now, failures),
        points,
    )
