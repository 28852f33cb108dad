"""The failure rollup: per day (UTC, by start), the organisation's failures by kind and their
exact recovery times.

The organisation-wide failure figures (recovery time, near misses per incident, the repeat
rate's sample) read it instead of every failure (see failwell.insights.failure_read). It is kept
like the deployment rollup: the failure events mark the days they touch, and each marked day
is recounted from its failures just before the transaction commits (or before a metric is read
in it); a failure just reported is added to its day without a recount. What a day holds
depends only on its failures' own rows (start, kind, resolution) and their confirmed
deployment links, which only the failure events change.

Recovery times are kept exact, not in a histogram: a day holds a few dozen, so the seconds are
stored as they are (float64, hex) and a window's percentiles are those of the values. An
incident counts for recovery only when linked to a deployment in the environments measured,
which a reader chooses: each incident's value is stored with those environments.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Table, bindparam, delete, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.changes.models import Deployment
from failwell.enums import FailureKind, ReviewStatus
from failwell.events import (
    FAILURE_DELETED,
    FAILURE_REPORTED,
    FAILURE_UPDATED,
    REVIEW_UPDATED,
    DomainEvent,
    HandlerTable,
)
from failwell.failures.models import Failure, failure_deployments
from failwell.insights.models import FailureRollup
from failwell.insights.rollup_tally import midnight
from failwell.reviews.models import Review

_DAYS = "failure_rollup_days"  # days to recount
_IDS = "failure_rollup_ids"  # failures whose current day is to be recounted
_NEW = "failure_rollup_new"  # failures reported in this session, to add to their day
_F: Table = Failure.__table__  # type: ignore[assignment]  # declarative types it loosely
_R: Table = FailureRollup.__table__  # type: ignore[assignment]
_fd = failure_deployments

# (started, kind, resolved, environments of the confirmed deployment links)
Fact = tuple[datetime, FailureKind, datetime | None, frozenset[str]]


def day_of(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


def recovery_seconds(fact: Fact) -> float | None:
    """Start to resolution, for a resolved failure (never resolved before it started)."""
    started, _kind, resolved, _envs = fact
    if resolved is None or resolved < started:
        return None
    return (resolved - started).total_seconds()


@dataclass
class KindCounts:
    """Failures counted by kind: what a day of the rollup and a scope's totals (failure_read)
    both fold."""

    failures: int = 0
    near_misses: int = 0
    incidents: int = 0

    def count(self, fact: Fact) -> float | None:
        """Counts the failure, and answers its recovery seconds (None if it has none)."""
        _started, kind, _resolved, _envs = fact
        self.failures += 1
        self.near_misses += kind == FailureKind.near_miss
        self.incidents += kind == FailureKind.incident
        return recovery_seconds(fact)


@dataclass
class Day(KindCounts):
    """One day's figures, folded from its failures."""

    recovery: list[float] = field(default_factory=list)  # seconds, failed deployments
    linked: list[tuple[float, list[str]]] = field(default_factory=list)  # seconds, environments
    lags: list[float] = field(default_factory=list)  # seconds, of the failures resolved that day

    def add(self, fact: Fact) -> None:
        seconds = self.count(fact)
        if seconds is None:
            return
        _started, kind, _resolved, envs = fact
        if kind == FailureKind.failed_deployment:
            self.recovery.append(seconds)
        elif kind == FailureKind.incident and envs:
            self.linked.append((seconds, sorted(envs)))

    def values(self) -> dict[str, Any]:
        return {
            "failures": self.failures,
            "near_misses": self.near_misses,
            "incidents": self.incidents,
            "recovery": encode_seconds(self.recovery),
            "linked_recovery": json.dumps(self.linked) if self.linked else "",
            "review_lags": encode_seconds(self.lags),
        }

    @classmethod
    def of_row(cls, row: Any) -> Day:
        failures, near, incidents, recovery, linked, lags = row
        pairs = [(float(s), list(envs)) for s, envs in json.loads(linked)] if linked else []
        return cls(
            failures, near, incidents, list(decode_seconds(recovery)), pairs, list(decode_seconds(lags))
        )


def encode_seconds(values: list[float]) -> str:
    return np.array(values, dtype="<f8").tobytes().hex() if values else ""


def decode_seconds(hexed: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.frombuffer(bytes.fromhex(hexed), dtype="<f8") if hexed else np.zeros(0)


# Built once: the per-delivery path runs them on every commit.
_FACTS = select(_F.c.id, _F.c.started_at, _F.c.kind, _F.c.resolved_at)
_D: Table = Deployment.__table__  # type: ignore[assignment]
_LINK_ENVS = (
    select(_fd.c.failure_id, _D.c.environment)
    .join(_D, _D.c.id == _fd.c.deployment_id)
    .where(_fd.c.failure_id.in_(bindparam("ids", expanding=True)), _fd.c.state == "confirmed")
)


def _link_envs(session: Session, ids: list[int]) -> dict[int, set[str]]:
    envs: dict[int, set[str]] = {}
    connection = session.connection()
    for start in range(0, len(ids), 1_000):
        for failure_id, environment in connection.execute(_LINK_ENVS, {"ids": ids[start : start + 1_000]}):
            envs.setdefault(failure_id, set()).add(environment)
    return envs


def failure_facts(session: Session, *conditions: ColumnElement[bool]) -> list[Fact]:
    """The facts of the failures matching the conditions, as a Day folds them. Links are read
    only for the resolved incidents, the one kind they matter for, by id afterwards."""
    rows = session.connection().execute(_FACTS.where(*conditions)).all()
    incidents = [r[0] for r in rows if r[2] == FailureKind.incident and r[3] is not None]
    envs = _link_envs(session, incidents) if incidents else {}
    return [(started, kind, resolved, frozenset(envs.get(i, ()))) for i, started, kind, resolved in rows]


def _day_conditions(day: date, column: Any = _F.c.started_at) -> tuple[ColumnElement[bool], ...]:
    start = midnight(day)
    return (column >= start, column < start + timedelta(days=1))


_RV: Table = Review.__table__  # type: ignore[assignment]
# From the failures, each asking for its published review: a day's resolutions are then read
# from the resolution index (a join let SQLite start from every published review instead).
_PUBLISHED = (
    select(_RV.c.published_at)
    .where(_RV.c.failure_id == _F.c.id, _RV.c.status == ReviewStatus.published)
    .correlate(_F)
    .scalar_subquery()
)
_LAGS = select(_F.c.resolved_at, _PUBLISHED).where(_F.c.resolved_at.is_not(None))


def lag_seconds(resolved: datetime, published: datetime) -> float:
    """Resolution to published review; a review published before the resolution counts 0."""
    return max(0.0, (published - resolved).total_seconds())


def review_lags(session: Session, *conditions: ColumnElement[bool]) -> list[tuple[datetime, float]]:
    """(resolved, lag seconds) of the failures matching the conditions whose review is published."""
    rows = session.connection().execute(_LAGS.where(*conditions))
    return [(resolved, lag_seconds(resolved, published)) for resolved, published in rows if published]


_KEY = _R.c.day == bindparam("k_day")
_COUNTS = ("failures", "near_misses", "incidents", "recovery", "linked_recovery", "review_lags")
_TEXTS = ("recovery", "linked_recovery", "review_lags")
_LOCK_ROW = select(*(_R.c[name] for name in _COUNTS)).where(_KEY).with_for_update()
_SET_ROW = update(_R).where(_KEY).values({_R.c[name]: bindparam(f"new_{name}") for name in _COUNTS})
_INSERT_KEY = {
    name: dialect.insert(_R)
    .values(day=bindparam("k_day"), **{c: "" if c in _TEXTS else 0 for c in _COUNTS})
    .on_conflict_do_nothing(index_elements=["day"])
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def refresh_days(session: Session, days: Iterable[date], new: dict[date, list[Fact]] | None = None) -> None:
    """Recounts the days from their failures, and adds the facts in ``new`` (failures just
    reported in this transaction) to their days' rows without a recount. Each day's row is
    locked first (PostgreSQL), in one fixed order, so a concurrent writer of the same day waits
    and then reads what the other committed."""
    recount = set(days)
    additions = {d: facts for d, facts in (new or {}).items() if d not in recount}
    connection = session.connection()
    insert_key = _INSERT_KEY["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]
    for day in sorted(recount | additions.keys()):
        params = {"k_day": day}
        connection.execute(insert_key, params)
        current = connection.execute(_LOCK_ROW, params).one()
        if day in recount:
            tally, facts = Day(), failure_facts(session, *_day_conditions(day))
            tally.lags = [lag for _, lag in review_lags(session, *_day_conditions(day, _F.c.resolved_at))]
        else:
            tally, facts = Day.of_row(current), additions[day]
        for fact in facts:
            tally.add(fact)
        connection.execute(_SET_ROW, {**params, **{f"new_{k}": v for k, v in tally.values().items()}})


def rebuild_failure_rollup(session: Session) -> int:
    """Recomputes the whole rollup from the failures, for writers that go around the services
    (the demo, an import, the benchmark's generator). Answers the rows written."""
    session.execute(delete(FailureRollup))
    for key in (_DAYS, _IDS, _NEW):
        session.info.pop(key, None)
    envs: dict[int, set[str]] = {}
    linked = (
        select(_fd.c.failure_id, _D.c.environment)
        .join(_D, _D.c.id == _fd.c.deployment_id)
        .join(_F, _F.c.id == _fd.c.failure_id)
        .where(_fd.c.state == "confirmed", _F.c.kind == FailureKind.incident)
    )
    for failure_id, environment in session.execute(linked):
        envs.setdefault(failure_id, set()).add(environment)
    days: dict[date, Day] = {}
    rows = session.execute(_FACTS, execution_options={"yield_per": 20_000})
    for failure_id, started, kind, resolved in rows:
        tally = days.get(day_of(started))
        if tally is None:
            tally = days[day_of(started)] = Day()
        tally.add((started, kind, resolved, frozenset(envs.get(failure_id, ()))))
    for resolved, lag in review_lags(session):
        tally = days.get(day_of(resolved))
        if tally is None:
            tally = days[day_of(resolved)] = Day()
        tally.lags.append(lag)
    values = [{"day": d, **t.values()} for d, t in days.items()]
    for i in range(0, len(values), 2_000):
        session.execute(insert(FailureRollup), values[i : i + 2_000])
    return len(values)


# ---- upkeep: the events mark days, the commit recounts them ----------------------------


def refresh_failures_pending(session: Session) -> None:
    """Brings the days marked in this session so far up to date (before its commit, or a read)."""
    days: set[date] = session.info.pop(_DAYS, None) or set()
    ids: set[int] = session.info.pop(_IDS, None) or set()
    new: set[int] = session.info.pop(_NEW, None) or set()
    if not (days or ids or new):
        return
    session.flush()
    if ids:
        found = session.connection().execute(
            select(_F.c.started_at, _F.c.resolved_at).where(_F.c.id.in_(sorted(ids)))
        )
        for started, resolved in found:
            days.update(day_of(moment) for moment in (started, resolved) if moment is not None)
    additions: dict[date, list[Fact]] = {}
    if new - ids:  # one changed since is recounted with its day instead
        for fact in failure_facts(session, _F.c.id.in_(sorted(new - ids))):
            additions.setdefault(day_of(fact[0]), []).append(fact)
    refresh_days(session, days, additions)


def _before_commit(session: Session) -> None:
    refresh_failures_pending(session)


def _listen(session: Session) -> None:
    if not session.info.get("failure_rollup_listens"):
        event.listen(session, "before_commit", _before_commit)
        session.info["failure_rollup_listens"] = True


def _moment(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _failure_changed(session: Session, _actor: Actor, ev: DomainEvent) -> None:
    """A report adds the failure to its day; an update recounts its days (of its start and of
    its resolution, now and before); a deletion recounts the days it was on."""
    if ev.name == FAILURE_REPORTED:
        session.info.setdefault(_NEW, set()).add(ev.subject_id)
    elif ev.name == FAILURE_UPDATED:
        session.info.setdefault(_IDS, set()).add(ev.subject_id)
    days: set[date] = session.info.setdefault(_DAYS, set())
    for name in ("was_started_at", "started_at", "was_resolved_at", "resolved_at"):
        moment = _moment(ev.data.get(name))
        if moment is not None:
            days.add(day_of(moment))
    _listen(session)


def _review_changed(session: Session, _actor: Actor, ev: DomainEvent) -> None:
    """Publishing or unpublishing a review moves the review lag of its failure's resolution day."""
    failure_id = ev.data.get("failure_id")
    if isinstance(failure_id, int):
        session.info.setdefault(_IDS, set()).add(failure_id)
        _listen(session)


HANDLERS: HandlerTable = (
    (FAILURE_REPORTED, _failure_changed),
    (FAILURE_UPDATED, _failure_changed),
    (FAILURE_DELETED, _failure_changed),
    (REVIEW_UPDATED, _review_changed),
)
