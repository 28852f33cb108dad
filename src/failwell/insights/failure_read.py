"""Failure figures over a scope, in one pass for any number of periods: the failures by kind,
those that recur, and the exact recovery times.

For the whole organisation, whole days come from the failure rollup
(failwell.insights.failure_rollup) and the part-days at either end of the window from the
failures themselves, folded the same way. A service's or a team's failures are folded from the
failures directly: they are a fraction of the organisation's, and a failure touching two of a
team's services must count once, which per-service sums could not say. Recurring failures are
read exactly every time, from the recurrence links and the problems (far fewer rows than the
failures).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union,
)
from sqlalchemy.orm import Session, aliased

from failwell.changes.models import Deployment
from failwell.enums import FailureKind
from failwell.failures.models import Failure, failure_deployments, failure_services
from failwell.insights.failure_rollup import (
    Day,
    Fact,
    KindCounts,
    decode_seconds,
    failure_facts,
    refresh_failures_pending,
    review_lags,
)
from failwell.insights.measures import Scope, continuous_percentiles, seconds_between
from failwell.insights.models import FailureRollup
from failwell.insights.rollup_read import full_days
from failwell.insights.rollup_tally import midnight
from failwell.recurrence.models import ProblemFailure, RecurrenceLink

Recovery = tuple[int, float | None, float | None]  # (count, median, p90) of recovery hours


@dataclass
class FailureTotals(KindCounts):
    recurring: int = 0
    recovery_hours: list[float] = field(default_factory=list)

    def add_fact(self, fact: Fact, environments: tuple[str, ...]) -> None:
        seconds = self.count(fact)
        if seconds is None:
            return
        _started, kind, _resolved, envs = fact
        if kind == FailureKind.failed_deployment or (
            kind == FailureKind.incident and not envs.isdisjoint(environments)
        ):
            self.recovery_hours.append(seconds / 3600.0)

    def recovery(self) -> Recovery:
        median, p90 = continuous_percentiles(self.recovery_hours, (0.5, 0.9))
        return len(self.recovery_hours), median, p90


def merged(parts: list[FailureTotals]) -> FailureTotals:
    out = FailureTotals()
    for p in parts:
        out.failures += p.failures
        out.near_misses += p.near_misses
        out.incidents += p.incidents
        out.recurring += p.recurring
        out.recovery_hours.extend(p.recovery_hours)
    return out


def failure_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """The failures of the scope's services started in its window."""
    conditions = [Failure.started_at >= scope.since, Failure.started_at < scope.until]
    if scope.service_ids is not None:
        conditions.append(
            Failure.id.in_(
                select(failure_services.c.failure_id).where(
                    failure_services.c.service_id.in_(scope.service_ids)
                )
            )
        )
    return conditions


def measure_failures(
    session: Session, scope: Scope, bounds: list[tuple[datetime, datetime]], *, counts: bool = True
) -> list[FailureTotals]:
    """The scope's failure totals in each period (periods contiguous, within the scope). With
    ``counts`` false only the recovery times are sure to be there (all DORA's keys need)."""
    totals = [FailureTotals() for _ in bounds]
    if not bounds:
        return totals
    refresh_failures_pending(session)
    starts = [b[0] for b in bounds]
    whole = replace(scope, since=bounds[0][0], until=bounds[-1][1])
    envs = scope.environments
    if scope.service_ids is None:
        first, end = full_days(whole.since, whole.until)
        edges = [(whole.since, whole.until)]
        if first < end:
            _read_rollup(session, first, end, starts, totals, envs)
            edges = [(whole.since, midnight(first)), (midnight(end), whole.until)]
        for low, high in edges:
            if low < high:
                facts = failure_facts(session, Failure.started_at >= low, Failure.started_at < high)
                _fold_into(totals, starts, facts, envs)
    else:
        _sum_in_sql(session, whole, bounds, totals, counts)
    for started in recurring_starts(session, whole) if counts else ():
        totals[bisect_right(starts, started) - 1].recurring += 1
    return totals


def _fold_into(
    totals: list[FailureTotals], starts: list[datetime], facts: list[Fact], envs: tuple[str, ...]
) -> None:
    for fact in facts:
        totals[bisect_right(starts, fact[0]) - 1].add_fact(fact, envs)


def period_of(column: Any, bounds: list[tuple[datetime, datetime]]) -> ColumnElement[int]:
    """The index of the period a time falls in (the bounds are contiguous and in order)."""
    return case(*((column < end, i) for i, (_start, end) in enumerate(bounds)), else_=None)


def _sum_in_sql(
    session: Session,
    scope: Scope,
    bounds: list[tuple[datetime, datetime]],
    totals: list[FailureTotals],
    counts: bool,
) -> None:
    """A service's or team's failures, summed by the database per period (counts) and their
    recovery hours computed by it: the same figures as the fold, without parsing times in
    Python, and only the rows that count for recovery come back."""
    slot = period_of(Failure.started_at, bounds)
    if counts:
        near = case((Failure.kind == FailureKind.near_miss, 1), else_=0)
        incident = case((Failure.kind == FailureKind.incident, 1), else_=0)
        grouped = select(slot, func.count(), func.sum(near), func.sum(incident)).where(*failure_scope(scope))
        for i, n, near_misses, incidents in session.execute(grouped.group_by(slot)):
            if i is not None:
                t = totals[int(i)]
                t.failures, t.near_misses, t.incidents = int(n), int(near_misses or 0), int(incidents or 0)
    linked = exists(
        select(literal(1))
        .select_from(
            failure_deployments.join(Deployment, Deployment.id == failure_deployments.c.deployment_id)
        )
        .where(
            failure_deployments.c.failure_id == Failure.id,
            failure_deployments.c.state == "confirmed",
            Deployment.environment.in_(scope.environments),
        )
    )
    hours = seconds_between(session, Failure.resolved_at, Failure.started_at) / 3600.0
    recovering = select(hours, slot).where(
        *failure_scope(scope),
        Failure.resolved_at.is_not(None),
        Failure.resolved_at >= Failure.started_at,
        # The links are asked only of the incidents.
        or_(Failure.kind == FailureKind.failed_deployment, (Failure.kind == FailureKind.incident) & linked),
    )
    for value, i in session.execute(recovering):
        if value is not None and i is not None:
            totals[int(i)].recovery_hours.append(float(value))


def _read_rollup(
    session: Session,
    first: date,
    end: date,
    starts: list[datetime],
    totals: list[FailureTotals],
    envs: tuple[str, ...],
) -> None:
    r = FailureRollup
    day = type_coerce(r.day, String)  # as the driver gives it (text on SQLite, a date on PostgreSQL)
    rows = session.connection().execute(
        select(day, r.failures, r.near_misses, r.incidents, r.recovery, r.linked_recovery).where(
            r.day >= first, r.day < end
        )
    )
    wanted = set(envs)
    for when, failures, near_misses, incidents, recovery, linked in rows:
        moment = midnight(when if isinstance(when, date) else date.fromisoformat(when))
        t = totals[bisect_right(starts, moment) - 1]
        t.failures += failures
        t.near_misses += near_misses
        t.incidents += incidents
        # A year holds tens of thousands of values: converted as arrays, not one by one.
        t.recovery_hours.extend((decode_seconds(recovery) / 3600.0).tolist())
        if linked:
            pairs = Day.of_row((failures, near_misses, incidents, "", linked, "")).linked
            t.recovery_hours.extend(s / 3600.0 for s, on in pairs if wanted.intersection(on))


def org_review_lags(session: Session, scope: Scope) -> list[float]:
    """The review lags, in days, of the organisation's failures resolved in the window: whole
    days from the rollup, the part-days at either end from the failures and reviews."""
    refresh_failures_pending(session)
    first, end = full_days(scope.since, scope.until)
    edges = [(scope.since, scope.until)]
    seconds: list[float] = []
    if first < end:
        r = FailureRollup
        for (hexed,) in session.connection().execute(
            select(r.review_lags).where(r.day >= first, r.day < end, r.review_lags != "")
        ):
            seconds.extend(decode_seconds(hexed).tolist())
        edges = [(scope.since, midnight(first)), (midnight(end), scope.until)]
    for low, high in edges:
        if low < high:
            lags = review_lags(session, Failure.resolved_at >= low, Failure.resolved_at < high)
            seconds.extend(lag for _, lag in lags)
    return [s / 86_400.0 for s in seconds]


def _earlier(e: Any, f: Any) -> ColumnElement[bool]:
    """e started before f (ties broken by id, so two failures are never each other's earlier)."""
    return or_(e.started_at < f.started_at, (e.started_at == f.started_at) & (e.id < f.id))


def recurring_ids() -> Any:
    """The failures that recur: linked to an earlier one, or in a problem with a failure that
    started before them. Driven by the links and problems, not by every failure."""
    mine, theirs = aliased(ProblemFailure), aliased(ProblemFailure)
    g, e = aliased(Failure), aliased(Failure)
    sibling = (
        select(mine.failure_id)
        .join(theirs, theirs.problem_id == mine.problem_id)
        .join(g, g.id == mine.failure_id)
        .join(e, e.id == theirs.failure_id)
        .where(e.id != g.id, _earlier(e, g))
    )
    return union(select(RecurrenceLink.failure_id), sibling).subquery()


def recurring_starts(session: Session, scope: Scope) -> list[datetime]:
    """The start times of the scope's failures that recur."""
    ids = recurring_ids()
    stmt = select(Failure.started_at).select_from(ids).join(Failure, Failure.id == ids.c[0])
    return list(session.connection().execute(stmt.where(*failure_scope(scope))).scalars())
