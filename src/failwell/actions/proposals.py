"""Corrective actions proposed by practitioners, accepted or declined by a practice manager.

A proposal is an action in status ``proposed``: it counts nowhere (not open, not overdue, not
in follow-through) until a practice manager accepts it, which makes it ``open`` work, or
declines it with a reason the proposer can read.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.actions.schemas import ActionProposal, DeclineIn
from failwell.actions.service import default_owner_team, get_action
from failwell.authz import Actor, require
from failwell.enums import ActionStatus, Role
from failwell.errors import InvalidInput
from failwell.events import ACTION_CREATED, ACTION_UPDATED, DomainEvent, emit
from failwell.failures.service import get_failure
from failwell.people.models import Team
from failwell.people.teams import team_by_name


def propose_action(session: Session, actor: Actor, data: ActionProposal) -> CorrectiveAction:
    require(actor, Role.practitioner, "Proposing a corrective action")
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
        status=ActionStatus.proposed,
        external_url=str(data.external_url) if data.external_url else None,
        proposed_by_id=actor.person_id or None,
    )
    session.add(action)
    session.flush()
    emit(session, actor, DomainEvent(ACTION_CREATED, action.id, {"failure_id": action.failure_id}))
    return action


def _proposal(session: Session, action_id: int) -> CorrectiveAction:
    action = get_action(session, action_id)
    if action.status != ActionStatus.proposed:
        raise InvalidInput.on("status", f"action {action_id} is {action.status.value}, not proposed")
    return action


def _decided(session: Session, actor: Actor, action: CorrectiveAction) -> CorrectiveAction:
    session.flush()
    facts = {"failure_id": action.failure_id, "from": ActionStatus.proposed.value, "to": action.status.value}
    emit(session, actor, DomainEvent(ACTION_UPDATED, action.id, facts))
    return action


def accept_action(session: Session, actor: Actor, action_id: int) -> CorrectiveAction:
    """The proposal becomes open work (its owner, due date and priority are then set as usual)."""
    require(actor, Role.practice_manager, "Accepting a proposed corrective action")
    action = _proposal(session, action_id)
    action.status = ActionStatus.open
    return _decided(session, actor, action)


def decline_action(session: Session, actor: Actor, action_id: int, data: DeclineIn) -> CorrectiveAction:
    require(actor, Role.practice_manager, "Declining a proposed corrective action")
    action = _proposal(session, action_id)
    if not data.reason.strip():
        raise InvalidInput.on("reason", "is required: say why the proposal is declined")
    action.status = ActionStatus.declined
    action.decline_reason = data.reason.strip()
    return _decided(session, actor, action)
