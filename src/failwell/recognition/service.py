"""Kudos from anyone, of any role, to a person or a team, for one contribution to learning: a
review, a report (a near miss), a corrective action that held, a lesson, a comment, an idea.

What is thanked is always a concrete contribution; there is no kudos for having no failures and
no count of anyone's failures. Thanking an anonymous report (or an anonymous idea) stores no
person: the kudos names "the anonymous reporter" and only the failure, which names nobody either.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.authz import Actor, require
from failwell.enums import ActionStatus, RecipientKind, ReviewStatus, Role, ThankedKind
from failwell.errors import InvalidInput, NotFound
from failwell.events import KUDOS_GIVEN, DomainEvent, emit
from failwell.failures.service import get_failure
from failwell.ideas.service import get_idea
from failwell.listing import paginate
from failwell.people.models import Person, Team
from failwell.recognition.models import Kudos, RecognitionPreference
from failwell.recognition.naming import hidden_people, hides_from, recognised
from failwell.recognition.schemas import KudosFilter, KudosIn, KudosOut, PreferenceOut, Thanked
from failwell.reviews.models import Review, ReviewComment


def _missing(kind: ThankedKind, thanked_id: int) -> InvalidInput:
    return InvalidInput.on("thanked_id", f"no {kind.value} with id {thanked_id}")


def thanked(session: Session, kind: ThankedKind, thanked_id: int) -> tuple[Thanked, bool]:
    """What a kudos thanks, and whether its author is anonymous (an anonymous report or idea)."""
    if kind == ThankedKind.failure:
        failure = get_failure(session, thanked_id, field="thanked_id")
        url = f"/failures/{failure.id}"
        anonymous = failure.anonymous
        return Thanked(kind=kind, id=failure.id, title=failure.title, url=url), anonymous
    if kind in (ThankedKind.review, ThankedKind.lesson):
        review = session.get(Review, thanked_id)
        if review is None:
            raise _missing(kind, thanked_id)
        if kind == ThankedKind.lesson and review.status != ReviewStatus.published:
            raise InvalidInput.on("thanked_id", f"review {thanked_id} is not published: it is no lesson yet")
        url = f"/failures/{review.failure_id}/review"
        return Thanked(kind=kind, id=review.id, title=review.failure.title, url=url), False
    if kind == ThankedKind.action:
        action = session.get(CorrectiveAction, thanked_id)
        if action is None:
            raise _missing(kind, thanked_id)
        if action.status != ActionStatus.done:
            reason = (
                f"corrective action {thanked_id} is {action.status.value}: thank an action once it is done"
            )
            raise InvalidInput.on("thanked_id", reason)
        url = f"/failures/{action.failure_id}#action-{action.id}"
        return Thanked(kind=kind, id=action.id, title=action.title, url=url), False
    if kind == ThankedKind.comment:
        comment = session.get(ReviewComment, thanked_id)
        if comment is None:
            raise _missing(kind, thanked_id)
        review = session.get(Review, comment.review_id)
        title = f"A comment on the review of {review.failure.title}" if review else "A comment"
        url = f"/failures/{review.failure_id}/review" if review else "/lessons"
        return Thanked(kind=kind, id=comment.id, title=title, url=url), False
    try:
        idea = get_idea(session, thanked_id)
    except NotFound:
        raise _missing(kind, thanked_id) from None
    return Thanked(kind=kind, id=idea.id, title=idea.title, url=f"/ideas/{idea.id}"), idea.proposed_by is None


def recipient(
    session: Session, kind: RecipientKind, person_id: int | None, team_id: int | None
) -> tuple[Person | None, Team | None]:
    """The person or team named by an input, checked (field names as in KudosIn/NominationIn)."""
    if kind == RecipientKind.person:
        if person_id is None:
            raise InvalidInput.on("person_id", "is required when thanking a person")
        person = session.get(Person, person_id)
        if person is None or not person.is_active:
            raise InvalidInput.on("person_id", f"no active person with id {person_id}")
        return person, None
    if kind == RecipientKind.team:
        if team_id is None:
            raise InvalidInput.on("team_id", "is required when thanking a team")
        team = session.get(Team, team_id)
        if team is None:
            raise InvalidInput.on("team_id", f"no team with id {team_id}")
        return None, team
    return None, None


def give_kudos(session: Session, actor: Actor, data: KudosIn) -> Kudos:
    require(actor, Role.viewer, "Giving kudos")
    subject, anonymous = thanked(session, data.thanked_kind, data.thanked_id)
    if data.recipient_kind == RecipientKind.anonymous_reporter:
        if data.person_id is not None or data.team_id is not None:
            raise InvalidInput.on("person_id", "must be empty: the anonymous reporter is never named")
        if not anonymous:
            raise InvalidInput.on(
                "recipient_kind",
                f"{data.thanked_kind.value} {data.thanked_id} is not anonymous: thank its author by name",
            )
    person, team = recipient(session, data.recipient_kind, data.person_id, data.team_id)
    if person is not None and person.id == actor.person_id:
        raise InvalidInput.on("person_id", "kudos are for someone else: you cannot thank yourself")
    kudos = Kudos(
        from_id=actor.person_id or None,
        recipient_kind=data.recipient_kind,
        to_person_id=person.id if person else None,
        to_team_id=team.id if team else None,
        thanked_kind=data.thanked_kind,
        thanked_id=subject.id,
        message=data.message,
    )
    session.add(kudos)
    session.flush()
    emit(session, actor, DomainEvent(KUDOS_GIVEN, kudos.id))
    return kudos


def list_kudos(session: Session, actor: Actor, filters: KudosFilter) -> tuple[Sequence[Kudos], int, bool]:
    """Newest first. Asking for a hidden person's kudos finds none (a count would reveal them)."""
    stmt = select(Kudos)
    if filters.person_id is not None:
        if hides_from(actor, filters.person_id, hidden_people(session, [filters.person_id])):
            stmt = stmt.where(Kudos.id.is_(None))
        stmt = stmt.where(Kudos.to_person_id == filters.person_id)
    if filters.team_id is not None:
        stmt = stmt.where(Kudos.to_team_id == filters.team_id)
    stmt = stmt.order_by(Kudos.created_at.desc(), Kudos.id.desc())
    return paginate(session, stmt, filters)


def kudos_out(session: Session, actor: Actor, rows: Sequence[Kudos]) -> list[KudosOut]:
    hidden = hidden_people(session, [i for k in rows for i in (k.from_id or 0, k.to_person_id or 0)])
    out = []
    for k in rows:
        try:
            subject, _ = thanked(session, k.thanked_kind, k.thanked_id)
        except InvalidInput:  # what it thanked has since been deleted
            subject = Thanked(kind=k.thanked_kind, id=k.thanked_id, title="(deleted)", url="/recognition")
        giver = (
            recognised(actor, RecipientKind.person, k.giver, None, hidden) if k.giver is not None else None
        )
        out.append(
            KudosOut(
                id=k.id,
                giver=giver,
                recipient=recognised(actor, k.recipient_kind, k.to_person, k.to_team, hidden),
                thanked=subject,
                message=k.message,
                created_at=k.created_at,
            )
        )
    return out


def get_preference(session: Session, actor: Actor) -> PreferenceOut:
    row = session.get(RecognitionPreference, actor.person_id) if actor.person_id else None
    return PreferenceOut(person_id=actor.person_id, named_publicly=row.named_publicly if row else True)


def set_preference(session: Session, actor: Actor, named_publicly: bool) -> PreferenceOut:
    """One's own choice; any role. Takes effect at once on every page, list and announcement."""
    require(actor, Role.viewer, "Choosing how you are named")
    if not actor.person_id:
        raise InvalidInput.on("person", "the choice is a person's own, not the system's")
    row = session.get(RecognitionPreference, actor.person_id)
    if row is None:
        row = RecognitionPreference(person_id=actor.person_id, named_publicly=named_publicly)
        session.add(row)
    row.named_publicly = named_publicly
    session.flush()
    return get_preference(session, actor)
