"""Reminders and weekly digests, queued by whichever worker's tick comes first.

Every reminder and digest carries a dedupe key naming its period, and the outbox holds each key
once (a unique column), so however many workers tick, and however often, nothing reminds twice
in the same period:

- an action nearing its due date: once per action and due date;
- an action past due: once per action and ISO week, to its owner team (and action_overdue subscribers);
- a review not published N days after its failure was resolved: once per failure and ISO week,
  to the practice managers;
- the weekly digest: once per team (and once for the organisation) and ISO week, for the week
  before; an empty digest is not sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import OPEN_STATUSES
from failwell.broadcast import render
from failwell.broadcast.config import BroadcastSettings, get_broadcast_settings
from failwell.broadcast.digest import build_digest, digest_message, previous_week, week_of
from failwell.broadcast.models import OutboxEvent, Topic
from failwell.broadcast.outbox import Message, Target, enqueue
from failwell.db import Database, utcnow
from failwell.enums import FailureStatus, ReviewStatus, Role
from failwell.failures.models import Failure
from failwell.people.models import Person, Team
from failwell.reviews.models import Review

# Reviews of failures resolved longer ago than this are history, not something to chase.
REVIEW_REMINDER_HORIZON = timedelta(days=180)
# Keys looked up per statement: well under SQLite's and PostgreSQL's parameter limits.
KEY_CHUNK = 500


def _queued(session: Session, key: str) -> bool:
    """Checked before rendering, which costs more than this look-up (enqueue checks again)."""
    return session.scalar(select(OutboxEvent.id).where(OutboxEvent.dedupe_key == key)) is not None


def _not_yet_queued(session: Session, keyed: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """The (dedupe key, subject id) pairs whose key the outbox does not hold yet, in order.

    A tick finds mostly reminders already sent this period (tens of thousands on a large
    organisation): they are told apart in a few statements, without loading their subjects."""
    pairs = list(keyed)
    queued: set[str] = set()
    for start in range(0, len(pairs), KEY_CHUNK):
        chunk = [key for key, _ in pairs[start : start + KEY_CHUNK]]
        queued.update(
            session.scalars(select(OutboxEvent.dedupe_key).where(OutboxEvent.dedupe_key.in_(chunk)))
        )
    return [(key, subject) for key, subject in pairs if key not in queued]


@dataclass
class ScheduleResult:
    due_soon: int = 0
    overdue: int = 0
    reviews: int = 0
    digests: int = 0


def _action_key(action_id: int, due_date: date | None, today: date) -> str:
    """Overdue: once per action and ISO week; due soon: once per action and due date."""
    assert due_date is not None  # the query keeps only actions with a due date
    if due_date < today:
        return f"remind:action-overdue:{action_id}:{week_of(today)}"
    return f"remind:action-due-soon:{action_id}:{due_date.isoformat()}"


def remind_actions(session: Session, now: datetime, cfg: BroadcastSettings, result: ScheduleResult) -> None:
    today = now.date()
    soon = today + timedelta(days=cfg.action_due_soon_days)
    due = session.execute(
        select(CorrectiveAction.id, CorrectiveAction.due_date)
        .where(CorrectiveAction.status.in_(OPEN_STATUSES), CorrectiveAction.due_date <= soon)
        .order_by(CorrectiveAction.id)
    ).all()
    keyed = ((_action_key(action_id, due_date, today), action_id) for action_id, due_date in due)
    for key, action_id in _not_yet_queued(session, keyed)[: cfg.reminders_per_tick]:
        action = session.get_one(CorrectiveAction, action_id)
        assert action.due_date is not None
        owner = [Target(team_id=action.owner_team_id, reason="owner team of the action")]
        if action.due_date < today:
            message = render.action_message(
                session, Topic.action_overdue, action, "Corrective action overdue"
            )
            if enqueue(session, message, extra_targets=owner, dedupe_key=key):
                result.overdue += 1
        else:
            message = render.action_message(
                session, Topic.action_due_soon, action, f"Corrective action due {action.due_date.isoformat()}"
            )
            if enqueue(session, message, extra_targets=owner, dedupe_key=key):
                result.due_soon += 1


def _managers(session: Session) -> list[Target]:
    people = list(
        session.scalars(
            select(Person.id).where(Person.role == Role.practice_manager, Person.is_active.is_(True))
        )
    )
    if not people:  # nobody holds the role: the practice owners stand in
        people = list(
            session.scalars(
                select(Person.id).where(Person.role == Role.practice_owner, Person.is_active.is_(True))
            )
        )
    return [Target(person_id=p, reason="practice manager") for p in people]


def remind_reviews(session: Session, now: datetime, cfg: BroadcastSettings, result: ScheduleResult) -> None:
    latest = now - timedelta(days=cfg.review_unpublished_days)
    ids = session.scalars(
        select(Failure.id)
        .outerjoin(Review, Review.failure_id == Failure.id)
        .where(
            Failure.status.in_((FailureStatus.resolved, FailureStatus.closed)),
            Failure.resolved_at <= latest,
            Failure.resolved_at >= now - REVIEW_REMINDER_HORIZON,
            or_(Review.id.is_(None), and_(Review.status != ReviewStatus.published)),
        )
        .distinct()
        .order_by(Failure.id)
    ).all()
    week = week_of(now.date())
    managers: list[Target] | None = None
    keyed = ((f"remind:review-unpublished:{i}:{week}", i) for i in ids)
    for key, failure_id in _not_yet_queued(session, keyed)[: cfg.reminders_per_tick]:
        failure = session.get_one(Failure, failure_id)
        if managers is None:
            managers = _managers(session)
        assert failure.resolved_at is not None
        days = (now - failure.resolved_at).days
        facts = render.failure_facts(session, failure)
        title = f"[failwell] Review not published {days} days after resolution: {failure.title}"
        text, html = render.page(
            title,
            [
                ("Resolved", failure.resolved_at.strftime("%Y-%m-%d %H:%M UTC")),
                ("Services", ", ".join(facts["services"])),
                ("Review", "not started" if facts["review_id"] is None else "not yet published"),
            ],
            render.link(f"/failures/{failure.id}"),
        )
        message = Message(Topic.review_unpublished, failure.id, title, text, html, facts)
        if enqueue(session, message, extra_targets=managers, dedupe_key=key):
            result.reviews += 1


def queue_digests(session: Session, now: datetime, result: ScheduleResult) -> None:
    week = previous_week(now)
    scopes: list[Team | None] = [None, *session.scalars(select(Team).order_by(Team.id))]
    for team in scopes:
        key = f"digest:{'org' if team is None else f'team-{team.id}'}:{week}"
        if _queued(session, key):
            continue
        digest = build_digest(session, week, team)
        if digest.empty:
            continue
        if enqueue(session, digest_message(digest), dedupe_key=key):
            result.digests += 1


def run_schedule(
    db: Database, cfg: BroadcastSettings | None = None, now: datetime | None = None
) -> ScheduleResult:
    """One tick: every reminder and digest now due, each in its own short transaction."""
    cfg = cfg or get_broadcast_settings()
    now = now or utcnow()
    result = ScheduleResult()
    with db.session() as s:
        remind_actions(s, now, cfg, result)
    with db.session() as s:
        remind_reviews(s, now, cfg, result)
    with db.session() as s:
        queue_digests(s, now, result)
    return result
