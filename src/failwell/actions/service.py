"""Corrective actions, tracked to closure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from failwell.actions.models import CorrectiveAction
from failwell.actions.schemas import ActionFilter, ActionIn, ActionOut, ActionUpdate
from failwell.authz import Actor, require
from failwell.catalogue.service import service_by_name
from failwell.db import utcnow
from failwell.enums import ActionPriority, ActionStatus, Role
from failwell.errors import InvalidInput, NotFound
from failwell.events import ACTION_CREATED, ACTION_DONE, ACTION_UPDATED, DomainEvent, emit
from failwell.failures.models import Failure
from failwell.failures.schemas import PersonRef
from failwell.failures.scope import service_failure_ids
from failwell.failures.service import get_failure
from failwell.listing import PageParams, apply_sort, paginate, rank_of, text_match
from failwell.people.models import Team
from failwell.people.service import person_by_email
from failwell.people.teams import team_by_name
from failwell.reviews.models import Review

OPEN_STATUSES = (ActionStatus.open, ActionStatus.in_progress)
# Not (yet) agreed work: never open, overdue or followed through in any count.
PROPOSAL_STATUSES = (ActionStatus.proposed, ActionStatus.declined)
# Who owns the work and by when is the practice manager's call; practitioners work the action.
ASSIGNMENT_FIELDS = ("owner_team", "owner_person", "due_date", "priority")


def today() -> date:
    return utcnow().date()


def is_overdue(action: CorrectiveAction, on: date | None = None) -> bool:
    return (
        action.status in OPEN_STATUSES and action.due_date is not None and action.due_date < (on or today())
    )


def overdue_clause(on: date) -> ColumnElement[bool]:
    return and_(CorrectiveAction.status.in_(OPEN_STATUSES), CorrectiveAction.due_date < on)


def not_overdue_clause(on: date) -> ColumnElement[bool]:
    # Spelled out: NOT(overdue) is NULL, not true, for actions without a due date.
    return or_(
        CorrectiveAction.status.not_in(OPEN_STATUSES),
        CorrectiveAction.due_date.is_(None),
        CorrectiveAction.due_date >= on,
    )


def review_ids(session: Session, failure_ids: set[int]) -> dict[int, int]:
    if not failure_ids:
        return {}
    rows = session.execute(select(Review.failure_id, Review.id).where(Review.failure_id.in_(failure_ids)))
    return {failure_id: review_id for failure_id, review_id in rows}


def action_out(action: CorrectiveAction, review_id: int | None) -> ActionOut:
    person, proposer = action.owner_person, action.proposed_by
    return ActionOut(
        id=action.id,
        failure_id=action.failure_id,
        review_id=review_id,
        title=action.title,
        description=action.description,
        action_type=action.action_type,
        owner_team=action.owner_team.name,
        owner_person=PersonRef(id=person.id, name=person.name) if person else None,
        due_date=action.due_date,
        priority=action.priority,
        status=action.status,
        overdue=is_overdue(action),
        wont_do_reason=action.wont_do_reason,
        decline_reason=action.decline_reason,
        proposed_by=PersonRef(id=proposer.id, name=proposer.name) if proposer else None,
        proposed_anonymously=action.proposed_anonymously,
        external_url=action.external_url,
        completed_at=action.completed_at,
        created_at=action.created_at,
        updated_at=action.updated_at,
    )


def actions_out(session: Session, actions: Sequence[CorrectiveAction]) -> list[ActionOut]:
    reviews = review_ids(session, {a.failure_id for a in actions})
    return [action_out(a, reviews.get(a.failure_id)) for a in actions]


def get_action(session: Session, action_id: int) -> CorrectiveAction:
    action = session.get(CorrectiveAction, action_id)
    if action is None:
        raise NotFound(detail=f"No corrective action with id {action_id}.")
    return action


def default_owner_team(failure: Failure) -> Team | None:
    """The team owning the failure's service; with several, the team owning most of them (on a
    tie, the one owning the alphabetically first service). None without services."""
    services = sorted(failure.services, key=lambda s: s.name)
    owned = Counter(s.owner_team_id for s in services)
    ranked = sorted(services, key=lambda s: -owned[s.owner_team_id])
    return ranked[0].owner_team if ranked else None


def create_action(
    session: Session,
    actor: Actor,
    data: ActionIn,
    *,
    proposed_by_id: int | None = None,
    proposed_anonymously: bool = False,
) -> CorrectiveAction:
    """A practice manager's action; `proposed_by_id` credits whoever proposed it (an idea)."""
    require(actor, Role.practice_manager, "Assigning a corrective action")
    failure = get_failure(session, data.failure_id, field="failure_id")
    if data.owner_team:
        owner_team: Team | None = team_by_name(session, data.owner_team, "owner_team")
    else:
        owner_team = default_owner_team(failure)
    if owner_team is None:
        raise InvalidInput.on("owner_team", "is required: the failure names no service to take it from")
    action = CorrectiveAction(
        failure=failure,
        title=data.title,
        description=data.description,
        action_type=data.action_type,
        owner_team=owner_team,
        owner_person=person_by_email(session, data.owner_person, "owner_person")
        if data.owner_person
        else None,
        due_date=data.due_date,
        priority=data.priority,
        external_url=str(data.external_url) if data.external_url else None,
        proposed_by_id=proposed_by_id,
        proposed_anonymously=proposed_anonymously,
    )
    session.add(action)
    session.flush()
    emit(session, actor, DomainEvent(ACTION_CREATED, action.id, {"failure_id": action.failure_id}))
    return action


def update_action(session: Session, actor: Actor, action_id: int, data: ActionUpdate) -> CorrectiveAction:
    require(actor, Role.practitioner, "Working a corrective action")
    action = get_action(session, action_id)
    if data.status in PROPOSAL_STATUSES:
        raise InvalidInput.on("status", "is set by accepting or declining a proposed action")
    if data.status is not None and action.status in PROPOSAL_STATUSES:
        raise InvalidInput.on("status", f"action {action_id} is {action.status.value}: accept it first")
    if any(getattr(data, name) is not None for name in ASSIGNMENT_FIELDS):
        require(actor, Role.practice_manager, "Re-assigning a corrective action (owner, due date, priority)")
    if data.title is not None:
        action.title = data.title
    if data.description is not None:
        action.description = data.description
    if data.action_type is not None:
        action.action_type = data.action_type
    if data.owner_team is not None:
        action.owner_team = team_by_name(session, data.owner_team, "owner_team")
    if data.owner_person is not None:
        action.owner_person = person_by_email(session, data.owner_person, "owner_person")
    if data.due_date is not None:
        action.due_date = data.due_date
    if data.priority is not None:
        action.priority = data.priority
    if data.external_url is not None:
        action.external_url = str(data.external_url)
    was = action.status
    if data.status is not None and data.status != action.status:
        set_status(action, data.status, data.wont_do_reason)
    elif data.wont_do_reason is not None:
        if action.status != ActionStatus.wont_do:
            raise InvalidInput.on("wont_do_reason", "only applies to actions marked wont_do")
        action.wont_do_reason = data.wont_do_reason
    session.flush()
    _emit_change(session, actor, action, was)
    return action


def _emit_change(session: Session, actor: Actor, action: CorrectiveAction, was: ActionStatus) -> None:
    facts = {"failure_id": action.failure_id, "from": was.value, "to": action.status.value}
    emit(session, actor, DomainEvent(ACTION_UPDATED, action.id, facts))
    if action.status == ActionStatus.done and was != ActionStatus.done:
        emit(session, actor, DomainEvent(ACTION_DONE, action.id, facts))


def set_status(action: CorrectiveAction, status: ActionStatus, reason: str | None = None) -> None:
    if status == ActionStatus.wont_do:
        if not (reason or "").strip():
            raise InvalidInput.on("wont_do_reason", "is required when status is wont_do")
        action.wont_do_reason = reason
    else:
        action.wont_do_reason = None
    action.completed_at = utcnow() if status in (ActionStatus.done, ActionStatus.wont_do) else None
    action.status = status


def complete_action(
    session: Session, actor: Actor, action_id: int, *, of_failure: int | None = None
) -> CorrectiveAction:
    """Marks the action done; with `of_failure`, only if it is that failure's action."""
    if of_failure is not None and get_action(session, action_id).failure_id != of_failure:
        raise InvalidInput.on("action", f"action {action_id} belongs to another failure")
    require(actor, Role.practitioner, "Completing a corrective action")
    action = get_action(session, action_id)
    if action.status in PROPOSAL_STATUSES:
        raise InvalidInput.on("status", f"action {action_id} is {action.status.value}: accept it first")
    was = action.status
    if action.status != ActionStatus.done:
        set_status(action, ActionStatus.done)
    session.flush()
    _emit_change(session, actor, action, was)
    return action


SORTS = {
    "due_date": CorrectiveAction.due_date,
    # Like risk and severity: -priority lists the most urgent first.
    "priority": rank_of(CorrectiveAction.priority, list(reversed(ActionPriority))),
    "created_at": CorrectiveAction.created_at,
    "updated_at": CorrectiveAction.updated_at,
    "status": CorrectiveAction.status,
}


def list_actions(session: Session, filters: ActionFilter) -> tuple[Sequence[CorrectiveAction], int, bool]:
    stmt = select(CorrectiveAction)
    if filters.failure_id is not None:
        stmt = stmt.where(CorrectiveAction.failure_id == filters.failure_id)
    if filters.team:
        stmt = stmt.where(CorrectiveAction.owner_team_id == team_by_name(session, filters.team).id)
    if filters.service:
        svc = service_by_name(session, filters.service)
        stmt = stmt.where(CorrectiveAction.failure_id.in_(service_failure_ids(svc.id)))
    if filters.status:
        stmt = stmt.where(CorrectiveAction.status == filters.status)
    if filters.action_type:
        stmt = stmt.where(CorrectiveAction.action_type == filters.action_type)
    if filters.priority:
        stmt = stmt.where(CorrectiveAction.priority == filters.priority)
    if filters.overdue is not None:
        stmt = stmt.where(overdue_clause(today()) if filters.overdue else not_overdue_clause(today()))
    if filters.due_before:
        stmt = stmt.where(CorrectiveAction.due_date < filters.due_before)
    if filters.q:
        stmt = stmt.where(text_match(filters.q, CorrectiveAction.title, CorrectiveAction.description))
    stmt = apply_sort(stmt, filters.sort, SORTS, "due_date", CorrectiveAction.id)
    return paginate(session, stmt, filters)


# ---- the corrective actions board (web page) ------------------------------------


def list_board(
    session: Session,
    params: PageParams,
    *,
    statuses: Sequence[ActionStatus],
    team_id: int | None = None,
    service_id: int | None = None,
    priority: ActionPriority | None = None,
    overdue: bool | None = None,
) -> tuple[Sequence[CorrectiveAction], int, bool]:
    """Actions by owner team and status, overdue first, then by due date (none last).

    For open work (open, in progress) overdue-first is simply the due-date order, which the
    (status, due_date) and (owner_team_id, status) indexes serve; only a board that also
    shows closed actions sorts on the overdue flag."""
    on = today()
    stmt = select(CorrectiveAction)
    if statuses:
        stmt = stmt.where(CorrectiveAction.status.in_(statuses))
    if team_id is not None:
        stmt = stmt.where(CorrectiveAction.owner_team_id == team_id)
    if service_id is not None:
        stmt = stmt.where(CorrectiveAction.failure_id.in_(service_failure_ids(service_id)))
    if priority is not None:
        stmt = stmt.where(CorrectiveAction.priority == priority)
    if overdue is not None:
        stmt = stmt.where(overdue_clause(on) if overdue else not_overdue_clause(on))
    order: list[Any] = []
    if not set(statuses or list(ActionStatus)) <= set(OPEN_STATUSES) and overdue is None:
        order.append(case((overdue_clause(on), 0), else_=1))
    order += [CorrectiveAction.due_date.asc().nulls_last(), CorrectiveAction.id.asc()]
    return paginate(session, stmt.order_by(*order), params)


def board_counts(session: Session, team_id: int | None = None) -> list[tuple[int, str, dict[str, int]]]:
    """Per owner team: how many actions are open, in progress, and overdue (open work only)."""
    on = today()
    scope: list[ColumnElement[bool]] = [CorrectiveAction.status.in_(OPEN_STATUSES)]
    if team_id is not None:
        scope.append(CorrectiveAction.owner_team_id == team_id)
    counts: dict[int, dict[str, int]] = {}
    by_status = session.execute(
        select(CorrectiveAction.owner_team_id, CorrectiveAction.status, func.count())
        .where(*scope)
        .group_by(CorrectiveAction.owner_team_id, CorrectiveAction.status)
    )
    for tid, status, n in by_status:
        counts.setdefault(tid, {"open": 0, "in_progress": 0, "overdue": 0})[ActionStatus(status).value] = n
    late = session.execute(
        select(CorrectiveAction.owner_team_id, func.count())
        .where(*scope, CorrectiveAction.due_date < on)
        .group_by(CorrectiveAction.owner_team_id)
    )
    for tid, n in late:
        counts.setdefault(tid, {"open": 0, "in_progress": 0, "overdue": 0})["overdue"] = n
    if not counts:
        return []
    names = {
        tid: name for tid, name in session.execute(select(Team.id, Team.name).where(Team.id.in_(counts)))
    }
    return sorted(((tid, names.get(tid, "?"), c) for tid, c in counts.items()), key=lambda x: x[1])


def open_actions_for(
    session: Session, *, service_id: int | None = None, team_id: int | None = None, limit: int = 10
) -> tuple[list[ActionOut], int, bool]:
    """Open work for a service (actions of its failures) or a team (actions it owns)."""
    stmt = select(CorrectiveAction).where(CorrectiveAction.status.in_(OPEN_STATUSES))
    if service_id is not None:
        stmt = stmt.where(CorrectiveAction.failure_id.in_(service_failure_ids(service_id)))
    if team_id is not None:
        stmt = stmt.where(CorrectiveAction.owner_team_id == team_id)
    stmt = stmt.order_by(CorrectiveAction.due_date.asc().nulls_last(), CorrectiveAction.id.asc())
    rows, total, exact = paginate(session, stmt, PageParams(limit=limit))
    return actions_out(session, rows), total, exact
