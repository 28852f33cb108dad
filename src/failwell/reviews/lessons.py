"""The library of lessons: published reviews, searchable and filterable, newest first.

Read-only queries for the library page, the home page and the service and team pages.
Each page of lessons is one query on the published_at index plus three small look-ups
(services, tags, factor categories) for the rows shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeAlias

from pydantic import Field, model_validator
from sqlalchemy import ColumnElement, Select, String, false, select, type_coerce
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.db import utcnow
from failwell.enums import FailureKind, ReviewStatus
from failwell.errors import InvalidInput
from failwell.failures.models import Failure, Tag, failure_services, failure_tags
from failwell.failures.scope import links_service, links_teams, owned_service_ids, service_failure_ids
from failwell.failures.search import matching
from failwell.fields import Day
from failwell.listing import PageParams, capped_count
from failwell.people.teams import team_by_name
from failwell.reviews.models import ContributingFactor, FactorCategory, Review
from failwell.search import Query, Snippet, parse, snippet

# A select of any columns (SQLAlchemy 2.1 types a select by its column types).
Rows: TypeAlias = Select[*tuple[Any, ...]]
Period = Literal["30d", "90d", "365d", "all"]
LessonSort = Literal["relevance", "newest"]
SORT_LABELS = [("relevance", "Best match"), ("newest", "Newest first")]
PERIOD_DAYS = {"30d": 30, "90d": 90, "365d": 365}
PERIOD_LABELS = [("all", "Any time"), ("30d", "Last 30 days"), ("90d", "Last 90 days"), ("365d", "Last year")]


class LessonFilter(PageParams):
    limit: int = Field(20, ge=1, le=100)
    q: str | None = Field(
        None,
        max_length=200,
        description=(
            "Words in any order, found in the title, description, review sections, factor notes, tags "
            'or services; the last word also matches as a prefix; "a phrase", -excluded, a OR b.'
        ),
    )
    sort: LessonSort | None = Field(None, description="Default: relevance when q is given, else newest.")
    service: str | None = Field(None, max_length=100)
    team: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=64)
    tag: str | None = Field(None, max_length=64)
    period: Period = "all"
    since: Day | None = Field(None, description="Published on or after (YYYY-MM-DD).")
    until: Day | None = Field(None, description="Published on or before (YYYY-MM-DD).")

    @model_validator(mode="after")
    def _range(self) -> LessonFilter:
        if self.since and self.until and self.until < self.since:
            raise ValueError("'until' is before 'since'")
        return self


@dataclass
class Lesson:
    id: int
    failure_id: int
    title: str
    kind: FailureKind
    severity: int
    summary: str
    lessons_learned: str
    published_at: datetime | None
    services: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    snippet: Snippet | None = None


_COLUMNS = (
    Review.id,
    Review.failure_id,
    Failure.title,
    Failure.kind,
    Failure.severity,
    Review.summary,
    Review.lessons_learned,
    Review.published_at,
)


def _is_published(session: Session) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "sqlite":
        # SQLite keeps no statistics: given `status = ?` it reads every published review
        # through ix_reviews_status and sorts them all (~30 ms for 17,000). Written so that
        # no index can serve it, the newest-first order is read from ix_reviews_published_at
        # (published_at, then rowid = id) and the walk stops after a page (~1 ms).
        return type_coerce(Review.status, String()).concat("") == ReviewStatus.published.value
    return Review.status == ReviewStatus.published


def _published(session: Session) -> Rows:
    return select(*_COLUMNS).join(Failure, Failure.id == Review.failure_id).where(_is_published(session))


def _newest_first(stmt: Rows) -> Rows:
    return stmt.order_by(Review.published_at.desc(), Review.id.desc())


def _for_service(stmt: Rows, service_id: int, *, probe: bool = False) -> Rows:
    """Lessons about a service. With `probe` (a short top-N, no count) the newest-first walk
    probes each review's link by primary key and stops after the page; otherwise the
    service's failures are collected once from the (service_id, failure_id) index."""
    if probe:
        return stmt.where(links_service(Review.failure_id, service_id))
    return stmt.where(Review.failure_id.in_(service_failure_ids(service_id)))


def _for_teams(stmt: Rows, team_ids: Sequence[int], *, probe: bool = False) -> Rows:
    """Lessons about the services the teams own. With `probe` (a short top-N, no count) each
    review's links are probed by primary key as the newest-first walk goes, rather than first
    collecting every failure of the team's services (thousands, at scale)."""
    if probe:
        return stmt.where(links_teams(Review.failure_id, team_ids))
    return stmt.where(Review.failure_id.in_(service_failure_ids(owned_service_ids(team_ids))))


def _service_id(session: Session, name: str) -> int:
    found = session.scalar(select(Service.id).where(Service.name == name.strip()))
    if found is None:
        raise InvalidInput.on("service", f"unknown service '{name}'")
    return found


def lessons_query(session: Session, filters: LessonFilter, today: date | None = None) -> Rows:
    stmt = _published(session)
    if filters.service:
        stmt = _for_service(stmt, _service_id(session, filters.service))
    if filters.team:
        team = team_by_name(session, filters.team.strip())
        stmt = _for_teams(stmt, [team.id])
    if filters.category:
        category_id = session.scalar(
            select(FactorCategory.id).where(FactorCategory.key == filters.category.strip())
        )
        if category_id is None:
            raise InvalidInput.on("category", f"unknown category '{filters.category}'")
        stmt = stmt.where(
            Review.id.in_(
                select(ContributingFactor.review_id).where(ContributingFactor.category_id == category_id)
            )
        )
    if filters.tag:
        tag_id = session.scalar(select(Tag.id).where(Tag.name == filters.tag.strip().lower()))
        # An unknown tag simply matches nothing: the library is a search, not a form.
        stmt = stmt.where(
            Review.failure_id.in_(
                select(failure_tags.c.failure_id).where(failure_tags.c.tag_id == (tag_id or -1))
            )
        )
    day = today or utcnow().date()
    if filters.period in PERIOD_DAYS:
        since = datetime.combine(day - timedelta(days=PERIOD_DAYS[filters.period]), time.min, tzinfo=UTC)
        stmt = stmt.where(Review.published_at >= since)
    if filters.since:
        stmt = stmt.where(Review.published_at >= datetime.combine(filters.since, time.min, tzinfo=UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=UTC)
        stmt = stmt.where(Review.published_at < end)
    query = parse(filters.q) if filters.q and filters.q.strip() else None
    if query is not None and query.empty:
        stmt = stmt.where(false())  # only punctuation or quotes: nothing to look for
    elif query is not None:
        matched = matching(session, query)
        if filters.sort != "newest":
            stmt = stmt.join(matched, matched.c.failure_id == Review.failure_id)
            return stmt.order_by(matched.c.rank.desc(), Review.id.desc())
        stmt = stmt.where(Review.failure_id.in_(select(matched.c.failure_id)))
    return _newest_first(stmt)


def _lessons(session: Session, rows: Sequence[Any], details: bool = True) -> list[Lesson]:
    """Lessons for the rows, with their services; with `details`, tags and factor categories too."""
    items = [Lesson(*row) for row in rows]
    if not items:
        return items
    failure_ids = [x.failure_id for x in items]
    review_ids = [x.id for x in items]
    by_failure = {x.failure_id: x for x in items}
    by_review = {x.id: x for x in items}
    for fid, name in session.execute(
        select(failure_services.c.failure_id, Service.name)
        .join(Service, Service.id == failure_services.c.service_id)
        .where(failure_services.c.failure_id.in_(failure_ids))
        .order_by(Service.name)
    ):
        by_failure[fid].services.append(name)
    if not details:
        return items
    for fid, name in session.execute(
        select(failure_tags.c.failure_id, Tag.name)
        .join(Tag, Tag.id == failure_tags.c.tag_id)
        .where(failure_tags.c.failure_id.in_(failure_ids))
        .order_by(Tag.name)
    ):
        by_failure[fid].tags.append(name)
    for rid, name in session.execute(
        select(ContributingFactor.review_id, FactorCategory.name)
        .join(FactorCategory, FactorCategory.id == ContributingFactor.category_id)
        .where(ContributingFactor.review_id.in_(review_ids))
        .order_by(ContributingFactor.review_id, ContributingFactor.position)
    ):
        names = by_review[rid].categories
        if name not in names:
            names.append(name)
    return items


def list_lessons(session: Session, filters: LessonFilter) -> tuple[list[Lesson], int, bool]:
    stmt = lessons_query(session, filters)
    # listing.paginate() reads whole entities (scalars); this selects columns, so it pages here.
    rows = session.execute(stmt.limit(filters.limit).offset(filters.offset)).all()
    items = _lessons(session, rows)
    if filters.q:
        add_snippets(session, items, parse(filters.q))
    if filters.offset == 0 and len(rows) < filters.limit:
        return items, len(rows), True
    total, exact = capped_count(session, stmt)
    return items, total, exact


def add_snippets(session: Session, items: list[Lesson], query: Query) -> None:
    """Sets each lesson's snippet: where the search matched, the fields people read first first."""
    if not items or not query.words():
        return
    reviews = {r.id: r for r in session.scalars(select(Review).where(Review.id.in_([x.id for x in items])))}
    for item in items:
        review = reviews.get(item.id)
        if review is None:
            continue
        fields: list[tuple[str, str | None]] = [
            ("title", item.title),
            ("lessons_learned", review.lessons_learned),
            ("summary", review.summary),
            ("what_went_wrong", review.what_went_wrong),
            ("factors", " ".join(f.description for f in review.factors)),
            ("impact", review.impact),
            ("what_went_well", review.what_went_well),
            ("where_we_got_lucky", review.where_we_got_lucky),
            ("description", review.failure.description),
            ("tags", " ".join(item.tags)),
            ("services", " ".join(item.services)),
        ]
        item.snippet = snippet(fields, query)


def latest_lessons(
    session: Session,
    limit: int = 5,
    *,
    team_ids: Sequence[int] = (),
    service_id: int | None = None,
) -> list[Lesson]:
    stmt = _published(session)
    if service_id is not None:
        stmt = _for_service(stmt, service_id, probe=True)
    elif team_ids:
        stmt = _for_teams(stmt, team_ids, probe=True)
    # The compact lists (home, service and team pages) show no tags or factors.
    return _lessons(session, session.execute(_newest_first(stmt).limit(limit)).all(), details=False)


def category_options(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(FactorCategory.key, FactorCategory.name).order_by(FactorCategory.position, FactorCategory.name)
    )
    return [(r.key, r.name) for r in rows]
