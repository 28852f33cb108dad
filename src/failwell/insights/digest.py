"""The weekly learning digest's reads, for one team or the whole organisation.

What it holds, for one ISO week (Monday 00:00 UTC to the next Monday): new lessons (reviews
published that week), recurrences detected (read back from the outbox, which recorded them as
they happened), corrective actions done that week and those overdue at its end, and a "lesson
of the week": the new lesson read by most people, then the most severe. The Digest shape, the
week helpers and the e-mail rendering stay with the broadcast slice, which reaches
`build_digest` through failwell.broadcast.ports.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import overdue_clause
from failwell.broadcast.digest import week_bounds
from failwell.broadcast.digest_model import ActionItem, Digest, LessonItem, RecurrenceItem
from failwell.broadcast.models import OutboxEvent, ReviewRead, Topic
from failwell.broadcast.render import link
from failwell.enums import ActionStatus, ReviewStatus
from failwell.failures.scope import team_failure_ids
from failwell.insights.delivery import dora
from failwell.insights.measures import resolve_scope
from failwell.insights.recognition import recognition_of_the_week
from failwell.people.models import Team
from failwell.reviews.models import Review

LIMIT = 50  # items per section
RECURRENCES_READ = 500  # outbox events read per week, before the team filter


def new_lessons(session: Session, start: datetime, end: datetime, team: Team | None) -> list[LessonItem]:
    """Reviews published in [start, end), newest first, with how many people read each."""
    reads = select(ReviewRead.review_id, func.count().label("n")).group_by(ReviewRead.review_id).subquery()
    stmt = (
        select(Review, func.coalesce(reads.c.n, 0))
        .outerjoin(reads, reads.c.review_id == Review.id)
        .where(
            Review.status == ReviewStatus.published,
            Review.published_at >= start,
            Review.published_at < end,
        )
        .order_by(Review.published_at.desc(), Review.id.desc())
        .limit(LIMIT)
    )
    if team is not None:
        stmt = stmt.where(Review.failure_id.in_(team_failure_ids(team.id)))
    lessons = []
    for review, readers in session.execute(stmt).unique():
        f = review.failure
        lessons.append(
            LessonItem(
                review_id=review.id,
                failure_id=f.id,
                title=f.title,
                severity=f.severity,
                services=[s.name for s in f.services],
                lessons=review.lessons_learned,
                readers=int(readers),
                url=link(f"/failures/{f.id}"),
            )
        )
    return lessons


def lesson_of_the_week(lessons: list[LessonItem]) -> LessonItem | None:
    """The lesson read by most people; among equals the most severe (1 is the worst), then
    the newest review."""
    if not lessons:
        return None
    return max(lessons, key=lambda item: (item.readers, -item.severity, item.review_id))


def recurrences_detected(
    session: Session, start: datetime, end: datetime, team: Team | None
) -> list[RecurrenceItem]:
    """The recurrence.detected events the outbox recorded in [start, end)."""
    events = session.scalars(
        select(OutboxEvent)
        .where(
            OutboxEvent.topic == Topic.recurrence_detected.value,
            OutboxEvent.created_at >= start,
            OutboxEvent.created_at < end,
        )
        .order_by(OutboxEvent.id)
        .limit(RECURRENCES_READ)
    )
    items = []
    for event in events:
        if team is not None and team.id not in event.facts.get("team_ids", []):
            continue
        name = event.facts.get("failure_title") or event.title.removeprefix("[failwell] ")
        items.append(RecurrenceItem(title=str(name), failure_id=event.facts.get("failure_id")))
    return items


def _actions(
    session: Session,
    where: list[ColumnElement[bool]],
    team: Team | None,
    order: tuple[ColumnElement[Any], ...] = (),
) -> list[ActionItem]:
    stmt = select(CorrectiveAction).where(*where).order_by(*order, CorrectiveAction.id).limit(LIMIT)
    if team is not None:
        stmt = stmt.where(CorrectiveAction.owner_team_id == team.id)
    return [
        ActionItem(
            action_id=a.id,
            failure_id=a.failure_id,
            title=a.title,
            team=a.owner_team.name,
            due_date=a.due_date,
            url=link(f"/failures/{a.failure_id}"),
        )
        for a in session.scalars(stmt)
    ]


def actions_done(session: Session, start: datetime, end: datetime, team: Team | None) -> list[ActionItem]:
    """Corrective actions marked done in [start, end)."""
    return _actions(
        session,
        [
            CorrectiveAction.status == ActionStatus.done,
            CorrectiveAction.completed_at >= start,
            CorrectiveAction.completed_at < end,
        ],
        team,
    )


def actions_overdue(session: Session, end: datetime, team: Team | None) -> list[ActionItem]:
    """Open actions overdue on the week's last day, as far as today can tell (a past week's
    "open" is today's)."""
    last_day = (end - timedelta(days=1)).date()
    # Most overdue first: the first lines of a long list are the ones that get read.
    return _actions(session, [overdue_clause(last_day)], team, (CorrectiveAction.due_date.asc(),))


def build_digest(session: Session, week: str, team: Team | None = None) -> Digest:
    """The digest of an ISO week ('2026-W47'), of one team or (None) the organisation."""
    start, end = week_bounds(week)
    lessons = new_lessons(session, start, end, team)
    return Digest(
        scope=team.name if team else "organisation",
        team_id=team.id if team else None,
        week=week,
        lessons=lessons,
        recurrences=recurrences_detected(session, start, end, team),
        actions_done=actions_done(session, start, end, team),
        actions_overdue=actions_overdue(session, end, team),
        lesson_of_the_week=lesson_of_the_week(lessons),
        delivery=delivery_line(session, start, end, team),
        recognition=recognition_of_the_week(session, start, end, team),
    )


def delivery_line(session: Session, start: datetime, end: datetime, team: Team | None) -> str:
    """The week's production deployments of the team's services (or all) in one sentence."""
    scope = resolve_scope(session, end, team=team.name if team else None, since=start, until=end)
    d = dora(session, scope)
    if not d.deployments:
        return "No production deployments this week."
    parts = [
        f"{d.deployments} production deployment{'s' if d.deployments != 1 else ''}",
        f"change fail rate {100 * (d.change_fail_rate.value or 0):.1f} %",
    ]
    if d.change_lead_time.value is not None:
        parts.append(f"change lead time (median) {d.change_lead_time.value:g} hours")
    if d.failed_deployment_recovery_time.value is not None:
        parts.append(f"recovery time (median) {d.failed_deployment_recovery_time.value:g} hours")
    return "; ".join(parts) + "."
