"""Deployment figures over a scope, read from the rollup (failwell.insights.rollup).

Whole days come from the rollup; the part-days at either end of the window come from the
deployments themselves, folded the same way, so counts are exact for any window. Lead-time
percentiles come from the histogram: each value is placed inside its bucket (spread evenly
in log scale among the bucket's values, then interpolated between neighbours as
percentile_cont does), so an estimate is within one bucket width (4.4 %) of the exact
value; under a minute, within a minute.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.orm import Session

from failwell.changes.models import Deployment
from failwell.insights.measures import Scope
from failwell.insights.models import DeploymentRollup
from failwell.insights.rollup import deployment_facts
from failwell.insights.rollup_tally import N_BUCKETS, OVERFLOW, PAIR, Tally, bucket_bounds, midnight
from failwell.insights.rollup_upkeep import refresh_pending

Histogram = NDArray[np.float64]


@dataclass
class Totals:
    deployments: int = 0
    failed: int = 0  # failed or rolled back
    rework: int = 0
    linked: int = 0
    lead_times: Histogram = field(default_factory=lambda: np.zeros(N_BUCKETS))

    def add_tally(self, t: Tally) -> None:
        self.deployments += t.deployments
        self.failed += t.failed + t.rolled_back
        self.rework += t.rework
        self.linked += t.linked
        for k, n in t.lead_times.items():
            self.lead_times[k] += n

    @property
    def lead_sample(self) -> int:
        return int(self.lead_times.sum())


def merged_totals(parts: list[Totals]) -> Totals:
    out = Totals()
    for p in parts:
        out.deployments += p.deployments
        out.failed += p.failed
        out.rework += p.rework
        out.linked += p.linked
        out.lead_times = out.lead_times + p.lead_times
    return out


def full_days(since: datetime, until: datetime) -> tuple[date, date]:
    """[first, end) of the whole UTC days inside [since, until)."""
    start, end = since.astimezone(UTC), until.astimezone(UTC)
    first = start.date() if start == midnight(start.date()) else start.date() + timedelta(days=1)
    return first, end.date()


def _rollup_filters(scope: Scope, environment: str, first: date, end: date) -> list[ColumnElement[bool]]:
    r = DeploymentRollup
    conditions = [r.environment == environment, r.day >= first, r.day < end]
    if scope.service_ids is not None:
        conditions.append(r.service_id.in_(scope.service_ids))
    return conditions


def measure_periods(session: Session, scope: Scope, bounds: list[tuple[datetime, datetime]]) -> list[Totals]:
    """The scope's deployment totals in each period (periods contiguous, within the scope)."""
    refresh_pending(session)
    totals = [Totals() for _ in bounds]
    if not bounds:
        return totals
    starts = [b[0] for b in bounds]
    since, until = bounds[0][0], bounds[-1][1]
    first, end = full_days(since, until)
    edges = [(since, until)] if first >= end else [(since, midnight(first)), (midnight(end), until)]
    if first < end:
        _read_rollup(session, scope, first, end, starts, totals)
    for low, high in edges:
        if low >= high:
            continue
        conditions = [
            Deployment.environment.in_(scope.environments),
            Deployment.started_at >= low,
            Deployment.started_at < high,
        ]
        if scope.service_ids is not None:
            conditions.append(Deployment.service_id.in_(scope.service_ids))
        for row in deployment_facts(session, *conditions):
            tally = Tally()
            tally.add(row)
            totals[bisect_right(starts, row[0]) - 1].add_tally(tally)
    return totals


def _read_rollup(
    session: Session, scope: Scope, first: date, end: date, starts: list[datetime], totals: list[Totals]
) -> None:
    """Adds the rollup's whole days [first, end) to the periods' totals: one row per day and
    environment, the day's histograms concatenated by the database."""
    r = DeploymentRollup
    # Days are read as the driver gives them (text on SQLite, a date on PostgreSQL).
    day = type_coerce(r.day, String)
    postgres = session.get_bind().dialect.name == "postgresql"
    histograms = func.string_agg(r.lead_times, "") if postgres else func.group_concat(r.lead_times, "")
    columns = (
        day,
        func.sum(r.deployments),
        func.sum(r.failed + r.rolled_back),
        func.sum(r.rework),
        func.sum(r.linked),
        histograms,
    )
    # One query per environment: with the environment equal, the key's order (environment,
    # day, service) is the group's, so the database streams the days; an IN over two
    # environments sorted every service-day first (three times slower on SQLite). Core rows on
    # the session's connection: the ORM's row handling costs more than the read.
    rows = [
        row
        for environment in dict.fromkeys(scope.environments)
        for row in session.connection().execute(
            select(*columns).where(*_rollup_filters(scope, environment, first, end)).group_by(day)
        )
    ]
    owners, blobs = [], []
    for when, deployments, failed, rework, linked, hexed in rows:
        moment = midnight(when if isinstance(when, date) else date.fromisoformat(when))
        period = bisect_right(starts, moment) - 1
        t = totals[period]
        t.deployments += int(deployments or 0)
        t.failed += int(failed or 0)
        t.rework += int(rework or 0)
        t.linked += int(linked or 0)
        if hexed:
            blob = bytes.fromhex(hexed)
            blobs.append(blob)
            owners.append((period, len(blob) // PAIR.itemsize))
    if not blobs:
        return
    pairs = np.frombuffer(b"".join(blobs), dtype=PAIR)
    owner = np.repeat(
        np.array([p for p, _ in owners], dtype=np.int64), np.array([n for _, n in owners], dtype=np.int64)
    )
    counts = np.bincount(
        owner * N_BUCKETS + pairs["bucket"].astype(np.int64),
        weights=pairs["count"].astype(np.float64),
        minlength=len(totals) * N_BUCKETS,
    ).reshape(len(totals), N_BUCKETS)
    for i, t in enumerate(totals):
        t.lead_times += counts[i]


def _value_at(histogram: Histogram, cumulative: Any, rank: int) -> float:
    """The rank-th smallest value (0-based), in seconds, placed within its bucket."""
    k = int(np.searchsorted(cumulative, rank, side="right"))
    count = histogram[k]
    within = (rank - (cumulative[k] - count) + 0.5) / count
    low, high = bucket_bounds(k)
    if k == 0:
        return float(high * within)
    if k == OVERFLOW:
        return low
    return float(low * (high / low) ** within)


def histogram_percentiles(histogram: Histogram, ps: tuple[float, ...]) -> list[float | None]:
    """Continuous percentiles, in hours, estimated from a lead-time histogram."""
    n = int(histogram.sum())
    if n == 0:
        return [None for _ in ps]
    cumulative = np.cumsum(histogram)
    out: list[float | None] = []
    for p in ps:
        position = p * (n - 1)
        low = math.floor(position)
        value = _value_at(histogram, cumulative, low)
        if low + 1 < n:
            value += (_value_at(histogram, cumulative, low + 1) - value) * (position - low)
        out.append(value / 3600.0)
    return out
