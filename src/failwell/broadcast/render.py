"""Facts about a failure, review or action, and the messages told about them (text and HTML).

Privacy: nothing here ever names the reporter of an anonymous failure, nor the person who
acted on one (the actor of an anonymous report *is* the reporter). Names appear only where
the record itself carries them openly (a review's author, an action's owner); the no-names
option scrubs those and any other known name afterwards (see outbox.scrub_names).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.broadcast.config import get_broadcast_settings
from failwell.broadcast.models import Topic
from failwell.broadcast.outbox import Message
from failwell.failures.models import Failure
from failwell.reviews.models import Review, ReviewComment


def link(path: str) -> str:
    return get_broadcast_settings().public_url.rstrip("/") + path


# "Not read yet": a caller telling of many failures reads their reviews in one query.
UNREAD: Any = object()


def failure_facts(session: Session, failure: Failure, review: Review | None = UNREAD) -> dict[str, Any]:
    if review is UNREAD:
        review = session.scalar(select(Review).where(Review.failure_id == failure.id))
    return {
        "failure_id": failure.id,
        "failure_title": failure.title,
        "kind": failure.kind.value,
        "severity": failure.severity,
        "status": failure.status.value,
        "services": [s.name for s in failure.services],
        "service_ids": [s.id for s in failure.services],
        "owner_team_ids": sorted({s.owner_team_id for s in failure.services}),
        "team_ids": sorted({s.owner_team_id for s in failure.services}),
        "tags": [t.name for t in failure.tags],
        "factor_category_ids": sorted({f.category_id for f in review.factors}) if review else [],
        "review_id": review.id if review else None,
        "anonymous": failure.anonymous,
    }


def page(title: str, paragraphs: Sequence[tuple[str, str]], url: str) -> tuple[str, str]:
    """(text, html) from (label, value) pairs; empty values are left out."""
    lines = [title, ""]
    parts = [f"<h2>{escape(title)}</h2>"]
    for label, value in paragraphs:
        if not value.strip():
            continue
        lines += [f"{label}: {value}" if label else value, ""]
        head = f"<strong>{escape(label)}:</strong> " if label else ""
        parts.append(f"<p>{head}{escape(value)}</p>")
    lines.append(url)
    parts.append(f'<p><a href="{escape(url)}">{escape(url)}</a></p>')
    return "\n".join(lines), "\n".join(parts)


def _where(facts: dict[str, Any]) -> str:
    return ", ".join(facts["services"]) or "no service named"


def failure_reported(
    session: Session, failure: Failure, reporter: str | None, review: Review | None = UNREAD
) -> Message:
    facts = failure_facts(session, failure, review)
    title = f"[failwell] Failure reported: {failure.title} (severity {failure.severity}, {_where(facts)})"
    url = link(f"/failures/{failure.id}")
    # An anonymous report names nobody, whoever sent it.
    who = "" if failure.anonymous or not reporter else reporter
    text, html = page(
        title,
        [
            ("Kind", failure.kind.value.replace("_", " ")),
            ("Services", ", ".join(facts["services"])),
            ("Reported by", who),
            ("", failure.description[:2000]),
        ],
        url,
    )
    return Message(Topic.failure_reported, failure.id, title, text, html, facts)


def review_published(session: Session, review: Review) -> Message:
    failure = review.failure
    facts = failure_facts(session, failure)
    facts["review_id"] = review.id
    title = f"[failwell] Lesson published: {failure.title}"
    factors = "; ".join(f"{f.category.name}: {f.description}" for f in review.factors)
    text, html = page(
        title,
        [
            ("Services", ", ".join(facts["services"])),
            ("Summary", review.summary[:3000]),
            ("Lessons learned", review.lessons_learned[:3000]),
            ("Contributing factors", factors[:3000]),
            ("Written by", review.author.name if review.author else ""),
        ],
        link(f"/failures/{failure.id}"),
    )
    return Message(Topic.review_published, review.id, title, text, html, facts)


def review_commented(session: Session, review: Review, comment: ReviewComment, author: str | None) -> Message:
    """Only what the comment and the review say: never who reported the failure."""
    failure = review.failure
    facts = failure_facts(session, failure)
    facts["review_id"], facts["comment_id"] = review.id, comment.id
    title = f"[failwell] {author or 'Someone'} commented on the review of: {failure.title}"
    text, html = page(title, [("Comment", comment.body[:3000])], link(f"/failures/{failure.id}/review"))
    return Message(Topic.review_commented, review.id, title, text, html, facts)


def action_message(session: Session, topic: Topic, action: CorrectiveAction, headline: str) -> Message:
    facts = failure_facts(session, action.failure)
    facts["action_id"] = action.id
    facts["team_ids"] = sorted({*facts["team_ids"], action.owner_team_id})
    facts["action_team_id"] = action.owner_team_id
    title = f"[failwell] {headline}: {action.title}"
    text, html = page(
        title,
        [
            ("Owner team", action.owner_team.name),
            ("Owner", action.owner_person.name if action.owner_person else ""),
            ("Due", action.due_date.isoformat() if action.due_date else ""),
            ("Priority", action.priority.value),
            ("For the failure", action.failure.title),
        ],
        link(f"/failures/{action.failure_id}"),
    )
    return Message(topic, action.id, title, text, html, facts)


def recurrence_detected(session: Session, subject_id: int, data: dict[str, Any]) -> Message:
    failure_id = int(data.get("failure_id", subject_id))
    failure = session.get(Failure, failure_id)
    earlier = [v for k, v in data.items() if k in ("earlier_failure_id", "previous_failure_id", "matches")]
    facts: dict[str, Any] = failure_facts(session, failure) if failure else {"failure_id": failure_id}
    facts["recurrence"] = {k: v for k, v in data.items() if isinstance(v, int | str | list)}
    name = failure.title if failure else f"failure {failure_id}"
    title = f"[failwell] Happened before: {name}"
    text, html = page(
        title,
        [
            ("Services", ", ".join(facts.get("services", []))),
            ("Earlier", ", ".join(str(e) for e in earlier)),
        ],
        link(f"/failures/{failure_id}"),
    )
    return Message(Topic.recurrence_detected, subject_id, title, text, html, facts)


def problem_updated(subject_id: int, data: dict[str, Any]) -> Message:
    name = str(data.get("title") or f"problem {subject_id}")
    title = f"[failwell] Problem updated: {name}"
    facts: dict[str, Any] = {
        "problem_id": subject_id,
        "service_ids": [v for v in data.get("service_ids", []) if isinstance(v, int)],
        "team_ids": [v for v in data.get("team_ids", []) if isinstance(v, int)],
    }
    changed = data.get("fields")
    text, html = page(
        title,
        [
            ("Status", str(data.get("status", ""))),
            ("Changed", ", ".join(map(str, changed)) if isinstance(changed, list) else ""),
        ],
        link(f"/problems/{subject_id}"),
    )
    return Message(Topic.problem_updated, subject_id, title, text, html, facts)
