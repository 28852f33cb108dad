"""What the recognition slice tells, through broadcast's outbox in the same transaction: an
award's winner to subscribers (a winner who chose not to be named publicly is announced as "a
colleague"), and a thank-you to the person or team thanked, only. The anonymous reporter of a
report is never told: nothing leads from the report to a person."""

from __future__ import annotations

from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.broadcast.models import Topic
from failwell.broadcast.outbox import Message, Target, enqueue
from failwell.broadcast.render import link, page
from failwell.enums import RecipientKind
from failwell.events import AWARD_ANNOUNCED, KUDOS_GIVEN, DomainEvent, HandlerTable
from failwell.recognition.models import AwardCycle, Kudos, Nomination
from failwell.recognition.naming import hidden_people, public_name
from failwell.recognition.schemas import COLLEAGUE


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


def on_kudos_given(session: Session, actor: Actor, event: DomainEvent) -> None:
    kudos = session.get(Kudos, event.subject_id)
    if kudos is None or kudos.recipient_kind == RecipientKind.anonymous_reporter:
        return
    giver = kudos.giver
    if giver is None:
        from_name = "Someone"
    else:  # the giver's own choice not to be named holds here too
        from_name = COLLEAGUE.capitalize() if hidden_people(session, [giver.id]) else giver.name
    if kudos.to_team is not None:
        thanked, target = (
            f"team {kudos.to_team.name}",
            Target(team_id=kudos.to_team_id, reason="the team thanked"),
        )
    else:
        thanked, target = "you", Target(person_id=kudos.to_person_id, reason="the person thanked")
    title = f"[failwell] {from_name} thanks {thanked}"
    what = f"{kudos.thanked_kind.value} #{kudos.thanked_id}"
    text, html = page(
        title, [("From", from_name), ("For", what), ("Message", kudos.message)], link("/recognition")
    )
    facts = {
        "kudos_id": kudos.id,
        "thanked_kind": kudos.thanked_kind.value,
        "thanked_id": kudos.thanked_id,
        "team_ids": [kudos.to_team_id] if kudos.to_team_id else [],
    }
    enqueue(
        session, Message(Topic.kudos_received, kudos.id, title, text, html, facts), extra_targets=[target]
    )


HANDLERS: HandlerTable = ((AWARD_ANNOUNCED, on_award_announced), (KUDOS_GIVEN, on_kudos_given))
