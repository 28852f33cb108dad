"""Teams: created, changed, found by name and listed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.listing import apply_sort, paginate, text_match
from failwell.people.models import Team
from failwell.people.schemas import TeamFilter, TeamIn, TeamUpdate


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(detail=f"No team with id {team_id}.")
    return team


def team_by_name(session: Session, name: str, field: str = "team") -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise InvalidInput.on(field, f"unknown team '{name}'")
    return team


def _ensure_team_name_free(session: Session, name: str, except_id: int | None = None) -> None:
    existing = session.scalar(select(Team.id).where(Team.name == name))
    if existing is not None and existing != except_id:
        raise Conflict.on("name", f"a team named '{name}' already exists")


def create_team(session: Session, actor: Actor, data: TeamIn) -> Team:
    require(actor, Role.practice_manager, "Creating a team")
    _ensure_team_name_free(session, data.name)
    team = Team(name=data.name, description=data.description)
    session.add(team)
    session.flush()
    return team


def update_team(session: Session, actor: Actor, team_id: int, data: TeamUpdate) -> Team:
    require(actor, Role.practice_manager, "Changing a team")
    team = get_team(session, team_id)
    if data.name is not None and data.name != team.name:
        _ensure_team_name_free(session, data.name, team.id)
        team.name = data.name
    if data.description is not None:
        team.description = data.description
    session.flush()
    return team


TEAM_SORTS = {"name": Team.name, "created_at": Team.created_at}


def list_teams(session: Session, filters: TeamFilter) -> tuple[Sequence[Team], int, bool]:
    stmt = select(Team)
    if filters.q:
        stmt = stmt.where(text_match(filters.q, Team.name, Team.description))
    stmt = apply_sort(stmt, filters.sort, TEAM_SORTS, "name", Team.id)
    return paginate(session, stmt, filters)
