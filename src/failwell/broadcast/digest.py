"""The weekly learning digest, for one team or the whole organisation: its shape, its ISO
weeks, and its e-mail.

What it holds, for one ISO week (Monday 00:00 UTC to the next Monday): new lessons, recurrences
detected, corrective actions done that week and those overdue at its end, and a "lesson of the
week". The queries that fill it are failwell.insights.digest's (see build_digest below).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape

from sqlalchemy.orm import Session

from failwell.broadcast.models import Topic
from failwell.broadcast.outbox import Message
from failwell.broadcast.ports import digest_builder
from failwell.errors import InvalidInput
from failwell.people.models import Team


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


def build_digest(session: Session, week: str, team: Team | None = None) -> Digest:
    """The digest of an ISO week ('2026-W47'), of one team or (None) the organisation.

    Its reads span reviews, actions, failures, the outbox and read receipts, so they live on
    the read side (failwell.insights.digest), reached through the port the composition root wires."""
    return digest_builder()(session, week, team)


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
