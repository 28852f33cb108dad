"""Learning metrics: does the organisation learn from its failures? Never per person.

Over the failures of the scope's services that started in its window (unless said otherwise):

- repeat rate: share that recur (linked to an earlier failure, or sharing a problem with a
  failure that started before them);
- recurrence after a fix: of the problems touching the scope with a corrective action done
  before the window ended, the share where a failure started in the window after such a fix
  (done on an earlier failure of the same problem);
- review lag: days from resolution to the published review, over the failures resolved in
  the window whose review is published (median, p90; published before resolution counts 0);
- follow-through: of the corrective actions due in the window (and due by now), the share done
  by their due date; and the actions overdue now with their median days overdue;
- near-miss ratio: near misses per incident (more is healthier: people report what nearly went wrong);
- reach of lessons: for the reviews published in the window, the average share of teams with
  someone who read each one.

The scope's team filters actions by their owner team; a service filter by the failure's services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from failwell.actions.models import CorrectiveAction
from failwell.broadcast.models import ReviewRead
from failwell.enums import ActionStatus, ReviewStatus
from failwell.failures.models import Failure, failure_services
from failwell.insights.bands import band_for
from failwell.insights.failure_read import FailureTotals, measure_failures, org_review_lags
from failwell.insights.measures import (
    Figure,
    Scope,
    continuous_percentiles,
    is_postgres,
    percentiles,
    rounded,
    seconds_between,
    share,
)
from failwell.people.models import Team, team_members
from failwell.recurrence.models import ProblemFailure
from failwell.reviews.models import Review

KEYS = (
    "repeat_rate",
    "recurrence_after_fix",
    "review_lag",
    "actions_on_time",
    "overdue_action_age",
    "near_miss_ratio",
    "lesson_reach",
)
OPEN_ACTION = (ActionStatus.open, ActionStatus.in_progress)
# Won't-do, and proposals never agreed, were never due. Named as the statuses that were (an IN
# the (status, due date) index can answer, where NOT IN read every action).
NEVER_DUE = (ActionStatus.wont_do, ActionStatus.proposed, ActionStatus.declined)
DUE_STATUSES = tuple(s for s in ActionStatus if s not in NEVER_DUE)


@dataclass(frozen=True)
class Learning:
    repeat_rate: Figure
    recurrence_after_fix: Figure
    review_lag: Figure
    actions_on_time: Figure
    overdue_action_age: Figure
    near_miss_ratio: Figure
    lesson_reach: Figure
    review_lag_p90: float | None
    near_misses: int
    incidents: int

    def figures(self) -> dict[str, Figure]:
        return {key: getattr(self, key) for key in KEYS}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: fig.as_dict() for key, fig in self.figures().items()}
        out["detail"] = {
            "review_lag_p90": self.review_lag_p90,
            "near_misses": self.near_misses,
            "incidents": self.incidents,
        }
        return out


def _in_services(failure_id: Any, scope: Scope) -> list[ColumnElement[bool]]:
    if scope.service_ids is None:
        return []
    ids = select(failure_services.c.failure_id).where(failure_services.c.service_id.in_(scope.service_ids))
    return [failure_id.in_(ids)]


def _earlier(e: Any, f: Any) -> ColumnElement[bool]:
    """e started before f (ties broken by id, so two failures are never each other's earlier)."""
    return or_(e.started_at < f.started_at, (e.started_at == f.started_at) & (e.id < f.id))


def failure_totals(session: Session, scope: Scope) -> FailureTotals:
    (totals,) = measure_failures(session, scope, [(scope.since, scope.until)])
    return totals


def repeat_counts(session: Session, scope: Scope) -> tuple[int, int]:
    """(failures in scope, of which recur)."""
    totals = failure_totals(session, scope)
    return totals.failures, totals.recurring


def after_fix_counts(session: Session, scope: Scope) -> tuple[int, int]:
    """(problems touching the scope with a fix done before the window ended, of which a
    failure started in the window after a fix of an earlier failure of the problem)."""
    ca, pf = CorrectiveAction, ProblemFailure
    done = (ca.status == ActionStatus.done, ca.completed_at.is_not(None))
    # Both counts start from the problems' failures (EXISTS, not a join), so they read the
    # problems rather than every done action or every failure of the window.
    fixed = select(func.count(func.distinct(pf.problem_id))).where(
        exists(select(literal(1)).where(ca.failure_id == pf.failure_id, *done, ca.completed_at < scope.until))
    )
    if scope.service_ids is not None:
        touching = select(pf.problem_id).where(*_in_services(pf.failure_id, scope))
        fixed = fixed.where(pf.problem_id.in_(touching))
    mine, theirs = aliased(ProblemFailure), aliased(ProblemFailure)
    g, e = aliased(Failure), aliased(Failure)
    fixed_before = exists(
        select(literal(1))
        .select_from(theirs)
        .join(e, e.id == theirs.failure_id)
        .join(ca, ca.failure_id == e.id)
        .where(
            theirs.problem_id == mine.problem_id,
            e.id != g.id,
            _earlier(e, g),
            *done,
            ca.completed_at < g.started_at,
        )
        .correlate(mine, g)  # two levels out: auto-correlation looks one level only
    )
    in_window = exists(
        select(literal(1)).where(
            g.id == mine.failure_id,
            g.started_at >= scope.since,
            g.started_at < scope.until,
            *_in_services(g.id, scope),
            fixed_before,
        )
    )
    recurred = select(func.count(func.distinct(mine.problem_id))).where(in_window)
    return int(session.scalar(fixed) or 0), int(session.scalar(recurred) or 0)


def review_lag_days(session: Session, scope: Scope) -> tuple[int, float | None, float | None]:
    if scope.service_ids is None:  # the organisation's, from the failure rollup
        lags = org_review_lags(session, scope)
        median, p90 = continuous_percentiles(lags, (0.5, 0.9))
        return len(lags), median, p90
    lag = seconds_between(session, Review.published_at, Failure.resolved_at) / 86_400.0
    stmt = (
        select(case((lag < 0, 0.0), else_=lag))
        .select_from(Failure)
        .join(Review, Review.failure_id == Failure.id)
        .where(
            Failure.resolved_at >= scope.since,
            Failure.resolved_at < scope.until,
            Review.status == ReviewStatus.published,
            Review.published_at.is_not(None),
            *_in_services(Failure.id, scope),
        )
    )
    n, (median, p90) = percentiles(session, stmt, (0.5, 0.9))
    return n, median, p90


def _utc_date(session: Session, column: Any) -> ColumnElement[Any]:
    if is_postgres(session):
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _action_scope(scope: Scope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if scope.team_id is not None:
        conditions.append(CorrectiveAction.owner_team_id == scope.team_id)
    if scope.service:
        conditions += _in_services(CorrectiveAction.failure_id, scope)
    return conditions


def follow_through(session: Session, scope: Scope, today: date) -> tuple[int, int]:
    """(actions due in the window and by today, of which done by their due date)."""
    ca = CorrectiveAction
    due_end = min(scope.until.date(), today)
    on_time = case(
        (
            (ca.status == ActionStatus.done)
            & ca.completed_at.is_not(None)
            & (_utc_date(session, ca.completed_at) <= ca.due_date),
            1,
        ),
        else_=0,
    )
    row = session.execute(
        select(func.count(), func.sum(on_time)).where(
            ca.due_date >= scope.since.date(),
            ca.due_date < due_end,
            ca.status.in_(DUE_STATUSES),
            *_action_scope(scope),
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def overdue_age_days(session: Session, scope: Scope, today: date) -> tuple[int, float | None]:
    """(actions open past their due date, their median days overdue): counted by due date, a
    few hundred rows however many actions are late."""
    ca = CorrectiveAction
    stmt = (
        select(ca.due_date, func.count())
        .where(ca.status.in_(OPEN_ACTION), ca.due_date < today, *_action_scope(scope))
        .group_by(ca.due_date)
    )
    ages: list[float] = []
    for due, n in session.execute(stmt):
        due_day = due if isinstance(due, date) else date.fromisoformat(str(due))
        ages.extend([float((today - due_day).days)] * int(n))
    (median,) = continuous_percentiles(ages, (0.5,))
    return len(ages), median


def kind_counts(session: Session, scope: Scope) -> tuple[int, int]:
    """(near misses, incidents) in scope."""
    totals = failure_totals(session, scope)
    return totals.near_misses, totals.incidents


def reach(session: Session, scope: Scope) -> tuple[int, int, int]:
    """(lessons published in the window, teams, (lesson, team) pairs where someone in the team
    read the lesson): reach is the pairs over lessons x teams, the average share of teams
    reading a lesson."""
    published = select(Review.id).where(
        Review.status == ReviewStatus.published,
        Review.published_at >= scope.since,
        Review.published_at < scope.until,
        *_in_services(Review.failure_id, scope),
    )
    lessons = int(session.scalar(select(func.count()).select_from(published.subquery())) or 0)
    teams = int(session.scalar(select(func.count()).select_from(Team)) or 0)
    if not lessons:
        return 0, teams, 0
    pairs = (
        select(ReviewRead.review_id, team_members.c.team_id)
        .join(team_members, team_members.c.person_id == ReviewRead.person_id)
        .where(ReviewRead.review_id.in_(published))
        .distinct()
        .subquery()
    )
    return lessons, teams, int(session.scalar(select(func.count()).select_from(pairs)) or 0)


def _figure(key: str, value: float | None, unit: str, n: int) -> Figure:
    return Figure(value=value, unit=unit, sample_size=n, band=band_for(key, value, n))


def learning(session: Session, scope: Scope, now: datetime, totals: FailureTotals | None = None) -> Learning:
    """The learning metrics over the scope (its failure totals read already, or not)."""
    today = now.date()
    counted = totals if totals is not None else failure_totals(session, scope)
    failures, recurring = counted.failures, counted.recurring
    near, incidents = counted.near_misses, counted.incidents
    fixed, after_fix = after_fix_counts(session, scope)
    lag_n, lag_median, lag_p90 = review_lag_days(session, scope)
    due, on_time = follow_through(session, scope, today)
    overdue, overdue_median = overdue_age_days(session, scope, today)
    lessons, teams, reading = reach(session, scope)
    return Learning(
        repeat_rate=_figure("repeat_rate", share(recurring, failures), "ratio", failures),
        recurrence_after_fix=_figure("recurrence_after_fix", share(after_fix, fixed), "ratio", fixed),
        review_lag=_figure("review_lag", rounded(lag_median), "days", lag_n),
        actions_on_time=_figure("actions_on_time", share(on_time, due), "ratio", due),
        overdue_action_age=_figure("overdue_action_age", rounded(overdue_median), "days", overdue),
        near_miss_ratio=_figure(
            "near_miss_ratio",
            rounded(near / incidents, 4) if incidents else None,
            "per incident",
            near + incidents,
        ),
        lesson_reach=_figure("lesson_reach", share(reading, lessons * teams), "ratio", lessons),
        review_lag_p90=rounded(lag_p90),
        near_misses=near,
        incidents=incidents,
    )
