"""Blameless post-incident reviews, their factors, and the factor taxonomy."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import FailureStatus, ReviewStatus, ReviewStatusFilter, Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.events import REVIEW_PUBLISHED, REVIEW_STARTED, REVIEW_UPDATED, DomainEvent, emit
from failwell.failures.models import Failure
from failwell.failures.scope import scope_filters
from failwell.failures.search import matching
from failwell.failures.service import get_failure
from failwell.listing import apply_sort, paginate
from failwell.reviews.models import ContributingFactor, FactorCategory, Review
from failwell.reviews.schemas import (
    FactorCategoryIn,
    FactorCategoryUpdate,
    FactorIn,
    FactorOut,
    ReviewFilter,
    ReviewOut,
    ReviewSections,
    ReviewUpdate,
)
from failwell.search import parse

SECTIONS = ("summary", "impact", "what_went_well", "what_went_wrong", "where_we_got_lucky", "lessons_learned")

# Which status moves are allowed, and the least role each needs.
TRANSITIONS: dict[tuple[ReviewStatus, ReviewStatus], Role] = {
    (ReviewStatus.draft, ReviewStatus.in_review): Role.practitioner,
    (ReviewStatus.in_review, ReviewStatus.draft): Role.practitioner,
    (ReviewStatus.in_review, ReviewStatus.published): Role.practice_manager,
    # A practice manager who wrote it with the team need not send it round again to publish.
    (ReviewStatus.draft, ReviewStatus.published): Role.practice_manager,
    (ReviewStatus.published, ReviewStatus.in_review): Role.practice_manager,
}


def review_out(review: Review) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        failure_id=review.failure_id,
        failure_title=review.failure.title,
        status=review.status,
        **{name: getattr(review, name) for name in SECTIONS},
        factors=[
            FactorOut(category=f.category.key, category_name=f.category.name, description=f.description)
            for f in review.factors
        ],
        created_at=review.created_at,
        updated_at=review.updated_at,
        published_at=review.published_at,
    )


def get_review(session: Session, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(detail=f"No review with id {review_id}.")
    return review


def review_for_failure(session: Session, failure_id: int) -> Review:
    get_failure(session, failure_id)
    review = session.scalar(select(Review).where(Review.failure_id == failure_id))
    if review is None:
        raise NotFound(detail=f"Failure {failure_id} has no review yet.")
    return review


def find_review(session: Session, failure_id: int) -> Review | None:
    """The failure's review, if one was started."""
    return session.scalar(select(Review).where(Review.failure_id == failure_id))


def _factors(session: Session, items: list[FactorIn]) -> list[ContributingFactor]:
    keys = {item.category for item in items}
    categories = {
        c.key: c for c in session.scalars(select(FactorCategory).where(FactorCategory.key.in_(keys)))
    }
    factors = []
    for i, item in enumerate(items):
        category = categories.get(item.category)
        if category is None:
            raise InvalidInput.on(f"factors[{i}].category", f"unknown category '{item.category}'")
        factors.append(ContributingFactor(category=category, description=item.description, position=i))
    return factors


def _apply_sections(session: Session, review: Review, data: ReviewSections) -> None:
    for name in SECTIONS:
        value = getattr(data, name)
        if value is not None:
            setattr(review, name, value)
    if data.factors is not None:
        already_used = {f.category_id for f in review.factors}
        new = _factors(session, data.factors)
        for i, factor in enumerate(new):
            # A retired category may stay on a review that already used it, not be added anew.
            if not factor.category.is_active and factor.category.id not in already_used:
                raise InvalidInput.on(
                    f"factors[{i}].category", f"category '{factor.category.key}' is retired"
                )
        review.factors = new


def start_review(session: Session, actor: Actor, failure_id: int, data: ReviewSections) -> Review:
    require(actor, Role.practitioner, "Writing a review")
    failure = get_failure(session, failure_id)
    if session.scalar(select(Review.id).where(Review.failure_id == failure_id)) is not None:
        raise Conflict(detail=f"Failure {failure_id} already has a review; edit that one.")
    review = Review(failure=failure, author_id=actor.person_id or None)
    _apply_sections(session, review, data)
    session.add(review)
    session.flush()
    emit(session, actor, DomainEvent(REVIEW_STARTED, review.id, {"failure_id": failure_id}))
    return review


def update_review(session: Session, actor: Actor, review_id: int, data: ReviewUpdate) -> Review:
    require(actor, Role.practitioner, "Editing a review")
    review = get_review(session, review_id)
    editing = any(getattr(data, name) is not None for name in (*SECTIONS, "factors"))
    if editing and review.status == ReviewStatus.published:
        require(actor, Role.practice_manager, "Editing a published review")
    _apply_sections(session, review, data)
    was = review.status
    if data.status is not None and data.status != review.status:
        needed = TRANSITIONS.get((review.status, data.status))
        if needed is None:
            raise InvalidInput.on(
                "status", f"cannot move a review from {review.status.value} to {data.status.value}"
            )
        require(actor, needed, f"Moving a review to {data.status.value}")
        if data.status == ReviewStatus.published:
            missing = [n for n in ("summary", "lessons_learned") if not getattr(review, n).strip()]
            if missing:
                raise InvalidInput.on(missing[0], "must be written before the review is published")
            review.published_at = utcnow()
        elif review.status == ReviewStatus.published:
            review.published_at = None
        review.status = data.status
    # Factor changes do not touch the review row, so onupdate alone would miss them.
    review.updated_at = utcnow()
    session.flush()
    facts = {"failure_id": review.failure_id, "from": was.value, "to": review.status.value}
    emit(session, actor, DomainEvent(REVIEW_UPDATED, review.id, facts))
    if review.status == ReviewStatus.published and was != ReviewStatus.published:
        emit(session, actor, DomainEvent(REVIEW_PUBLISHED, review.id, facts))
    return review


def autosave_review(session: Session, actor: Actor, review_id: int, data: ReviewSections | None) -> Review:
    """Saves a draft's text as it is typed (None: nothing valid to save yet, refused alike).
    Never moves the status, and never touches a published review: changes to that are made
    on purpose, with update_review."""
    require(actor, Role.practitioner, "Editing a review")
    review = get_review(session, review_id)
    if review.status not in (ReviewStatus.draft, ReviewStatus.in_review):
        raise Conflict(detail="A published review is not saved automatically; use the Save button.")
    if data is None:
        return review
    sections = ReviewUpdate.model_validate(data.model_dump(exclude_none=True))
    return update_review(session, actor, review_id, sections)


SORTS = {
    "updated_at": Review.updated_at,
    "published_at": Review.published_at,
    "created_at": Review.created_at,
}


# A review waits while its failure is over but its learning is not published (home's panel).
WAITING = (ReviewStatus.draft, ReviewStatus.in_review)
DONE_FAILURE = (FailureStatus.resolved, FailureStatus.closed)


def list_reviews(session: Session, filters: ReviewFilter) -> tuple[Sequence[Review], int, bool]:
    if filters.since and filters.until and filters.until < filters.since:
        raise InvalidInput.on("until", "is before since")
    stmt = select(Review)
    if filters.status == ReviewStatusFilter.waiting:
        stmt = stmt.where(
            Review.status.in_(WAITING),
            Review.failure_id.in_(select(Failure.id).where(Failure.status.in_(DONE_FAILURE))),
        )
    elif filters.status:
        stmt = stmt.where(Review.status == ReviewStatus(filters.status.value))
    stmt = stmt.where(*scope_filters(session, Review.failure_id, service=filters.service, team=filters.team))
    if filters.category:
        category = _category_by_key(session, filters.category, "category")
        stmt = stmt.where(
            Review.id.in_(
                select(ContributingFactor.review_id).where(ContributingFactor.category_id == category.id)
            )
        )
    if filters.since:
        stmt = stmt.where(Review.published_at >= filters.since)
    if filters.until:
        stmt = stmt.where(Review.published_at < filters.until)
    query = parse(filters.q) if filters.q and filters.q.strip() else None
    if query is not None and query.empty:
        stmt = stmt.where(false())  # only punctuation or quotes: nothing to look for
    elif query is not None:
        # A review's words are in its failure's search document (with the failure's own title
        # and description), so the same index and syntax serve the failures list and this one.
        ranked = matching(session, query, ranked=filters.sort in (None, "relevance"))
        stmt = stmt.join(ranked, ranked.c.failure_id == Review.failure_id)
        if filters.sort in (None, "relevance"):
            stmt = stmt.order_by(ranked.c.rank.desc(), Review.id.desc())
            return paginate(session, stmt, filters)
    sort = None if filters.sort == "relevance" else filters.sort  # relevance without words: newest
    stmt = apply_sort(stmt, sort, SORTS, "-updated_at", Review.id)
    return paginate(session, stmt, filters)


# ---- factor taxonomy ---------------------------------------------------------


def _category_by_key(session: Session, key: str, field: str) -> FactorCategory:
    category = session.scalar(select(FactorCategory).where(FactorCategory.key == key))
    if category is None:
        raise InvalidInput.on(field, f"unknown category '{key}'")
    return category


def list_categories(session: Session, include_retired: bool = False) -> Sequence[FactorCategory]:
    stmt = select(FactorCategory).order_by(FactorCategory.position, FactorCategory.name)
    if not include_retired:
        stmt = stmt.where(FactorCategory.is_active.is_(True))
    return session.scalars(stmt).all()


def categories_to_choose(session: Session, used: set[str]) -> list[FactorCategory]:
    """The active categories, and the retired ones among `used` (keys): a review keeps the
    retired categories it already has, and may choose them again."""
    rows = list(list_categories(session))
    retired = used - {c.key for c in rows}
    if retired:
        rows += session.scalars(select(FactorCategory).where(FactorCategory.key.in_(retired))).all()
    return rows


def create_category(session: Session, actor: Actor, data: FactorCategoryIn) -> FactorCategory:
    require(actor, Role.practice_owner, "Changing the factor taxonomy")
    if session.scalar(select(FactorCategory.id).where(FactorCategory.key == data.key)) is not None:
        raise Conflict.on("key", f"a category with key '{data.key}' already exists")
    category = FactorCategory(
        key=data.key, name=data.name, description=data.description, position=data.position
    )
    session.add(category)
    session.flush()
    return category


def update_category(
    session: Session, actor: Actor, category_id: int, data: FactorCategoryUpdate
) -> FactorCategory:
    require(actor, Role.practice_owner, "Changing the factor taxonomy")
    category = session.get(FactorCategory, category_id)
    if category is None:
        raise NotFound(detail=f"No factor category with id {category_id}.")
    for name, value in data.model_dump(exclude_none=True).items():
        setattr(category, name, value)
    session.flush()
    return category
