"""The deployment rollup: per day (UTC), service and environment, the deployments by outcome,
rework, those linked to a failure, and a histogram of change lead times.

DORA's keys read it instead of every deployment (see failwell.insights.rollup_read). It is kept
in the unit of work of every write that can move a figure: the deployment and failure events
mark the (day, service, environment) keys they touch, and the keys are recomputed from the
deployments themselves just before the transaction commits (or before a metric is read in it).
Recomputing a key rather than adding deltas makes every refresh exact, whatever the change.
Bulk writers that go around the services (the demo loader, the benchmark's generator) call
``rebuild_rollup``.

The figures of one key, and the lead-time histogram, are in failwell.insights.rollup_tally; the
event handlers that mark keys in failwell.insights.rollup_upkeep.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    and_,
    any_,
    bindparam,
    column,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from failwell.changes.models import Deployment
from failwell.enums import DeploymentOutcome, FailureKind
from failwell.failures.models import Failure, failure_deployments
from failwell.insights.models import DeploymentRollup
from failwell.insights.rollup_tally import Key, Tally, decode, midnight

# Where a session keeps (session.info) the keys marked for a recount, and the deployments to add.
PENDING = "deployment_rollup_pending"
NEW = "deployment_rollup_new"
_fd = failure_deployments


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
    addition adds to the committed figures (counts alone, the usual case, in one upsert).

    The added deployments' facts are read in one statement, and consecutive counts-only keys
    are upserted in one executemany (in the same fixed order): a group of deliveries touches
    tens of keys, and a statement per key was most of the upkeep's cost."""
    recount = set(keys)
    additions = {k: ids for k, ids in (new or {}).items() if k not in recount}
    added = _added_tallies(session, additions)
    connection = session.connection()
    counts_only: list[dict[str, Any]] = []
    for key in sorted(recount | additions.keys()):
        day, service_id, environment = key
        params = {"k_day": day, "k_service_id": service_id, "k_environment": environment}
        tally_added = added.get(key, Tally())
        if key not in recount and not tally_added.lead_times:
            # Counts only (no commit time known, the usual case from CI): added to the committed
            # row, which waits for a concurrent writer's lock.
            counts = tally_added.values()
            counts_only.append({**params, **{f"new_{c}": counts[c] for c in _ADDED}})
            continue
        _add_counts(session, counts_only)
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
                deployments + tally_added.deployments,
                failed + tally_added.failed,
                rolled_back + tally_added.rolled_back,
                rework + tally_added.rework,
                linked + tally_added.linked,
                decode(lead_times) + tally_added.lead_times,
            )
        # A key left with no deployments keeps its row of zeros: a writer may be waiting on it.
        connection.execute(_SET_ROW, {**params, **{f"new_{k}": v for k, v in tally.values().items()}})
    _add_counts(session, counts_only)


def _add_counts(session: Session, pending: list[dict[str, Any]]) -> None:
    """Runs the counts-only upserts collected so far, in their order, and empties the list."""
    if pending:
        session.connection().execute(_ADD[_dialect(session)], list(pending))
        pending.clear()


def _added_tallies(session: Session, additions: dict[Key, list[int]]) -> dict[Key, Tally]:
    """What the deployments just inserted add to each key, from one read of their facts."""
    key_of = {dep_id: key for key, ids in additions.items() for dep_id in ids}
    tallies = {key: Tally() for key in additions}
    for dep_id, *facts in _facts_by_id(session, list(key_of)):
        tallies[key_of[dep_id]].add(tuple(facts))
    return tallies


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
_FACTS = select(_D.c.id, *_FACT_COLUMNS, _IS_LINKED)
_JSON_IDS = text("SELECT value FROM json_each(:ids)").columns(column("value", Integer))
_FACTS_BY_ID = {
    # One array: an IN list of a thousand placeholders is split by psycopg afresh each time.
    "postgresql": _FACTS.where(_D.c.id == any_(bindparam("ids", type_=postgresql.ARRAY(Integer)))),
    # The ids as one JSON list: an IN list of a CI batch's thousand placeholders is rendered
    # afresh each time.
    "sqlite": _FACTS.where(_D.c.id.in_(_JSON_IDS)),
}
_FACTS_OF_ONE = _FACTS.where(_D.c.id == bindparam("id"))  # the usual delivery
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
    """(id, started, finished, outcome, rework, first commit, linked) of these deployments."""
    connection = session.connection()
    if len(ids) == 1:
        return [tuple(row) for row in connection.execute(_FACTS_OF_ONE, {"id": ids[0]})]
    rows: list[tuple[Any, ...]] = []
    dialect = _dialect(session)
    for start in range(0, len(ids), 1_000):
        chunk = ids[start : start + 1_000]
        params = {"ids": orjson.dumps(chunk).decode() if dialect == "sqlite" else chunk}
        rows += [tuple(row) for row in connection.execute(_FACTS_BY_ID[dialect], params)]
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
    session.info.pop(PENDING, None)
    session.info.pop(NEW, None)
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
