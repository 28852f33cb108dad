"""What the recognition slice tells subscribers: an award's winner, through broadcast's outbox
(in the same transaction as the announcement). A winner who chose not to be named publicly is
announced as "a colleague"."""

from __future__ import annotations

from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.broadcast.models import Topic
from failwell.broadcast.outbox import Message, Target, enqueue
from failwell.broadcast.render import link, page
from failwell.events import AWARD_ANNOUNCED, DomainEvent, HandlerTable
from failwell.recognition.models import AwardCycle, Nomination
from failwell.recognition.naming import public_name


def on_award_announced(session: Session, actor: Actor, event: DomainEvent) -> None:
    cycle = session.get(AwardCycle, event.subject_id)
    nomination = session.get(Nomination, event.data.get("nomination_id", 0))
    if cycle is None or nomination is None:
        return
    winner = public_name(session, nomination.nominee_kind, nomination.nominee_person, nomination.nominee_team)
    title = f"[failwell] {cycle.award.name} ({cycle.title}): {winner}"
    text, html = page(
        title,
        [("Award", cycle.award.name), ("Awarded to", winner), ("Why", nomination.reason)],
        link("/recognition"),
    )
    facts = {
        "cycle_id": cycle.id,
        "award_id": cycle.award_id,
        "nomination_id": nomination.id,
        "team_ids": [nomination.nominee_team_id] if nomination.nominee_team_id else [],
    }
    # The winners hear it themselves, subscribed or not.
    winners = [
        Target(person_id=nomination.nominee_person_id, reason="the award's winner")
        if nomination.nominee_person_id
        else Target(team_id=nomination.nominee_team_id, reason="the award's winning team")
    ]
    message = Message(Topic.award_announced, cycle.id, title, text, html, facts)
    enqueue(session, message, extra_targets=winners)


HANDLERS: HandlerTable = ((AWARD_ANNOUNCED, on_award_announced),)
