"""The deployment rollup: per day (UTC), service and environment, the deployments by outcome,
rework, those linked to a failure, and a histogram of change lead times.

DORA's keys read it instead of every deployment (see failwell.insights.rollup_read). It is kept
in the unit of work of every write that can move a figure: the deployment and failure events
mark the (day, service, environment) keys they touch, and the keys are recomputed from the
deployments themselves just before the transaction commits (or before a metric is read in it).
Recomputing a key rather than adding deltas makes every refresh exact, whatever the change.
Bulk writers that go around the services (the demo loader, the benchmark's generator) call
``rebuild_rollup``.

Lead times go into buckets 2^(1/16) apart (4.4 % wide) from one minute to about a year, one
bucket below (under a minute) and one above; a histogram is stored sparse, as little-endian
(uint16 bucket, uint32 count) pairs written in hex: text, so a read can concatenate a day's
histograms in SQL (group_concat, string_agg) and fetch one row per day.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Table, and_, bindparam, delete, event, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from failwell.authz import Actor
from failwell.changes.models import Deployment
from failwell.enums import DeploymentOutcome, FailureKind
from failwell.events import (
    DEPLOYMENT_RECORDED,
    DEPLOYMENT_UPDATED,
    FAILURE_DELETED,
    FAILURE_REPORTED,
    FAILURE_UPDATED,
    BulkForms,
    DomainEvent,
    HandlerTable,
)
from failwell.failures.models import Failure, failure_deployments
from failwell.insights.models import DeploymentRollup

PER_DOUBLING = 16
# Buckets 1..TOP cover [2^((k-1)/16), 2^(k/16)) minutes: 1 minute to 2^(305/16) min (~1.04 years).
TOP = 305
OVERFLOW = TOP + 1
N_BUCKETS = TOP + 2
PAIR = np.dtype([("bucket", "<u2"), ("count", "<u4")])
_PENDING = "deployment_rollup_pending"
_NEW = "deployment_rollup_new"
_fd = failure_deployments


Key = tuple[date, int, str]


def bucket_of(seconds: float) -> int:
    minutes = seconds / 60.0
    if minutes < 1.0:
        return 0
    return min(math.floor(PER_DOUBLING * math.log2(minutes)) + 1, OVERFLOW)


def bucket_bounds(k: int) -> tuple[float, float]:
    """The bucket's [low, high) in seconds (the overflow bucket answers its low end twice)."""
    if k == 0:
        return 0.0, 60.0
    low = 60.0 * 2.0 ** ((min(k, OVERFLOW) - 1) / PER_DOUBLING)
    return (low, low) if k == OVERFLOW else (low, 60.0 * 2.0 ** (k / PER_DOUBLING))


def encode(histogram: Counter[int]) -> str:
    return np.array(sorted(histogram.items()), dtype=PAIR).tobytes().hex() if histogram else ""


def decode(hexed: str) -> Counter[int]:
    pairs = np.frombuffer(bytes.fromhex(hexed), dtype=PAIR) if hexed else np.zeros(0, dtype=PAIR)
    return Counter({int(b): int(c) for b, c in zip(pairs["bucket"], pairs["count"], strict=True)})


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass
class Tally:
    """One key's figures, folded from its deployments."""

    deployments: int = 0
    failed: int = 0
    rolled_back: int = 0
    rework: int = 0
    linked: int = 0
    lead_times: Counter[int] = field(default_factory=Counter)

    def add(self, row: Any) -> None:
        """row: (started_at, finished_at, outcome, rework, first_commit_at, linked)."""
        started, finished, outcome, rework, first_commit, linked = row[:6]
        self.deployments += 1
        self.rework += 1 if rework else 0
        if outcome == DeploymentOutcome.failed:
            self.failed += 1
        elif outcome == DeploymentOutcome.rolled_back:
            self.rolled_back += 1
        else:
            self.linked += 1 if linked else 0
            landed = finished or started
            if first_commit is not None and first_commit <= landed:
                self.lead_times[bucket_of((landed - first_commit).total_seconds())] += 1

    def values(self) -> dict[str, Any]:
        return {
            "deployments": self.deployments,
            "failed": self.failed,
            "rolled_back": self.rolled_back,
            "rework": self.rework,
            "linked": self.linked,
            "lead_times": encode(self.lead_times),
        }


def _linked_ids(session: Session, ids: list[int]) -> set[int]:
    """Which of these deployments have a confirmed link to a failure other than a near miss."""
    found: set[int] = set()
    connection = session.connection()
    for start in range(0, len(ids), 1_000):
        found.update(connection.execute(_LINKED, {"ids": ids[start : start + 1_000]}).scalars())
    return found


# Built once (a delivery asks it on every commit): building a statement costs more than running it.
_LINKED = (
    select(_fd.c.deployment_id)
    .join(Failure.__table__, Failure.__table__.c.id == _fd.c.failure_id)
    .where(
        _fd.c.deployment_id.in_(bindparam("ids", expanding=True)),
        _fd.c.state == "confirmed",
        Failure.__table__.c.kind != FailureKind.near_miss,
    )
)


def deployment_facts(session: Session, *conditions: ColumnElement[bool]) -> list[tuple[Any, ...]]:
    """(started, finished, outcome, rework, first commit, linked) of the deployments matching
    the conditions, as a Tally folds them. The links are read by id afterwards: asked per row
    inside the select, PostgreSQL hashed every link of every failure each time."""
    rows = session.execute(
        select(
            Deployment.started_at,
            Deployment.finished_at,
            Deployment.outcome,
            Deployment.rework,
            Deployment.first_commit_at,
            Deployment.id,
        ).where(*conditions)
    ).all()
    succeeded = [row[5] for row in rows if row[2] == DeploymentOutcome.succeeded]
    linked = _linked_ids(session, succeeded) if succeeded else set()
    return [(*row[:5], row[5] in linked) for row in rows]


def refresh_keys(session: Session, keys: Iterable[Key], new: dict[Key, list[int]] | None = None) -> None:
    """Recomputes the keys from their deployments, and adds the deployments in ``new`` (just
    inserted, in this transaction) to their keys' rows without a recount: a CI pipeline's
    delivery then reads one rollup row instead of the whole day. Each key's row is locked first
    (PostgreSQL), all keys in one fixed order, so a concurrent writer of the same key waits and
    then reads what the other committed: a recount never overwrites a newer one, and an
    addition adds to the committed figures (counts alone, the usual case, in one upsert)."""
    recount = set(keys)
    additions = {k: ids for k, ids in (new or {}).items() if k not in recount}
    for key in sorted(recount | additions.keys()):
        day, service_id, environment = key
        params = {"k_day": day, "k_service_id": service_id, "k_environment": environment}
        connection = session.connection()
        added = Tally()
        if key not in recount:
            for row in _facts_by_id(session, additions[key]):
                added.add(row)
            if not added.lead_times:
                # Counts only (no commit time known, the usual case from CI): added to the
                # committed row in one statement, which waits for a concurrent writer's lock.
                counts = added.values()
                values = {f"new_{c}": counts[c] for c in _ADDED}
                connection.execute(_ADD[_dialect(session)], {**params, **values})
                continue
        connection.execute(_INSERT_KEY[_dialect(session)], params)
        current = connection.execute(_LOCK_ROW, params).one()
        if key in recount:
            tally = Tally()
            start = midnight(day)
            conditions = (
                Deployment.service_id == service_id,
                Deployment.environment == environment,
                Deployment.started_at >= start,
                Deployment.started_at < start + timedelta(days=1),
            )
            for row in deployment_facts(session, *conditions):
                tally.add(row)
        else:
            deployments, failed, rolled_back, rework, linked, lead_times = current
            tally = Tally(
                deployments + added.deployments,
                failed + added.failed,
                rolled_back + added.rolled_back,
                rework + added.rework,
                linked + added.linked,
                decode(lead_times) + added.lead_times,
            )
        # A key left with no deployments keeps its row of zeros: a writer may be waiting on it.
        connection.execute(_SET_ROW, {**params, **{f"new_{k}": v for k, v in tally.values().items()}})


_R: Table = DeploymentRollup.__table__  # type: ignore[assignment]  # declarative types it loosely
_D: Table = Deployment.__table__  # type: ignore[assignment]
# Built once: the per-delivery path runs them on every commit, and building is most of the cost.
_KEY = and_(
    _R.c.day == bindparam("k_day"),
    _R.c.service_id == bindparam("k_service_id"),
    _R.c.environment == bindparam("k_environment"),
)
_COUNTS = ("deployments", "failed", "rolled_back", "rework", "linked", "lead_times")
_LOCK_ROW = select(*(_R.c[name] for name in _COUNTS)).where(_KEY).with_for_update()
_SET_ROW = update(_R).where(_KEY).values({_R.c[name]: bindparam(f"new_{name}") for name in _COUNTS})
_F: Table = Failure.__table__  # type: ignore[assignment]
# A few deployments by id (those just inserted), each with whether a confirmed link counts for
# it: an index look-up per row, so one statement (a recount reads the links apart, see above).
_IS_LINKED = (
    select(_fd.c.deployment_id)
    .join(_F, _F.c.id == _fd.c.failure_id)
    .where(_fd.c.deployment_id == _D.c.id, _fd.c.state == "confirmed", _F.c.kind != FailureKind.near_miss)
    .exists()
)
_FACT_COLUMNS = (_D.c.started_at, _D.c.finished_at, _D.c.outcome, _D.c.rework, _D.c.first_commit_at)
_FACTS_BY_ID = select(*_FACT_COLUMNS, _IS_LINKED).where(_D.c.id.in_(bindparam("ids", expanding=True)))
_FACTS_OF_ONE = select(*_FACT_COLUMNS, _IS_LINKED).where(_D.c.id == bindparam("id"))  # the usual delivery
_INSERT_KEY = {
    name: dialect.insert(_R)
    .values(
        day=bindparam("k_day"), service_id=bindparam("k_service_id"), environment=bindparam("k_environment")
    )
    .on_conflict_do_nothing(index_elements=["environment", "day", "service_id"])
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


_ADDED = ("deployments", "failed", "rolled_back", "rework", "linked")


def _adding(dialect: Any) -> Any:
    stmt = dialect.insert(_R)
    return stmt.values(
        day=bindparam("k_day"),
        service_id=bindparam("k_service_id"),
        environment=bindparam("k_environment"),
        lead_times="",
        **{c: bindparam(f"new_{c}") for c in _ADDED},
    ).on_conflict_do_update(
        index_elements=["environment", "day", "service_id"],
        set_={c: _R.c[c] + stmt.excluded[c] for c in _ADDED},
    )


_ADD = {"postgresql": _adding(postgresql), "sqlite": _adding(sqlite)}


def _dialect(session: Session) -> str:
    return "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"


def _facts_by_id(session: Session, ids: list[int]) -> list[tuple[Any, ...]]:
    connection = session.connection()
    if len(ids) == 1:
        return [tuple(row) for row in connection.execute(_FACTS_OF_ONE, {"id": ids[0]})]
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), 1_000):
        rows += [tuple(row) for row in connection.execute(_FACTS_BY_ID, {"ids": ids[start : start + 1_000]})]
    return rows


def rebuild_rollup(session: Session, since: datetime | None = None) -> int:
    """Recomputes the rollup from every deployment started on or after since's day (all of
    them by default), for writers that go around the services. Answers the rows written."""
    first_day = since.astimezone(UTC).date() if since else None
    wipe = delete(DeploymentRollup)
    conditions: list[ColumnElement[bool]] = []
    if first_day is not None:
        wipe = wipe.where(DeploymentRollup.day >= first_day)
        conditions.append(Deployment.started_at >= midnight(first_day))
    session.execute(wipe)
    session.info.pop(_PENDING, None)
    session.info.pop(_NEW, None)
    linked = set(
        session.scalars(
            select(_fd.c.deployment_id)
            .join(Failure, Failure.id == _fd.c.failure_id)
            .where(_fd.c.state == "confirmed", Failure.kind != FailureKind.near_miss)
        )
    )
    rows = session.execute(
        select(
            Deployment.started_at,
            Deployment.finished_at,
            Deployment.outcome,
            Deployment.rework,
            Deployment.first_commit_at,
            Deployment.id,
            Deployment.service_id,
            Deployment.environment,
        ).where(*conditions),
        execution_options={"yield_per": 20_000},
    )
    tallies: dict[Key, Tally] = {}
    for started, finished, outcome, rework, first_commit, dep_id, service_id, environment in rows:
        key = (started.astimezone(UTC).date(), service_id, environment)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Tally()
        tally.add((started, finished, outcome, rework, first_commit, dep_id in linked))
    values = [
        {"day": k[0], "service_id": k[1], "environment": k[2], **t.values()} for k, t in tallies.items()
    ]
    for i in range(0, len(values), 2_000):
        session.execute(insert(DeploymentRollup), values[i : i + 2_000])
    return len(values)


# ---- upkeep: the events mark keys, the commit recounts them -----------------------------


def refresh_pending(session: Session) -> None:
    """Brings the keys marked in this session so far up to date (before its commit, or a read)."""
    pending: set[Key] = session.info.pop(_PENDING, None) or set()
    new: dict[Key, list[int]] = session.info.pop(_NEW, None) or {}
    if pending or new:
        session.flush()
        refresh_keys(session, pending, new)


def _before_commit(session: Session) -> None:
    refresh_pending(session)


def mark(session: Session, keys: Iterable[Key]) -> None:
    """These keys are recounted before the commit."""
    pending: set[Key] = session.info.setdefault(_PENDING, set())
    pending.update(keys)
    _listen(session)


def mark_new(session: Session, key: Key, deployment_id: int) -> None:
    """This deployment, inserted in this session, is added to its key before the commit (unless
    something else marked the key for a recount, which counts it anyway)."""
    new: dict[Key, list[int]] = session.info.setdefault(_NEW, {})
    new.setdefault(key, []).append(deployment_id)
    _listen(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous: SessionTransaction) -> None:
    # The whole transaction is undone, and so are the writes that marked the keys (a delivery
    # that is not accepted is rolled back, then stored in the next transaction of the same
    # session). A savepoint's rollback keeps them: what was marked before it still stands.
    if previous.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_NEW, None)


def _listen(session: Session) -> None:
    if not session.info.get("deployment_rollup_listens"):
        event.listen(session, "before_commit", _before_commit)
        session.info["deployment_rollup_listens"] = True


def _keys_of(session: Session, condition: ColumnElement[bool]) -> list[Key]:
    rows = session.execute(
        select(Deployment.started_at, Deployment.service_id, Deployment.environment).where(condition)
    )
    return [(started.astimezone(UTC).date(), service_id, env) for started, service_id, env in rows]


def _deployment_changed(session: Session, _actor: Actor, ev: DomainEvent) -> None:
    if "started_at" in ev.data:  # a new deployment says where it goes: no read on the hot path
        started: datetime = ev.data["started_at"]
        day = (started if started.tzinfo else started.replace(tzinfo=UTC)).astimezone(UTC).date()
        key = (day, int(ev.data["service_id"]), str(ev.data["environment"]))
        if ev.name == DEPLOYMENT_RECORDED:
            mark_new(session, key, ev.subject_id)
        else:
            mark(session, [key])
    else:
        mark(session, _keys_of(session, Deployment.id == ev.subject_id))


def _failure_changed(session: Session, actor: Actor, ev: DomainEvent) -> None:
    """Its links, its kind (a near miss's links do not count) or its deletion can move the
    linked counts of the deployments it is, or was, linked to."""
    _failures_changed(session, actor, [ev])


def _failures_changed(session: Session, _actor: Actor, events: Sequence[DomainEvent]) -> None:
    before = [int(i) for ev in events for i in ev.data.get("deployment_ids", ())]
    failure_ids = [ev.subject_id for ev in events]
    # Only confirmed links count: a new failure's tens of suggested ones move no figure.
    current = select(_fd.c.deployment_id).where(_fd.c.failure_id.in_(failure_ids), _fd.c.state == "confirmed")
    mark(session, _keys_of(session, or_(Deployment.id.in_(current), Deployment.id.in_(before))))


# What the read side does when each event is raised; failwell.bootstrap wires it after the
# integrations' handlers, so the links they add are already there.
HANDLERS: HandlerTable = (
    (DEPLOYMENT_RECORDED, _deployment_changed),
    (DEPLOYMENT_UPDATED, _deployment_changed),
    (FAILURE_REPORTED, _failure_changed),
    (FAILURE_UPDATED, _failure_changed),
    (FAILURE_DELETED, _failure_changed),
)
BULK_FORMS: BulkForms = ((_failure_changed, _failures_changed),)
