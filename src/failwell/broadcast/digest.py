"""The weekly learning digest, for one team or the whole organisation.

What it holds, for one ISO week (Monday 00:00 UTC to the next Monday):
new lessons (reviews published that week), recurrences detected (read back from the outbox,
which recorded them as they happened), corrective actions done that week and those overdue at
its end, and a "lesson of the week": the new lesson read by most people, then the most severe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import overdue_clause
from failwell.broadcast.models import OutboxEvent, ReviewRead, Topic
from failwell.broadcast.outbox import Message
from failwell.broadcast.render import link
from failwell.catalogue.models import Service
from failwell.enums import ActionStatus, ReviewStatus
from failwell.errors import InvalidInput
from failwell.failures.models import failure_services
from failwell.people.models import Team
from failwell.reviews.models import Review


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[datetime, datetime]:
    try:
        monday = date.fromisoformat(f"{week}-1")
    except ValueError:
        raise InvalidInput.on("week", f"'{week}' is not an ISO week like 2026-W47") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


def previous_week(now: datetime) -> str:
    return week_of((now - timedelta(days=7)).date())


@dataclass
class LessonItem:
    review_id: int
    failure_id: int
    title: str
    severity: int
    services: list[str]
    lessons: str
    readers: int
    url: str


@dataclass
class ActionItem:
    action_id: int
    failure_id: int
    title: str
    team: str
    due_date: date | None
    url: str


@dataclass
class RecurrenceItem:
    title: str
    failure_id: int | None


@dataclass
class Digest:
    scope: str  # "organisation" or the team's name
    team_id: int | None
    week: str
    lessons: list[LessonItem] = field(default_factory=list)
    recurrences: list[RecurrenceItem] = field(default_factory=list)
    actions_done: list[ActionItem] = field(default_factory=list)
    actions_overdue: list[ActionItem] = field(default_factory=list)
    lesson_of_the_week: LessonItem | None = None

    @property
    def empty(self) -> bool:
        return not (self.lessons or self.recurrences or self.actions_done or self.actions_overdue)


_LIMIT = 50


def _team_failures(team_id: int) -> Select[tuple[int]]:
    return (
        select(failure_services.c.failure_id)
        .join(Service, Service.id == failure_services.c.service_id)
        .where(Service.owner_team_id == team_id)
    )


def build_digest(session: Session, week: str, team: Team | None = None) -> Digest:
    start, end = week_bounds(week)
    digest = Digest(scope=team.name if team else "organisation", team_id=team.id if team else None, week=week)

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
        .limit(_LIMIT)
    )
    if team is not None:
        stmt = stmt.where(Review.failure_id.in_(_team_failures(team.id)))
    for review, readers in session.execute(stmt).unique():
        f = review.failure
        digest.lessons.append(
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
    if digest.lessons:
        digest.lesson_of_the_week = max(
            digest.lessons, key=lambda item: (item.readers, -item.severity, item.review_id)
        )

    recurrences = session.scalars(
        select(OutboxEvent)
        .where(
            OutboxEvent.topic == Topic.recurrence_detected.value,
            OutboxEvent.created_at >= start,
            OutboxEvent.created_at < end,
        )
        .order_by(OutboxEvent.id)
        .limit(500)
    )
    for event in recurrences:
        if team is not None and team.id not in event.facts.get("team_ids", []):
            continue
        name = event.facts.get("failure_title") or event.title.removeprefix("[failwell] ")
        digest.recurrences.append(RecurrenceItem(title=str(name), failure_id=event.facts.get("failure_id")))

    def actions(where: list[ColumnElement[bool]]) -> list[ActionItem]:
        q = select(CorrectiveAction).where(*where).order_by(CorrectiveAction.id).limit(_LIMIT)
        if team is not None:
            q = q.where(CorrectiveAction.owner_team_id == team.id)
        return [
            ActionItem(
                action_id=a.id,
                failure_id=a.failure_id,
                title=a.title,
                team=a.owner_team.name,
                due_date=a.due_date,
                url=link(f"/failures/{a.failure_id}"),
            )
            for a in session.scalars(q)
        ]

    digest.actions_done = actions(
        [
            CorrectiveAction.status == ActionStatus.done,
            CorrectiveAction.completed_at >= start,
            CorrectiveAction.completed_at < end,
        ]
    )
    # Overdue at the end of the week, as far as today can tell (a past week's "open" is today's).
    last_day = (end - timedelta(days=1)).date()
    digest.actions_overdue = actions([overdue_clause(last_day)])
    return digest


def render_digest(digest: Digest) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the digest e-mail."""
    subject = f"[failwell] Weekly learning digest, {digest.week}: {digest.scope}"
    text: list[str] = [subject, ""]
    html: list[str] = [
        '<!doctype html><html><body style="font-family: sans-serif; max-width: 40em">',
        f"<h1>Weekly learning digest</h1><p>{escape(digest.scope)}, week {escape(digest.week)}</p>",
    ]
    best = digest.lesson_of_the_week
    if best is not None:
        text += [
            "LESSON OF THE WEEK",
            f"{best.title} ({', '.join(best.services)})",
            best.lessons,
            best.url,
            "",
        ]
        html.append(
            '<div style="border-left: 4px solid #2a7; padding-left: 1em">'
            f"<h2>Lesson of the week</h2><p><strong>{escape(best.title)}</strong>"
            f" ({escape(', '.join(best.services))})</p><p>{escape(best.lessons)}</p>"
            f'<p><a href="{escape(best.url)}">Read the review</a></p></div>'
        )

    def section(heading: str, items: list[str], html_items: list[str]) -> None:
        text.append(heading.upper())
        text.extend(f"- {i}" for i in items) if items else text.append("(none)")
        text.append("")
        html.append(f"<h2>{escape(heading)}</h2>")
        html.append(
            "<ul>" + "".join(f"<li>{i}</li>" for i in html_items) + "</ul>" if items else "<p>None.</p>"
        )

    section(
        f"New lessons ({len(digest.lessons)})",
        [f"{item.title}: {item.lessons[:300]} {item.url}" for item in digest.lessons],
        [
            f'<a href="{escape(i.url)}">{escape(i.title)}</a>: {escape(i.lessons[:300])}'
            f" <small>({i.readers} read)</small>"
            for i in digest.lessons
        ],
    )
    section(
        f"Recurrences ({len(digest.recurrences)})",
        [r.title for r in digest.recurrences],
        [escape(r.title) for r in digest.recurrences],
    )
    section(
        f"Corrective actions done ({len(digest.actions_done)})",
        [f"{a.title} ({a.team})" for a in digest.actions_done],
        [f'<a href="{escape(a.url)}">{escape(a.title)}</a> ({escape(a.team)})' for a in digest.actions_done],
    )
    section(
        f"Corrective actions overdue ({len(digest.actions_overdue)})",
        [f"{a.title} ({a.team}, due {a.due_date})" for a in digest.actions_overdue],
        [
            f'<a href="{escape(a.url)}">{escape(a.title)}</a> ({escape(a.team)}, due {a.due_date})'
            for a in digest.actions_overdue
        ],
    )
    html.append("</body></html>")
    return subject, "\n".join(text), "\n".join(html)


def digest_message(digest: Digest) -> Message:
    subject, text, html = render_digest(digest)
    facts = {
        "week": digest.week,
        "digest_team_id": digest.team_id,
        "team_ids": [digest.team_id] if digest.team_id else [],
        "lessons": len(digest.lessons),
        "recurrences": len(digest.recurrences),
        "actions_done": len(digest.actions_done),
        "actions_overdue": len(digest.actions_overdue),
    }
    return Message(Topic.weekly_digest, digest.team_id, subject, text, html, facts)
