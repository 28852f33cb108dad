"""Atom feeds of published lessons: the organisation's, a service's and a team's (feedgen).

Feed readers cannot send an Authorization header, so a feed URL carries a feed token
(``?token=fwf_...``): read-only, feeds only, stored hashed, revocable, one per person and
reader. Lessons are internal, so there is no anonymous feed.
"""

from __future__ import annotations

from datetime import UTC

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.broadcast.options import get_options
from failwell.broadcast.outbox import scrub_names
from failwell.broadcast.render import link
from failwell.catalogue.service import service_by_name
from failwell.enums import ReviewStatus
from failwell.errors import InvalidInput, NotFound
from failwell.failures.models import failure_services
from failwell.failures.scope import team_failure_ids
from failwell.people.teams import team_by_name
from failwell.reviews.models import Review

FEED_SIZE = 50


def lessons_feed(session: Session, *, service: str | None = None, team: str | None = None) -> bytes:
    stmt = (
        select(Review)
        .where(Review.status == ReviewStatus.published)
        .order_by(Review.published_at.desc(), Review.id.desc())
        .limit(FEED_SIZE)
    )
    scope, path = "the organisation", "/api/v1/feeds/lessons.atom"
    if service is not None:
        # The name is the feed's address, not a field of a form: an unknown one is no such feed.
        try:
            svc = service_by_name(session, service, "service")
        except InvalidInput as exc:
            raise NotFound(detail=f"There is no service named '{service}'.") from exc
        stmt = stmt.where(
            Review.failure_id.in_(
                select(failure_services.c.failure_id).where(failure_services.c.service_id == svc.id)
            )
        )
        scope, path = f"service {svc.name}", f"/api/v1/feeds/services/{svc.name}.atom"
    if team is not None:
        try:
            owner = team_by_name(session, team, "team")
        except InvalidInput as exc:
            raise NotFound(detail=f"There is no team named '{team}'.") from exc
        stmt = stmt.where(Review.failure_id.in_(team_failure_ids(owner.id)))
        scope, path = f"team {owner.name}", f"/api/v1/feeds/teams/{owner.name}.atom"
    hide = get_options(session).hide_names

    fg = FeedGenerator()
    fg.id(link(path))
    fg.title(f"failwell: lessons learned, {scope}")
    fg.subtitle("Published blameless reviews: what happened and what we learned.")
    fg.link(href=link(path), rel="self")
    fg.link(href=link("/"), rel="alternate")
    fg.author({"name": "failwell"})
    fg.language("en")
    reviews = list(reversed(session.scalars(stmt).unique().all()))
    texts: list[str] = []
    for review in reviews:
        summary = review.summary.strip()
        lessons = review.lessons_learned.strip()
        texts += [review.failure.title, f"{summary}\n\nLessons learned:\n{lessons}"]
    if hide:
        # One pass over the people for the whole feed, not one per entry.
        texts = scrub_names(session, *texts)
    updated = None
    # feedgen puts the first added entry last: add oldest first so the newest leads.
    for i, review in enumerate(reviews):
        failure = review.failure
        url = link(f"/failures/{failure.id}")
        title, body = texts[2 * i], texts[2 * i + 1]
        entry = fg.add_entry()
        entry.id(f"{link('/')}#review-{review.id}")
        entry.title(title)
        entry.link(href=url)
        entry.content(body, type="text")
        for svc in failure.services:
            entry.category(term=svc.name)
        published = (review.published_at or review.updated_at).astimezone(UTC)
        entry.published(published)
        entry.updated(review.updated_at.astimezone(UTC))
        if updated is None or review.updated_at > updated:
            updated = review.updated_at
    if updated is not None:
        fg.updated(updated.astimezone(UTC))
    return bytes(fg.atom_str(pretty=True))
