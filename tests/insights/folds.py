"""Plain-Python folds over a generated stream: the metrics computed the straightforward way,
to cross-check the SQL of failwell.insights against."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime

from insights.stream import Dep, Fail, Stream


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime
    services: set[str] | None
    environments: tuple[str, ...]
    team: str | None = None
    service: str | None = None


def pct(values: list[float], p: float) -> float | None:
    """Continuous percentile: linear interpolation at position p * (n - 1)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    if p == 0.5:
        return statistics.median(values)
    return statistics.quantiles(values, n=10, method="inclusive")[round(p * 10) - 1]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def in_services(services: list[str] | str, w: Window) -> bool:
    names = [services] if isinstance(services, str) else services
    return w.services is None or any(s in w.services for s in names)


def deployments_in(s: Stream, w: Window) -> list[Dep]:
    return [
        d
        for d in s.deployments
        if d.environment in w.environments and w.since <= d.started_at < w.until and in_services(d.service, w)
    ]


def failures_in(s: Stream, w: Window) -> list[Fail]:
    return [f for f in s.failures if w.since <= f.started_at < w.until and in_services(f.services, w)]


def dora(s: Stream, w: Window) -> dict[str, float | int | None]:
    deps = deployments_in(s, w)
    linked = {
        dep_id
        for f in s.failures
        if f.kind != "near_miss"
        for dep_id, state in f.links
        if state == "confirmed"
    }
    bad = sum(1 for d in deps if d.outcome != "succeeded" or d.id in linked)
    lead = []
    for d in deps:
        landed = d.finished_at or d.started_at
        if d.outcome == "succeeded" and d.first_commit_at is not None and d.first_commit_at <= landed:
            lead.append((landed - d.first_commit_at).total_seconds() / 3600)
    by_id = {d.id: d for d in s.deployments}
    recovery = []
    for f in failures_in(s, w):
        if f.resolved_at is None or f.resolved_at < f.started_at:
            continue
        linked_here = any(
            state == "confirmed" and by_id[dep].environment in w.environments for dep, state in f.links
        )
        if f.kind == "failed_deployment" or (f.kind == "incident" and linked_here):
            recovery.append((f.resolved_at - f.started_at).total_seconds() / 3600)
    days = (w.until - w.since).total_seconds() / 86_400
    return {
        "deployments": len(deps),
        "deployment_frequency": len(deps) / days if deps else None,
        "change_fail_rate": share(bad, len(deps)),
        "rework_rate": share(sum(d.rework for d in deps), len(deps)),
        "lead_n": len(lead),
        "change_lead_time": pct(lead, 0.5),
        "lead_p90": pct(lead, 0.9),
        "recovery_n": len(recovery),
        "failed_deployment_recovery_time": pct(recovery, 0.5),
        "recovery_p90": pct(recovery, 0.9),
    }


def _before(e: Fail, f: Fail) -> bool:
    return (e.started_at, e.id) < (f.started_at, f.id)


def _fixed_before(e: Fail, g: Fail, done: dict[int, list[datetime]]) -> bool:
    return e.id != g.id and _before(e, g) and any(at < g.started_at for at in done.get(e.id, []))


def learning(s: Stream, w: Window, today: date) -> dict[str, float | int | None]:
    measured = failures_in(s, w)
    recurring = 0
    for f in measured:
        siblings = [s.failure(o) for p in s.problems if f.id in p for o in p if o != f.id]
        if f.earlier or any(_before(e, f) for e in siblings):
            recurring += 1
    done: dict[int, list[datetime]] = {}
    for a in s.actions:
        if a.status == "done" and a.completed_at is not None:
            done.setdefault(a.failure_id, []).append(a.completed_at)
    fixed = recurred = 0
    for members in s.problems:
        fails = [s.failure(m) for m in members]
        if w.services is not None and not any(in_services(f.services, w) for f in fails):
            continue
        if not any(at < w.until for f in fails for at in done.get(f.id, [])):
            continue
        fixed += 1
        if any(
            w.since <= g.started_at < w.until
            and in_services(g.services, w)
            and any(
                e.id != g.id and _before(e, g) and any(at < g.started_at for at in done.get(e.id, []))
                for e in fails
            )
            for g in fails
        ):
            recurred += 1
    lags = [
        max(0.0, (f.published_at - f.resolved_at).total_seconds() / 86_400)
        for f in s.failures
        if f.resolved_at is not None
        and f.published_at is not None
        and w.since <= f.resolved_at < w.until
        and in_services(f.services, w)
    ]

    def action_in_scope(a_team: str, failure_id: int) -> bool:
        if w.team is not None and a_team != w.team:
            return False
        return w.service is None or in_services(s.failure(failure_id).services, w)

    due_end = min(w.until.date(), today)
    due = [
        a
        for a in s.actions
        if w.since.date() <= a.due_date < due_end
        and a.status != "wont_do"
        and action_in_scope(a.team, a.failure_id)
    ]
    on_time = sum(
        1
        for a in due
        if a.status == "done" and a.completed_at is not None and a.completed_at.date() <= a.due_date
    )
    overdue = [
        float((today - a.due_date).days)
        for a in s.actions
        if a.status in ("open", "in_progress")
        and a.due_date < today
        and action_in_scope(a.team, a.failure_id)
    ]
    near = sum(1 for f in measured if f.kind == "near_miss")
    incidents = sum(1 for f in measured if f.kind == "incident")
    lessons = [
        f.review_id
        for f in s.failures
        if f.review_id
        and f.published_at is not None
        and w.since <= f.published_at < w.until
        and in_services(f.services, w)
    ]
    pairs = sum(len(s.reads.get(r, set())) for r in lessons)
    return {
        "failures": len(measured),
        "repeat_rate": share(recurring, len(measured)),
        "problems_fixed": fixed,
        "recurrence_after_fix": share(recurred, fixed),
        "lag_n": len(lags),
        "review_lag": pct(lags, 0.5),
        "review_lag_p90": pct(lags, 0.9),
        "due": len(due),
        "actions_on_time": share(on_time, len(due)),
        "overdue": len(overdue),
        "overdue_action_age": pct(overdue, 0.5),
        "near_misses": near,
        "incidents": incidents,
        "near_miss_ratio": near / incidents if incidents else None,
        "lessons": len(lessons),
        "lesson_reach": share(pairs, 2 * len(lessons)),
    }
