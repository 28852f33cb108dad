"""The recurrence metrics' steps, one by one, then together (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from factories import utc
from failwell.actions.schemas import ActionIn
from failwell.actions.service import create_action
from failwell.db import Database
from failwell.enums import ActionStatus, ActionType, FailureKind, Role
from failwell.errors import InvalidInput
from failwell.failures.schemas import FailureIn
from failwell.failures.service import report_failure
from failwell.insights import recurrence as r
from failwell.recurrence.known_errors import add_known_error
from failwell.recurrence.links import link_recurrence
from failwell.recurrence.problems import create_problem
from failwell.recurrence.schemas import KnownErrorIn, MetricsParams, ProblemIn, RecurrenceLinkIn
from support import Org

JAN = {day: utc(2026, 1, day) for day in range(1, 32)}


# ---- pure steps ----------------------------------------------------------------------


def test_check_period_refuses_until_before_since() -> None:
    r.check_period(MetricsParams(since=JAN[1], until=JAN[2]))
    r.check_period(MetricsParams(since=JAN[1]))
    with pytest.raises(InvalidInput) as refused:
        r.check_period(MetricsParams(since=JAN[2], until=JAN[1]))
    assert refused.value.errors[0].field == "until"


def test_problem_siblings_are_earlier_by_start_then_id() -> None:
    starts = {1: JAN[1], 2: JAN[5], 3: JAN[5], 4: JAN[9]}
    earlier: r.Earlier = {4: {9}}
    r.add_problem_siblings(earlier, [[4, 3, 2, 1]], starts)
    assert earlier == {1: set(), 2: {1}, 3: {1, 2}, 4: {1, 2, 3, 9}}


def test_tally_counts_recurrences_gaps_and_fixes_that_did_not_hold() -> None:
    measured = {1: JAN[1], 2: JAN[11], 3: JAN[21], 4: JAN[3]}
    starts = {**measured, 9: JAN[20]}
    earlier = {2: {1}, 3: {1, 9}, 4: {404}}  # 404: not a known failure, ignored
    done = {1: [JAN[15]]}  # fixed after failure 2 started, before failure 3 did
    tally = r.tally_recurrences(measured, earlier, starts, done)
    assert tally.recurrences == 2
    assert tally.gaps == [10.0, 1.0]  # failure 3 counts from its latest earlier one (9)
    assert tally.after_fix == 1


def test_metrics_out_rounds_and_survives_no_failures() -> None:
    out = r.metrics_out(3, r.Tally(recurrences=1, after_fix=0, gaps=[1.0, 2.0, 4.5]), 2, 5)
    assert (out.repeat_rate, out.median_days_between, out.mean_days_between) == (0.3333, 2.0, 2.5)
    assert (out.problems_open, out.known_errors) == (2, 5)
    empty = r.metrics_out(0, r.Tally(), 0, 0)
    assert (empty.repeat_rate, empty.median_days_between, empty.mean_days_between) == (0.0, None, None)


# ---- reads -----------------------------------------------------------------------------


def _failure(s: Session, org: Org, title: str, started: datetime, *services: str) -> int:
    data = FailureIn(title=title, kind=FailureKind.incident, started_at=started, services=list(services))
    return report_failure(s, org.actors[Role.practice_owner], data).id


def test_reads_and_the_whole(db: Database, org: Org) -> None:
    owner = org.actors[Role.practice_owner]
    with db.session() as s:
        first = _failure(s, org, "Disk full", JAN[1], org.service)
        second = _failure(s, org, "Disk full again", JAN[11], org.service)
        other = _failure(s, org, "Queue stuck", JAN[5])
        third = _failure(s, org, "Disk full, third", JAN[21], org.service)
        link_recurrence(s, owner, second, RecurrenceLinkIn(earlier_failure_id=first))
        problem = create_problem(s, owner, ProblemIn(title="Disks fill up", failure_ids=[third, first]))
        add_known_error(s, owner, problem.id, KnownErrorIn(title="Log rotation off"))
        action = create_action(
            s,
            owner,
            ActionIn(
                failure_id=first, title="Rotate logs", action_type=ActionType.prevent, owner_team=org.team
            ),
        )
        action.status, action.completed_at = ActionStatus.done, JAN[15]

    with db.session(write=False) as s:
        assert r.failures_measured(s, MetricsParams()).keys() == {first, second, other, third}
        of_service = r.failures_measured(s, MetricsParams(service=org.service, since=JAN[2], until=JAN[21]))
        assert of_service == {second: JAN[11]}
        assert r.direct_links(s) == {second: {first}}
        assert sorted(map(sorted, r.problem_groups(s))) == [[first, third]]
        assert r.start_times(s, [first, third, 999_999]) == {first: JAN[1], third: JAN[21]}
        assert r.start_times(s, []) == {}
        assert r.fixes_done(s) == {first: [JAN[15]]}
        assert (r.open_problems(s), r.known_errors(s)) == (1, 1)  # a known error: still open

        metrics = r.recurrence_metrics(s, MetricsParams())
    assert (metrics.failures, metrics.recurrences, metrics.after_fix_done) == (4, 2, 1)
    assert metrics.repeat_rate == 0.5
    assert metrics.median_days_between == 15.0  # 10 days (second) and 20 days (third)
