"""Blameless post-incident reviews and their contributing factors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import ReviewStatus, db_enum
from failwell.failures.models import Failure
from failwell.people.models import Person


class FactorCategory(Base):
    """An entry of the editable contributing-factor taxonomy (systems, not people)."""

    __tablename__ = "factor_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(2000), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_status_updated", "status", "updated_at", "id"),
        # The learning metrics' published reviews of a window, and their failures, from the
        # index alone (the rows carry the review's whole text).
        Index("ix_reviews_status_published", "status", "published_at", "failure_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), unique=True)
    status: Mapped[ReviewStatus] = mapped_column(
        db_enum(ReviewStatus, "review_status"), default=ReviewStatus.draft, index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    what_went_well: Mapped[str] = mapped_column(Text, default="")
    what_went_wrong: Mapped[str] = mapped_column(Text, default="")
    where_we_got_lucky: Mapped[str] = mapped_column(Text, default="")
    lessons_learned: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)

    failure: Mapped[Failure] = relationship(lazy="joined")
    author: Mapped[Person | None] = relationship(lazy="joined")
    factors: Mapped[list[ContributingFactor]] = relationship(
        back_populates="review",
        cascade="all, delete-orphan",
        order_by="ContributingFactor.position",
        lazy="selectin",
    )


class ContributingFactor(Base):
    __tablename__ = "contributing_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("factor_categories.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    review: Mapped[Review] = relationship(back_populates="factors")
    category: Mapped[FactorCategory] = relationship(lazy="joined")


class ReviewComment(Base):
    """A remark on a review while it is written; @mentions tell the people named."""

    __tablename__ = "review_comments"
    __table_args__ = (Index("ix_review_comments_review_created", "review_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Person | None] = relationship(lazy="joined")
