"""The weekly learning digest, for one team or the whole organisation: its ISO weeks, how it
is built and shown through the API, and its e-mail (its shape is in digest_model).

What it holds, for one ISO week (Monday 00:00 UTC to the next Monday): new lessons, recurrences
detected, corrective actions done that week and those overdue at its end, and a "lesson of the
week". The queries that fill it are failwell.insights.digest's (see build_digest below).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html import escape

from sqlalchemy.orm import Session

from failwell.broadcast.digest_model import Digest
from failwell.broadcast.models import Topic
from failwell.broadcast.outbox import Message
from failwell.broadcast.ports import digest_builder
from failwell.broadcast.schemas import DigestOut
from failwell.db import utcnow
from failwell.errors import InvalidInput
from failwell.people.models import Team
from failwell.people.teams import team_by_name


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


def build_digest(session: Session, week: str, team: Team | None = None) -> Digest:
    """The digest of an ISO week ('2026-W47'), of one team or (None) the organisation.

    Its reads span reviews, actions, failures, the outbox and read receipts, so they live on
    the read side (failwell.insights.digest), reached through the port the composition root wires."""
    return digest_builder()(session, week, team)


def digest(session: Session, week: str | None, team_name: str | None = None) -> Digest:
    """The digest of a week (by default the last one) of a team named, or of the organisation."""
    team = team_by_name(session, team_name) if team_name else None
    return build_digest(session, week or previous_week(utcnow()), team)


def digest_out(d: Digest) -> DigestOut:
    subject, text, html = render_digest(d)
    return DigestOut(
        scope=d.scope,
        week=d.week,
        subject=subject,
        text=text,
        html=html,
        lessons=len(d.lessons),
        recurrences=len(d.recurrences),
        actions_done=len(d.actions_done),
        actions_overdue=len(d.actions_overdue),
        lesson_of_the_week=d.lesson_of_the_week.title if d.lesson_of_the_week else None,
    )


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

    if digest.delivery:
        text += ["DELIVERY", digest.delivery, ""]
        html.append(f"<h2>Delivery</h2><p>{escape(digest.delivery)}</p>")

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
    if digest.recognition:
        section(
            f"Recognised for learning ({len(digest.recognition)})",
            [f"{r.line} {r.url}" for r in digest.recognition],
            [f'<a href="{escape(r.url)}">{escape(r.line)}</a>' for r in digest.recognition],
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
