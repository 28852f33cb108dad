"""Recurrence metrics: repeat rate, time between recurrences, recurrences after a fix.

A failure recurs when it is linked to an earlier failure, directly or by sharing a problem
with one that started before it; its gap is the time since the latest such earlier one.
Each step below is one read or one pure calculation; `recurrence_metrics` runs them in order.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.catalogue.service import service_by_name
from failwell.enums import ActionStatus
from failwell.errors import InvalidInput
from failwell.failures.models import Failure, failure_services
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.models import KnownError, Problem, ProblemFailure, RecurrenceLink
from failwell.recurrence.schemas import MetricsOut, MetricsParams

SECONDS_PER_DAY = 86_400

# Failure id -> ids of the failures it is a recurrence of.
Earlier = dict[int, set[int]]


@dataclass
class Tally:
    """What the measured failures add up to."""

    recurrences: int = 0
    after_fix: int = 0
    gaps: list[float] = field(default_factory=list)  # days since the latest earlier failure


def check_period(params: MetricsParams) -> None:
    if params.since and params.until and params.until < params.since:
        raise InvalidInput.on("until", "is before since")


def failures_measured(session: Session, params: MetricsParams) -> dict[int, datetime]:
    """Id -> start of each failure of the service (if any) that started in [since, until)."""
    stmt = select(Failure.id, Failure.started_at)
    if params.service:
        svc = service_by_name(session, params.service)
        stmt = stmt.where(
            Failure.id.in_(
                select(failure_services.c.failure_id).where(failure_services.c.service_id == svc.id)
            )
        )
    if params.since:
        stmt = stmt.where(Failure.started_at >= params.since)
    if params.until:
        stmt = stmt.where(Failure.started_at < params.until)
    return dict(session.execute(stmt).all())


def direct_links(session: Session) -> Earlier:
    """The recurrence links recorded one by one (failure -> earlier failures)."""
    earlier: Earlier = defaultdict(set)
    for fid, eid in session.execute(select(RecurrenceLink.failure_id, RecurrenceLink.earlier_id)).all():
        earlier[fid].add(eid)
    return earlier


def problem_groups(session: Session) -> list[list[int]]:
    """The failures of each problem."""
    members: dict[int, list[int]] = defaultdict(list)
    for pid, fid in session.execute(select(ProblemFailure.problem_id, ProblemFailure.failure_id)).all():
        members[pid].append(fid)
    return list(members.values())


def start_times(session: Session, failure_ids: Iterable[int]) -> dict[int, datetime]:
    ids = set(failure_ids)
    if not ids:
        return {}
    rows = session.execute(select(Failure.id, Failure.started_at).where(Failure.id.in_(ids)))
    return dict(rows.all())


def add_problem_siblings(
    earlier: Earlier, groups: Iterable[list[int]], starts: Mapping[int, datetime]
) -> None:
    """Adds, for each failure of a problem, the problem's failures that started before it
    (ties broken by id, so two failures at the same instant are not each other's earlier)."""
    for group in groups:
        for fid in group:
            earlier.setdefault(fid, set()).update(
                o for o in group if o != fid and (starts[o], o) < (starts[fid], fid)
            )


def fixes_done(session: Session) -> dict[int, list[datetime]]:
    """Failure id -> when each of its corrective actions was marked done."""
    done: dict[int, list[datetime]] = defaultdict(list)
    rows = session.execute(
        select(CorrectiveAction.failure_id, CorrectiveAction.completed_at).where(
            CorrectiveAction.status == ActionStatus.done, CorrectiveAction.completed_at.is_not(None)
        )
    )
    for fid, at in rows:
        if at is not None:
            done[fid].append(at)
    return done


def tally_recurrences(
    measured: Mapping[int, datetime],
    earlier: Mapping[int, set[int]],
    starts: Mapping[int, datetime],
    done: Mapping[int, list[datetime]],
) -> Tally:
    """Counts the measured failures that recur, their gaps, and those that started after a
    fix of an earlier failure was marked done."""
    tally = Tally()
    for fid, started in measured.items():
        before = [e for e in earlier.get(fid, ()) if e in starts]
        if not before:
            continue
        tally.recurrences += 1
        latest = max(starts[e] for e in before)
        tally.gaps.append(max(0.0, (started - latest).total_seconds() / SECONDS_PER_DAY))
        if any(at < started for e in before for at in done.get(e, ())):
            tally.after_fix += 1
    return tally


def open_problems(session: Session) -> int:
    """Problems still open or known errors (the cause is documented, not yet removed)."""
    stmt = (
        select(func.count())
        .select_from(Problem)
        .where(Problem.status.in_((ProblemStatus.open, ProblemStatus.known_error)))
    )
    return session.scalar(stmt) or 0


def known_errors(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(KnownError)) or 0


def metrics_out(failures: int, tally: Tally, problems_open: int, known: int) -> MetricsOut:
    gaps = tally.gaps
    return MetricsOut(
        failures=failures,
        recurrences=tally.recurrences,
        repeat_rate=round(tally.recurrences / failures, 4) if failures else 0.0,
        median_days_between=round(statistics.median(gaps), 2) if gaps else None,
        mean_days_between=round(statistics.fmean(gaps), 2) if gaps else None,
        after_fix_done=tally.after_fix,
        problems_open=problems_open,
        known_errors=known,
    )


def recurrence_metrics(session: Session, params: MetricsParams) -> MetricsOut:
    """Repeat rate, time between recurrences and recurrences after a fix was marked done."""
    check_period(params)
    measured = failures_measured(session, params)
    earlier = direct_links(session)
    groups = problem_groups(session)
    involved = set(measured).union(*earlier.values(), *groups)
    starts = start_times(session, involved)
    add_problem_siblings(earlier, groups, starts)
    tally = tally_recurrences(measured, earlier, starts, fixes_done(session))
    return metrics_out(len(measured), tally, open_problems(session), known_errors(session))
