"""Which failures are a service's or a team's: the subqueries every list filters by.

A failure is a service's when it affected it (failure_services), and a team's when it
affected a service the team owns. Any slice whose rows point at a failure (reviews,
actions, lessons, feeds, digests) filters "of service X / of team Y" with these.

Two shapes, as the lists need them: `IN (subquery)` collects the ids once from the
(service_id, failure_id) index, which suits counted, paged lists; `EXISTS` probes each
row's links by primary key, which suits a short newest-first top-N that stops early.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Exists, Select, SQLColumnExpression, exists, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from failwell.catalogue.models import Service
from failwell.catalogue.service import service_by_name
from failwell.failures.models import failure_services
from failwell.people.teams import team_by_name

_failure_id = failure_services.c.failure_id
_service_id = failure_services.c.service_id


def service_failure_ids(service: int | Select[int]) -> Select[int]:
    """Ids of the failures that affected a service (an id), or any of several (a select of ids)."""
    if isinstance(service, int):
        return select(_failure_id).where(_service_id == service)
    return select(_failure_id).where(_service_id.in_(service))


def owned_service_ids(team_ids: Sequence[int]) -> Select[int]:
    return select(Service.id).where(Service.owner_team_id.in_(team_ids))


def team_failure_ids(team_id: int) -> Select[int]:
    """Ids of the failures that affected a service the team owns."""
    return (
        select(_failure_id).join(Service, Service.id == _service_id).where(Service.owner_team_id == team_id)
    )


def links_service(failure_id: SQLColumnExpression[int], service_id: int) -> Exists:
    """The failure (a column of the outer query) affected the service: probed by primary key."""
    return exists(select(literal(1)).where(_failure_id == failure_id, _service_id == service_id))


def links_teams(failure_id: SQLColumnExpression[int], team_ids: Sequence[int]) -> Exists:
    """The failure affected a service one of the teams owns: probed by primary key."""
    return exists(
        select(literal(1))
        .select_from(failure_services.join(Service, Service.id == _service_id))
        .where(_failure_id == failure_id, Service.owner_team_id.in_(team_ids))
    )


def scope_filters(
    session: Session,
    failure_id: SQLColumnExpression[int],
    *,
    service: str | None = None,
    team: str | None = None,
) -> list[ColumnElement[bool]]:
    """Conditions keeping the rows whose failure is the named service's and the named team's
    (by name, as list filters take them; an unknown name is refused at its field)."""
    conditions: list[ColumnElement[bool]] = []
    if service:
        conditions.append(failure_id.in_(service_failure_ids(service_by_name(session, service).id)))
    if team:
        conditions.append(failure_id.in_(team_failure_ids(team_by_name(session, team).id)))
    return conditions
