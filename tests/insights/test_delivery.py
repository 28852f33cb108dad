"""DORA's five keys in SQL, cross-checked against a plain-Python fold over the same events."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from failwell.catalogue.models import Service
from failwell.changes.models import Deployment
from failwell.db import Database
from failwell.errors import InvalidInput
from failwell.insights import bands
from failwell.insights.delivery import dora
from failwell.insights.learning import kind_counts, repeat_counts
from failwell.insights.measures import NOT_ENOUGH_DATA, resolve_scope, share
from failwell.insights.rollup import rebuild_rollup
from failwell.insights.trends import period_bounds, trend
from failwell.people.models import Team
from insights import folds
from insights.stream import NOW, Stream

PRODUCTION = ("production", "prod")
CASES = [
    # (days back, service, team, environment)
    (90, None, None, None),
    (200, None, None, None),
    (30, None, None, None),
    (120, "checkout", None, None),
    (200, None, "data-team", None),
    (200, None, None, "staging"),
]


def window(stream: Stream, days: int, service: str | None, team: str | None, env: str | None) -> folds.Window:
    services: set[str] | None = None
    if service:
        services = {service}
    if team:
        owned = {s for s, t in stream.service_team.items() if t == team}
        services = owned if services is None else services & owned
    return folds.Window(
        since=NOW - timedelta(days=days),
        until=NOW,
        services=services,
        environments=(env,) if env else PRODUCTION,
        team=team,
        service=service,
    )


def close(a: float | None, b: float | None, tol: float = 0.011) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= tol)


# Lead-time percentiles come from the rollup's histogram: within one bucket (2^(1/16), 4.43 %)
# of the exact value, within a minute under a minute, plus the figures' rounding to 0.01 h.
LEAD_TOLERANCE = 2 ** (1 / 16) - 1


def near(a: float | None, b: float | None) -> bool:
    return close(a, b, 0.011 + max(LEAD_TOLERANCE * abs(b or 0.0), 1 / 60))


@pytest.mark.parametrize(("days", "service", "team", "env"), CASES)
def test_dora_matches_a_plain_fold(
    db: Database, stream: Stream, days: int, service: str | None, team: str | None, env: str | None
) -> None:
    with db.session(write=False) as s:
        scope = resolve_scope(
            s, NOW, service=service, team=team, environment=env, since=NOW - timedelta(days=days), until=NOW
        )
        got = dora(s, scope)
    want = folds.dora(stream, window(stream, days, service, team, env))
    assert want["deployments"]
    assert got.deployments == want["deployments"]
    assert got.deployment_frequency.sample_size == want["deployments"]
    assert close(got.deployment_frequency.value, want["deployment_frequency"], 0.0001)
    assert close(got.change_fail_rate.value, want["change_fail_rate"], 0.0001)
    assert close(got.rework_rate.value, want["rework_rate"], 0.0001)
    assert got.change_lead_time.sample_size == want["lead_n"]
    assert near(got.change_lead_time.value, want["change_lead_time"])
    assert near(got.lead_time_p90, want["lead_p90"])
    assert got.failed_deployment_recovery_time.sample_size == want["recovery_n"]
    assert close(got.failed_deployment_recovery_time.value, want["failed_deployment_recovery_time"])
    assert close(got.recovery_time_p90, want["recovery_p90"])
    for key, figure in got.figures().items():
        assert figure.band == bands.band_for(key, figure.value, figure.sample_size)


def test_only_confirmed_links_count(db: Database, stream: Stream) -> None:
    """Suggested and rejected links never make a deployment count as failed."""
    with db.session(write=False) as s:
        scope = resolve_scope(s, NOW, since=NOW - timedelta(days=200), until=NOW)
        got = dora(s, scope)
    w = window(stream, 200, None, None, None)
    deps = folds.deployments_in(stream, w)
    any_link = {dep for f in stream.failures if f.kind != "near_miss" for dep, _ in f.links}
    counting_all = sum(1 for d in deps if d.outcome != "succeeded" or d.id in any_link) / len(deps)
    assert got.change_fail_rate.value is not None
    assert got.change_fail_rate.value < counting_all


def test_no_data_gives_null_and_not_enough_data(db: Database) -> None:
    with db.session(write=False) as s:
        got = dora(s, resolve_scope(s, NOW))
    for figure in got.figures().values():
        assert figure.value is None
        assert figure.sample_size == 0
        assert figure.band == NOT_ENOUGH_DATA


def test_a_single_service_and_the_window_boundaries(db: Database) -> None:
    """A deployment at `since` counts, one at `until` does not; few events give no band."""
    with db.session() as s:
        team = Team(name="solo")
        s.add(team)
        s.flush()
        svc = Service(name="solo-svc", owner_team_id=team.id)
        s.add(svc)
        s.flush()
        for at in (NOW - timedelta(days=7), NOW - timedelta(days=3), NOW):
            s.add(
                Deployment(
                    service_id=svc.id,
                    environment="production",
                    version="1",
                    commit_shas=[],
                    started_at=at,
                    finished_at=at + timedelta(hours=1),
                    outcome="succeeded",
                    first_commit_at=at - timedelta(hours=5),
                )
            )
        s.flush()
        rebuild_rollup(s)  # the rows went around the services
    with db.session(write=False) as s:
        got = dora(s, resolve_scope(s, NOW, service="solo-svc", since=NOW - timedelta(days=7), until=NOW))
    assert got.deployments == 2
    assert got.deployment_frequency.value == pytest.approx(2 / 7, abs=1e-4)
    assert near(got.change_lead_time.value, 6.0)
    assert got.change_fail_rate.value == 0.0
    assert got.deployment_frequency.band == NOT_ENOUGH_DATA


def test_scope_refuses_a_reversed_window(db: Database) -> None:
    with db.session(write=False) as s, pytest.raises(InvalidInput):
        resolve_scope(s, NOW, since=NOW, until=NOW - timedelta(days=1))


def test_bands_follow_the_2023_table() -> None:
    assert bands.band_for("deployment_frequency", 3.0, 100) == "elite"
    assert bands.band_for("deployment_frequency", 0.5, 100) == "high"
    assert bands.band_for("deployment_frequency", 0.05, 100) == "medium"
    assert bands.band_for("deployment_frequency", 0.01, 100) == "low"
    assert bands.band_for("change_lead_time", 2.0, 100) == "elite"
    assert bands.band_for("change_lead_time", 48.0, 100) == "high"
    assert bands.band_for("change_lead_time", 400.0, 100) == "medium"
    assert bands.band_for("change_lead_time", 2000.0, 100) == "low"
    assert bands.band_for("change_fail_rate", 0.05, 100) == "elite"
    assert bands.band_for("change_fail_rate", 0.12, 100) == "medium"
    assert bands.band_for("change_fail_rate", 0.3, 100) == "low"
    assert bands.band_for("failed_deployment_recovery_time", 0.5, 100) == "elite"
    assert bands.band_for("failed_deployment_recovery_time", 30.0, 100) == "medium"
    assert bands.band_for("failed_deployment_recovery_time", 0.5, 4) == NOT_ENOUGH_DATA
    assert bands.band_for("rework_rate", 0.1, 100) is None


def test_trend_points_agree_with_their_windows(db: Database, stream: Stream) -> None:
    with db.session(write=False) as s:
        scope = resolve_scope(s, NOW, since=NOW - timedelta(days=62), until=NOW)
        points = trend(s, scope, "month")
    assert [(p.start, p.end) for p in points] == period_bounds(scope.since, scope.until, "month")
    assert points[0].start == scope.since and points[-1].end == scope.until
    for p in points:
        want = folds.dora(stream, folds.Window(p.start, p.end, None, PRODUCTION))
        assert p.deployments == want["deployments"]
        assert close(p.change_fail_rate, want["change_fail_rate"], 0.0001)
        assert near(p.change_lead_time, want["change_lead_time"])
    assert (
        sum(p.deployments for p in points)
        == folds.dora(stream, window(stream, 62, None, None, None))["deployments"]
    )


@pytest.mark.parametrize("period", ["week", "month"])
def test_trend_failure_measures_equal_those_of_each_window(db: Database, stream: Stream, period: str) -> None:
    """The trend reads recovery, repeats and kinds in one grouped query each: every point must
    equal the same measures taken over its own window."""
    with db.session(write=False) as s:
        scope = resolve_scope(s, NOW, since=NOW - timedelta(days=62), until=NOW)
        points = trend(s, scope, period)
        assert sum(p.failures for p in points) > 0 and any(p.recovery_time is not None for p in points)
        assert sum(p.near_misses + p.incidents for p in points) > 0
        for p in points:
            part = replace(scope, since=p.start, until=p.end)
            failures, recurring = repeat_counts(s, part)
            assert (p.failures, p.repeat_rate) == (failures, share(recurring, failures))
            assert (p.near_misses, p.incidents) == kind_counts(s, part)
            assert p.recovery_time == dora(s, part).failed_deployment_recovery_time.value


def test_weeks_start_on_monday() -> None:
    bounds = period_bounds(NOW - timedelta(days=20), NOW, "week")
    assert all(start.weekday() == 0 for start, _ in bounds[1:])
    assert bounds[0][0] == NOW - timedelta(days=20)
