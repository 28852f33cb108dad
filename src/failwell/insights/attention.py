"""What needs attention now: the bounded read queries behind the home page's panels.

Every query here is a top-N (or a capped count) on an index, so the home page costs the
same with 100 failures as with 100,000. Scoping is by team: a person's teams own services,
and what happens to those services comes first. Nothing here counts or ranks people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, literal, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.catalogue.models import Service
from failwell.enums import ActionStatus, FailureStatus, ReviewStatus
from failwell.failures.models import Failure, failure_services
from failwell.insights.failures import FAILURE_COLUMNS, failure_rows, name_services, service_names
from failwell.listing import capped_count
from failwell.people.models import Team, team_members
from failwell.reviews.models import Review
from failwell.reviews.service import DONE_FAILURE
from failwell.reviews.service import WAITING as WAITING_REVIEW

OPEN_FAILURE = (FailureStatus.open, FailureStatus.mitigated)
ACTIVE_ACTION = (ActionStatus.open, ActionStatus.in_progress)


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


# ---- open failures -----------------------------------------------------------------


def open_failures(session: Session, team_ids: Sequence[int], limit: int = 6) -> Panel:
    base = select(*FAILURE_COLUMNS).where(Failure.status.in_(OPEN_FAILURE))
    # Most severe first (SEV1 is level 1), then the newest.
    ordered = base.order_by(Failure.severity.asc(), Failure.started_at.desc(), Failure.id.desc()).limit(limit)
    mine = failure_rows(session, ordered.where(_touches_teams(Failure.id, team_ids))) if team_ids else []
    everyone = failure_rows(session, ordered)
    items, n_mine = _merge(mine, everyone, limit)
    name_services(session, items)
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
