"""What the ideas slice tells subscribers (through broadcast's outbox, in the same transaction).

An anonymous idea's messages name nobody: the actor who raised the event *is* the proposer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.authz import Actor
from failwell.broadcast.models import Topic
from failwell.broadcast.outbox import Message, enqueue
from failwell.broadcast.render import link, page
from failwell.events import IDEA_ACCEPTED, IDEA_PROPOSED, DomainEvent, HandlerTable
from failwell.ideas.models import Idea


def _proposer(idea: Idea) -> str:
    if idea.anonymous:
        return "someone (anonymously)"
    return idea.proposed_by.name if idea.proposed_by else ""


def on_idea_proposed(session: Session, actor: Actor, event: DomainEvent) -> None:
    idea = session.get(Idea, event.subject_id)
    if idea is None:
        return
    title = f"[failwell] New idea: {idea.title}"
    text, html = page(title, [("Proposed by", _proposer(idea))], link(f"/ideas/{idea.id}"))
    enqueue(session, Message(Topic.idea_proposed, idea.id, title, text, html, {"idea_id": idea.id}))


def on_idea_accepted(session: Session, actor: Actor, event: DomainEvent) -> None:
    idea = session.get(Idea, event.subject_id)
    action = session.get(CorrectiveAction, event.data.get("action_id", 0))
    if idea is None or action is None:
        return
    title = f"[failwell] Idea accepted: {idea.title}"
    text, html = page(
        title,
        [
            ("Proposed by", _proposer(idea)),
            ("Corrective action", action.title),
            ("Owner team", action.owner_team.name),
        ],
        link(f"/failures/{action.failure_id}"),
    )
    facts = {
        "idea_id": idea.id,
        "action_id": action.id,
        "failure_id": action.failure_id,
        "team_ids": [action.owner_team_id],
    }
    enqueue(session, Message(Topic.idea_accepted, idea.id, title, text, html, facts))


HANDLERS: HandlerTable = ((IDEA_PROPOSED, on_idea_proposed), (IDEA_ACCEPTED, on_idea_accepted))
