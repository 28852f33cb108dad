"""What needs attention now: the bounded read queries behind the home page (and the
failures-per-month chart shared with service pages).

Every query here is a top-N (or a capped count) on an index, so the home page costs the
same with 100 failures as with 100,000. Scoping is by team: a person's teams own services,
and what happens to those services comes first. Nothing here counts or ranks people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.catalogue.models import Service
from failwell.enums import ActionStatus, FailureKind, FailureStatus, ReviewStatus
from failwell.failures.models import Failure, failure_services
from failwell.listing import capped_count
from failwell.people.models import Team, team_members
from failwell.reviews.models import Review

# A select of any columns (SQLAlchemy 2.1 types a select by its column types).
Rows: TypeAlias = Select[*tuple[Any, ...]]
OPEN_FAILURE = (FailureStatus.open, FailureStatus.mitigated)
DONE_FAILURE = (FailureStatus.resolved, FailureStatus.closed)
WAITING_REVIEW = (ReviewStatus.draft, ReviewStatus.in_review)
ACTIVE_ACTION = (ActionStatus.open, ActionStatus.in_progress)


@dataclass
class FailureRow:
    id: int
    title: str
    kind: FailureKind
    severity: int
    status: FailureStatus
    started_at: datetime
    services: list[str] = field(default_factory=list)


@dataclass
class ReviewRow:
    id: int
    failure_id: int
    title: str
    status: ReviewStatus
    updated_at: datetime
    services: list[str] = field(default_factory=list)


@dataclass
class ActionRow:
    id: int
    failure_id: int
    title: str
    status: ActionStatus
    due_date: date | None
    owner_team: str


@dataclass
class Panel:
    """A bounded list: the person's teams' items first, then everyone's, and how many in all."""

    items: list[Any]
    mine: int  # how many of `items` (from the start) concern the person's teams
    total: int
    exact: bool


# ---- scope -------------------------------------------------------------------------


def team_ids_of(session: Session, person_id: int) -> list[int]:
    rows = session.scalars(
        select(team_members.c.team_id)
        .where(team_members.c.person_id == person_id)
        .order_by(team_members.c.team_id)
    )
    return list(rows)


def teams_named(session: Session, team_ids: Sequence[int]) -> list[tuple[int, str]]:
    if not team_ids:
        return []
    rows = session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)).order_by(Team.name))
    return [(r.id, r.name) for r in rows]


def _touches_teams(failure_id: Any, team_ids: Sequence[int]) -> ColumnElement[bool]:
    """The failure affects a service owned by one of the teams."""
    return exists(
        select(literal(1))
        .select_from(failure_services.join(Service, Service.id == failure_services.c.service_id))
        .where(failure_services.c.failure_id == failure_id, Service.owner_team_id.in_(team_ids))
    )


def _merge(mine: list[Any], everyone: list[Any], limit: int) -> tuple[list[Any], int]:
    seen = {row.id for row in mine}
    rest = [row for row in everyone if row.id not in seen]
    items = (mine + rest)[:limit]
    return items, min(len(mine), limit)


def service_names(session: Session, failure_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted(set(failure_ids))
    out: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(failure_services.c.failure_id, Service.name)
        .join(Service, Service.id == failure_services.c.service_id)
        .where(failure_services.c.failure_id.in_(ids))
        .order_by(Service.name)
    )
    for failure_id, name in rows:
        out[failure_id].append(name)
    return out


# ---- open failures -----------------------------------------------------------------

_FAILURE_COLUMNS = (
    Failure.id,
    Failure.title,
    Failure.kind,
    Failure.severity,
    Failure.status,
    Failure.started_at,
)


def _failure_rows(session: Session, stmt: Rows) -> list[FailureRow]:
    return [
        FailureRow(r.id, r.title, r.kind, r.severity, r.status, r.started_at) for r in session.execute(stmt)
    ]


def open_failures(session: Session, team_ids: Sequence[int], limit: int = 6) -> Panel:
    base = select(*_FAILURE_COLUMNS).where(Failure.status.in_(OPEN_FAILURE))
    ordered = base.order_by(Failure.started_at.desc(), Failure.id.desc()).limit(limit)
    mine = _failure_rows(session, ordered.where(_touches_teams(Failure.id, team_ids))) if team_ids else []
    everyone = _failure_rows(session, ordered)
    items, n_mine = _merge(mine, everyone, limit)
    names = service_names(session, (f.id for f in items))
    for row in items:
        row.services = names.get(row.id, [])
    total, exact = capped_count(session, base)
    return Panel(items, n_mine, total, exact)


# ---- reviews waiting ---------------------------------------------------------------


def reviews_waiting(session: Session, team_ids: Sequence[int], limit: int = 6) -> Panel:
    """Reviews still in draft or in review although their failure is resolved or closed."""
    base = (
        select(Review.id, Review.failure_id, Failure.title, Review.status, Review.updated_at)
        .join(Failure, Failure.id == Review.failure_id)
        .where(Failure.status.in_(DONE_FAILURE))
    )

    def newest(scope: Sequence[int]) -> list[ReviewRow]:
        # One walk of the (status, updated_at, id) index per status, newest first, merged
        # here: a single IN (...) query would sort every waiting review instead.
        found: list[ReviewRow] = []
        for status in WAITING_REVIEW:
            stmt = base.where(Review.status == status)
            if scope:
                stmt = stmt.where(_touches_teams(Review.failure_id, scope))
            stmt = stmt.order_by(Review.updated_at.desc(), Review.id.desc()).limit(limit)
            found += [
                ReviewRow(r.id, r.failure_id, r.title, r.status, r.updated_at) for r in session.execute(stmt)
            ]
        return sorted(found, key=lambda r: (r.updated_at, r.id), reverse=True)[:limit]

    mine = newest(team_ids) if team_ids else []
    items, n_mine = _merge(mine, newest(()), limit)
    names = service_names(session, (r.failure_id for r in items))
    for row in items:
        row.services = names.get(row.failure_id, [])
    total, exact = capped_count(session, base.where(Review.status.in_(WAITING_REVIEW)))
    return Panel(items, n_mine, total, exact)


# ---- overdue corrective actions ----------------------------------------------------


def overdue_actions(session: Session, team_ids: Sequence[int], today: date, limit: int = 6) -> Panel:
    base = (
        select(
            CorrectiveAction.id,
            CorrectiveAction.failure_id,
            CorrectiveAction.title,
            CorrectiveAction.status,
            CorrectiveAction.due_date,
            Team.name.label("owner_team"),
        )
        .join(Team, Team.id == CorrectiveAction.owner_team_id)
        .where(CorrectiveAction.due_date < today)
    )

    def longest_overdue(scope: Sequence[int]) -> list[ActionRow]:
        # Per status, the (status, due_date) index read in order, stopping after `limit`.
        found: list[ActionRow] = []
        for status in ACTIVE_ACTION:
            stmt = base.where(CorrectiveAction.status == status)
            if scope:
                stmt = stmt.where(CorrectiveAction.owner_team_id.in_(scope))
            stmt = stmt.order_by(CorrectiveAction.due_date.asc(), CorrectiveAction.id.asc()).limit(limit)
            found += [
                ActionRow(r.id, r.failure_id, r.title, r.status, r.due_date, r.owner_team)
                for r in session.execute(stmt)
            ]
        return sorted(found, key=lambda a: (a.due_date or today, a.id))[:limit]

    mine = longest_overdue(team_ids) if team_ids else []
    items, n_mine = _merge(mine, longest_overdue(()), limit)
    total, exact = capped_count(session, base.where(CorrectiveAction.status.in_(ACTIVE_ACTION)))
    return Panel(items, n_mine, total, exact)


# ---- failures per month, by kind ---------------------------------------------------


def month_starts(today: date, months: int = 12) -> list[date]:
    """The first day of each of the last `months` months, oldest first, this month last."""
    year, month = today.year, today.month
    out = []
    for _ in range(months):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


@dataclass
class MonthlyCounts:
    months: list[str]  # 'YYYY-MM', oldest first
    by_kind: dict[str, list[int]]  # kind value -> one count per month

    @property
    def total(self) -> int:
        return sum(sum(v) for v in self.by_kind.values())

    def rows(self) -> list[tuple[str, list[int], int]]:
        """(month, counts in kind order, total) per month: the chart's numbers as a table."""
        kinds = list(self.by_kind)
        return [
            (m, [self.by_kind[k][i] for k in kinds], sum(self.by_kind[k][i] for k in kinds))
            for i, m in enumerate(self.months)
        ]


def failures_per_month(
    session: Session, today: date, service_id: int | None = None, months: int = 12
) -> MonthlyCounts:
    starts = month_starts(today, months)
    bounds = [datetime.combine(d, datetime.min.time(), tzinfo=UTC) for d in starts]
    bounds.append(datetime.combine(_next_month(starts[-1]), datetime.min.time(), tzinfo=UTC))
    labels = [d.strftime("%Y-%m") for d in starts]
    by_kind = {k.value: [0] * len(labels) for k in FailureKind}
    if service_id is None:
        # One range count per kind and month, each read from the (kind, started_at) index
        # alone: ~2 ms for 50,000 failures a year, where grouping by a computed month
        # reads and sorts every one of them (~40 ms on SQLite).
        cells = [(kind, i) for kind in FailureKind for i in range(len(labels))]
        counts = [
            select(func.count())
            .where(Failure.kind == kind, Failure.started_at >= bounds[i], Failure.started_at < bounds[i + 1])
            .scalar_subquery()
            for kind, i in cells
        ]
        row = session.execute(select(*counts)).one()
        for (kind, i), n in zip(cells, row, strict=True):
            by_kind[kind.value][i] = int(n or 0)
        return MonthlyCounts(labels, by_kind)
    # A single service has a few thousand failures a year: bucket them by month with plain
    # comparisons (no per-row date formatting), grouped in the database.
    bucket = case(
        *((Failure.started_at < bounds[i + 1], i) for i in range(len(labels))), else_=len(labels)
    ).label("bucket")
    stmt = (
        select(Failure.kind, bucket, func.count().label("n"))
        .where(
            Failure.started_at >= bounds[0],
            Failure.started_at < bounds[-1],
            Failure.id.in_(
                select(failure_services.c.failure_id).where(failure_services.c.service_id == service_id)
            ),
        )
        .group_by(Failure.kind, bucket)
    )
    for kind, at, n in session.execute(stmt):
        if 0 <= at < len(labels):
            by_kind[FailureKind(kind).value][at] += int(n)
    return MonthlyCounts(labels, by_kind)


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


KIND_COLOURS = {
    FailureKind.failed_deployment.value: "#b42318",
    FailureKind.incident.value: "#2f6f8f",
    FailureKind.near_miss.value: "#9a6700",
}


def month_chart(counts: MonthlyCounts, title: str) -> dict[str, Any]:
    """A Chart.js stacked bar config; the page shows the same numbers as a table."""
    return {
        "type": "bar",
        "data": {
            "labels": counts.months,
            "datasets": [
                {
                    "label": kind.replace("_", " ").capitalize(),
                    "data": values,
                    "backgroundColor": KIND_COLOURS.get(kind, "#5b6673"),
                }
                for kind, values in counts.by_kind.items()
            ],
        },
        "options": {
            "plugins": {"title": {"display": False, "text": title}, "legend": {"position": "bottom"}},
            "scales": {
                "x": {"stacked": True},
                "y": {"stacked": True, "beginAtZero": True, "ticks": {"precision": 0}},
            },
        },
    }


def recent_failures(session: Session, service_id: int, limit: int = 10) -> tuple[list[FailureRow], int, bool]:
    """A service's latest failures (newest first) and how many it has had (capped).

    The started_at index is walked newest first, probing each failure's link to the service
    by primary key, and stops after `limit`: at most a few milliseconds for the smallest
    service of the large organisation, where collecting a big service's 17,000 failures
    first and sorting them took 15 ms. The count reads the link index alone."""
    linked = exists(
        select(literal(1)).where(
            failure_services.c.failure_id == Failure.id, failure_services.c.service_id == service_id
        )
    )
    stmt = select(*_FAILURE_COLUMNS).where(linked).order_by(Failure.started_at.desc(), Failure.id.desc())
    items = _failure_rows(session, stmt.limit(limit))
    names = service_names(session, (f.id for f in items))
    for row in items:
        row.services = names.get(row.id, [])
    if len(items) < limit:
        return items, len(items), True
    links = select(failure_services.c.failure_id).where(failure_services.c.service_id == service_id)
    total, exact = capped_count(session, links)
    return items, total, exact
