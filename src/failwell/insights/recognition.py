"""Recognition's reads across slices: whom to thank, suggested from the data for a manager to
confirm, and what the weekly digest says about recognition.

Suggestions look only at contributions to learning: reviews published with lessons, corrective
actions done that held (no recurrence of their failure since), lessons read across teams, and
ideas that became corrective actions. Nothing here counts anyone's failures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.expression import Exists

from failwell.actions.models import CorrectiveAction
from failwell.authz import Actor, require
from failwell.broadcast.digest_model import RecognitionItem
from failwell.broadcast.models import ReviewRead
from failwell.broadcast.render import link
from failwell.catalogue.models import Service
from failwell.enums import (
    ActionStatus,
    CycleStatus,
    IdeaStatus,
    RecipientKind,
    ReviewStatus,
    Role,
    ThankedKind,
)
from failwell.failures.models import Failure, failure_services
from failwell.ideas.models import Idea
from failwell.people.models import Person, Team, team_members
from failwell.recognition.models import AwardCycle, Kudos, Nomination
from failwell.recognition.naming import hidden_people, hides_from, public_name
from failwell.recurrence.models import RecurrenceLink
from failwell.reviews.models import Review

LOOK_BACK = timedelta(days=180)
HELD_FOR = timedelta(days=30)  # an action counts as held once its failure has not recurred this long
PER_KIND = 5


class Suggestion(BaseModel):
    """Someone the data says helped the organisation learn; confirming it gives kudos."""

    reason: str = Field(description="Why, in words: what they did.")
    recipient_kind: RecipientKind
    person_id: int | None
    team_id: int | None
    name: str
    thanked_kind: ThankedKind
    thanked_id: int
    title: str


def _thanked(kind: ThankedKind, thanked_id: InstrumentedAttribute[int]) -> Exists:
    return exists(select(Kudos.id).where(Kudos.thanked_kind == kind, Kudos.thanked_id == thanked_id))


def _owner_team(session: Session, failure_id: int) -> Team | None:
    team_id = session.scalar(
        select(Service.owner_team_id)
        .join(failure_services, failure_services.c.service_id == Service.id)
        .where(failure_services.c.failure_id == failure_id)
        .order_by(Service.id)
        .limit(1)
    )
    return session.get(Team, team_id) if team_id else None


def _to(
    reason: str, person: Person | None, team: Team | None, kind: ThankedKind, thanked_id: int, title: str
) -> Suggestion | None:
    if person is not None:
        return Suggestion(
            reason=reason,
            recipient_kind=RecipientKind.person,
            person_id=person.id,
            team_id=None,
            name=person.name,
            thanked_kind=kind,
            thanked_id=thanked_id,
            title=title,
        )
    if team is not None:
        return Suggestion(
            reason=reason,
            recipient_kind=RecipientKind.team,
            person_id=None,
            team_id=team.id,
            name=team.name,
            thanked_kind=kind,
            thanked_id=thanked_id,
            title=title,
        )
    return None


def _reviews_with_lessons(session: Session, since: datetime) -> list[Suggestion | None]:
    rows = session.scalars(
        select(Review)
        .where(
            Review.status == ReviewStatus.published,
            Review.published_at >= since,
            func.length(Review.lessons_learned) > 0,
            ~_thanked(ThankedKind.review, Review.id),
            ~_thanked(ThankedKind.lesson, Review.id),
        )
        .order_by(Review.published_at.desc(), Review.id.desc())
        .limit(PER_KIND)
    ).unique()
    return [
        _to(
            "Published a review with lessons learned",
            r.author,
            _owner_team(session, r.failure_id),
            ThankedKind.review,
            r.id,
            r.failure.title,
        )
        for r in rows
    ]


def _days_since(now: datetime, at: datetime | None) -> int:
    return (now - at).days if at is not None else 0


def _actions_that_held(session: Session, now: datetime, since: datetime) -> list[Suggestion | None]:
    later = aliased(Failure)
    recurred = exists(
        select(RecurrenceLink.failure_id)
        .join(later, later.id == RecurrenceLink.failure_id)
        .where(
            RecurrenceLink.earlier_id == CorrectiveAction.failure_id,
            later.started_at >= CorrectiveAction.completed_at,
        )
    )
    rows = session.scalars(
        select(CorrectiveAction)
        .where(
            CorrectiveAction.status == ActionStatus.done,
            CorrectiveAction.completed_at >= since,
            CorrectiveAction.completed_at <= now - HELD_FOR,
            ~recurred,
            ~_thanked(ThankedKind.action, CorrectiveAction.id),
        )
        .order_by(CorrectiveAction.completed_at.desc(), CorrectiveAction.id.desc())
        .limit(PER_KIND)
    )
    return [
        _to(
            f"Did a corrective action that held: no recurrence in the {_days_since(now, a.completed_at)} days"
            " since it was done",
            None,
            a.owner_team,
            ThankedKind.action,
            a.id,
            a.title,
        )
        for a in rows
    ]


def _lessons_read_across_teams(session: Session, since: datetime) -> list[Suggestion | None]:
    """Published lessons read by most people outside the teams owning the failure's services."""
    owner_teams = (
        select(Service.owner_team_id)
        .join(failure_services, failure_services.c.service_id == Service.id)
        .where(failure_services.c.failure_id == Review.failure_id)
    )
    insider = exists(
        select(team_members.c.person_id).where(
            team_members.c.person_id == ReviewRead.person_id, team_members.c.team_id.in_(owner_teams)
        )
    )
    readers = func.count(ReviewRead.person_id)
    rows = session.execute(
        select(Review.id, readers)
        .join(ReviewRead, ReviewRead.review_id == Review.id)
        .where(
            Review.status == ReviewStatus.published,
            Review.published_at >= since,
            ~insider,
            ~_thanked(ThankedKind.lesson, Review.id),
        )
        .group_by(Review.id)
        .having(readers >= 2)
        .order_by(readers.desc(), Review.id.desc())
        .limit(PER_KIND)
    ).all()
    out = []
    for review_id, n in rows:
        review = session.get(Review, review_id)
        if review is not None:
            reason = f"Shared a lesson read by {n} people in other teams"
            team = _owner_team(session, review.failure_id)
            out.append(_to(reason, review.author, team, ThankedKind.lesson, review.id, review.failure.title))
    return out


def _ideas_into_actions(session: Session, since: datetime) -> list[Suggestion | None]:
    rows = session.scalars(
        select(Idea)
        .where(
            Idea.status == IdeaStatus.accepted, Idea.updated_at >= since, ~_thanked(ThankedKind.idea, Idea.id)
        )
        .order_by(Idea.updated_at.desc(), Idea.id.desc())
        .limit(PER_KIND)
    ).unique()
    out: list[Suggestion | None] = []
    for idea in rows:
        reason = "Proposed an idea that became a corrective action"
        if idea.proposed_by is None:
            out.append(
                Suggestion(
                    reason=reason,
                    recipient_kind=RecipientKind.anonymous_reporter,
                    person_id=None,
                    team_id=None,
                    name="the anonymous proposer",
                    thanked_kind=ThankedKind.idea,
                    thanked_id=idea.id,
                    title=idea.title,
                )
            )
        else:
            out.append(_to(reason, idea.proposed_by, None, ThankedKind.idea, idea.id, idea.title))
    return out


def suggestions(session: Session, actor: Actor, now: datetime) -> list[Suggestion]:
    """Whom to recognise, for a practice manager to confirm (not yet thanked for the same thing)."""
    require(actor, Role.practice_manager, "Seeing whom to recognise")
    since = now - LOOK_BACK
    found = [
        *_reviews_with_lessons(session, since),
        *_actions_that_held(session, now, since),
        *_lessons_read_across_teams(session, since),
        *_ideas_into_actions(session, since),
    ]
    shown = [s for s in found if s is not None]
    hidden = hidden_people(session, [s.person_id or 0 for s in shown])
    # Someone who chose not to be named is not suggested to those who may not see their name.
    return [s for s in shown if not (s.person_id and hides_from(actor, s.person_id, hidden))]


def recognition_of_the_week(
    session: Session, start: datetime, end: datetime, team: Team | None
) -> list[RecognitionItem]:
    """For the digest: awards announced in [start, end), then how many kudos were given."""
    stmt = (
        select(AwardCycle, Nomination)
        .join(Nomination, and_(Nomination.cycle_id == AwardCycle.id, Nomination.won))
        .where(
            AwardCycle.status == CycleStatus.announced,
            AwardCycle.announced_at >= start,
            AwardCycle.announced_at < end,
        )
        .order_by(AwardCycle.announced_at, AwardCycle.id)
    )
    if team is not None:
        stmt = stmt.where(Nomination.nominee_team_id == team.id)
    items = []
    for cycle, n in session.execute(stmt).unique():
        name = public_name(session, n.nominee_kind, n.nominee_person, n.nominee_team)
        items.append(RecognitionItem(f"{cycle.award.name} ({cycle.title}): {name}", link("/recognition")))
    given = select(func.count(Kudos.id)).where(Kudos.created_at >= start, Kudos.created_at < end)
    if team is not None:
        given = given.where(Kudos.to_team_id == team.id)
    kudos = int(session.scalar(given) or 0)
    if kudos:
        line = f"{kudos} kudos given for contributions to learning"
        url = link(f"/teams/{team.id}" if team is not None else "/recognition")
        items.append(RecognitionItem(line, url))
    return items
